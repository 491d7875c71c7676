/**
 * Expected API values computed from the reference fold (packages/testkit/src/reference/fold-chain.ts): BlockRefs from its
 * rows, and rep-v1 replays "as of" an earlier time from its final state and verdict history, following
 * spec/README.md ("Evaluated as of an earlier block": only events in blocks at or before it count, including which
 * settlement an inference links to; revocations with today's knowledge).
 */

import {
  modelReputationAsOf,
  nodeReputationAsOf,
  type Reputation,
  type ReputationEvent,
} from "@attestation-explorer/rep-v1";
import type { Expected, Row } from "@attestation-explorer/testkit/reference/fold-chain";

/** The BlockRef the API must show for the row's `<prefix>_block…` columns (or the bare ones without prefix). */
export function blockRef(row: Row, prefix: string, finalizedHeight: number) {
  const p = prefix ? `${prefix}_` : "";
  const number = row[`${p}block`];
  if (number === null || number === undefined) return null;
  return {
    number,
    hash: row[`${p}block_hash`],
    timestamp: row[`${p}at`],
    txHash: row[`${p}tx`],
    logIndex: row[`${p}log_index`],
    finalized: (number as number) <= finalizedHeight,
  };
}

const seconds = (isoTime: string) => Date.parse(isoTime) / 1000;

/** Node and model reputations as of `asOf` (unix seconds), replayed from the fold's final state and history. */
export function reputationAsOf(
  x: Expected,
  asOf: number,
): { node: Map<string, Reputation>; model: Map<string, Reputation> } {
  const nodeEvents = new Map<string, ReputationEvent[]>();
  const modelEvents = new Map<string, ReputationEvent[]>();
  const push = (map: Map<string, ReputationEvent[]>, id: string, e: ReputationEvent) => {
    const list = map.get(id);
    if (list) list.push(e);
    else map.set(id, [e]);
  };
  // Verdicts per inference, in chain order.
  const verdicts = new Map<string, Row[]>();
  for (const v of x.tables.inference_verdict.values()) {
    const id = v.inference_id as string;
    const list = verdicts.get(id);
    if (list) list.push(v);
    else verdicts.set(id, [v]);
  }
  const order = (a: Row, b: Row) =>
    (a.block as number) - (b.block as number) || (a.log_index as number) - (b.log_index as number);
  for (const inf of x.inferences.values()) {
    const seen = (verdicts.get(inf.id) ?? []).filter((v) => seconds(v.at as string) <= asOf).sort(order);
    const last = seen[seen.length - 1];
    if (!last) continue;
    // The settlement the inference links to: the earliest match overall, if it was already on chain at asOf.
    const linked = inf.settlementId ? x.settlements.get(inf.settlementId) : undefined;
    const teeSignature =
      inf.mode !== "TEE"
        ? "NOT_APPLICABLE"
        : linked && linked.pos.ts <= asOf
          ? linked.signatureCheck
          : "UNKNOWN";
    const checks = [inf.commitmentCheck, inf.revealOnTimeCheck, teeSignature, inf.pcrValidCheck];
    const discrepancy = last.outcome === "VERIFIED" && checks.includes("FAIL");
    const kind = last.outcome === "VERIFIED" && !discrepancy ? "success" : "failure";
    const t = seconds(last.at as string);
    push(nodeEvents, inf.nodeId, { kind, t });
    push(modelEvents, inf.modelId, { kind, t });
  }
  for (const c of x.challenges.values()) {
    if (!c.resolved || !c.nodeAtFault || c.resolved.ts > asOf) continue;
    const inf = x.inferences.get(c.inferenceId);
    push(nodeEvents, c.nodeId, { kind: "dispute_lost", t: c.resolved.ts });
    if (inf) push(modelEvents, inf.modelId, { kind: "dispute_lost", t: c.resolved.ts });
  }
  for (const s of x.slashes.values()) {
    if (s.pos.ts <= asOf) push(nodeEvents, s.nodeId, { kind: "slash", t: s.pos.ts });
  }
  return {
    node: new Map([...x.nodes.keys()].map((id) => [id, nodeReputationAsOf(nodeEvents.get(id) ?? [], asOf)])),
    model: new Map(
      [...x.models.keys()].map((id) => [id, modelReputationAsOf(modelEvents.get(id) ?? [], asOf)]),
    ),
  };
}

/** Differences between an API Reputation and a replayed one: score exact, floats within 1e-9. */
export function reputationDiffs(
  what: string,
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answer
  got: any,
  want: Reputation,
  asOfIso: string,
): string[] {
  const out: string[] = [];
  if (got.score !== want.score) out.push(`${what} score: want ${want.score}, got ${got.score}`);
  for (const k of [
    "lowerBound",
    "upperBound",
    "effectiveSamples",
    "decayedSlashes",
    "slashFactor",
  ] as const) {
    if (Math.abs(got[k] - want[k]) > 1e-9) out.push(`${what} ${k}: want ${want[k]}, got ${got[k]}`);
  }
  if (
    want.successRate === null ? got.successRate !== null : Math.abs(got.successRate - want.successRate) > 1e-9
  )
    out.push(`${what} successRate: want ${want.successRate}, got ${got.successRate}`);
  if (got.provisional !== want.provisional)
    out.push(`${what} provisional: want ${want.provisional}, got ${got.provisional}`);
  if (got.formulaVersion !== want.formulaVersion)
    out.push(`${what} formulaVersion: want ${want.formulaVersion}, got ${got.formulaVersion}`);
  if (got.asOf !== asOfIso) out.push(`${what} asOf: want ${asOfIso}, got ${got.asOf}`);
  return out;
}

export const REPUTATION_FIELDS =
  "score lowerBound upperBound successRate effectiveSamples decayedSlashes slashFactor provisional asOf formulaVersion";
