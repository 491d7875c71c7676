import type { PageInfoFragment } from "~/generated/graphql";
import { BadParamError, type PageRequest, type Paging } from "~/lib/params";

// The API pages forward only, by opaque cursor (keyset pagination: api/src/pagination/connection.ts). "Next page"
// links carry the cursor; any other page (previous, last, a page number typed into the URL) is found by reading
// the cursors of the rows before it, a thousand at a time (pageInfo only: no row is fetched to the explorer).

/** One page of one of the API's lists, as every list operation of the explorer selects it. */
export interface Connection<T> {
  edges: { node: T }[];
  pageInfo: PageInfoFragment;
  totalCount: number;
}

/**
 * The pageInfo of `first` rows after `after` of one of the API's lists, its filters and order bound: each list's
 * *Pages operation (e.g. inferencePages in inference.server.ts).
 */
export type PageWalk = (first: number, after: string | undefined) => Promise<PageInfoFragment>;

/** The API's most rows per request (api/src/pagination/connection.ts MAX_FIRST). */
const STEP = 1000;
/** Pages reached by walking start at most this many rows in (twenty requests); further on, Next goes on. */
export const MAX_SKIP = 20_000;

/** The cursor after which row `skip` (0-based) of `list` comes; undefined for the first row. */
export async function cursorBefore(list: PageWalk, skip: number): Promise<string | undefined> {
  if (skip <= 0) return undefined;
  let after: string | undefined;
  for (let left = skip; left > 0; ) {
    const first = Math.min(STEP, left);
    const { hasNextPage, endCursor } = await list(first, after);
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
  list: PageWalk,
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
