import { uptime7d } from "@attestation-explorer/rep-v1";
import type { Db } from "../db/database.ts";

/**
 * Whether each (pcrHash, teeType) is approved at `now` (unix seconds, the latest indexed block's time); key
 * `${pcrHash}|${teeType}`. The type's own row, else the row of an approval for every type (og-evm 6030478);
 * approved, or revoked with a grace period that has not ended (758e149).
 */
/** The names the registry gave TEE types (TEETypeAdded), by type id; the latest name when a type was added again. */
export async function teeTypeNames(db: Db, typeIds: readonly number[]): Promise<Map<number, string>> {
  const rows = await db.query<{ type_id: number; name: string }>(
    `SELECT DISTINCT ON (type_id) type_id, name FROM tee_type WHERE type_id = ANY($1)
      ORDER BY type_id, added_block DESC`,
    [typeIds],
  );
  return new Map(rows.map((r) => [r.type_id, r.name]));
}

export async function pcrApproval(
  db: Db,
  keys: readonly string[],
  now: number,
): Promise<Map<string, boolean>> {
  const pairs = keys.map((k) => k.split("|"));
  const rows = await db.query<{ pcr_hash: string; tee_type: number; approved: boolean }>(
    `SELECT k.pcr_hash, k.tee_type, COALESCE(p.approved, false) AS approved
       FROM unnest($1::text[], $2::int[]) AS k(pcr_hash, tee_type)
       CROSS JOIN LATERAL (
         SELECT approved OR approved_until > to_timestamp($3::float8) AS approved FROM pcr
          WHERE pcr_hash = k.pcr_hash AND (tee_type = k.tee_type OR tee_type IS NULL)
          ORDER BY tee_type NULLS LAST LIMIT 1) p`,
    [pairs.map((p) => p[0]), pairs.map((p) => Number(p[1])), now],
  );
  return new Map(rows.map((r) => [`${r.pcr_hash}|${r.tee_type}`, r.approved]));
}

/**
 * uptime7d of each node at asOf (spec/reputation.md) with the rep-v1 library: SQL reduces the counting
 * heartbeats in (asOf - 7 d, asOf] to one per half-hour window (ceil((t - (asOf - 7 d)) / 1800) is the window's
 * k + 1, as in packages/rep-v1/src/uptime.ts), and uptime7d counts the windows.
 */
export async function uptimes(
  db: Db,
  nodeIds: readonly string[],
  asOf: number,
): Promise<Map<string, number>> {
  const rows = await db.query<{ node_id: string; ts: number[] }>(
    `SELECT node_id, array_agg(t ORDER BY t) AS ts FROM (
       SELECT node_id, max(extract(epoch FROM at))::float8 AS t
         FROM heartbeat
        WHERE node_id = ANY($1) AND counts
          AND at > to_timestamp($2::float8 - 604800) AND at <= to_timestamp($2::float8)
        GROUP BY node_id, ceil((extract(epoch FROM at) - ($2::numeric - 604800)) / 1800)
     ) w GROUP BY node_id`,
    [nodeIds, asOf],
  );
  const out = new Map<string, number>(nodeIds.map((id) => [id, 0]));
  for (const r of rows) out.set(r.node_id, uptime7d(r.ts, asOf));
  return out;
}
