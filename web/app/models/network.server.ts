import { ApiQueryError, gql } from "~/lib/graphql.server";
import { defaultInterval, type HistoryRange, historyRange } from "~/lib/history-range";
import { type NetworkMode, networkModeOf } from "~/lib/network-mode";
import { SLASH_ROW } from "./fragments";
import type { IndexedContracts, IndexerStatus, Interval, Mode, SlashRow } from "./types";

export interface NetworkStats {
  nodes: number;
  enabledNodes: number;
  models: number;
  inferences: number;
  verified: number;
  failed: number;
  expired: number;
  pending: number;
  slashes: number;
  totalStake: string;
  totalSlashed: string;
  settlements: number;
  settlementSignatureFailures: number;
  discrepancies: number;
  verificationRate: number | null;
  byMode: { mode: Mode; count: number }[];
}

export interface NetworkBucket {
  start: string;
  committed: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashedAmount: string;
  settlements: number;
  byMode: { mode: Mode; count: number }[];
}

const STATUS = "height hash timestamp finalizedHeight chainHeight lagBlocks reorgedBlocks";

export async function indexerStatus(): Promise<IndexerStatus> {
  const data = await gql<{ indexerStatus: IndexerStatus }>(`{ indexerStatus { ${STATUS} } }`);
  return data.indexerStatus;
}

export async function networkOverview(): Promise<{
  networkStats: NetworkStats;
  indexerStatus: IndexerStatus;
  slashes: { edges: { node: SlashRow }[] };
}> {
  return gql(`{
    networkStats { nodes enabledNodes models inferences verified failed expired pending slashes totalStake
      totalSlashed settlements settlementSignatureFailures discrepancies verificationRate byMode { mode count } }
    indexerStatus { ${STATUS} }
    slashes(first: 5) { edges { node { ${SLASH_ROW} } } }
  }`);
}

/**
 * How many seconds the network's data spans: from the start of the first hour with data (of the API's last 1000
 * hours) to the latest indexed block; 0 before any data.
 */
export async function networkSpan(): Promise<number> {
  const data = await gql<{
    networkHistory: { start: string }[];
    indexerStatus: { timestamp: string | null };
  }>("{ networkHistory(interval: HOUR) { start } indexerStatus { timestamp } }");
  const first = data.networkHistory[0]?.start;
  const latest = data.indexerStatus.timestamp;
  if (!first || !latest) return 0;
  return Math.max(0, (Date.parse(latest) - Date.parse(first)) / 1000);
}

export async function networkHistory(
  interval: Interval,
  from?: string,
  to?: string,
): Promise<NetworkBucket[]> {
  const data = await gql<{ networkHistory: NetworkBucket[] }>(
    `query History($interval: Interval!, $from: DateTime, $to: DateTime) {
      networkHistory(interval: $interval, from: $from, to: $to) {
        start committed verified failed expired slashes slashedAmount settlements byMode { mode count }
      }
    }`,
    { interval, from, to },
  );
  return data.networkHistory;
}

export interface ReorgRow {
  detectedAt: string;
  fromBlock: number;
  toBlock: number;
  depth: number;
}

export async function reorgs(first: number): Promise<{ reorgs: ReorgRow[]; indexerStatus: IndexerStatus }> {
  return gql(
    `query Reorgs($first: Int!) { reorgs(first: $first) { detectedAt fromBlock toBlock depth }
    indexerStatus { ${STATUS} } }`,
    { first },
  );
}

/** A page's chart range from its query string, with the default interval that fits the network's age. */
export async function chartRange(search: URLSearchParams): Promise<HistoryRange> {
  const [status, span] = await Promise.all([indexerStatus(), networkSpan()]);
  return historyRange(search, status.timestamp, defaultInterval(span));
}

/** How long the network's contracts are remembered (they change only when the indexer is redeployed). */
const MODE_TTL_MS = 30_000;
let modeCache: { at: number; mode: NetworkMode } | undefined;

/**
 * What exists on the indexed network (IndexerStatus.contracts): a two-contract network (no commit-reveal
 * registry) has no stake, slashes, models or commit-reveal inferences. An API without the field (older) counts as
 * all three contracts. API errors other than that propagate (the page shows the API-down page).
 */
export async function networkMode(): Promise<NetworkMode> {
  if (modeCache && Date.now() - modeCache.at < MODE_TTL_MS) return modeCache.mode;
  let contracts: IndexedContracts | null | undefined;
  try {
    const data = await gql<{ indexerStatus: { contracts?: IndexedContracts | null } }>(
      "{ indexerStatus { contracts { teeRegistry settlementRelay attestationRegistry } } }",
    );
    contracts = data.indexerStatus.contracts;
  } catch (err) {
    if (!(err instanceof ApiQueryError && err.code === "GRAPHQL_VALIDATION_FAILED")) throw err;
    contracts = undefined;
  }
  const mode = networkModeOf(contracts);
  // Not remembered before the indexer has written its contracts: the mode may still change.
  if (contracts) modeCache = { at: Date.now(), mode };
  return mode;
}
