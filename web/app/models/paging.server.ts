import { gql } from "~/lib/graphql.server";
import { BadParamError, type PageRequest, type Paging } from "~/lib/params";
import type { Connection } from "./types";

// The API pages forward only, by opaque cursor (keyset pagination: api/src/pagination/connection.ts). "Next page"
// links carry the cursor; any other page (previous, last, a page number typed into the URL) is found by reading
// the cursors of the rows before it, a thousand at a time (pageInfo only: no row is fetched to the explorer).

/** One of the API's list fields with the arguments that pick and order its rows. */
export interface ListQuery {
  /** The Query field, e.g. "inferences". */
  field: string;
  /** Its other arguments with their GraphQL types, e.g. { orderBy: "InferenceOrderBy!" }. */
  types: Record<string, string>;
  vars: Record<string, unknown>;
}

/** The API's most rows per request (api/src/pagination/connection.ts MAX_FIRST). */
const STEP = 1000;
/** Pages reached by walking start at most this many rows in (twenty requests); further on, Next goes on. */
export const MAX_SKIP = 20_000;

/** The cursor after which row `skip` (0-based) of `list` comes; undefined for the first row. */
export async function cursorBefore(list: ListQuery, skip: number): Promise<string | undefined> {
  if (skip <= 0) return undefined;
  const names = Object.keys(list.types);
  const query = `query Skip($first: Int!, $after: String${names.map((n) => `, $${n}: ${list.types[n]}`).join("")}) {
    ${list.field}(first: $first, after: $after${names.map((n) => `, ${n}: $${n}`).join("")}) {
      pageInfo { hasNextPage endCursor } } }`;
  let after: string | undefined;
  for (let left = skip; left > 0; ) {
    const first = Math.min(STEP, left);
    const data = await gql<Record<string, { pageInfo: { hasNextPage: boolean; endCursor: string | null } }>>(
      query,
      { ...list.vars, first, after },
    );
    const { hasNextPage, endCursor } = data[list.field].pageInfo;
    if (endCursor) after = endCursor;
    left -= first;
    // Past the end: the page after the last cursor is empty, which is what that page number holds.
    if (!hasNextPage) break;
  }
  return after;
}

/** Reads the page `request` asks for: after its cursor, or after the rows of the pages before it. */
export async function readPage<T>(
  request: PageRequest,
  list: ListQuery,
  read: (first: number, after: string | undefined) => Promise<Connection<T>>,
): Promise<{ connection: Connection<T>; paging: Paging }> {
  const offset = (request.page - 1) * request.size;
  if (!request.after && offset > MAX_SKIP) {
    throw new BadParamError(
      `Got page=${request.page}, expected at most page ${Math.floor(MAX_SKIP / request.size) + 1} at ${request.size} rows per page (later pages are reached with Next page, or narrow the filters)`,
    );
  }
  const after = request.after ?? (await cursorBefore(list, offset));
  const connection = await read(request.size, after);
  return { connection, paging: { size: request.size, page: request.page, offset } };
}
