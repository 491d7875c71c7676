import type { IncomingMessage, ServerResponse } from "node:http";
import { BLOCK_TIME_SQL, replayAsOf, TIME_BLOCK_SQL } from "@attestation-explorer/rep-history";
import { evaluate, FORMULA_VERSION, type Reputation, stateFromRow } from "@attestation-explorer/rep-v1";
import pg from "pg";
import { uptimes } from "../data/node-extras.ts";
import type { Db } from "../db/database.ts";
import { timestamptzMillis } from "../db/timestamptz.ts";
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  RETRY_AFTER_SECONDS,
} from "../db/unavailable.ts";
import { loadReputationEvents } from "../reputation/load-events.ts";
import { INDEXED_HEIGHT_HEADER } from "../server/min-height.ts";
import {
  arrayLineWriter,
  COLUMNS,
  type Column,
  csvHeader,
  csvLine,
  type ExportName,
  ndjsonLine,
  type Provenance,
  provenanceComment,
  provenanceHeaders,
  provenanceLine,
  type Row,
  timestamptzIso,
} from "./format.ts";
import { HISTORY_FIELDS, historyRows } from "./history.ts";
import {
  type AsOf,
  BadParameter,
  type ExportFormat,
  type ExportRequest,
  parseExportRequest,
} from "./params.ts";
import { ParquetStream } from "./parquet.ts";
import { exportQuery, type Resolved } from "./sql.ts";

// GET /export/{nodes,models,inferences,slashes,settlements,reorgs}.{csv,ndjson} (spec/exports.md). Everything is checked before the
// first byte: the query's syntax, then (in the export's own REPEATABLE READ snapshot, so the indexer writing
// meanwhile cannot tear it) asOf against the latest indexed block. Rows are read through a server-side cursor
// (DECLARE ... CURSOR / FETCH n) in chunks and written with backpressure (a full socket buffer waits for
// 'drain'), so memory stays constant whatever the row count. A client that goes away cancels the running
// statement (pg_cancel_backend) and the connection is discarded.

export const EXPORT_PREFIX = "/export/";
const PATH =
  /^\/export\/(nodes|models|inferences|slashes|settlements|reorgs|reputation-history)\.(csv|ndjson|parquet)$/;
/** Rows per FETCH; nodes and models also run two queries per chunk (uptime, reputation replay). */
const CHUNK: Record<ExportName, number> = {
  nodes: 500,
  models: 500,
  inferences: 2000,
  slashes: 2000,
  settlements: 2000,
  reorgs: 2000,
  "reputation-history": 0,
};
/**
 * Exports written straight from rows fetched as arrays, timestamps kept as their ISO text (the same lines as
 * csvLine / ndjsonLine over pg's row objects and Dates, at a fraction of the allocations: the inferences export
 * is a million rows). Nodes and models go through `enrich`, which works on row objects.
 */
const ARRAY_ROWS: ReadonlySet<ExportName> = new Set(["inferences", "slashes", "settlements", "reorgs"]);
const TIMESTAMPTZ_OID = 1184;
const WRITE_PIECE = 64 * 1024;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (text: string) => unknown;
const ARRAY_ROW_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ_OID && format !== "binary"
      ? (text: string) => timestamptzIso(text, parseTimestamptz)
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};
/** For Parquet: timestamps as the epoch milliseconds its TIMESTAMP_MILLIS columns hold (no ISO text, no Date). */
const PARQUET_ROW_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ_OID && format !== "binary"
      ? timestamptzMillis
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  const body = `${text}\n`;
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(body);
}

/**
 * Runs `text` (rows as arrays, timestamps as ISO text, or as epoch milliseconds `forParquet`), handing each row to
 * `onRow`; resolves with the count.
 */
function fetchRows(
  client: pg.PoolClient,
  text: string,
  forParquet: boolean,
  onRow: (values: unknown[], result: pg.QueryResult) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    // @types/pg types Query's config without rowMode, which pg's Query takes (as client.query does).
    const types = forParquet ? PARQUET_ROW_TYPES : ARRAY_ROW_TYPES;
    const config: pg.QueryArrayConfig = { text, rowMode: "array", types };
    const query = new pg.Query<unknown[]>(config as pg.QueryConfig);
    let count = 0;
    query.on("row", (values, result) => {
      count++;
      onRow(values, result as pg.QueryResult);
    });
    query.on("end", () => resolve(count));
    query.on("error", reject);
    client.query(query);
  });
}

/** Resolves once the response's buffer has drained (or the response is gone). */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Resolves once the response can take more (or is gone). */
function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * The export's client as a Db. A statement asked for while another runs (history.ts sends the next FETCH before
 * it uses the current one) is sent when the one before it ends: what pg's own queue did, which pg deprecates.
 */
function clientDb(client: pg.PoolClient, pool: pg.Pool): Db {
  let last: Promise<unknown> = Promise.resolve();
  return {
    pool,
    query<R>(sql: string, params: readonly unknown[] = []) {
      const result = last.then(() => client.query(sql, params as unknown[]));
      last = result.catch(() => {});
      return result.then((r) => r.rows as R[]);
    },
  };
}

interface IndexerPosition {
  height: number;
  t: number;
  finalized: number;
}

async function readPosition(client: pg.PoolClient): Promise<IndexerPosition> {
  const { rows } = await client.query<{ height: number; t: number | null; finalized: number | null }>(
    `SELECT height, extract(epoch FROM timestamp)::float8 AS t, finalized_height AS finalized
       FROM indexer_state WHERE id = 'indexer'`,
  );
  const row = rows[0];
  return { height: row?.height ?? 0, t: row?.t ?? 0, finalized: row?.finalized ?? 0 };
}

/** asOf → (block, time); a block after the latest indexed one is a bad parameter. */
async function resolveAsOf(client: pg.PoolClient, asOf: AsOf, pos: IndexerPosition): Promise<Resolved> {
  const latest: Resolved = { block: pos.height, t: pos.t, finalized: pos.finalized, latest: true };
  if (asOf.kind === "latest") return latest;
  if (asOf.kind === "block") {
    if (asOf.block > pos.height) {
      throw new BadParameter(
        "asOf",
        `got block ${asOf.block}, after the latest indexed block ${pos.height}; expected at most ${pos.height}`,
      );
    }
    if (asOf.block === pos.height) return latest;
    const { rows } = await client.query<{ t: number | null }>(BLOCK_TIME_SQL, [asOf.block]);
    return { block: asOf.block, t: rows[0]?.t ?? 0, finalized: pos.finalized, latest: false };
  }
  const t = asOf.time.getTime() / 1000;
  if (t >= pos.t) return { ...latest, t };
  const { rows } = await client.query<{ block: number | null }>(TIME_BLOCK_SQL, [asOf.time]);
  return { block: rows[0]?.block ?? 0, t, finalized: pos.finalized, latest: false };
}

function reputationColumns(rep: Reputation): Row {
  return {
    success_rate: rep.successRate,
    effective_samples: rep.effectiveSamples,
    lower_bound: rep.lowerBound,
    upper_bound: rep.upperBound,
    slash_factor: rep.slashFactor,
    score: rep.score,
    provisional: rep.provisional,
  };
}

/**
 * Adds what SQL does not compute to one chunk of node or model rows: uptime_7d (nodes) and rep-v1 as of T,
 * from the stored decayed state at the latest block, else by replaying the chunk's events (bounded by the chunk).
 */
async function enrich(name: ExportName, db: Db, rows: Row[], r: Resolved): Promise<Row[]> {
  if (name !== "nodes" && name !== "models") return rows;
  const subject = name === "nodes" ? "node" : "model";
  const ids = rows.map((row) => row.id as string);
  const uptime = subject === "node" ? await uptimes(db, ids, r.t) : undefined;
  const replayIds = r.latest ? ids.filter((_, i) => Number(rows[i].rep_ref_time) > r.t) : ids;
  const events = replayIds.length ? await loadReputationEvents(db, subject, replayIds, r.t) : undefined;
  const asOf = new Date(r.t * 1000);
  return rows.map((row) => {
    const id = row.id as string;
    const replayed = events?.get(id);
    const rep = replayed
      ? replayAsOf(replayed, r.t, subject)
      : evaluate(
          stateFromRow({
            ref_time: row.rep_ref_time as number,
            s: row.rep_s as string,
            n: row.rep_n as string,
            d: subject === "node" ? (row.rep_d as string) : 0,
          }),
          r.t,
          subject,
        );
    return {
      ...row,
      uptime_7d: uptime?.get(id) ?? 0,
      ...reputationColumns(rep),
      as_of: asOf,
      as_of_block: r.block,
      formula_version: FORMULA_VERSION,
    };
  });
}

export async function handleExport(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  db: Db,
  log: (message: string) => void,
  /** A database outage's details, for the server log (the client gets 503 without them). */
  onUnavailable: (err: unknown) => void = (err) => log(`api: export: ${(err as Error).message}`),
): Promise<void> {
  const match = PATH.exec(url.pathname);
  if (!match) {
    return sendText(
      res,
      404,
      `Got path ${url.pathname}, expected /export/{nodes,models,inferences,slashes,settlements,reorgs,reputation-history}.{csv,ndjson,parquet}`,
    );
  }
  if (req.method !== "GET") {
    return sendText(res, 405, `Got method ${req.method}, expected GET`, { Allow: "GET" });
  }
  const name = match[1] as ExportName;
  const format = match[2] as ExportFormat;
  let request: ExportRequest;
  try {
    request = parseExportRequest(name, format, url.searchParams);
  } catch (err) {
    if (err instanceof BadParameter) return sendText(res, 400, err.message);
    throw err;
  }

  const unavailable = (err: unknown) => {
    onUnavailable(err);
    return sendText(res, 503, DATABASE_UNAVAILABLE_MESSAGE, { "Retry-After": String(RETRY_AFTER_SECONDS) });
  };
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (err) {
    if (isDatabaseUnavailable(err)) return unavailable(err);
    throw err;
  }
  let released = false;
  const release = (discard: boolean) => {
    if (released) return;
    released = true;
    client.release(discard ? true : undefined);
  };
  let aborted = false;
  let busy = false;
  let pid: number | undefined;
  const cancel = () => {
    if (pid !== undefined) db.pool.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => {});
  };
  const onClose = () => {
    if (res.writableFinished) return;
    aborted = true;
    if (busy) cancel();
  };
  res.on("close", onClose);
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
    }
  };

  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    const position = await readPosition(client);
    let resolved: Resolved;
    try {
      resolved = await resolveAsOf(client, request.asOf, position);
    } catch (err) {
      if (!(err instanceof BadParameter)) throw err;
      await client.query("ROLLBACK");
      release(false);
      return sendText(res, 400, err.message);
    }
    const scoped = clientDb(client, db.pool);
    // reputation-history: rows made in chunks by history.ts; its first chunk is made before the first byte (a
    // range of too many buckets is a 400).
    let history: AsyncGenerator<unknown[][]> | undefined;
    let firstHistory: IteratorResult<unknown[][]> | undefined;
    if (name === "reputation-history") {
      history = historyRows(scoped, request, resolved);
      try {
        firstHistory = await run(() => (history as AsyncGenerator<unknown[][]>).next());
      } catch (err) {
        if (!(err instanceof BadParameter)) throw err;
        await client.query("ROLLBACK");
        release(false);
        return sendText(res, 400, err.message);
      }
    } else {
      const query = exportQuery(name, resolved, request);
      await client.query(`DECLARE export_rows NO SCROLL CURSOR FOR ${query.sql}`, query.values);
    }

    const provenance: Provenance = {
      asOfBlock: resolved.block,
      asOf: new Date(resolved.t * 1000),
      finalizedBlock: resolved.finalized,
      formula: FORMULA_VERSION,
    };
    const columns: readonly Column[] = COLUMNS[name];
    res.writeHead(200, {
      "Content-Type":
        format === "csv"
          ? "text/csv; charset=utf-8; header=present"
          : format === "ndjson"
            ? "application/x-ndjson; charset=utf-8"
            : "application/vnd.apache.parquet",
      "Content-Disposition": `attachment; filename="${name}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...provenanceHeaders(provenance),
      // The position of this export's snapshot: its rows are exactly as of it (server/min-height.ts).
      [INDEXED_HEIGHT_HEADER]: String(position.height),
    });
    if (format === "csv") {
      await write(res, (request.provenance ? provenanceComment(provenance) : "") + csvHeader(columns));
    }
    const line = format === "csv" ? csvLine : ndjsonLine;
    const parquet =
      format === "parquet"
        ? new ParquetStream(columns, name, provenance, (bytes) => write(res, bytes))
        : undefined;
    /** Writes row objects: as lines, or into the Parquet file's current row group. */
    const emit = async (rows: readonly Row[]) => {
      if (parquet) return parquet.add(rows);
      let text = "";
      for (const row of rows) text += line(columns, row);
      await write(res, text);
    };
    const size = CHUNK[name];
    if (history && firstHistory) {
      // Rows as arrays in HISTORY_FIELDS' order, written as pg's array rows are.
      const addToParquet = parquet?.arrayRows(HISTORY_FIELDS);
      const arrayLine = parquet
        ? undefined
        : arrayLineWriter(format as "csv" | "ndjson", columns, HISTORY_FIELDS);
      let next = firstHistory;
      while (!next.done && !aborted) {
        if (addToParquet) {
          for (const values of next.value) addToParquet(values);
          await parquet?.flushFull();
        } else if (arrayLine) {
          // Pieces of about WRITE_PIECE characters, as the array rows' path writes them.
          let text = "";
          let full = false;
          for (const values of next.value) {
            text += arrayLine(values);
            if (text.length >= WRITE_PIECE) {
              if (!res.write(text)) full = true;
              text = "";
            }
          }
          if (text && !res.write(text)) full = true;
          if (full) await drained(res);
        }
        if (aborted) break;
        next = await run(() => (history as AsyncGenerator<unknown[][]>).next());
      }
    } else if (ARRAY_ROWS.has(name)) {
      // Each row is written as it arrives (pg's row events, rows not collected), so a row is garbage before
      // the next young-generation collection and the heap does not grow with the export. Parquet takes each
      // row's values into its row group's columns; a completed row group is written between FETCHes.
      let arrayLine: ((values: readonly unknown[]) => string) | undefined;
      let addToParquet: ((values: readonly unknown[]) => void) | undefined;
      let text = "";
      let full = false;
      const onRow = (values: unknown[], result: pg.QueryResult) => {
        if (aborted) return;
        if (parquet) {
          addToParquet ??= parquet.arrayRows(result.fields.map((f) => f.name));
          addToParquet(values);
          return;
        }
        arrayLine ??= arrayLineWriter(
          format as "csv" | "ndjson",
          columns,
          result.fields.map((f) => f.name),
        );
        text += arrayLine(values);
        // Pieces of about 64 K characters: a much longer string would live in V8's large-object space.
        if (text.length >= WRITE_PIECE) {
          if (!res.write(text)) full = true;
          text = "";
        }
      };
      const fetchChunk = () =>
        run(() => fetchRows(client, `FETCH ${size} FROM export_rows`, !!parquet, onRow));
      let pending = fetchChunk();
      for (;;) {
        const count = await pending;
        if (aborted) break;
        const more = count === size;
        // The next FETCH goes out at once: Postgres reads on while this one's text drains.
        if (more) {
          pending = fetchChunk();
          pending.catch(() => {}); // awaited next round; dropped if the client left (the query is cancelled)
        }
        if (parquet) await parquet.flushFull();
        if (text) {
          if (!res.write(text)) full = true;
          text = "";
        }
        // At most about two FETCHes of text wait in the response's buffer.
        if (full) {
          await drained(res);
          full = false;
        }
        if (!more || aborted) break;
      }
    } else {
      for (;;) {
        if (aborted) break;
        const rows = await run(async () => {
          const fetched = (await client.query<Row>(`FETCH ${size} FROM export_rows`)).rows;
          return fetched.length ? enrich(name, scoped, fetched, resolved) : fetched;
        });
        if (rows.length === 0 || aborted) break;
        await emit(rows);
        if (rows.length < size) break;
      }
    }
    if (aborted) {
      release(true);
      return;
    }
    if (parquet) await parquet.end();
    if (format === "ndjson" && request.provenance) await write(res, provenanceLine(provenance));
    await client.query("COMMIT");
    release(false);
    res.end();
  } catch (err) {
    release(true);
    if (aborted) return;
    if (!res.headersSent && isDatabaseUnavailable(err)) return unavailable(err);
    if (!res.headersSent) throw err;
    log(`api: export ${url.pathname}${url.search} failed mid-stream: ${(err as Error).message}`);
    res.destroy(err as Error);
  } finally {
    res.off("close", onClose);
  }
}
