import type { SqlParams } from "../db/sql.ts";
import { gotExpected } from "../graphql/errors.ts";
import { type CursorField, type CursorValue, decodeCursor, encodeCursor } from "./cursor.ts";

// Relay connections with keyset pagination (no OFFSET): rows are ordered by a sort key that ends in a unique id,
// the cursor is that key, and the next page is "key after the cursor". Bounded: first defaults to 50, at most 1000.

export const DEFAULT_FIRST = 50;
export const MAX_FIRST = 1000;

export function parseFirst(first: number | null | undefined, arg = "first"): number {
  if (first === null || first === undefined) return DEFAULT_FIRST;
  if (first > MAX_FIRST) throw gotExpected(arg, first, `at most ${MAX_FIRST}`);
  if (first < 0) throw gotExpected(arg, first, "at least 0");
  return first;
}

/** One column of a sort key: a non-null SQL expression over the selected row. */
export interface SortKey<Row> {
  /** SQL expression, e.g. "i.committed_block"; must never be NULL (COALESCE nullable columns). */
  sql: string;
  dir: "ASC" | "DESC";
  /** SQL type to cast the cursor value to. */
  cast: "int" | "bigint" | "numeric" | "float8" | "text";
  /** Its value in a fetched row, as it goes into the cursor. */
  value: (row: Row) => CursorValue;
}

export interface Ordering<Row> {
  /** Tag in the cursor: a cursor of another list or ordering is rejected. */
  list: string;
  keys: readonly SortKey<Row>[];
}

const fieldOf = (cast: SortKey<unknown>["cast"]): CursorField =>
  cast === "int" || cast === "bigint" ? "int" : cast === "float8" ? "number" : "string";

export function orderBySql<Row>(ordering: Ordering<Row>): string {
  return ordering.keys.map((k) => `${k.sql} ${k.dir}`).join(", ");
}

/**
 * The SQL condition "row comes after the cursor" for `after`, or undefined without a cursor. A row comparison
 * when every key has the same direction (so an index on the key can serve it), an expanded OR otherwise.
 */
export function afterCursorSql<Row>(
  ordering: Ordering<Row>,
  after: string | null | undefined,
  params: SqlParams,
) {
  if (after === null || after === undefined) return undefined;
  const values = decodeCursor(
    ordering.list,
    after,
    ordering.keys.map((k) => fieldOf(k.cast)),
  );
  const keys = ordering.keys;
  const placeholders = keys.map((k, i) => `${params.add(values[i])}::${k.cast}`);
  if (keys.every((k) => k.dir === keys[0].dir)) {
    const op = keys[0].dir === "DESC" ? "<" : ">";
    return `(${keys.map((k) => k.sql).join(", ")}) ${op} (${placeholders.join(", ")})`;
  }
  const terms = keys.map((k, i) => {
    const equal = keys.slice(0, i).map((p, j) => `${p.sql} = ${placeholders[j]}`);
    return `(${[...equal, `${k.sql} ${k.dir === "DESC" ? "<" : ">"} ${placeholders[i]}`].join(" AND ")})`;
  });
  return `(${terms.join(" OR ")})`;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  /** Counted only when asked for. */
  totalCount: () => Promise<number>;
}

/** Builds a connection from up to first + 1 rows fetched in order. */
export function toConnection<Row, T>(
  rows: readonly Row[],
  first: number,
  ordering: Ordering<Row>,
  map: (row: Row) => T,
  totalCount: () => Promise<number>,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({
    cursor: encodeCursor(
      ordering.list,
      ordering.keys.map((k) => k.value(row)),
    ),
    node: map(row),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
    totalCount: once(totalCount),
  };
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}
