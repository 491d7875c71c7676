// Which errors are worth waiting out (docs/decisions/006-riding-out-transient-faults.md). Classified by shape
// (name, code, status, message), not by class: the errors come from @subsquid/rpc-client, @subsquid/http-client,
// node-fetch, pg and TypeORM, several of which are not our direct dependencies.

export type FaultKind = "rpc" | "database";

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  response?: { status?: unknown };
  cause?: unknown;
  driverError?: unknown;
}

const shape = (err: unknown): ErrorShape => (err && typeof err === "object" ? (err as ErrorShape) : {});
const messageOf = (err: unknown): string => {
  const m = shape(err).message;
  return typeof m === "string" ? m : String(err);
};

/** Socket-level failures, from Node itself (ECONNRESET…) whatever the library that saw them. */
const SOCKET_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

const SOCKET_MESSAGE =
  /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|premature close|other side closed|network error|fetch failed|request timed out|timeout/i;

/**
 * JSON-RPC errors a node gives for something that will work if asked again: a block it has not seen yet (a node
 * behind a load balancer, or just behind the head), or a node that is busy. Not a revert, not a bad request.
 */
const TRY_AGAIN_RPC =
  /header not found|unknown block|block not found|block .*not (yet )?(available|found)|not yet available|no (such )?block|after last accepted block|try again|temporarily unavailable|too many requests|rate limit|limit exceeded|busy|overloaded|request .*timed out|execution timeout|service unavailable|upstream|internal error/i;

/** JSON-RPC codes that mean "not now": -32005 limit exceeded, -32603 internal error (node-side failure). */
const TRY_AGAIN_RPC_CODES = new Set([-32005, -32603]);

/** A revert or an invalid call: the answer will be the same next time. */
const NEVER_RPC =
  /revert|invalid opcode|out of gas|invalid argument|invalid params|method not found|not supported/i;

/** Is this an RPC failure (transport, HTTP, malformed reply or a "try again" JSON-RPC error) worth retrying? */
export function isTransientRpcError(err: unknown): boolean {
  const e = shape(err);
  const name = typeof e.name === "string" ? e.name : "";
  const message = messageOf(err);
  // @subsquid/http-client: a reply with a status other than 2xx.
  if (name === "HttpError" && typeof e.response?.status === "number") {
    const status = e.response.status;
    return status >= 500 || status === 429 || status === 408;
  }
  if (name === "HttpTimeoutError" || name === "RpcConnectionError" || name === "AbortError") return true;
  if (name === "TimeoutError") return true; // AbortSignal.timeout
  // @subsquid/rpc-client: invalid JSON (a truncated body), a reply for another request, a batch of the wrong size.
  if (name === "RpcProtocolError") return true;
  if (name === "SyntaxError" && /JSON/i.test(message)) return true;
  if (name === "FetchError") return true; // node-fetch: every FetchError is a transport failure
  // calldata/transaction-inputs.ts: a transaction of the batch's logs answered null (reorged out, or a node behind).
  if (name === "MissingTransactionError") return true;
  if (typeof e.code === "string" && SOCKET_CODES.has(e.code)) return true;
  if (name === "RpcError") {
    if (NEVER_RPC.test(message)) return false;
    if (typeof e.code === "number" && TRY_AGAIN_RPC_CODES.has(e.code)) return true;
    return TRY_AGAIN_RPC.test(message);
  }
  // fetch() (undici) wraps the socket error in `cause`.
  if (e.cause && e.cause !== err && isTransientRpcError(e.cause)) return true;
  return name !== "RpcError" && SOCKET_MESSAGE.test(message) && !NEVER_RPC.test(message);
}

/**
 * SQLSTATEs that mean the server went away or cannot take us now: class 08 (connection exception), 57P01–57P03
 * (admin shutdown, crash shutdown, cannot connect now: a restart), 53300 (too many connections), and the two
 * concurrency failures (40001 serialization, 40P01 deadlock) that typeorm-store retries only 3 times.
 */
const TRANSIENT_SQLSTATE = /^(08...|57P0[1-3]|53300|40001|40P01)$/;

const DATABASE_MESSAGE =
  /terminating connection|Connection terminated|connection (is )?(closed|lost|ended)|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|not queryable|Connection terminated due to connection timeout|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|EPIPE|no connection to the server/i;

/**
 * TypeORM's errors for a transaction whose connection was taken away under it (the server terminated the
 * session): the query runner is released, so every later query of the transaction fails with these.
 */
const LOST_TRANSACTION = new Set([
  "QueryRunnerAlreadyReleasedError",
  "QueryRunnerProviderAlreadyReleasedError",
  "TransactionNotStartedError",
]);

/** Is this a lost or refused database connection (a Postgres restart, a network blip)? */
export function isTransientDatabaseError(err: unknown, depth = 0): boolean {
  if (depth > 3) return false;
  const e = shape(err);
  if (typeof e.name === "string" && LOST_TRANSACTION.has(e.name)) return true;
  // pg errors carry the SQLSTATE in `code`; TypeORM's QueryFailedError keeps the driver's error.
  if (typeof e.code === "string" && TRANSIENT_SQLSTATE.test(e.code)) return true;
  if (e.driverError && isTransientDatabaseError(e.driverError, depth + 1)) return true;
  if (e.cause && e.cause !== err && isTransientDatabaseError(e.cause, depth + 1)) return true;
  if (typeof e.code === "string" && SOCKET_CODES.has(e.code)) return true;
  return DATABASE_MESSAGE.test(messageOf(err));
}

/** Which kind of transient fault, if any. Database first: a pg socket error also looks like a socket error. */
export function transientFault(err: unknown): FaultKind | undefined {
  if (looksLikeDatabase(err)) return isTransientDatabaseError(err) ? "database" : undefined;
  if (isTransientRpcError(err)) return "rpc";
  if (isTransientDatabaseError(err)) return "database";
  return undefined;
}

function looksLikeDatabase(err: unknown): boolean {
  const e = shape(err);
  const name = typeof e.name === "string" ? e.name : "";
  if (LOST_TRANSACTION.has(name)) return true;
  if (name === "QueryFailedError" || name === "DatabaseError" || e.driverError) return true;
  // pg's errors have a 5-character SQLSTATE code.
  return typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && !SOCKET_CODES.has(e.code);
}

/** The first line of an error's message, for one-line logs. */
export function describeError(err: unknown): string {
  const e = shape(err);
  const name = typeof e.name === "string" && e.name !== "Error" ? `${e.name}: ` : "";
  return `${name}${messageOf(err).split("\n")[0]}`;
}
