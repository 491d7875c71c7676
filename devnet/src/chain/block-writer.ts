import { type Address, type Hex, toHex } from "viem";
import type { JsonRpc, RpcRequest } from "./rpc.ts";

export interface PlannedTx {
  from: Address;
  to: Address;
  data: Hex;
  value?: bigint;
  /** Gas limit; generous defaults avoid an eth_estimateGas round trip per transaction. */
  gas?: bigint;
}

export interface MinedBlock {
  number: number;
  hash: Hex;
  timestamp: number;
  /** Transaction hashes in the order the transactions were planned. */
  txHashes: Hex[];
}

const DEFAULT_GAS = 1_000_000n;
const BATCH_SIZE = 400;
const CONCURRENT_BATCHES = 4;

/**
 * Builds blocks on a chain that mines on demand (anvil --no-mining): queue transactions from unlocked dev
 * accounts, then `mine()` sends them (concurrent JSON-RPC batches, explicit nonces and gas) and mines one block
 * holding all of them. Transactions that depend on each other go in different blocks, or come from one sender.
 */
export class BlockWriter {
  private queue: PlannedTx[] = [];
  private nonces = new Map<Address, number>();

  constructor(private readonly rpc: JsonRpc) {}

  add(tx: PlannedTx): number {
    this.queue.push(tx);
    return this.queue.length - 1;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Forget cached nonces (after a revert of the chain). */
  resetNonces(): void {
    this.nonces.clear();
  }

  /**
   * Sends the queued transactions and mines one block with them. `timestamp` fixes the block time (bulk mode);
   * without it the node uses its clock. Every transaction must succeed: a revert throws, naming it.
   */
  async mine(timestamp?: number): Promise<MinedBlock> {
    const txs = this.queue;
    this.queue = [];
    await this.loadNonces(txs);
    // Each transaction bids one wei of gas price more than the next in the queue: anvil orders a block by fee
    // (ties by arrival), and it runs a JSON-RPC batch's requests concurrently, so with equal prices the block's
    // order (and its hash) followed whichever request got into the pool first, not the queue. A bulk run with a
    // seed then made another chain now and again on a busy machine (devnet/e2e/reproducible.test.ts). A sender's
    // transactions keep their nonce order: the earlier one has the lower nonce and the higher price.
    const requests: RpcRequest[] = txs.map((tx, index) => {
      const nonce = this.nonces.get(tx.from) as number;
      this.nonces.set(tx.from, nonce + 1);
      return {
        method: "eth_sendTransaction",
        params: [
          {
            from: tx.from,
            to: tx.to,
            data: tx.data,
            value: toHex(tx.value ?? 0n),
            gas: toHex(tx.gas ?? DEFAULT_GAS),
            gasPrice: toHex(txs.length - index),
            nonce: toHex(nonce),
          },
        ],
      };
    });
    const txHashes: Hex[] = [];
    for (let i = 0; i < requests.length; i += BATCH_SIZE * CONCURRENT_BATCHES) {
      const groups: Promise<Hex[]>[] = [];
      for (let j = i; j < Math.min(requests.length, i + BATCH_SIZE * CONCURRENT_BATCHES); j += BATCH_SIZE) {
        groups.push(this.rpc.batch<Hex>(requests.slice(j, j + BATCH_SIZE)));
      }
      for (const hashes of await Promise.all(groups)) txHashes.push(...hashes);
    }
    await this.rpc.call("evm_mine", timestamp === undefined ? [] : [timestamp]);
    const block = await this.rpc.call<{ number: Hex; hash: Hex; timestamp: Hex; transactions: Hex[] }>(
      "eth_getBlockByNumber",
      ["latest", false],
    );
    if (block.transactions.length !== txHashes.length) {
      throw new Error(
        `block ${Number(block.number)} holds ${block.transactions.length} transactions, expected ${txHashes.length}`,
      );
    }
    if (block.transactions.some((hash, i) => hash !== txHashes[i])) {
      throw new Error(
        `block ${Number(block.number)} holds its transactions in another order than they were queued`,
      );
    }
    if (txHashes.length > 0) await this.checkReceipts(block.hash, txs, txHashes);
    return { number: Number(block.number), hash: block.hash, timestamp: Number(block.timestamp), txHashes };
  }

  private async loadNonces(txs: PlannedTx[]): Promise<void> {
    const missing = [...new Set(txs.map((t) => t.from))].filter((a) => !this.nonces.has(a));
    const counts = await this.rpc.batch<Hex>(
      missing.map((a) => ({ method: "eth_getTransactionCount", params: [a, "pending"] })),
    );
    for (const [i, a] of missing.entries()) this.nonces.set(a, Number(counts[i]));
  }

  private async checkReceipts(blockHash: Hex, txs: PlannedTx[], hashes: Hex[]): Promise<void> {
    const receipts = await this.rpc.call<{ transactionHash: Hex; status: Hex }[]>("eth_getBlockReceipts", [
      blockHash,
    ]);
    const failed = receipts.filter((r) => r.status !== "0x1");
    if (failed.length > 0) {
      const index = hashes.indexOf(failed[0].transactionHash);
      const tx = txs[index];
      const reason = await this.rpc
        .call("eth_call", [
          { from: tx.from, to: tx.to, data: tx.data, value: toHex(tx.value ?? 0n) },
          blockHash,
        ])
        .then(
          () => "no revert when replayed",
          (e: Error) => e.message,
        );
      throw new Error(
        `${failed.length} transaction(s) reverted in block ${blockHash}; first: ${failed[0].transactionHash} from ${tx?.from} to ${tx?.to} selector ${tx?.data.slice(0, 10)}: ${reason}`,
      );
    }
  }
}
