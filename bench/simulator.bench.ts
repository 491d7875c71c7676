// Bulk simulator throughput: N full inference lifecycles on a fresh anvil (target: 100,000 in under 5 minutes).
import { execFileSync } from "node:child_process";
import { freePort } from "@attestation-explorer/testkit/net";
import type { Address } from "viem";
import { startAnvil } from "../devnet/src/chain/anvil.ts";
import { deployContracts } from "../devnet/src/chain/deploy.ts";
import { JsonRpc } from "../devnet/src/chain/rpc.ts";
import { Simulator } from "../devnet/src/simulator/simulator.ts";

export async function run(): Promise<void> {
  const inferences = Number(process.env.BENCH_INFERENCES ?? 100_000);
  const anvil = await startAnvil({ port: await freePort(), noMining: true, accounts: 40 });
  let anvilPeakKb = 0;
  const sampler = setInterval(() => {
    try {
      const status = execFileSync("cat", [`/proc/${anvil.process.pid}/status`]).toString();
      const hwm = /VmHWM:\s+(\d+)/.exec(status);
      if (hwm) anvilPeakKb = Math.max(anvilPeakKb, Number(hwm[1]));
    } catch {
      // anvil exited
    }
  }, 1000);
  try {
    const rpc = new JsonRpc(anvil.rpcUrl);
    const [deployer] = await rpc.call<Address[]>("eth_accounts");
    const deployment = await deployContracts(rpc, deployer, true);
    const sim = new Simulator({
      rpcUrl: anvil.rpcUrl,
      addresses: deployment.addresses,
      seed: "bench",
      inferences,
      perBlock: 500,
    });
    let lastPrint = Date.now();
    const s = await sim.run((r) => {
      if (Date.now() - lastPrint < 15_000) return;
      lastPrint = Date.now();
      console.log(`  block ${r.block}: ${r.committed} committed, ${r.inFlight} in flight`);
    });
    const logs = await rpc
      .call<unknown[]>("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }])
      .catch(() => []);
    console.log(
      `simulator bulk: ${s.committed} lifecycles, ${s.transactions} transactions, ${logs.length} events, ${s.blocks} blocks in ${s.seconds.toFixed(1)} s ` +
        `(${(s.transactions / s.seconds).toFixed(0)} tx/s, ${(s.committed / s.seconds).toFixed(0)} lifecycles/s); ` +
        `simulator peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, anvil peak RSS ${(anvilPeakKb / 1024).toFixed(0)} MB`,
    );
    console.log(
      `target: 100,000 lifecycles in < 300 s -> ${inferences >= 100_000 ? (s.seconds < 300 ? "met" : "MISSED") : "n/a (smaller run)"}`,
    );
  } finally {
    clearInterval(sampler);
    await anvil.stop();
  }
}
