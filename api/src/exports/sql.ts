import { SqlParams } from "../db/sql.ts";
import type { ExportName } from "./format.ts";
import type { ExportRequest } from "./params.ts";

// One SELECT per export, read through a server-side cursor. Two shapes: at the latest indexed block (the fast
// path) every column is a stored column; as of an earlier block B the state columns come from the change tables
// (latest stake_change / tee_status_change / pcr_event at or before B) and the counts from the events in blocks
// <= B, set-based (LATERAL subqueries, one statement for all rows). Check columns are today's knowledge (stored),
// shown only once the event they judge happened by B.

export interface Resolved {
  /** as_of_block. */
  block: number;
  /** as_of, unix seconds (reputation, uptime and the 30-day window are evaluated at it). */
  t: number;
  /** The current finalized block, whatever asOf is. */
  finalized: number;
  /** B is the latest indexed block: stored columns answer. */
  latest: boolean;
}

/**
 * Each inference committed at or before block B (an SQL expression), with its columns as of B: status from
 * its reveal and latest verdict at or before B, the linked settlement only if in a block <= B, checks shown once
 * what they judge happened, discrepancy re-derived (spec README checks 5-9; PCR revocations with today's
 * knowledge, as the stored pcr_valid_check is).
 */
export function inferencesAsOfSql(B: string, where: string): string {
  return `SELECT i.id, i.node_id, i.model_id, i.mode, i.input_hash, i.commitment, i.committed_block, i.committed_at,
            i.committed_tx, i.pcr_valid_check,
            COALESCE(lv.outcome, CASE WHEN r.rev THEN 'REVEALED' ELSE 'COMMITTED' END) AS status,
            CASE WHEN r.rev THEN i.output_hash END AS output_hash,
            CASE WHEN r.rev THEN i.revealed_block END AS revealed_block,
            CASE WHEN r.rev THEN i.revealed_at END AS revealed_at,
            lv.block AS settled_block, lv.at AS settled_at, lv.verifier,
            CASE WHEN r.rev THEN i.commitment_check ELSE 'NOT_APPLICABLE' END AS commitment_check,
            CASE WHEN r.rev OR lv.outcome = 'EXPIRED' THEN i.reveal_on_time_check ELSE 'NOT_APPLICABLE' END
              AS reveal_on_time_check,
            CASE WHEN i.mode <> 'TEE' OR NOT r.rev THEN 'NOT_APPLICABLE' WHEN s.id IS NULL THEN 'UNKNOWN'
                 ELSE s.signature_check END AS tee_signature_check,
            COALESCE(lv.outcome = 'VERIFIED' AND (
                (r.rev AND (i.commitment_check = 'FAIL' OR i.reveal_on_time_check = 'FAIL'))
                OR (i.mode = 'TEE' AND (i.pcr_valid_check = 'FAIL' OR (r.rev AND s.signature_check = 'FAIL')))
              ), false) AS discrepancy,
            greatest(i.committed_block, CASE WHEN r.rev THEN i.revealed_block END, lv.block) AS last_event_block
       FROM inference i
       CROSS JOIN LATERAL (SELECT COALESCE(i.revealed_block <= ${B}, false) AS rev) r
       LEFT JOIN LATERAL (
         SELECT v.outcome, v.block, v.at, v.verifier FROM inference_verdict v
          WHERE v.inference_id = i.id AND v.block <= ${B}
          ORDER BY v.block DESC, v.log_index DESC LIMIT 1) lv ON true
       LEFT JOIN settlement s ON s.id = i.settlement_id AND s.block <= ${B}
      WHERE i.committed_block <= ${B} ${where}`;
}

/** Counts of the inferences (as of B) matching `where` (e.g. of one node), as a LATERAL subquery. */
function inferenceCountsLateral(B: string, where: string, alias: string): string {
  return `CROSS JOIN LATERAL (
    SELECT count(*)::int AS committed,
           count(*) FILTER (WHERE x.status = 'VERIFIED')::int AS verified,
           count(*) FILTER (WHERE x.status = 'FAILED')::int AS failed,
           count(*) FILTER (WHERE x.status = 'EXPIRED')::int AS expired,
           count(*) FILTER (WHERE x.discrepancy)::int AS discrepancies
      FROM (${inferencesAsOfSql(B, where)}) x) ${alias}`;
}

export interface ExportQuery {
  sql: string;
  values: unknown[];
}

/**
 * The node's PCR approval at time T from the pcr table: the row of its TEE type, else the row of an approval for
 * every type (og-evm 6030478); approved, or revoked with a grace period that has not ended by T (758e149).
 */
export function pcrNowLateral(T: string, alias: string): string {
  return `LEFT JOIN LATERAL (
              SELECT approved OR approved_until > to_timestamp(${T}) AS approved FROM pcr
               WHERE pcr_hash = n.pcr_hash AND (tee_type = n.tee_type OR tee_type IS NULL)
               ORDER BY tee_type NULLS LAST LIMIT 1) ${alias} ON true`;
}

/**
 * The node's PCR approval as of block B (time T) from pcr_event: the latest event at or before B for its hash and
 * TEE type (or for every type) is an approval, or a revocation (or an expiry set by og-evm 6030478's approvePCR)
 * not yet in effect at T (block time + grace period, 758e149) of an approved PCR (an approval covering it comes
 * before).
 */
function pcrAsOfLateral(B: string, T: string, alias: string): string {
  const covers = (e: string) =>
    `${e}.pcr_hash = n.pcr_hash AND (${e}.tee_type IS NULL OR ${e}.tee_type = n.tee_type)`;
  return `LEFT JOIN LATERAL (
              SELECT e.kind = 'APPROVED'
                     OR (COALESCE(e.effective_at, e.at) > to_timestamp(${T}) AND EXISTS (
                       SELECT 1 FROM pcr_event a
                        WHERE ${covers("a")} AND a.kind = 'APPROVED'
                          AND (a.block, a.log_index) < (e.block, e.log_index))) AS approved
                FROM pcr_event e
               WHERE ${covers("e")} AND e.block <= ${B}
               ORDER BY e.block DESC, e.log_index DESC LIMIT 1) ${alias} ON n.registered_block <= ${B}`;
}

function nodesSql(r: Resolved): ExportQuery {
  const p = new SqlParams();
  if (r.latest) {
    const T = `${p.add(r.t)}::float8`;
    return {
      sql: `SELECT n.id, n.owner, n.operator, n.tee_type, n.enabled, COALESCE(pc.approved, false) AS pcr_approved,
                   n.stake AS stake_wei, n.pending_withdrawals AS pending_withdrawals_wei,
                   n.total_slashed AS total_slashed_wei, n.committed, n.verified, n.failed, n.expired,
                   n.disputes_lost, n.slashes, n.settlements, n.settlement_signature_failures AS signature_failures,
                   n.discrepancies, n.rep_ref_time, n.rep_s, n.rep_n, n.rep_d
              FROM node n
              ${pcrNowLateral(T, "pc")}
             ORDER BY n.id`,
      values: p.values,
    };
  }
  const B = `${p.add(r.block)}::int`;
  const T = `${p.add(r.t)}::float8`;
  const registered = `(n.registered_block IS NULL OR n.registered_block <= ${B})`;
  return {
    sql: `SELECT n.id,
                 CASE WHEN ${registered} THEN n.owner END AS owner,
                 CASE WHEN ${registered} THEN n.operator END AS operator,
                 CASE WHEN ${registered} THEN n.tee_type END AS tee_type,
                 COALESCE(ts.enabled, false) AS enabled,
                 COALESCE(pe.approved, false) AS pcr_approved,
                 COALESCE(sc.stake_after, 0)::text AS stake_wei,
                 COALESCE(sc.pending_after, 0)::text AS pending_withdrawals_wei,
                 sl.total::text AS total_slashed_wei,
                 ic.committed, ic.verified, ic.failed, ic.expired, ch.disputes_lost, sl.slashes,
                 st.settlements, st.signature_failures, ic.discrepancies
            FROM node n
            LEFT JOIN LATERAL (
              SELECT enabled FROM tee_status_change WHERE node_id = n.id AND block <= ${B}
               ORDER BY block DESC, log_index DESC LIMIT 1) ts ON true
            ${pcrAsOfLateral(B, T, "pe")}
            LEFT JOIN LATERAL (
              SELECT stake_after, pending_after FROM stake_change WHERE node_id = n.id AND block <= ${B}
               ORDER BY block DESC, log_index DESC LIMIT 1) sc ON true
            CROSS JOIN LATERAL (
              SELECT COALESCE(sum(amount), 0) AS total, count(*)::int AS slashes
                FROM slash WHERE node_id = n.id AND block <= ${B}) sl
            CROSS JOIN LATERAL (
              SELECT count(*)::int AS disputes_lost FROM challenge
               WHERE node_id = n.id AND node_at_fault AND resolved_block <= ${B}) ch
            CROSS JOIN LATERAL (
              SELECT count(*)::int AS settlements,
                     count(*) FILTER (WHERE signature_check = 'FAIL')::int AS signature_failures
                FROM settlement WHERE tee_id = n.id AND block <= ${B}) st
            ${inferenceCountsLateral(B, "AND i.node_id = n.id", "ic")}
           WHERE n.first_seen_block <= ${B}
           ORDER BY n.id`,
    values: p.values,
  };
}

function modelsSql(r: Resolved): ExportQuery {
  const p = new SqlParams();
  const T = `${p.add(r.t)}::float8`;
  if (r.latest) {
    // model_node keeps each (model, node)'s first and last commit; every commit is at or before T here, so
    // "a commit in (T - 30 d, T]" is "last commit after T - 30 d" (as data/models-list.ts does).
    return {
      sql: `SELECT m.id, m.owner, m.name, m.version, m.mode, m.content_hash, m.blob_id, m.deprecated, m.inferences,
                   m.verified, m.failed, m.expired, m.discrepancies, dn.distinct_nodes_30d,
                   m.rep_ref_time, m.rep_s, m.rep_n
              FROM model m
              CROSS JOIN LATERAL (
                SELECT count(*)::int AS distinct_nodes_30d FROM model_node mn
                 WHERE mn.model_id = m.id AND mn.last_commit_at > to_timestamp(${T} - 2592000)
                   AND mn.first_commit_at <= to_timestamp(${T})) dn
             ORDER BY m.id`,
      values: p.values,
    };
  }
  const B = `${p.add(r.block)}::int`;
  const registered = `(m.registered_block IS NOT NULL AND m.registered_block <= ${B})`;
  return {
    sql: `SELECT m.id,
                 CASE WHEN ${registered} THEN m.owner END AS owner,
                 CASE WHEN ${registered} OR m.registered_block IS NULL THEN m.name ELSE '' END AS name,
                 CASE WHEN ${registered} OR m.registered_block IS NULL THEN m.version ELSE '' END AS version,
                 m.mode,
                 CASE WHEN ${registered} THEN m.content_hash END AS content_hash,
                 CASE WHEN ${registered} OR m.registered_block IS NULL THEN m.blob_id ELSE '' END AS blob_id,
                 COALESCE(m.deprecated_block <= ${B}, false) AS deprecated,
                 ic.committed AS inferences, ic.verified, ic.failed, ic.expired, ic.discrepancies,
                 dn.distinct_nodes_30d
            FROM model m
            ${inferenceCountsLateral(B, "AND i.model_id = m.id", "ic")}
            CROSS JOIN LATERAL (
              SELECT count(DISTINCT node_id)::int AS distinct_nodes_30d FROM inference
               WHERE model_id = m.id AND committed_block <= ${B}
                 AND committed_at > to_timestamp(${T} - 2592000) AND committed_at <= to_timestamp(${T})) dn
           WHERE m.first_seen_block <= ${B}
           ORDER BY m.id`,
    values: p.values,
  };
}

function inferencesSql(r: Resolved, q: ExportRequest): ExportQuery {
  const p = new SqlParams();
  const F = `${p.add(r.finalized)}::int`;
  const filters: string[] = [];
  if (q.node) filters.push(`i.node_id = ${p.add(q.node)}`);
  if (q.model) filters.push(`i.model_id = ${p.add(q.model)}`);
  if (q.from) filters.push(`i.committed_at >= ${p.add(q.from)}`);
  if (q.to) filters.push(`i.committed_at <= ${p.add(q.to)}`);
  const out = `x.id, x.node_id AS node, x.model_id AS model, x.mode, x.status, x.input_hash, x.commitment,
               x.output_hash, x.committed_block, x.committed_at, x.committed_tx, x.revealed_block, x.revealed_at,
               x.settled_block, x.settled_at, x.verifier, x.commitment_check, x.reveal_on_time_check,
               x.tee_signature_check, x.pcr_valid_check, x.discrepancy, x.last_event_block <= ${F} AS finalized`;
  if (r.latest) {
    if (q.status) filters.push(`i.status = ANY(${p.add(q.status)}::text[])`);
    return {
      sql: `SELECT ${out} FROM (SELECT i.* FROM inference i
             ${filters.length ? `WHERE ${filters.join(" AND ")}` : ""}) x ORDER BY x.committed_block, x.id`,
      values: p.values,
    };
  }
  const B = `${p.add(r.block)}::int`;
  const status = q.status ? `WHERE x.status = ANY(${p.add(q.status)}::text[])` : "";
  const where = filters.map((f) => `AND ${f}`).join(" ");
  return {
    sql: `SELECT ${out} FROM (${inferencesAsOfSql(B, where)}) x ${status} ORDER BY x.committed_block, x.id`,
    values: p.values,
  };
}

function slashesSql(r: Resolved, q: ExportRequest): ExportQuery {
  const p = new SqlParams();
  const F = `${p.add(r.finalized)}::int`;
  const filters = [`s.block <= ${p.add(r.block)}::int`];
  if (q.node) filters.push(`s.node_id = ${p.add(q.node)}`);
  if (q.from) filters.push(`s.at >= ${p.add(q.from)}`);
  if (q.to) filters.push(`s.at <= ${p.add(q.to)}`);
  return {
    sql: `SELECT s.id, s.node_id AS node, s.inference_id AS inference, s.reason, s.amount AS amount_wei,
                 s.remaining_stake AS remaining_stake_wei, s.block, s.at AS timestamp, s.tx AS tx_hash,
                 s.block <= ${F} AS finalized
            FROM slash s WHERE ${filters.join(" AND ")}
           ORDER BY s.block, s.log_index, s.id`,
    values: p.values,
  };
}

/**
 * Settlements in blocks at or before B. Their checks are today's knowledge (stored, as for inferences); the node is
 * named only once its TEE had registered by B (before, the settlement's TEE was unknown at B).
 */
function settlementsSql(r: Resolved, q: ExportRequest): ExportQuery {
  const p = new SqlParams();
  const F = `${p.add(r.finalized)}::int`;
  const B = `${p.add(r.block)}::int`;
  const filters = [`s.block <= ${B}`];
  if (q.node) filters.push(`s.tee_id = ${p.add(q.node)}`);
  if (q.signature) filters.push(`s.signature_check = ${p.add(q.signature)}`);
  if (q.from) filters.push(`s.at >= ${p.add(q.from)}`);
  if (q.to) filters.push(`s.at <= ${p.add(q.to)}`);
  const node = r.latest
    ? "s.node_id"
    : `CASE WHEN n.registered_block IS NULL OR n.registered_block <= ${B} THEN s.node_id END`;
  return {
    sql: `SELECT s.id, s.tee_id, ${node} AS node, s.eth_address, s.input_hash, s.output_hash, s.timestamp_seconds,
                 s.timestamp, s.walrus_blob_id, s.signature, s.signature_check, s.freshness_check,
                 s.tee_enabled_check, s.pcr_valid_check, s.block, s.at AS block_time, s.tx AS tx_hash,
                 s.block <= ${F} AS finalized
            FROM settlement s ${r.latest ? "" : "LEFT JOIN node n ON n.id = s.node_id"}
           WHERE ${filters.join(" AND ")}
           ORDER BY s.block, s.log_index, s.id`,
    values: p.values,
  };
}

/** The reorgs the indexer handled (Query.reorgs), oldest first. */
function reorgsSql(q: ExportRequest): ExportQuery {
  const p = new SqlParams();
  const filters: string[] = [];
  if (q.from) filters.push(`detected_at >= ${p.add(q.from)}`);
  if (q.to) filters.push(`detected_at <= ${p.add(q.to)}`);
  return {
    sql: `SELECT detected_at, from_block, to_block, depth FROM reorg
           ${filters.length ? `WHERE ${filters.join(" AND ")}` : ""} ORDER BY detected_at, id`,
    values: p.values,
  };
}

export function exportQuery(name: ExportName, r: Resolved, q: ExportRequest): ExportQuery {
  switch (name) {
    case "nodes":
      return nodesSql(r);
    case "models":
      return modelsSql(r);
    case "inferences":
      return inferencesSql(r, q);
    case "slashes":
      return slashesSql(r, q);
    case "settlements":
      return settlementsSql(r, q);
    case "reorgs":
      return reorgsSql(q);
    case "reputation-history":
      throw new Error("reputation-history is not one SELECT (exports/history.ts)");
  }
}
