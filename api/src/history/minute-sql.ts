import type { Db } from "../db/database.ts";

// MINUTE buckets, for a young network whose whole life fits in an hour or two. The indexer keeps HOUR and DAY
// bucket tables only; minute counts are read from the rows themselves, by the same rules the indexer's buckets
// follow (indexer/src/mapping/aggregates.ts): commits by commit time, verdicts by the time of the latest
// InferenceVerified for the inference's current status, slashes and settlements by their block time. A MINUTE
// range spans at most MAX_BUCKETS minutes (under 17 hours), so each statement reads a bounded window.

/** Every count a bucket row of any scope can hold (network, node or model), keyed by bucket start. */
export interface MinuteRow {
  start: number;
  committed: number;
  /** = committed (model buckets' name for it) */
  inferences: number;
  committed_vanilla: number;
  committed_zkml: number;
  committed_tee: number;
  distinct_nodes: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashed_amount: string;
  settlements: number;
}

/** Whose buckets: the whole network, one node or one model. */
export type MinuteScope = { kind: "network" } | { kind: "node"; id: string } | { kind: "model"; id: string };

/** Minute rows with data in [start, end) (unix seconds); minutes without any event have no row. */
export async function minuteRows(
  db: Db,
  scope: MinuteScope,
  start: number,
  end: number,
): Promise<MinuteRow[]> {
  const params: unknown[] = [start, end];
  let filter = "";
  if (scope.kind !== "network") {
    params.push(scope.id);
    filter = ` AND ${scope.kind === "node" ? "node_id" : "model_id"} = $3`;
  }
  // Slashes belong to a node, settlements to a TEE (its node): a model has neither in its buckets.
  const slashFilter = scope.kind === "node" ? " AND node_id = $3" : "";
  const withSlashes = scope.kind !== "model";
  const minute = (column: string) => `floor(extract(epoch FROM ${column}) / 60)::bigint * 60`;
  const within = (column: string) =>
    `${column} >= to_timestamp($1::float8) AND ${column} < to_timestamp($2::float8)`;
  const rows = await db.query<MinuteRow>(
    `WITH c AS (
       SELECT ${minute("committed_at")} AS start, count(*)::int AS committed,
              count(*) FILTER (WHERE mode = 'VANILLA')::int AS committed_vanilla,
              count(*) FILTER (WHERE mode = 'ZKML')::int AS committed_zkml,
              count(*) FILTER (WHERE mode = 'TEE')::int AS committed_tee,
              count(DISTINCT node_id)::int AS distinct_nodes
         FROM inference WHERE ${within("committed_at")}${filter} GROUP BY 1
     ), v AS (
       SELECT ${minute("settled_at")} AS start,
              count(*) FILTER (WHERE status = 'VERIFIED')::int AS verified,
              count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
              count(*) FILTER (WHERE status = 'EXPIRED')::int AS expired
         FROM inference
        WHERE ${within("settled_at")} AND status IN ('VERIFIED', 'FAILED', 'EXPIRED')${filter} GROUP BY 1
     ), s AS (
       SELECT ${minute("at")} AS start, count(*)::int AS slashes, sum(amount) AS slashed_amount
         FROM slash WHERE ${withSlashes ? within("at") : "false"}${slashFilter} GROUP BY 1
     ), st AS (
       SELECT ${minute("at")} AS start, count(*)::int AS settlements
         FROM settlement WHERE ${withSlashes ? within("at") : "false"}${slashFilter} GROUP BY 1
     )
     SELECT start::float8 AS start,
            COALESCE(c.committed, 0) AS committed, COALESCE(c.committed, 0) AS inferences, COALESCE(c.committed_vanilla, 0) AS committed_vanilla,
            COALESCE(c.committed_zkml, 0) AS committed_zkml, COALESCE(c.committed_tee, 0) AS committed_tee,
            COALESCE(c.distinct_nodes, 0) AS distinct_nodes,
            COALESCE(v.verified, 0) AS verified, COALESCE(v.failed, 0) AS failed, COALESCE(v.expired, 0) AS expired,
            COALESCE(s.slashes, 0) AS slashes, COALESCE(s.slashed_amount, 0)::text AS slashed_amount,
            COALESCE(st.settlements, 0) AS settlements
       FROM c FULL JOIN v USING (start) FULL JOIN s USING (start) FULL JOIN st USING (start)`,
    params,
  );
  return rows;
}
