// Records what the simulator writes for fixed seeds, so two versions of the code can be compared byte for byte:
//   npx tsx devnet/e2e/same-chain.ts <repo root> <out.json>
// Run it against a `git worktree` of the old commit and against the working tree, then `cmp` the two outputs.
// Each case is a bulk run on a fresh anvil with a fixed genesis: its ground-truth file, and every transaction
// (from, to, value, input) and log of every block.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [rootArg, outArg] = process.argv.slice(2);
if (!rootArg || !outArg) throw new Error("usage: same-chain.ts <repo root> <out.json>");
const root = resolve(rootArg);
const { Simulator } = await import(pathToFileURL(join(root, "devnet/src/simulator/simulator.ts")).href);
// The devnet starter lives in the shared test support; commits before it moved there had it in devnet/e2e.
const starter = ["packages/testkit/src/devnet.ts", "devnet/e2e/support.ts"].find((p) =>
  existsSync(join(root, p)),
);
if (!starter) throw new Error(`no devnet starter under ${root}`);
const { startDevnet } = await import(pathToFileURL(join(root, starter)).href);

const CASES = [
  { seed: "same-chain", nodes: 12, inferences: 600, perBlock: 30 },
  { seed: "same-chain-reorgs", nodes: 8, inferences: 300, perBlock: 20, reorgEvery: 9, reorgDepth: 3 },
];

const out: Record<string, unknown> = {};
for (const c of CASES) {
  const devnet = await startDevnet(1_780_000_000);
  try {
    const truthPath = join(mkdtempSync(join(tmpdir(), "same-chain-")), "truth.ndjson");
    const summary = await new Simulator({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      groundTruthPath: truthPath,
      ...c,
    }).run();
    const head = Number((await devnet.rpc.call("eth_getBlockByNumber", ["latest", false])).number);
    const blocks = [];
    for (let n = 0; n <= head; n++) {
      const b = await devnet.rpc.call("eth_getBlockByNumber", [`0x${n.toString(16)}`, true]);
      blocks.push({
        hash: b.hash,
        timestamp: b.timestamp,
        txs: b.transactions.map((t: Record<string, string>) => [t.from, t.to, t.value, t.input]),
      });
    }
    const logs = await devnet.rpc.call("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]);
    const { seconds: _seconds, ...rest } = summary;
    out[c.seed] = { summary: rest, truth: readFileSync(truthPath, "utf8"), blocks, logs };
    console.log(`${c.seed}: ${rest.blocks} blocks, ${rest.transactions} transactions, head ${head}`);
  } finally {
    await devnet.anvil.stop();
  }
}
writeFileSync(outArg, JSON.stringify(out));
