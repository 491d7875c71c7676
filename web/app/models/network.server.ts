import {
  HistoryDocument,
  type IndexerStatusFragment,
  type Interval,
  NetworkContractsDocument,
  type NetworkContractsQuery,
  NetworkOverviewDocument,
  NetworkSpanDocument,
  ReorgsDocument,
  StatusDocument,
} from "~/generated/graphql";
import { ApiQueryError, gql } from "~/lib/graphql.server";
import { defaultInterval, type HistoryRange, historyRange } from "~/lib/history-range";
import { type NetworkMode, networkModeOf } from "~/lib/network-mode";

export async function indexerStatus(): Promise<IndexerStatusFragment> {
  return (await gql(StatusDocument)).indexerStatus;
}

export async function networkOverview() {
  return gql(NetworkOverviewDocument);
}

/**
 * How many seconds the network's data spans: from the start of the first hour with data (of the API's last 1000
 * hours) to the latest indexed block; 0 before any data.
 */
export async function networkSpan(): Promise<number> {
  const data = await gql(NetworkSpanDocument);
  const first = data.networkHistory[0]?.start;
  const latest = data.indexerStatus.timestamp;
  if (!first || !latest) return 0;
  return Math.max(0, (Date.parse(latest) - Date.parse(first)) / 1000);
}

export async function networkHistory(interval: Interval, from?: string, to?: string) {
  return (await gql(HistoryDocument, { interval, from, to })).networkHistory;
}

export async function reorgs(first: number) {
  return gql(ReorgsDocument, { first });
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
  let contracts: NetworkContractsQuery["indexerStatus"]["contracts"] | undefined;
  try {
    contracts = (await gql(NetworkContractsDocument)).indexerStatus.contracts;
  } catch (err) {
    if (!(err instanceof ApiQueryError && err.code === "GRAPHQL_VALIDATION_FAILED")) throw err;
    contracts = undefined;
  }
  const mode = networkModeOf(contracts);
  // Not remembered before the indexer has written its contracts: the mode may still change.
  if (contracts) modeCache = { at: Date.now(), mode };
  return mode;
}
