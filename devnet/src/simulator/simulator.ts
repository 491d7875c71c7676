import { type Address, concat, type Hex, keccak256, toHex } from "viem";
import { BlockWriter, type MinedBlock, type PlannedTx } from "../chain/block-writer.ts";
import { JsonRpc } from "../chain/rpc.ts";
import { heartbeatMessage, inferenceCommitment, settlementMessage } from "../crypto/messages.ts";
import { FORGE_KINDS, forgeSignature, signPss } from "../crypto/pss-sign.ts";
import { createRng, type Rng } from "../crypto/rng.ts";
import { Calls, TEE_OPERATOR_ROLE } from "./calls.ts";
import { GroundTruthWriter, type TruthLine } from "./ground-truth.ts";
import { parseSimulatorOptions, type ResolvedOptions, type SimulatorOptions } from "./options.ts";
import { PROFILE_SHARES } from "./profiles.ts";
import { type Flight, type FlightPlan, type SimState, SLASH_REASON, type SlashReasonName } from "./state.ts";
import { attestationDocument, buildWorld, type SimNode, type World } from "./world.ts";

const ETH = 10n ** 18n;
const INITIAL_STAKE = 100n * ETH;
const TOP_UP_BELOW = 50n * ETH;
const SLASH_AMOUNT: Record<SlashReasonName, bigint> = {
  INVALID_PROOF: ETH / 50n,
  REVEAL_MISMATCH: ETH / 20n,
  REVEAL_TIMEOUT: ETH / 100n,
  LOST_DISPUTE: ETH / 2n,
  PCR_REVOKED: 2n * ETH,
  EQUIVOCATION: 10n ** 30n,
};
const CHALLENGE_BOND = ETH / 100n;
/** Steps between the live scenario's repeating cycles of events. */
const LIVE_CYCLE_STEPS = 300;

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

/** Protocol timing for one run: bulk runs compress hours into seconds, live runs follow the wall clock. */
interface Timing {
  interval: number;
  revealWindow: number;
  challengeWindow: number;
  withdrawalDelay: number;
  heartbeatEvery: number;
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
  /** Nodes whose challenge is resolved in the block being built: their withdrawals wait one more block. */
  private resolvingNodes = new Set<number>();

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
      ? {
          interval: this.options.blockInterval,
          revealWindow: 3 * this.options.blockInterval,
          challengeWindow: 4 * this.options.blockInterval,
          withdrawalDelay: 6 * this.options.blockInterval,
          heartbeatEvery: Math.max(
            1,
            Math.round(this.options.heartbeatInterval / this.options.blockInterval),
          ),
        }
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
    this.state = this.initialState(startTime - this.timing.interval, headBlock.number);

    if (this.options.resume && (await this.alreadySetUp())) {
      await this.loadFromChain();
      this.setParameters();
      await this.mineSetupBlock();
    } else await this.setUp();

    const commitSteps = this.bulk
      ? Math.ceil((this.options.inferences as number) / this.options.perBlock)
      : Infinity;
    for (;;) {
      if (this.bulk) {
        const done = this.state.committed >= (this.options.inferences as number);
        const drained = this.state.flights.size === 0 && this.state.withdrawals.length === 0;
        if (done && (drained || this.state.step > commitSteps + 200) && this.head > this.mustExceed) break;
      } else {
        const limit = this.options.maxSteps !== undefined && this.state.step >= this.options.maxSteps;
        if ((this.stopping || limit) && this.head > this.mustExceed) break;
      }
      const reorg = await this.maybeReorg();
      const report = await this.step(commitSteps);
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

  private initialState(lastTimestamp: number, head: number): SimState {
    return {
      step: 0,
      branch: 0,
      // Request ids include the head the run started at, so a resumed devnet never reuses one.
      counter: head * 1_000_000,
      lastTimestamp,
      committed: 0,
      flights: new Map(),
      nodes: this.world.nodes.map((n, i) => ({
        stake: 0n,
        pendingWithdrawals: 0n,
        enabled: n.profile !== "ghost",
        registered: n.profile !== "ghost",
        committing: true,
        heartbeatOffset: i % 7,
      })),
      latecomerRegistered: false,
      withdrawals: [],
      withdrawalCount: 0,
      challengeCount: 0,
      pcrRevoked: false,
      pcrReapproved: false,
      deprecatedModels: [],
      fired: {},
      firsts: {},
    };
  }

  private async alreadySetUp(): Promise<boolean> {
    const data = this.calls.teeRegistry(this.world.roles.deployer, "teeTypeExists", [1]).data;
    const result = await this.rpc.call<Hex>("eth_call", [
      { to: this.options.addresses.teeRegistry, data },
      "latest",
    ]);
    return BigInt(result) === 1n;
  }

  /** Setup in three blocks: types, PCRs and roles; then TEEs, models and stake; then contract parameters. */
  private async setUp(): Promise<void> {
    const { roles, teeTypes, pcrs, nodes, models, latecomer } = this.world;
    const d = roles.deployer;
    for (const t of teeTypes)
      this.send(this.calls.teeRegistry(d, "addTEEType", [t.id, t.name]), {
        kind: "addTEEType",
        teeType: t.id,
      });
    for (const p of pcrs) {
      this.send(
        this.calls.teeRegistry(d, "approvePCR", [
          { pcr0: p.pcr0, pcr1: p.pcr1, pcr2: p.pcr2 },
          p.version,
          p.teeType,
        ]),
        {
          kind: "approvePCR",
          pcrHash: p.hash,
          teeType: p.teeType,
        },
      );
    }
    const owners = new Set([...nodes.filter((n) => n.key).map((n) => n.owner), latecomer.owner]);
    for (const o of owners)
      this.send(this.calls.teeRegistry(d, "grantRole", [TEE_OPERATOR_ROLE, o]), {
        kind: "grantRole",
        account: o,
      });
    this.setParameters();
    await this.mineSetupBlock();

    for (const n of nodes) {
      if (n.key) this.registerTee(n);
      this.deposit(n.index, n.operator, INITIAL_STAKE);
    }
    for (const m of models) {
      this.send(
        this.calls.registry(m.owner, "registerModel", [
          m.id,
          m.modeId,
          m.contentHash,
          m.blobId,
          m.name,
          m.version,
        ]),
        {
          kind: "registerModel",
          model: m.id,
          mode: m.mode,
          name: m.name,
        },
      );
    }
    await this.mineSetupBlock();
  }

  /** The registry's windows follow this run's timing (a resumed devnet may have been set up by a bulk run). */
  private setParameters(): void {
    this.send(
      this.calls.registry(this.world.roles.deployer, "setParameters", [
        this.timing.revealWindow,
        this.timing.challengeWindow,
        this.timing.withdrawalDelay,
        CHALLENGE_BOND,
        SLASH_AMOUNT.REVEAL_TIMEOUT,
        SLASH_AMOUNT.LOST_DISPUTE,
      ]),
      { kind: "setParameters" },
    );
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

  private registerTee(n: SimNode): void {
    const key = n.key;
    const pcr = n.pcr;
    if (!key || !pcr) throw new Error(`node ${n.index} has no TEE key`);
    this.send(
      this.calls.teeRegistry(n.owner, "registerTEEWithAttestation", [
        attestationDocument(pcr),
        key.publicKeyDer,
        toHex(`tls-cert:${n.index}`),
        n.paymentAddress,
        n.endpoint,
        pcr.teeType,
      ]),
      { kind: "registerTEE", node: n.id, teeType: pcr.teeType, pcrHash: pcr.hash, owner: n.owner },
    );
  }

  private deposit(node: number, from: Address, amount: bigint): void {
    this.state.nodes[node].stake += amount;
    this.send(this.calls.registry(from, "deposit", [this.world.nodes[node].id], amount), {
      kind: "deposit",
      node: this.world.nodes[node].id,
      from,
      amount: amount.toString(),
    });
  }

  // ---------------------------------------------------------------- one block

  private async step(commitSteps: number): Promise<StepReport> {
    const s = this.state;
    const ts = this.bulk
      ? s.lastTimestamp + this.timing.interval
      : Math.max(s.lastTimestamp + 1, Math.floor(Date.now() / 1000));
    const rng = this.root.fork(`step:${s.branch}:${s.step}`);
    const cycle = this.bulk ? 0 : Math.floor(s.step / LIVE_CYCLE_STEPS);
    const progress = this.bulk
      ? s.step / Math.max(1, commitSteps)
      : (s.step % LIVE_CYCLE_STEPS) / LIVE_CYCLE_STEPS;

    this.resolvingNodes.clear();
    this.scenarioEvents(progress, cycle, ts, rng.fork("events"));
    this.heartbeats(ts, rng.fork("heartbeats"));
    this.advanceFlights(ts, rng.fork("flights"));
    const wanted = this.bulk
      ? Math.min(this.options.perBlock, (this.options.inferences as number) - s.committed)
      : this.poisson(this.options.rate * this.timing.interval, rng.fork("rate"));
    if (!(this.bulk && s.step >= commitSteps)) this.commits(wanted, ts, rng.fork("commits"));
    this.topUps();
    this.withdrawals(ts);
    if (this.writer.pending === 0 || (this.options.reorgEvery && rng.chance(0.5))) {
      // Never an empty block: a replacement block must differ from the one it replaces.
      this.send(
        this.calls.relay(this.world.roles.deployer, "batchSettle", [
          rng.bytes32(),
          BigInt(rng.int(1, 500)),
          toHex(rng.bytes(8)),
        ]),
        {
          kind: "batchSettle",
        },
      );
    }
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

  private scenarioEvents(progress: number, cycle: number, ts: number, rng: Rng): void {
    const s = this.state;
    const { nodes, roles, revokedPcr, models, latecomer } = this.world;
    const d = roles.deployer;
    const due = (name: string, at: number, once: boolean): boolean => {
      if (progress < at) return false;
      const last = s.fired[name];
      if (last !== undefined && (once || last === cycle)) return false;
      s.fired[name] = cycle;
      return true;
    };
    // A second account tops up node 2's stake: StakeDeposited.from differs from the operator.
    if (due("thirdPartyDeposit", 0.1, false)) this.deposit(2, roles.challengers[1], 5n * ETH);
    if (due("withdraw", 0.2, false)) {
      for (const i of [0, 1]) {
        const st = s.nodes[i];
        const amount = (st.stake - st.pendingWithdrawals) / 10n;
        if (amount <= 0n) continue;
        const id = ++s.withdrawalCount;
        st.pendingWithdrawals += amount;
        s.withdrawals.push({ node: i, id, amount, unlockAt: ts + this.timing.withdrawalDelay });
        this.send(this.calls.registry(nodes[i].operator, "requestWithdrawal", [nodes[i].id, amount]), {
          kind: "requestWithdrawal",
          node: nodes[i].id,
          withdrawalId: id,
          amount: amount.toString(),
        });
      }
    }
    if (due("disable", 0.3, false) && s.nodes[0].enabled) {
      s.nodes[0].enabled = false;
      this.send(this.calls.teeRegistry(nodes[0].owner, "disableTEE", [nodes[0].id]), {
        kind: "disableTEE",
        node: nodes[0].id,
      });
    }
    if (due("enable", 0.45, false) && !s.nodes[0].enabled) {
      s.nodes[0].enabled = true;
      this.send(this.calls.teeRegistry(nodes[0].owner, "enableTEE", [nodes[0].id]), {
        kind: "enableTEE",
        node: nodes[0].id,
      });
    }
    if (due("latecomer", 0.5, true) && !s.latecomerRegistered) {
      s.latecomerRegistered = true;
      this.registerTee(latecomer);
    }
    if (due("revoke", 0.6, true) && !s.pcrRevoked) {
      s.pcrRevoked = true;
      this.send(this.calls.teeRegistry(d, "revokePCR", [revokedPcr.hash, revokedPcr.teeType]), {
        kind: "revokePCR",
        pcrHash: revokedPcr.hash,
        teeType: revokedPcr.teeType,
      });
      for (const n of nodes.filter((x) => x.pcr === revokedPcr))
        this.slash(n.index, "0x" as Hex, "PCR_REVOKED");
    }
    if (due("reapprove", 0.75, true) && s.pcrRevoked && !s.pcrReapproved) {
      s.pcrReapproved = true;
      this.send(
        this.calls.teeRegistry(d, "approvePCR", [
          { pcr0: revokedPcr.pcr0, pcr1: revokedPcr.pcr1, pcr2: revokedPcr.pcr2 },
          `${revokedPcr.version}-reapproved`,
          revokedPcr.teeType,
        ]),
        { kind: "approvePCR", pcrHash: revokedPcr.hash, teeType: revokedPcr.teeType },
      );
    }
    const deprecated = models[models.length - 1];
    if (due("deprecate", 0.8, true) && !s.deprecatedModels.includes(deprecated.index)) {
      s.deprecatedModels.push(deprecated.index);
      this.send(this.calls.registry(deprecated.owner, "deprecateModel", [deprecated.id]), {
        kind: "deprecateModel",
        model: deprecated.id,
      });
    }
    const ghost = nodes.find((n) => n.profile === "ghost") as SimNode;
    if (due("ghostStop", 0.85, true)) s.nodes[ghost.index].committing = false;
    if (due("ghostFinale", 0.95, true) && !s.nodes[ghost.index].committing) {
      // Slashed for equivocation with more than it has: the contract takes it all, then a second slash takes 0.
      this.slash(ghost.index, "0x" as Hex, "EQUIVOCATION");
      this.slash(ghost.index, rng.bytes32(), "INVALID_PROOF");
    }
    // Settlements by TEEs the registry does not know (yet): their signatures stay UNKNOWN until they register.
    if (s.step % 7 === 3)
      this.settle(undefined, latecomer.key, rng.bytes32(), rng.bytes32(), ts, rng, false, false);
    if (s.step % 11 === 5)
      this.settle(undefined, this.world.stranger, rng.bytes32(), rng.bytes32(), ts, rng, false, false);
    if (s.step % 25 === 12) {
      this.send(
        this.calls.relay(d, "batchSettle", [rng.bytes32(), BigInt(rng.int(2, 1000)), toHex(rng.bytes(32))]),
        {
          kind: "batchSettle",
        },
      );
    }
  }

  private heartbeats(ts: number, rng: Rng): void {
    const s = this.state;
    const all = [...this.world.nodes, ...(s.latecomerRegistered ? [this.world.latecomer] : [])];
    for (const n of all) {
      const st = s.nodes[n.index];
      const enabled = st ? st.enabled && st.registered : true;
      if (!n.key || !enabled) continue;
      if ((s.step + (st?.heartbeatOffset ?? 0)) % this.timing.heartbeatEvery !== 0) continue;
      const shares = PROFILE_SHARES[n.profile];
      if (rng.chance(shares.skipHeartbeat)) continue;
      const message = heartbeatMessage(n.id, BigInt(ts));
      const bad =
        rng.chance(shares.badHeartbeat) || (n.profile === "malicious" && !this.first("badHeartbeat"));
      const signature = bad
        ? forgeSignature("otherMessage", { privateKey: n.key.privateKey, message32: message, rng })
        : signPss(n.key.privateKey, message);
      this.send(this.calls.teeRegistry(n.owner, "heartbeat", [n.id, BigInt(ts), signature]), {
        kind: "heartbeat",
        node: n.id,
        timestamp: ts,
        expect: { signature: bad ? "FAIL" : "PASS" },
      });
    }
  }

  private commits(count: number, ts: number, rng: Rng): void {
    const s = this.state;
    const { nodes, models } = this.world;
    const active = nodes.filter((n) => s.nodes[n.index].committing && s.nodes[n.index].stake > 0n);
    const liveModels = models.filter((m) => !s.deprecatedModels.includes(m.index));
    for (let i = 0; i < count && active.length > 0; i++) {
      const node = rng.pick(active);
      const eligible = liveModels.filter((m) => (node.key ? true : m.mode !== "TEE"));
      const model = this.weightedPick(eligible, rng);
      const requestId = keccak256(
        concat([toHex(this.options.seed), toHex(s.branch, { size: 8 }), toHex(s.counter++, { size: 16 })]),
      );
      const outputHash = rng.bytes32();
      const salt = rng.bytes32();
      const plan = this.plan(node, model.mode === "TEE", rng);
      const flight: Flight = {
        requestId,
        node: node.index,
        model: model.index,
        mode: model.mode,
        inputHash: rng.bytes32(),
        outputHash,
        salt,
        commitment: inferenceCommitment(outputHash, salt),
        commitStep: s.step,
        deadline: ts + this.timing.revealWindow,
        plan,
      };
      s.flights.set(requestId, flight);
      s.committed++;
      this.send(
        this.calls.registry(node.operator, "commit", [
          requestId,
          node.id,
          model.id,
          flight.inputHash,
          flight.commitment,
        ]),
        {
          kind: "commit",
          requestId,
          node: node.id,
          model: model.id,
          mode: model.mode,
          inputHash: flight.inputHash,
          commitment: flight.commitment,
          revealDeadline: flight.deadline,
          expect: this.expectation(flight),
        },
      );
      if (plan.settle === "before") this.settleFlight(flight, ts, rng);
    }
  }

  /** Decides an inference's future from its node's profile; some cases are forced once so short runs cover them. */
  private plan(node: SimNode, tee: boolean, rng: Rng): FlightPlan {
    const sh = PROFILE_SHARES[node.profile];
    let reveal: FlightPlan["reveal"] = "onTime";
    if (rng.chance(sh.noReveal)) reveal = "never";
    else if (rng.chance(sh.lateReveal)) reveal = "late";
    if (node.profile === "flaky" && !this.first("flakyNever")) reveal = "never";
    else if (node.profile === "flaky" && !this.first("flakyLate")) reveal = "late";
    let wrongSalt = reveal !== "never" && rng.chance(sh.wrongSalt);
    let verdict: FlightPlan["verdict"] = "VERIFIED";
    if (node.profile === "malicious" && reveal !== "never" && !this.first("wrongSaltVerified")) {
      wrongSalt = true;
    } else if (node.profile === "malicious" && reveal !== "never" && !this.first("wrongSaltFailed")) {
      wrongSalt = true;
      verdict = "FAILED";
    } else if (wrongSalt) {
      verdict = rng.chance(sh.wrongSaltVerified) ? "VERIFIED" : "FAILED";
    } else if (rng.chance(sh.verifierFails)) {
      verdict = "FAILED";
    }
    let slash: FlightPlan["slash"];
    if (verdict === "FAILED")
      slash = wrongSalt ? "REVEAL_MISMATCH" : rng.chance(0.5) ? "INVALID_PROOF" : undefined;
    const settle: FlightPlan["settle"] = !tee ? "none" : rng.chance(0.5) ? "before" : "after";
    const forged =
      tee && (rng.chance(sh.forgedSignature) || (node.profile === "malicious" && !this.first("forged")));
    const stale = tee && !forged && (rng.chance(sh.staleTimestamp) || !this.first("stale"));
    let challenge = reveal !== "never" && rng.chance(sh.challenged);
    let atFault = rng.chance(sh.atFault);
    if (reveal !== "never" && !this.first("challengeAtFault")) {
      challenge = true;
      atFault = true;
    } else if (reveal !== "never" && !this.first("challengeCleared")) {
      challenge = true;
      atFault = false;
    }
    return { reveal, wrongSalt, verdict, slash, settle, forged, stale, challenge, atFault };
  }

  /** What the indexer should conclude about this inference, as far as the simulator decides it. */
  private expectation(f: Flight): Record<string, unknown> {
    const p = f.plan;
    return {
      status: p.reveal === "never" ? "EXPIRED" : p.verdict,
      commitment: p.reveal === "never" ? "NOT_APPLICABLE" : p.wrongSalt ? "FAIL" : "PASS",
      revealOnTime: p.reveal === "onTime" ? "PASS" : "FAIL",
      settlement: p.settle,
      settlementSignature: p.settle === "none" ? null : p.forged ? "FAIL" : "PASS",
      settlementFreshness: p.settle === "none" ? null : p.stale ? "FAIL" : "PASS",
      challenge: p.challenge ? (p.atFault ? "nodeAtFault" : "nodeCleared") : null,
      slash: p.reveal === "never" ? "REVEAL_TIMEOUT" : (p.slash ?? null),
    };
  }

  private advanceFlights(ts: number, rng: Rng): void {
    const s = this.state;
    const { nodes, roles } = this.world;
    for (const f of [...s.flights.values()]) {
      const node = nodes[f.node];
      const p = f.plan;
      if (f.revealedStep === undefined) {
        const onTimeDue = p.reveal === "onTime" && s.step >= f.commitStep + 1;
        const lateDue = p.reveal === "late" && ts > f.deadline;
        if (onTimeDue || lateDue) {
          const salt = p.wrongSalt ? rng.bytes32() : f.salt;
          const proofRef =
            f.mode === "ZKML"
              ? toHex(rng.bytes(32))
              : f.mode === "TEE"
                ? toHex(`tee-quote:${f.requestId.slice(2, 18)}`)
                : "0x";
          this.send(
            this.calls.registry(node.operator, "reveal", [f.requestId, f.outputHash, salt, proofRef]),
            {
              kind: "reveal",
              requestId: f.requestId,
              node: node.id,
              outputHash: f.outputHash,
              salt,
              late: lateDue,
            },
          );
          f.revealedStep = s.step;
        } else if (p.reveal === "never" && ts > f.deadline + this.timing.interval) {
          this.send(this.calls.registry(roles.keeper, "expire", [f.requestId]), {
            kind: "expire",
            requestId: f.requestId,
            node: node.id,
          });
          this.trackSlash(f.node, "REVEAL_TIMEOUT");
          s.flights.delete(f.requestId);
        }
        continue;
      }
      if (f.verifiedStep === undefined) {
        if (s.step < f.revealedStep + 1) continue;
        this.send(
          this.calls.registry(roles.deployer, "verify", [f.requestId, p.verdict === "VERIFIED" ? 0 : 1]),
          {
            kind: "verify",
            requestId: f.requestId,
            node: node.id,
            outcome: p.verdict,
          },
        );
        if (p.slash) this.slash(f.node, f.requestId, p.slash);
        if (p.settle === "after") this.settleFlight(f, ts, rng);
        f.verifiedStep = s.step;
        if (!p.challenge) s.flights.delete(f.requestId);
        continue;
      }
      if (f.challengeId === undefined) {
        if (s.step < f.verifiedStep + 1) continue;
        const challenger = roles.challengers[s.challengeCount % 2];
        f.challengeId = ++s.challengeCount;
        f.challengeStep = s.step;
        this.send(this.calls.registry(challenger, "openChallenge", [f.requestId], CHALLENGE_BOND), {
          kind: "openChallenge",
          requestId: f.requestId,
          challengeId: f.challengeId,
          challenger,
        });
        continue;
      }
      if (s.step >= (f.challengeStep as number) + 2) {
        this.send(
          this.calls.registry(roles.deployer, "resolveChallenge", [
            BigInt(f.challengeId),
            p.atFault,
            rng.bytes32(),
          ]),
          {
            kind: "resolveChallenge",
            requestId: f.requestId,
            challengeId: f.challengeId,
            nodeAtFault: p.atFault,
          },
        );
        if (p.atFault) this.trackSlash(f.node, "LOST_DISPUTE");
        this.resolvingNodes.add(f.node);
        s.flights.delete(f.requestId);
      }
    }
  }

  private settleFlight(f: Flight, ts: number, rng: Rng): void {
    const node = this.world.nodes[f.node];
    this.settle(node, node.key, f.inputHash, f.outputHash, ts, rng, f.plan.forged, f.plan.stale, f.requestId);
  }

  /** An IndividualSettlement signed by `key` (or forged), relayed by the settler. */
  private settle(
    node: SimNode | undefined,
    key: SimNode["key"],
    inputHash: Hex,
    outputHash: Hex,
    ts: number,
    rng: Rng,
    forged: boolean,
    stale: boolean,
    requestId?: Hex,
  ): void {
    if (!key) throw new Error("settlement without a TEE key");
    const signedAt = stale ? ts - 7200 : ts - rng.int(0, 30);
    const message = settlementMessage(inputHash, outputHash, BigInt(signedAt));
    const kind = FORGE_KINDS[rng.int(0, FORGE_KINDS.length - 1)];
    const signature = forged
      ? forgeSignature(kind, {
          privateKey: key.privateKey,
          message32: message,
          rng,
          otherPrivateKey: this.world.impostor.privateKey,
        })
      : signPss(key.privateKey, message);
    const user = toHex(rng.bytes(20));
    // Some settlements carry no blob id: empty bytes.
    const blob = rng.chance(0.1) ? "0x" : toHex(`walrus:${rng.bytes32().slice(2, 26)}`);
    this.send(
      this.calls.relay(this.world.roles.deployer, "settleIndividual", [
        key.teeId,
        inputHash,
        outputHash,
        BigInt(signedAt),
        user,
        blob,
        signature,
      ]),
      {
        kind: "settleIndividual",
        teeId: key.teeId,
        requestId: requestId ?? null,
        registered: node !== undefined,
        expect: {
          signature: node ? (forged ? "FAIL" : "PASS") : "UNKNOWN",
          freshness: stale ? "FAIL" : "PASS",
        },
      },
    );
  }

  private slash(node: number, requestId: Hex, reason: SlashReasonName): void {
    const id = requestId === "0x" ? (`0x${"0".repeat(64)}` as Hex) : requestId;
    this.send(
      this.calls.registry(this.world.roles.deployer, "slash", [
        this.world.nodes[node].id,
        id,
        SLASH_REASON[reason],
        SLASH_AMOUNT[reason],
      ]),
      {
        kind: "slash",
        node: this.world.nodes[node].id,
        requestId: id,
        reason,
      },
    );
    this.trackSlash(node, reason);
  }

  private trackSlash(node: number, reason: SlashReasonName): void {
    const st = this.state.nodes[node];
    const amount = SLASH_AMOUNT[reason];
    st.stake -= amount < st.stake ? amount : st.stake;
  }

  private topUps(): void {
    for (const n of this.world.nodes) {
      const st = this.state.nodes[n.index];
      if (st.committing && st.stake - st.pendingWithdrawals < TOP_UP_BELOW)
        this.deposit(n.index, n.operator, INITIAL_STAKE);
    }
  }

  private withdrawals(ts: number): void {
    const s = this.state;
    s.withdrawals = s.withdrawals.filter((w) => {
      if (ts < w.unlockAt) return true;
      // The registry refuses while a challenge against the node is open (or may still open or close in this block).
      if (this.resolvingNodes.has(w.node)) return true;
      for (const f of s.flights.values()) if (f.node === w.node && f.plan.challenge) return true;
      const node = this.world.nodes[w.node];
      const st = s.nodes[w.node];
      const paid = w.amount < st.stake ? w.amount : st.stake;
      st.stake -= paid;
      st.pendingWithdrawals -= w.amount;
      this.send(this.calls.registry(node.operator, "completeWithdrawal", [node.id, BigInt(w.id)]), {
        kind: "completeWithdrawal",
        node: node.id,
        withdrawalId: w.id,
        paid: paid.toString(),
      });
      return false;
    });
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

  /** True the first time a forced case is asked for (and marks it taken). */
  private first(name: string): boolean {
    if (this.state.firsts[name]) return true;
    this.state.firsts[name] = true;
    return false;
  }

  private weightedPick<T extends { weight: number }>(items: T[], rng: Rng): T {
    const total = items.reduce((a, m) => a + m.weight, 0);
    let x = rng.float() * total;
    for (const m of items) {
      x -= m.weight;
      if (x < 0) return m;
    }
    return items[items.length - 1];
  }

  private poisson(mean: number, rng: Rng): number {
    if (mean > 50)
      return Math.max(
        0,
        Math.round(mean + Math.sqrt(mean) * (rng.float() + rng.float() + rng.float() - 1.5) * 2),
      );
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= rng.float();
    } while (p > l);
    return k - 1;
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
