import type { Address, Hex } from "viem";
import type { JsonRpc } from "./rpc.ts";

export interface RawReceipt {
  transactionHash: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  status: Hex;
  contractAddress: Address | null;
  logs: { address: Address; topics: Hex[]; data: Hex; logIndex: Hex }[];
}

/** Polls until every transaction has a receipt; throws naming the first reverted transaction. */
export async function waitForReceipts(
  rpc: JsonRpc,
  hashes: Hex[],
  timeoutMs = 30_000,
): Promise<RawReceipt[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipts = await rpc.batch<RawReceipt | null>(
      hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })),
    );
    if (receipts.every((r) => r !== null)) {
      const failed = (receipts as RawReceipt[]).find((r) => r.status !== "0x1");
      if (failed)
        throw new Error(
          `transaction ${failed.transactionHash} reverted in block ${Number(failed.blockNumber)}`,
        );
      return receipts as RawReceipt[];
    }
    if (Date.now() > deadline)
      throw new Error(`no receipt within ${timeoutMs} ms for ${hashes.length} transaction(s)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
