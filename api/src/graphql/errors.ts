import { GraphQLError } from "graphql";

// Two tiers of errors (STYLE.md): expected ones are GraphQLErrors with extensions.code and a message saying what
// was received and what was expected; anything else is a bug, propagates, is logged once and masked in production.

/** The codes a client may see unmasked; every other error is internal. */
export const PUBLIC_ERROR_CODES = new Set([
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  // The database does not answer (db/unavailable.ts): said as such, without the driver's text.
  "SERVICE_UNAVAILABLE",
]);

/** An expected error caused by the request: BAD_USER_INPUT, HTTP status below 500. */
export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/** JSON rendering of a value for messages: Got first=5000, Got node="0x12". */
export function shown(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

/** "Got <name>=<value>, expected <expected>" as a BAD_USER_INPUT error. */
export function gotExpected(name: string, value: unknown, expected: string): GraphQLError {
  return badInput(`Got ${name}=${shown(value)}, expected ${expected}`);
}
