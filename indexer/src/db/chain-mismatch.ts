import { createOrmConfig } from "@subsquid/typeorm-config";
import { DataSource } from "typeorm";

// A local devnet restored from a state file older than the index (anvil killed before it saved its chain) no
// longer has the blocks the index was built on; the processor then stops with "already indexed block … was not
// found on chain". On the devnet only (npm start sets RESET_INDEX_ON_CHAIN_MISMATCH), the index is rebuilt
// from scratch instead: the devnet is ours, and everything in the index can be derived again from the chain.

async function withDataSource<T>(projectDir: string, run: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource({ ...createOrmConfig({ projectDir }), subscribers: [], logging: ["error"] });
  await ds.initialize();
  try {
    return await run(ds);
  } finally {
    await ds.destroy().catch(() => {});
  }
}

async function blockHashAt(rpcUrl: string, height: number): Promise<string | null> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_getBlockByNumber",
      params: [`0x${height.toString(16)}`, false],
    }),
  });
  const body = (await res.json()) as { result?: { hash?: string } | null; error?: { message?: string } };
  if (body.error) throw new Error(`eth_getBlockByNumber(${height}): ${body.error.message}`);
  return body.result?.hash?.toLowerCase() ?? null;
}

/**
 * Why the chain behind `rpcUrl` cannot continue this index (its last finalized block is missing or different),
 * or undefined when it can (or nothing is indexed yet).
 */
export async function indexChainMismatch(projectDir: string, rpcUrl: string): Promise<string | undefined> {
  const status = await withDataSource(projectDir, async (ds) => {
    const exists = await ds.query(`SELECT to_regclass('squid_processor.status') IS NOT NULL AS ok`);
    if (!exists[0]?.ok) return undefined;
    const rows: { height: number; hash: string }[] = await ds.query(
      "SELECT height, hash FROM squid_processor.status WHERE id = 0",
    );
    return rows[0];
  });
  if (!status || status.height < 0) return undefined;
  let onChain: string | null;
  try {
    onChain = await blockHashAt(rpcUrl, status.height);
  } catch {
    return undefined; // the RPC is not answering yet: the processor retries it and judges the chain itself
  }
  if (onChain === null) return `the index is at block ${status.height}, which the chain does not have`;
  if (status.hash !== "0x" && onChain !== status.hash.toLowerCase()) {
    return `the index's block ${status.height} is ${status.hash}, the chain's is ${onChain}`;
  }
  return undefined;
}

/** Drops every indexed row and the processor's state; migrations are applied again afterwards. */
export async function dropIndex(projectDir: string): Promise<void> {
  await withDataSource(projectDir, async (ds) => {
    await ds.query("DROP SCHEMA IF EXISTS squid_processor CASCADE");
    await ds.query("DROP SCHEMA public CASCADE");
    await ds.query("CREATE SCHEMA public");
  });
}
