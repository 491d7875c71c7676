import type { TypedDocumentString } from "~/generated/graphql";
import { webConfig } from "./config.server";
import {
  BEHIND_RETRIES,
  highestIndexedHeight,
  isBehind,
  minHeightHeaders,
  noteIndexedHeight,
} from "./indexed-height.server";

/** The API could not be reached or answered with something that is not GraphQL: the explorer shows its error page. */
export class ApiUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiUnavailableError";
  }
}

/** The API answered with GraphQL errors (e.g. a bad id in the URL). */
export class ApiQueryError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ApiQueryError";
  }
}

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * One GraphQL request to the public API (the explorer reads nothing else): one of the explorer's operations
 * (app/models/*.graphql, typed by `npm run codegen -w web`), so its variables and answer are checked at compile
 * time; an operation without variables takes none. Network failures, timeouts and non-JSON answers become
 * ApiUnavailableError; GraphQL errors become ApiQueryError with the API's code.
 */
export async function gql<T, V>(
  document: TypedDocumentString<T, V>,
  ...[variables]: V extends Record<string, never> ? [] : [V]
): Promise<T> {
  const query = document.toString();
  const { API_URL, API_TIMEOUT_MS } = webConfig();
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(API_URL, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...minHeightHeaders() },
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: AbortSignal.timeout(API_TIMEOUT_MS),
      });
    } catch (err) {
      const reason =
        (err as Error).name === "TimeoutError" ? `no answer within ${API_TIMEOUT_MS} ms` : describe(err);
      throw new ApiUnavailableError(`The API at ${API_URL} is not reachable: ${reason}`);
    }
    // A replica behind what this explorer already showed (indexed-height.server.ts): ask again, never show less.
    if (!isBehind(res)) break;
    await res.body?.cancel();
    if (attempt >= BEHIND_RETRIES) {
      throw new ApiUnavailableError(
        `The API at ${API_URL} stayed behind block ${highestIndexedHeight()}, which the explorer already showed (X-Indexed-Height ${res.headers.get("x-indexed-height")}, ${attempt + 1} tries)`,
      );
    }
  }
  noteIndexedHeight(res.headers);
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiUnavailableError(`The API at ${API_URL} answered HTTP ${res.status} without a GraphQL body`);
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiQueryError(first.message, first.extensions?.code);
  }
  if (!body.data)
    throw new ApiUnavailableError(`The API at ${API_URL} answered HTTP ${res.status} without data`);
  return body.data;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
