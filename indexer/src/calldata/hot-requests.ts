// With an SQD Network gateway, the logs whose calldata the mapping decodes are requested `transaction: true`: the
// gateway answers that server-side with only those logs' transactions. The same requests also go to the RPC data
// source (blocks above the gateway's height, and hot blocks), which would fetch every block of its ranges whole
// for them (docs/decisions/007-calldata-by-transaction-hash.md). So the RPC data source gets them without
// transactions, and the batch handler reads those logs' calldata by hash (transaction-inputs.ts).
//
// The RPC data source turns each range request into its own through its toMappingRequest() (@subsquid/evm-processor
// 1.27 ds-rpc/client.js: both getFinalizedBlocks and processHotBlocks); we wrap that on the instance the processor
// builds (getHotDataSource(), memoized per processor). Both are private: checked when a run starts.

interface LogRequest {
  transaction?: boolean;
}

interface DataRequest {
  logs?: LogRequest[];
}

interface RpcDataSourceInternals {
  toMappingRequest(req: DataRequest | undefined): unknown;
}

interface ProcessorInternals {
  getHotDataSource(): RpcDataSourceInternals;
}

/** The request with no log asking for its transaction. */
export function withoutLogTransactions<R extends DataRequest | undefined>(req: R): R {
  if (!req?.logs?.some((l) => l.transaction)) return req;
  return { ...req, logs: req.logs.map(({ transaction: _, ...rest }) => rest) };
}

const patched = new WeakSet<object>();

/** Makes the processor's RPC data source ignore `transaction: true` on log requests (the gateway's stay as asked). */
export function rpcWithoutLogTransactions(processor: object): void {
  const p = processor as unknown as ProcessorInternals;
  const build = p.getHotDataSource;
  if (typeof build !== "function") {
    throw new Error("@subsquid/evm-processor has no getHotDataSource(): re-check calldata/hot-requests.ts");
  }
  p.getHotDataSource = () => {
    const ds = build.call(processor);
    if (patched.has(ds)) return ds;
    if (typeof ds.toMappingRequest !== "function") {
      throw new Error(
        "@subsquid/evm-processor's EvmRpcDataSource has no toMappingRequest(): re-check calldata/hot-requests.ts",
      );
    }
    const toMapping = ds.toMappingRequest.bind(ds);
    ds.toMappingRequest = (req) => toMapping(withoutLogTransactions(req));
    patched.add(ds);
    return ds;
  };
}
