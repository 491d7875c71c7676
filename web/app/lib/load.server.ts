import { ApiQueryError, ApiUnavailableError } from "./graphql.server";
import { isBytes32 } from "./hex";
import { BadParamError } from "./params";

/** What a visitor reads when the API does not answer: no address, port or error text of the server's. */
export const API_UNAVAILABLE_MESSAGE =
  "The explorer cannot reach its data API right now. Try again in a moment.";

let lastApiLog = 0;
/** The reason in the server log, at most once per 10 s while the outage lasts. */
export function logApiUnavailable(reason: string): void {
  const now = Date.now();
  if (now - lastApiLog < 10_000) return;
  lastApiLog = now;
  console.error(`web: ${reason}`);
}

/** A 404 page for an id that does not exist (or is not an id at all). */
export function notFound(message: string): Response {
  return new Response(message, { status: 404, statusText: "Not Found" });
}

/**
 * Runs a loader's API reads and turns what can go wrong into the right page: the API down → 503 saying so (the
 * reason, which names the API's address, goes to the server log only);
 * a query-string value or an argument the API rejected (e.g. a malformed id in the URL) → 400 with the API's message. Anything else is a
 * bug and propagates to the error boundary.
 */
export async function fromApi<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof BadParamError) {
      throw new Response(err.message, { status: 400, statusText: "Bad request" });
    }
    if (err instanceof ApiUnavailableError) {
      logApiUnavailable(err.message);
      throw new Response(API_UNAVAILABLE_MESSAGE, { status: 503, statusText: "API unavailable" });
    }
    if (
      err instanceof ApiQueryError &&
      (err.code === "BAD_USER_INPUT" || err.code === "GRAPHQL_VALIDATION_FAILED")
    ) {
      throw new Response(err.message, { status: 400, statusText: "Bad request" });
    }
    throw err;
  }
}

/** A route's 0x-hex 32-byte id (node, model, inference), or a 404 page that says what an id looks like. */
export function bytes32Param(value: string | undefined, what: string): string {
  const id = param(value, what);
  if (!isBytes32(id)) throw notFound(`${id} is not a ${what} (0x followed by 64 hex digits)`);
  return id.toLowerCase();
}

/** A required route parameter or 404. */
export function param(value: string | undefined, what: string): string {
  if (!value) throw notFound(`No ${what} given`);
  return value;
}
