import { decodeFunctionResult, encodeFunctionData, type Hex, parseAbi } from "viem";
import { isTransientRpcError } from "../faults/transient";

const abi = parseAbi([
  "struct TEEInfo { address owner; address paymentAddress; string endpoint; bytes publicKey; bytes tlsCertificate; bytes32 pcrHash; uint8 teeType; bool enabled; uint256 registeredAt; uint256 lastHeartbeatAt; }",
  "function getTEE(bytes32 teeId) view returns (TEEInfo)",
]);

export interface TeeInfo {
  publicKey: Hex;
  pcrHash: Hex;
  endpoint: string;
  paymentAddress: Hex;
}

export interface TeeInfoReader {
  /** getTEE(teeId) at the block, else at the latest block; undefined when neither answers. */
  read(teeId: string, block: number): Promise<TeeInfo | undefined>;
}

type Call = (method: string, params: unknown[]) => Promise<unknown>;

/**
 * Reads a TEE's registration with getTEE when its registration calldata cannot be decoded (e.g. a call made through
 * another contract). Most RPC nodes keep no state for old blocks (anvil neither), so it falls back to the latest.
 */
export function rpcTeeInfoReader(call: Call, registry: string, log?: (msg: string) => void): TeeInfoReader {
  return {
    async read(teeId, block) {
      const data = encodeFunctionData({ abi, functionName: "getTEE", args: [teeId as Hex] });
      for (const tag of [`0x${block.toString(16)}`, "latest"]) {
        try {
          const result = (await call("eth_call", [{ to: registry, data }, tag])) as Hex;
          const info = decodeFunctionResult({ abi, functionName: "getTEE", data: result });
          return {
            publicKey: info.publicKey,
            pcrHash: info.pcrHash,
            endpoint: info.endpoint,
            paymentAddress: info.paymentAddress,
          };
        } catch (err) {
          // The RPC client has already retried a transient failure for up to MAX_OUTAGE_SECONDS: past that it fails
          // the batch (which is retried from the database's position), never becomes "no answer". A revert or
          // missing state is an answer: try the next tag.
          if (isTransientRpcError(err)) throw err;
          log?.(`getTEE(${teeId}) at ${tag} failed: ${(err as Error).message.split("\n")[0]}`);
        }
      }
      return undefined;
    },
  };
}
