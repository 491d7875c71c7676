// A database that does not answer (stopped, restarting, unreachable, out of connections) is not a bug: clients get
// SERVICE_UNAVAILABLE (HTTP 503 where the status is ours to choose) and nothing of the driver's message, which
// names hosts and ports; the server log keeps the details.

/**
 * SQLSTATEs of a server that went away or cannot take us now: class 08 (connection exception), 57P01–57P03
 * (admin shutdown, crash shutdown, cannot connect now), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

const UNAVAILABLE_MESSAGE =
  /Connection terminated|terminating connection|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect|Connection terminated due to connection timeout|connect ECONNREFUSED|ECONNRESET/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; originalError?: unknown; cause?: unknown };
  if (typeof e.code === "string" && (UNAVAILABLE_SQLSTATE.test(e.code) || SOCKET_CODES.has(e.code)))
    return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // GraphQL wraps a resolver's error (originalError); DataLoader and others may chain it (cause).
  return isDatabaseUnavailable(e.originalError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}

/** What a client is told: no host, port or driver text. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is not answering; try again shortly";

/** Seconds a client should wait before retrying (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Logs a database outage's details at most once per `everyMs` (a polled /healthz or a page of failing fields would
 * otherwise log the same line many times a second).
 */
export function outageLogger(log: (message: string) => void, everyMs = 10_000) {
  let last = 0;
  let suppressed = 0;
  return (where: string, err: unknown) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    const more = suppressed > 0 ? ` (${suppressed} more since the last line)` : "";
    last = now;
    suppressed = 0;
    log(`api: database unavailable (${where}): ${(err as Error)?.message ?? String(err)}${more}`);
  };
}
