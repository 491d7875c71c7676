import type { Check, VerificationMode } from "@attestation-explorer/checks";
import type { Outcome, SubjectEvent } from "./classify.ts";

// One query for everything that makes up the reputation of some nodes or models up to a time: every verdict
// of their inferences (with what the as-of checks need), lost disputes, and (nodes) slashes. In chain order, so
// every caller (one node's reputation(asOf:), a chunk of the history export, the nodes export) sums the same
// floats in the same order and gets the same bits (rep-v1's sums are not associative in floating point).

export interface EventRow {
  subject: string;
  kind: "verdict" | "dispute_lost" | "slash";
  inference_id: string | null;
  t: number;
  block: number;
  log_index: number;
  outcome: Outcome | null;
  mode: VerificationMode | null;
  revealed_t: number | null;
  commitment_check: Check | null;
  reveal_on_time_check: Check | null;
  pcr_valid_check: Check | null;
  settlement_t: number | null;
  settlement_signature_check: Check | null;
}

const epoch = (column: string) => `extract(epoch FROM ${column})::float8`;

/**
 * The events' statement: $1 the subjects' ids (or, with `all`, every subject: no $1, until is $1), $2 until
 * (unix seconds). In chain order, or with `bySubject` one subject after another (ordered by id), each in chain
 * order: the same order per subject (a subject's events never tie on block, log index, kind and inference).
 */
export function reputationEventsSql(
  subject: "node" | "model",
  options: { all?: boolean; bySubject?: boolean } = {},
): string {
  const key = subject === "node" ? "node_id" : "model_id";
  const until = options.all ? "$1" : "$2";
  const of = (column: string) => (options.all ? `${column} IS NOT NULL` : `${column} = ANY($1)`);
  const slashes =
    subject === "node"
      ? `UNION ALL
         SELECT sl.node_id, 'slash', sl.inference_id, ${epoch("sl.at")}, sl.block, sl.log_index,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
           FROM slash sl WHERE ${of("sl.node_id")} AND sl.at <= to_timestamp(${until}::float8)`
      : "";
  return `SELECT i.${key} AS subject, 'verdict' AS kind, i.id AS inference_id, ${epoch("v.at")} AS t, v.block, v.log_index,
            v.outcome, i.mode, ${epoch("i.revealed_at")} AS revealed_t, i.commitment_check, i.reveal_on_time_check,
            i.pcr_valid_check, ${epoch("s.at")} AS settlement_t, s.signature_check AS settlement_signature_check
       FROM inference_verdict v
       JOIN inference i ON i.id = v.inference_id
       LEFT JOIN settlement s ON s.id = i.settlement_id
      WHERE ${of(`i.${key}`)} AND v.at <= to_timestamp(${until}::float8)
     UNION ALL
     SELECT i.${key}, 'dispute_lost', c.inference_id, ${epoch("c.resolved_at")}, c.resolved_block, c.resolved_log_index,
            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
       FROM challenge c
       JOIN inference i ON i.id = c.inference_id
      WHERE ${of(`i.${key}`)} AND c.node_at_fault AND c.resolved_at <= to_timestamp(${until}::float8)
     ${slashes}
     ORDER BY ${options.bySubject ? "subject, " : ""}block, log_index, kind, inference_id`;
}

/** One row of reputationEventsSql as the event classify.ts takes. */
export function subjectEvent(r: EventRow): SubjectEvent {
  if (r.kind !== "verdict") return { kind: r.kind, t: r.t };
  return {
    kind: "verdict",
    inferenceId: r.inference_id as string,
    t: r.t,
    block: r.block,
    logIndex: r.log_index,
    outcome: r.outcome as Outcome,
    mode: r.mode as VerificationMode,
    revealedT: r.revealed_t,
    commitmentCheck: r.commitment_check as Check,
    revealOnTimeCheck: r.reveal_on_time_check as Check,
    pcrValidCheck: r.pcr_valid_check as Check,
    settlementT: r.settlement_t,
    settlementSignatureCheck: r.settlement_signature_check,
  };
}

/**
 * The earliest time of any event reputationEventsSql reads (unix seconds; null when there is none): every sum is
 * zero at earlier times.
 */
export const FIRST_EVENT_SQL = `
  SELECT extract(epoch FROM least(
           (SELECT min(at) FROM inference_verdict),
           (SELECT min(resolved_at) FROM challenge WHERE node_at_fault),
           (SELECT min(at) FROM slash)))::float8 AS t`;
