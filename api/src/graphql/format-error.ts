import type { GraphQLFormattedError } from "graphql";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable.ts";
import { PUBLIC_ERROR_CODES } from "./errors.ts";

/** An error a client caused (shown as is), as opposed to an internal one (a bug, always masked for users). */
export function isPublicError(formatted: GraphQLFormattedError): boolean {
  const code = formatted.extensions?.code;
  return typeof code === "string" && PUBLIC_ERROR_CODES.has(code);
}

/**
 * Masks internal errors (`mask`: unless a developer set API_EXPOSE_ERRORS): the message and stack stay in the
 * server log. A database outage (`error`:
 * the error as thrown, which Apollo and graphql-ws pass along) is SERVICE_UNAVAILABLE in every mode, without the
 * driver's message (it names the host and port) or a stack.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  mask: boolean,
  error?: unknown,
): GraphQLFormattedError {
  if (formatted.extensions?.code === "SERVICE_UNAVAILABLE" || isDatabaseUnavailable(error)) {
    return {
      message: DATABASE_UNAVAILABLE_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: "SERVICE_UNAVAILABLE" },
    };
  }
  if (isPublicError(formatted)) {
    if (!mask) return formatted;
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  if (!mask) return formatted;
  return {
    message: "Internal server error",
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}
