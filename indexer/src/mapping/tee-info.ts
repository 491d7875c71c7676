import type { Hex } from "viem";
import { functions } from "../abi/TEERegistry";
import { isTransientRpcError } from "../faults/transient";

export interface TeeInfo {
  publicKey: Hex;
  pcrHash: Hex;
  endpoint: string;
  paymentAddress: Hex;
}

/** A registration getTEE is asked about: the TEE and the block of its TEERegistered. */
export interface TeeInfoRequest {
  teeId: string;
  block: number;
}

/** getTEE's answers of a batch, by teeInfoKey(teeId, block); undefined: neither tag answered. */
export type TeeInfos = ReadonlyMap<string, TeeInfo | undefined>;

export const teeInfoKey = (teeId: string, block: number) => `${teeId}@${block}`;

/** The part of the processor's RPC client (ctx._chain.client, @subsquid/rpc-client) the load phase uses. */
export interface Rpc {
  call(method: string, params: unknown[]): Promise<unknown>;
}

/**
 * getTEE(teeId) of every registration, at its block, else at the latest block for those the node keeps no state
 * that old (most RPC nodes, anvil too): one round of concurrent eth_calls (the client's capacity bounds how many
 * are in flight), plus one round for the fallbacks. Called in the load phase, so mapping needs no RPC. Calls, not
 * one JSON-RPC batch: the client fails a whole batch when one call reverts, and a revert is an answer here.
 * The client has already retried a transient fault (faults/transient.ts) for up to MAX_OUTAGE_SECONDS
 * (faults/rpc-client.ts): past that it fails the batch (retried from the database's position), never becomes
 * "no answer". A revert or missing state is an answer: the next tag is tried.
 */
export async function readTeeInfos(
  rpc: Rpc,
  registry: string,
  requests: readonly TeeInfoRequest[],
  log?: (msg: string) => void,
): Promise<Map<string, TeeInfo | undefined>> {
  const infos = new Map<string, TeeInfo | undefined>();
  let pending = [...new Map(requests.map((r) => [teeInfoKey(r.teeId, r.block), r])).values()];
  for (const tagOf of [(r: TeeInfoRequest) => `0x${r.block.toString(16)}`, () => "latest"]) {
    const answers = await Promise.all(
      pending.map(async (r) => {
        const data = functions.getTEE.encode({ teeId: r.teeId });
        try {
          return decodeTeeInfo(await rpc.call("eth_call", [{ to: registry, data }, tagOf(r)]));
        } catch (err) {
          if (isTransientRpcError(err)) throw err;
          log?.(`getTEE(${r.teeId}) at ${tagOf(r)} failed: ${(err as Error).message.split("\n")[0]}`);
          return undefined;
        }
      }),
    );
    for (const [i, r] of pending.entries()) infos.set(teeInfoKey(r.teeId, r.block), answers[i]);
    pending = pending.filter((_, i) => answers[i] === undefined);
    if (pending.length === 0) break;
  }
  return infos;
}

function decodeTeeInfo(result: unknown): TeeInfo {
  const info = functions.getTEE.decodeResult(result as string);
  return {
    publicKey: info.publicKey as Hex,
    pcrHash: info.pcrHash as Hex,
    endpoint: info.endpoint,
    paymentAddress: info.paymentAddress as Hex,
  };
}
