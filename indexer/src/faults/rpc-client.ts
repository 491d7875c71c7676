import { type BackoffOptions, DEFAULT_BACKOFF, type Outage, retrySchedule } from "./outage.ts";
import { isTransientRpcError } from "./transient.ts";

// The processor's own RPC client (@subsquid/rpc-client 4.x, built by EvmBatchProcessor.getChainRpcClient) already
// retries what it calls connection errors: socket failures, timeouts (requestTimeout), HTTP 429/502/503/504 and
// JSON-RPC "rate limit" / "execution timeout" messages, `retryAttempts` times (the processor's default: forever),
// pausing new requests on `retrySchedule` after each failure. We keep that machinery and widen three things on
// the processor's client instance (the processor exposes neither the classification nor the schedule):
//
// - what is retried: also HTTP 500 and every other 5xx, invalid/truncated JSON (RpcProtocolError), and JSON-RPC
//   errors that mean "try again" (`header not found`, a block not yet available: faults/transient.ts);
// - for how long: a failure is retried only while its outage is shorter than MAX_OUTAGE_SECONDS; after that the
//   request fails, the processor run fails, and main exits with the outage's message;
// - the pauses: our capped exponential schedule with jitter, and one log line per outage instead of two warnings
//   per failed request.
//
// These are private members of RpcClient (client.js): re-check them when @subsquid/rpc-client is upgraded.
// installRpcFaultPolicy fails at start-up, not later, if they are gone.

interface RpcClientInternals {
  isConnectionError(err: unknown): boolean;
  receiveResult(...args: unknown[]): unknown;
  backoff(reason: unknown, req?: unknown): void;
  retrySchedule: number[];
  backoffTime: number | undefined;
  log: unknown;
  close(err?: Error): void;
}

const HOOKS = ["isConnectionError", "receiveResult", "backoff", "close"] as const;

/** The processor's RPC client (memoized by the processor: the data source and ctx._chain share it). */
export function processorRpcClient(processor: object): RpcClientInternals {
  const get = (processor as { getChainRpcClient?: () => unknown }).getChainRpcClient;
  if (typeof get !== "function") {
    throw new Error("@subsquid/evm-processor has no getChainRpcClient(): re-check faults/rpc-client.ts");
  }
  return get.call(processor) as RpcClientInternals;
}

export function installRpcFaultPolicy(
  client: object,
  outage: Outage,
  backoff: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): void {
  const c = client as RpcClientInternals;
  for (const hook of HOOKS) {
    if (typeof c[hook] !== "function") {
      throw new Error(`@subsquid/rpc-client's RpcClient has no ${hook}(): re-check faults/rpc-client.ts`);
    }
  }
  if (!Array.isArray(c.retrySchedule)) {
    throw new Error("@subsquid/rpc-client's RpcClient has no retrySchedule: re-check faults/rpc-client.ts");
  }
  const sdkIsConnectionError = c.isConnectionError.bind(c);
  const sdkReceiveResult = c.receiveResult.bind(c);
  const sdkBackoff = c.backoff.bind(c);
  c.retrySchedule = retrySchedule(backoff);

  // Called by the client for every failed request. It must not throw (it runs in the client's rejection handler).
  c.isConnectionError = (err) => {
    if (!sdkIsConnectionError(err) && !isTransientRpcError(err)) return false;
    try {
      outage.failed(err);
      return true;
    } catch {
      return false; // the outage lasted too long: let the request fail
    }
  };
  // Called for every reply that reached us; one that does not throw is a success and ends an outage.
  c.receiveResult = (...args) => {
    const result = sdkReceiveResult(...args);
    if (outage.active) outage.succeeded();
    return result;
  };
  // The SDK's pause (its epochs and counters, our schedule), without its two warnings, plus jitter.
  c.backoff = (reason, req) => {
    const log = c.log;
    c.log = undefined;
    try {
      sdkBackoff(reason, req);
    } finally {
      c.log = log;
    }
    if (c.backoffTime !== undefined) {
      const pause = Math.max(0, c.backoffTime - Date.now());
      c.backoffTime = Date.now() + Math.round(pause / 2 + random() * (pause / 2));
    }
  };
}
