import { gql } from "~/lib/graphql.server";
import type { NodeOrderBy } from "./enums";
import {
  ATTESTATION,
  BLOCK_REF,
  INFERENCE_ROW,
  NODE_COUNTS,
  PAGE_INFO,
  REPUTATION,
  SETTLEMENT_ROW,
  SLASH_ROW,
} from "./fragments";
import type {
  Attestation,
  BlockRef,
  Connection,
  InferenceRow,
  Interval,
  NodeCounts,
  Reputation,
  SettlementRow,
  SlashRow,
} from "./types";

export interface NodeFilter {
  enabled?: boolean;
  teeType?: number;
  minScore?: number;
  provisional?: boolean;
  owner?: string;
}

export interface LeaderboardRow {
  id: string;
  owner: string | null;
  teeType: number | null;
  endpoint: string | null;
  enabled: boolean;
  pcrApproved: boolean;
  uptime7d: number;
  stake: string;
  totalSlashed: string;
  counts: Pick<NodeCounts, "committed" | "verified" | "failed" | "expired" | "slashes">;
  reputation: Pick<Reputation, "score" | "lowerBound" | "upperBound" | "successRate" | "provisional">;
  registered: { number: number; finalized: boolean; timestamp: string } | null;
}

export async function leaderboard(args: {
  first: number;
  after?: string;
  orderBy: NodeOrderBy;
  where: NodeFilter;
}): Promise<Connection<LeaderboardRow>> {
  const data = await gql<{ nodes: Connection<LeaderboardRow> }>(
    `query Leaderboard($first: Int!, $after: String, $orderBy: NodeOrderBy!, $where: NodeFilter) {
      nodes(first: $first, after: $after, orderBy: $orderBy, where: $where) {
        edges { node { id owner teeType endpoint enabled pcrApproved uptime7d stake totalSlashed
          counts { committed verified failed expired slashes }
          reputation { score lowerBound upperBound successRate provisional }
          registered { number finalized timestamp } } }
        ${PAGE_INFO}
      }
    }`,
    args,
  );
  return data.nodes;
}

export interface NodeDetail {
  id: string;
  owner: string | null;
  operator: string | null;
  teeType: number | null;
  endpoint: string | null;
  paymentAddress: string | null;
  publicKey: string | null;
  pcrHash: string | null;
  pcrApproved: boolean;
  enabled: boolean;
  registered: BlockRef | null;
  lastHeartbeatAt: string | null;
  uptime7d: number;
  /** Windows of uptime7d the node has existed in (336 once 7 days old); null before it registers. */
  uptimeWindows: number | null;
  /** uptime7d over those windows only. */
  uptimeOverLife: number | null;
  teeTypeName: string | null;
  stake: string;
  pendingWithdrawals: string;
  totalSlashed: string;
  counts: NodeCounts;
  reputation: Reputation;
  history: {
    start: string;
    committed: number;
    verified: number;
    failed: number;
    expired: number;
    slashes: number;
    slashedAmount: string;
    score: number;
  }[];
  inferences: Connection<InferenceRow>;
  settlements: Connection<SettlementRow>;
  slashes: Connection<SlashRow>;
  /** null until the TEE registers. */
  attestation: Attestation | null;
}

export async function nodeDetail(
  id: string,
  interval: Interval,
  from?: string,
  to?: string,
): Promise<NodeDetail | null> {
  const data = await gql<{ node: NodeDetail | null }>(
    `query Node($id: Bytes!, $interval: Interval!, $from: DateTime, $to: DateTime) {
      node(id: $id) {
        id owner operator teeType endpoint paymentAddress publicKey pcrHash pcrApproved enabled
        registered { ${BLOCK_REF} } lastHeartbeatAt uptime7d uptimeWindows uptimeOverLife teeTypeName
        stake pendingWithdrawals totalSlashed
        counts { ${NODE_COUNTS} }
        reputation { ${REPUTATION} }
        history(interval: $interval, from: $from, to: $to) { start committed verified failed expired slashes slashedAmount score }
        inferences(first: 20) { edges { node { ${INFERENCE_ROW} } } ${PAGE_INFO} }
        settlements(first: 10) { edges { node { ${SETTLEMENT_ROW} } } ${PAGE_INFO} }
        slashes(first: 20) { edges { node { ${SLASH_ROW} } } ${PAGE_INFO} }
        attestation { ${ATTESTATION} }
      }
    }`,
    { id, interval, from, to },
  );
  return data.node;
}
