import type { Address, Hex } from "viem";
import { BlockWriter, type MinedBlock, type PlannedTx } from "../chain/block-writer.ts";
import { JsonRpc } from "../chain/rpc.ts";
import { createRng, type Rng } from "../crypto/rng.ts";
import { Calls } from "./calls.ts";
import { GroundTruthWriter, type TruthLine } from "./ground-truth.ts";
import { parseSimulatorOptions, type ResolvedOptions, type SimulatorOptions } from "./options.ts";
import { bulkTiming, initialState, newContext, type PolicyContext, type Timing } from "./policy/context.ts";
import { setParameters, setupNodesAndModels, setupRegistries } from "./policy/setup.ts";
import { commitSteps, type Pace, stepActions } from "./policy/step.ts";
import type { SimState } from "./state.ts";
import { toTransaction } from "./transactions.ts";
import { buildWorld, type World } from "./world.ts";

export interface StepReport {
  step: number;
  block: number;
  timestamp: number;
  txs: number;
  committed: number;
  inFlight: number;
  reorg?: { fromBlock: number; toBlock: number; depth: number };
}

export interface SimulationSummary {
  steps: number;
  blocks: number;
  transactions: number;
  committed: number;
  reorgs: { fromBlock: number; toBlock: number; depth: number }[];
  firstBlock: number;
  lastBlock: number;
  seconds: number;
}

interface Checkpoint {
  snapshotId: Hex;
  head: number;
  state: SimState;
}

/**
 * Drives realistic traffic through the three contracts on a chain that mines on demand. Deterministic for a seed:
 * every decision comes from a random stream derived from (seed, branch, step).
 */
export class Simulator {
  readonly options: ResolvedOptions;
  private readonly rpc: JsonRpc;
  private readonly writer: BlockWriter;
  private readonly calls: Calls;
  private readonly root: Rng;
  private world!: World;
  private state!: SimState;
  private timing!: Timing;
  private truth!: GroundTruthWriter;
  private pending: { lineIndex: number; line: Omit<TruthLine, "block" | "tx"> }[] = [];
  private checkpoints: Checkpoint[] = [];
  private reorgs: { fromBlock: number; toBlock: number; depth: number }[] = [];
  private txCount = 0;
  private head = 0;
  /** Blocks mined since the last injected reorg (not part of SimState: a reorg must not rewind it). */
  private blocksSinceReorg = 0;
  /** The abandoned branch's head: the run may not end before the new branch is longer. */
  private mustExceed = 0;
  /** Wall-clock time of the current live tick. */
  private lastTickAt = Date.now();
  private stopping = false;

  constructor(options: SimulatorOptions) {
    this.options = parseSimulatorOptions(options);
    this.rpc = new JsonRpc(this.options.rpcUrl);
    this.writer = new BlockWriter(this.rpc);
    this.calls = new Calls(this.options.addresses);
    this.root = createRng(this.options.seed);
  }

  get bulk(): boolean {
    return this.options.inferences !== undefined;
  }

  private get pace(): Pace {
    const o = this.options;
    return o.inferences !== undefined
      ? { kind: "bulk", inferences: o.inferences, perBlock: o.perBlock }
      : { kind: "live", rate: o.rate };
  }

  /** Asks a live run to stop after the block it is building. */
  stop(): void {
    this.stopping = true;
  }

  async run(onStep?: (r: StepReport) => void): Promise<SimulationSummary> {
    const started = Date.now();
    const accounts = await this.rpc.call<Address[]>("eth_accounts");
    this.world = buildWorld(this.root.fork("world"), accounts, this.options.nodes);
    this.truth = new GroundTruthWriter(
      this.options.groundTruthPath,
      this.options.reorgEvery ? this.options.reorgDepth : 0,
    );
    const headBlock = await this.latestBlock();
    this.head = headBlock.number;
    const firstBlock = this.head + 1;
    this.timing = this.bulk
      ? bulkTiming(this.options.blockInterval, this.options.heartbeatInterval)
      : {
          interval: this.options.blockTime,
          revealWindow: 20,
          challengeWindow: 30,
          withdrawalDelay: 60,
          heartbeatEvery: Math.max(1, Math.round(10 / this.options.blockTime)),
        };
    const startTime = this.bulk
      ? (this.options.startTime ?? headBlock.timestamp + this.timing.interval)
      : Math.max(headBlock.timestamp + 1, Math.floor(Date.now() / 1000));
    this.state = initialState(this.world, startTime - this.timing.interval, headBlock.number);

    if (this.options.resume && (await this.alreadySetUp())) {
      await this.loadFromChain();
      this.sendActions(setParameters);
      await this.mineSetupBlock();
    } else await this.setUp();

    const steps = commitSteps(this.pace);
    for (;;) {
      if (this.bulk) {
        const done = this.state.committed >= (this.options.inferences as number);
        const drained = this.state.flights.size === 0 && this.state.withdrawals.length === 0;
        if (done && (drained || this.state.step > steps + 200) && this.head > this.mustExceed) break;
      } else {
        const limit = this.options.maxSteps !== undefined && this.state.step >= this.options.maxSteps;
        if ((this.stopping || limit) && this.head > this.mustExceed) break;
      }
      const reorg = await this.maybeReorg();
      const report = await this.step();
      if (reorg) report.reorg = reorg;
      onStep?.(report);
      if (!this.bulk) await this.waitForNextTick();
    }
    this.truth.close();
    return {
      steps: this.state.step,
      blocks: this.head - firstBlock + 1,
      transactions: this.txCount,
      committed: this.state.committed,
      reorgs: this.reorgs,
      firstBlock,
      lastBlock: this.head,
      seconds: (Date.now() - started) / 1000,
    };
  }

  // ---------------------------------------------------------------- setup

  private async alreadySetUp(): Promise<boolean> {
    const data = this.calls.teeRegistry(this.world.roles.deployer, "teeTypeExists", [1]).data;
    const result = await this.rpc.call<Hex>("eth_call", [
      { to: this.options.addresses.teeRegistry, data },
      "latest",
    ]);
    return BigInt(result) === 1n;
  }

  /** Setup in two blocks: TEE types, PCRs, roles and the contract parameters; then TEEs with their stake, and models. */
  private async setUp(): Promise<void> {
    this.sendActions(setupRegistries);
    this.sendActions(setParameters);
    await this.mineSetupBlock();
    this.sendActions(setupNodesAndModels);
    await this.mineSetupBlock();
  }

  private async mineSetupBlock(): Promise<void> {
    // Bulk: one second after the previous block, never anvil's clock, so a seeded bulk run is the same chain
    // however long its setup takes. Live: the wall clock.
    this.state.lastTimestamp = this.bulk
      ? this.state.lastTimestamp + 1
      : Math.max(this.state.lastTimestamp + 1, Math.floor(Date.now() / 1000));
    await this.mine(this.state.lastTimestamp);
  }

  /** On a resumed devnet, learn stake, TEE status and scenario progress from the chain. */
  private async loadFromChain(): Promise<void> {
    const { nodes, models, revokedPcr, latecomer, roles } = this.world;
    const read = async (to: Address, tx: PlannedTx): Promise<Hex> =>
      this.rpc.call<Hex>("eth_call", [{ to, data: tx.data }, "latest"]);
    const reg = this.options.addresses.attestationRegistry;
    const tee = this.options.addresses.teeRegistry;
    for (const n of nodes) {
      const s = this.state.nodes[n.index];
      s.stake = BigInt(await read(reg, this.calls.registry(roles.deployer, "stakeOf", [n.id])));
      s.pendingWithdrawals = BigInt(
        await read(reg, this.calls.registry(roles.deployer, "pendingWithdrawalsOf", [n.id])),
      );
      s.committing = s.stake > 0n;
      if (n.key) {
        const info = await read(tee, this.calls.teeRegistry(roles.deployer, "getTEE", [n.id]));
        // TEEInfo is a dynamic tuple: word 7 of its head (after the offset word) is `enabled`.
        s.enabled = BigInt(`0x${info.slice(2 + 64 * 8, 2 + 64 * 9)}`) === 1n;
      }
    }
    const late = await this.rpc
      .call<Hex>("eth_call", [
        { to: tee, data: this.calls.teeRegistry(roles.deployer, "getTEEPublicKey", [latecomer.id]).data },
        "latest",
      ])
      .then(
        () => true,
        () => false,
      );
    this.state.latecomerRegistered = late;
    const approved = await read(
      tee,
      this.calls.teeRegistry(roles.deployer, "pcrApproved", [revokedPcr.hash, revokedPcr.teeType]),
    );
    this.state.pcrRevoked = BigInt(approved) === 0n;
    for (const m of models) {
      const info = await read(reg, this.calls.registry(roles.deployer, "models", [m.id]));
      if (BigInt(`0x${info.slice(2 + 128, 2 + 192)}`) === 1n) this.state.deprecatedModels.push(m.index);
    }
    this.state.withdrawalCount = Number(
      BigInt(await read(reg, this.calls.registry(roles.deployer, "withdrawalCount", []))),
    );
    this.state.challengeCount = Number(
      BigInt(await read(reg, this.calls.registry(roles.deployer, "challengeCount", []))),
    );
    // One-time scenario events already happened on this chain.
    for (const e of ["revoke", "reapprove", "deprecate", "latecomer", "ghostStop", "ghostFinale"])
      this.state.fired[e] = 0;
  }

  // ---------------------------------------------------------------- one block

  private async step(): Promise<StepReport> {
    const s = this.state;
    const ts = this.bulk
      ? s.lastTimestamp + this.timing.interval
      : Math.max(s.lastTimestamp + 1, Math.floor(Date.now() / 1000));
    const rng = this.root.fork(`step:${s.branch}:${s.step}`);
    this.sendActions((ctx) => stepActions(ctx, this.pace, ts, rng, this.options.reorgEvery !== undefined));
    const txs = this.writer.pending;
    s.lastTimestamp = ts;
    const block = await this.mine(ts);
    s.step++;
    return {
      step: s.step,
      block: block.number,
      timestamp: ts,
      txs,
      committed: s.committed,
      inFlight: s.flights.size,
    };
  }

  /** Lets the traffic policy decide, then queues its actions as transactions of the block being built. */
  private sendActions(decide: (ctx: PolicyContext) => void): void {
    const ctx = newContext(this.world, this.state, this.timing, this.options.seed);
    decide(ctx);
    for (const a of ctx.actions) this.send(...toTransaction(this.calls, this.world, a));
  }

  // ---------------------------------------------------------------- reorgs

  /** Before a block: keep a checkpoint near planned reorgs, and at a planned one, replace the last k blocks. */
  private async maybeReorg(): Promise<StepReport["reorg"]> {
    const every = this.options.reorgEvery;
    if (!every) return undefined;
    const depthMax = this.options.reorgDepth;
    if (this.blocksSinceReorg >= every && this.checkpoints.length > 0) {
      const s = this.state;
      const rng = this.root.fork(`reorg:${s.branch}:${s.step}`);
      const depth = rng.int(1, Math.min(depthMax, this.checkpoints.length));
      const target = this.checkpoints[this.checkpoints.length - depth];
      const oldHead = this.head;
      const reverted = await this.rpc.call<boolean>("evm_revert", [target.snapshotId]);
      if (!reverted) throw new Error(`evm_revert(${target.snapshotId}) failed: the chain cannot be reorged`);
      this.state = target.state;
      this.state.branch = s.branch + 1;
      this.checkpoints = [];
      this.writer.resetNonces();
      this.head = target.head;
      this.mustExceed = oldHead;
      this.blocksSinceReorg = 0;
      this.truth.reorg(target.head, oldHead);
      this.pending = [];
      const reorg = { fromBlock: target.head + 1, toBlock: oldHead, depth: oldHead - target.head };
      this.reorgs.push(reorg);
      return reorg;
    }
    // Checkpoints only in the blocks a coming reorg may replace: anvil keeps every snapshot until reverted.
    if (this.blocksSinceReorg >= every - depthMax) {
      const snapshotId = await this.rpc.call<Hex>("evm_snapshot", []);
      this.checkpoints.push({ snapshotId, head: this.head, state: structuredClone(this.state) });
      if (this.checkpoints.length > depthMax) this.checkpoints.shift();
    }
    return undefined;
  }

  // ---------------------------------------------------------------- plumbing

  private send(tx: PlannedTx, line: Omit<TruthLine, "block" | "tx">): void {
    const lineIndex = this.writer.add(tx);
    this.pending.push({ lineIndex, line });
  }

  private async mine(ts?: number): Promise<MinedBlock> {
    const block = await this.writer.mine(ts);
    this.head = block.number;
    this.blocksSinceReorg++;
    this.txCount += block.txHashes.length;
    const lines = this.pending.map(
      ({ lineIndex, line }) =>
        ({ ...line, block: block.number, blockHash: block.hash, tx: block.txHashes[lineIndex] }) as TruthLine,
    );
    this.pending = [];
    this.truth.add(lines, block.number);
    return block;
  }

  private async latestBlock(): Promise<{ number: number; timestamp: number }> {
    const b = await this.rpc.call<{ number: Hex; timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
    return { number: Number(b.number), timestamp: Number(b.timestamp) };
  }

  /**
   * Live pacing follows the wall clock, not block time: a chain that a bulk run left with timestamps in the future
   * keeps getting one block per interval (its timestamps then advance by one second per block until now catches up).
   */
  private async waitForNextTick(): Promise<void> {
    const interval = this.timing.interval * 1000;
    const byBlockTime = (this.state.lastTimestamp + this.timing.interval) * 1000;
    // Normally the next block waits for its own timestamp, so block times track the clock; only a chain far ahead
    // of the clock is paced by the clock alone.
    const next = byBlockTime - Date.now() <= 60_000 ? byBlockTime : this.lastTickAt + interval;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastTickAt = Math.max(next, Date.now() - interval);
  }
}
