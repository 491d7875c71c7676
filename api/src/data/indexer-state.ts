import type { Db } from "../db/database.ts";
import { pgCode } from "../db/database.ts";
import type { IndexerStatusModel } from "./models.ts";

export interface IndexerStateRow {
  /** The row's version (xmin): it changes with every write, i.e. every transaction of the indexer. */
  version: string;
  height: number;
  hash: string | null;
  timestamp: Date | null;
  chain_height: number | null;
  finalized_height: number | null;
  reorged_blocks: number;
  updated_at: Date;
  tee_registry: string | null;
  settlement_relay: string | null;
  attestation_registry: string | null;
}

const STATE_COLUMNS =
  "xmin::text AS version, height, hash, timestamp, chain_height, finalized_height, reorged_blocks, updated_at, " +
  "tee_registry, settlement_relay, attestation_registry";

/** The indexer's position (row 'indexer'); null before the indexer has written it or created its tables. */
export async function readIndexerState(db: Db): Promise<IndexerStateRow | null> {
  try {
    const [row] = await db.query<IndexerStateRow>(
      `SELECT ${STATE_COLUMNS} FROM indexer_state WHERE id = 'indexer'`,
    );
    return row ?? null;
  } catch (err) {
    if (pgCode(err) === "42P01") return null; // undefined_table: the indexer has not migrated yet
    throw err;
  }
}

/**
 * The database snapshot (pg_current_snapshot(): it changes with every commit of a write transaction in the
 * cluster) and the indexer's position, read in one statement (server/response-cache.ts).
 */
export async function readSnapshotAndState(
  db: Db,
): Promise<{ snapshot: string; state: IndexerStateRow | null }> {
  try {
    const [row] = await db.query<IndexerStateRow & { snapshot: string; found: boolean }>(
      `SELECT pg_current_snapshot()::text AS snapshot, s.id IS NOT NULL AS found, s.*
         FROM (SELECT 1) one LEFT JOIN (SELECT id, ${STATE_COLUMNS} FROM indexer_state WHERE id = 'indexer') s ON true`,
    );
    const { snapshot, found, id: _id, ...state } = row as typeof row & { id: unknown };
    return { snapshot, state: found ? (state as IndexerStateRow) : null };
  } catch (err) {
    if (pgCode(err) !== "42P01") throw err;
    // Before the indexer's migrations: no position yet.
    const [row] = await db.query<{ snapshot: string }>("SELECT pg_current_snapshot()::text AS snapshot");
    return { snapshot: row.snapshot, state: null };
  }
}

export function indexerStatusFromRow(row: IndexerStateRow | null): IndexerStatusModel {
  if (!row) {
    return {
      height: 0,
      hash: null,
      timestamp: null,
      finalizedHeight: null,
      chainHeight: null,
      lagBlocks: null,
      reorgedBlocks: 0,
      updatedAt: null,
      contracts: null,
    };
  }
  return {
    contracts:
      row.tee_registry && row.settlement_relay
        ? {
            teeRegistry: row.tee_registry,
            settlementRelay: row.settlement_relay,
            attestationRegistry: row.attestation_registry,
          }
        : null,
    height: row.height,
    hash: row.hash,
    timestamp: row.timestamp,
    finalizedHeight: row.finalized_height,
    chainHeight: row.chain_height,
    lagBlocks: row.chain_height === null ? null : Math.max(0, row.chain_height - row.height),
    reorgedBlocks: row.reorged_blocks,
    updatedAt: row.updated_at,
  };
}

/** asOf's default: the latest indexed block's time in unix seconds (0 before anything is indexed). */
export function latestBlockTime(row: Pick<IndexerStateRow, "timestamp"> | null): number {
  return row?.timestamp ? row.timestamp.getTime() / 1000 : 0;
}

export interface ReorgModel {
  detectedAt: Date;
  fromBlock: number;
  toBlock: number;
  depth: number;
}

export async function listReorgs(db: Db, first: number): Promise<ReorgModel[]> {
  const rows = await db.query<{ detected_at: Date; from_block: number; to_block: number; depth: number }>(
    "SELECT detected_at, from_block, to_block, depth FROM reorg ORDER BY detected_at DESC, id DESC LIMIT $1",
    [first],
  );
  return rows.map((r) => ({
    detectedAt: r.detected_at,
    fromBlock: r.from_block,
    toBlock: r.to_block,
    depth: r.depth,
  }));
}
