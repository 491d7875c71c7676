import type { Db } from "../db/database.ts";
import { byMode, type ModeCount } from "../history/history-sql.ts";

export interface NetworkStatsModel {
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
  byMode: ModeCount[];
}

interface NetworkStatsRow {
  nodes: number;
  enabled_nodes: number;
  models: number;
  inferences: number;
  verified: number;
  failed: number;
  expired: number;
  pending: number;
  slashes: number;
  total_stake: string;
  total_slashed: string;
  settlements: number;
  settlement_signature_failures: number;
  discrepancies: number;
  inferences_vanilla: number;
  inferences_zkml: number;
  inferences_tee: number;
}

/** verified / (verified + failed + expired); null when nothing has settled. */
export function verificationRate(verified: number, failed: number, expired: number): number | null {
  const settled = verified + failed + expired;
  return settled === 0 ? null : verified / settled;
}

export async function readNetworkStats(db: Db): Promise<NetworkStatsModel> {
  const [r] = await db.query<NetworkStatsRow>("SELECT * FROM network_stats WHERE id = 'network'");
  if (!r) {
    return {
      nodes: 0,
      enabledNodes: 0,
      models: 0,
      inferences: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      pending: 0,
      slashes: 0,
      totalStake: "0",
      totalSlashed: "0",
      settlements: 0,
      settlementSignatureFailures: 0,
      discrepancies: 0,
      verificationRate: null,
      byMode: byMode(0, 0, 0),
    };
  }
  return {
    nodes: r.nodes,
    enabledNodes: r.enabled_nodes,
    models: r.models,
    inferences: r.inferences,
    verified: r.verified,
    failed: r.failed,
    expired: r.expired,
    pending: r.pending,
    slashes: r.slashes,
    totalStake: r.total_stake,
    totalSlashed: r.total_slashed,
    settlements: r.settlements,
    settlementSignatureFailures: r.settlement_signature_failures,
    discrepancies: r.discrepancies,
    verificationRate: verificationRate(r.verified, r.failed, r.expired),
    byMode: byMode(r.inferences_vanilla, r.inferences_zkml, r.inferences_tee),
  };
}
