import { constants, type KeyObject, sign } from "node:crypto";
import { keccak256 } from "viem";
import type { TeeSigningKey } from "../../devnet/src/crypto/rsa-keygen.ts";
import { MODE, MODEL_CATALOGUE, type ModeName } from "../../devnet/src/simulator/models.ts";
import type { Action } from "../../devnet/src/simulator/policy/actions.ts";
import {
  bulkTiming,
  initialState,
  newContext,
  type PolicyContext,
  type ScenarioScale,
} from "../../devnet/src/simulator/policy/context.ts";
import { setupNodesAndModels, setupRegistries } from "../../devnet/src/simulator/policy/setup.ts";
import { commitSteps, type Pace, stepActions } from "../../devnet/src/simulator/policy/step.ts";
import type { NodeProfile } from "../../devnet/src/simulator/profiles.ts";
import type { SimState } from "../../devnet/src/simulator/state.ts";
import { pcrSet, type SimModel, type SimNode, type World } from "../../devnet/src/simulator/world.ts";
import { BlockBuilder, encodeAction, type SynthBlock } from "./action-logs.ts";
import type { Hex } from "./encode.ts";
import { FastForkableRng } from "./rng.ts";

// A synthetic chain of the three contracts' logs, block by block, in the shape Subsquid's evm-processor hands the
// indexer's batch handler (header { height, hash, timestamp in ms }, logs with transactionHash, logIndex and, for
// registrations and heartbeats, the transaction's calldata). The traffic is the devnet simulator's: the same
// traffic policy (devnet/src/simulator/policy) decides every block, and action-logs.ts encodes its actions as the logs
// the contracts would emit, where the simulator sends them as transactions. What differs is the world, built here
// at scale: thousands of nodes (2% ghosts, 5% malicious, 8% flaky) with heavy-tailed activity, the devnet's model
// catalogue and 32 more models, RSA keys from a shared prime pool (keys.ts), a fast seeded stream (rng.ts).
// Deterministic for a seed except the RSA keys and PSS salts (random; they change no row count or status).
//
// Scaled-down parts, to bound the signing cost: a heartbeat per node every ~2 days (the devnet: every 10 minutes).

export interface ChainOptions {
  seed: string;
  nodes: number;
  inferences: number;
  /** Commits per block. */
  perBlock: number;
  /** Seconds between blocks. */
  blockSeconds: number;
  /** Unix seconds of the first block. */
  startTime: number;
}

const HEARTBEAT_SECONDS = 2 * 86_400;
/** Registrations (each with its first deposit) per setup block. */
const REGISTRATIONS_PER_BLOCK = 500;
const ZERO_ID = `0x${"0".repeat(64)}` as Hex;
/** Blocks a bulk run may go on after its last commit for its inferences and withdrawals to settle. */
const DRAIN_STEPS = 200;

/** Per-kind event counts and other figures of the generated chain. */
export interface ChainStats {
  blocks: number;
  events: number;
  byKind: Record<string, number>;
  signatures: number;
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

/** RSA-PSS as the spec has it, with OpenSSL's random salt: ~1.7x faster than the devnet's deterministic signPss. */
function pssSign(key: KeyObject, message32: Hex): Hex {
  return `0x${sign("sha256", Buffer.from(message32.slice(2), "hex"), { key, ...PSS }).toString("hex")}`;
}

/** Nodes that stake and commit (VANILLA and ZKML only) but never register a TEE: 2%. */
export const isGhost = (i: number) => i % 50 === 3;

/** RSA keys the chain needs besides one per non-ghost node: the latecomer, a TEE that never registers, an impostor. */
export const EXTRA_KEYS = 3;

function profileOf(i: number): NodeProfile {
  if (isGhost(i)) return "ghost";
  if (i % 20 === 2) return "malicious";
  if (i % 12 === 1) return "flaky";
  return "honest";
}

/** The world at scale: roles, PCRs, `options.nodes` nodes with their keys and profiles, models. */
function buildWorld(options: ChainOptions, keys: TeeSigningKey[], stream: FastForkableRng): World {
  const rng = stream.raw;
  const challengers = [rng.address(), rng.address()];
  const roles = { deployer: rng.address(), keeper: rng.address(), challengers, modelOwners: challengers };
  const pcrs = [
    pcrSet(stream, "nitro-v1", 1, "og-tee-1.0.0"),
    pcrSet(stream, "nitro-v2", 1, "og-tee-1.1.0"),
    pcrSet(stream, "tdx-v1", 2, "og-tdx-2026.1"),
  ];
  let nextKey = 0;
  const takeKey = (): TeeSigningKey => {
    const key = keys[nextKey++];
    if (!key) throw new Error(`got ${keys.length} RSA keys, too few for the nodes`);
    return key;
  };
  const nodes = Array.from({ length: options.nodes }, (_, index): SimNode => {
    const profile = profileOf(index);
    const owner = rng.address();
    const key = profile === "ghost" ? undefined : takeKey();
    return {
      index,
      profile,
      id: key ? key.teeId : rng.bytes32(),
      key,
      owner,
      operator: index % 10 === 0 ? rng.address() : owner,
      paymentAddress: rng.address(),
      endpoint: key ? `https://node-${index}.tee.example:8443` : "",
      pcr: key ? (index % 40 === 4 ? pcrs[0] : pcrs[1 + (index % 2)]) : undefined,
    };
  });
  const lateKey = takeKey();
  const lateOwner = rng.address();
  const latecomer: SimNode = {
    index: options.nodes,
    profile: "honest",
    id: lateKey.teeId,
    key: lateKey,
    owner: lateOwner,
    operator: lateOwner,
    paymentAddress: rng.address(),
    endpoint: "https://latecomer.tee.example",
    pcr: pcrs[1],
  };
  // Models: the devnet's catalogue (hostile and non-ASCII names included) and 32 more; about 29% of the traffic
  // is TEE mode (each TEE inference brings a settlement with an RSA signature).
  const catalogue = MODEL_CATALOGUE.map((m) => ({ ...m, weight: m.weight * 2 }));
  const extra = Array.from({ length: 32 }, (_, k) => {
    const mode: ModeName = k % 4 === 3 ? "TEE" : k % 2 ? "ZKML" : "VANILLA";
    return {
      name: `og/model-${k}`,
      version: `${1 + (k % 3)}.${k % 7}`,
      mode,
      weight: mode === "TEE" ? 2 : 3,
    };
  });
  const models = [...catalogue, ...extra].map(
    (spec, index): SimModel => ({
      index,
      id: keccak256(Buffer.from(`${spec.name}@${spec.version}`)),
      owner: challengers[index % 2],
      name: spec.name,
      version: spec.version,
      mode: spec.mode,
      modeId: MODE[spec.mode],
      contentHash: rng.bytes32(),
      blobId: `walrus:${rng.hex(16)}`,
      weight: spec.weight,
    }),
  );
  return {
    roles,
    teeTypes: [
      { id: 1, name: "AWS Nitro Enclaves" },
      { id: 2, name: "Intel TDX" },
    ],
    pcrs,
    revokedPcr: pcrs[0],
    nodes,
    models,
    latecomer,
    stranger: takeKey(),
    impostor: takeKey(),
  };
}

export class SyntheticChain {
  readonly stats: ChainStats = { blocks: 0, events: 0, byKind: {}, signatures: 0 };
  private readonly rng: FastForkableRng;
  private readonly world: World;
  private readonly state: SimState;
  private readonly pace: Pace;
  private readonly timing;
  private readonly nodeWeight: (n: SimNode) => number;
  private readonly scenario: ScenarioScale;
  private height = 0;
  private parentHash = ZERO_ID as string;

  /** `keys`: one RSA key per non-ghost node, plus EXTRA_KEYS. */
  constructor(
    private readonly options: ChainOptions,
    keys: TeeSigningKey[],
  ) {
    this.rng = new FastForkableRng(options.seed);
    const rng = this.rng.raw;
    this.world = buildWorld(options, keys, this.rng);
    // Node activity is heavy-tailed: weight 1/(rank + 5) over a random ranking, so the busiest node commits ~2,000x
    // more than the quietest (tens of thousands of inferences against a dozen).
    const ranks = this.world.nodes.map((_, i) => i);
    for (let i = ranks.length - 1; i > 0; i--) {
      const j = Math.floor(rng.float() * (i + 1));
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    this.nodeWeight = (n) => 1 / (ranks[n.index] + 5);
    // About 1% of the TEEs disabled for a while; ten withdrawals every 20 blocks besides the devnet's two.
    this.scenario = {
      disabled: this.world.nodes.filter((n) => n.key && n.index % 97 === 0).map((n) => n.index),
      withdrawing: [0, 1],
      withdrawalRounds: { every: 20, count: 10 },
    };
    this.timing = bulkTiming(options.blockSeconds, HEARTBEAT_SECONDS);
    this.pace = { kind: "bulk", inferences: options.inferences, perBlock: options.perBlock };
    this.state = initialState(this.world, options.startTime - options.blockSeconds, 0);
    // Heartbeats spread evenly over the interval's blocks.
    this.state.nodes.forEach((st, i) => {
      st.heartbeatOffset = i % this.timing.heartbeatEvery;
    });
  }

  /** Every block of the chain, in order. */
  *blocks(): Generator<SynthBlock> {
    yield this.block(this.decide(setupRegistries));
    const registrations = this.decide(setupNodesAndModels);
    // Each node's registration and deposit, then the models: REGISTRATIONS_PER_BLOCK nodes a block.
    for (let from = 0; from < registrations.length; from += 2 * REGISTRATIONS_PER_BLOCK)
      yield this.block(registrations.slice(from, from + 2 * REGISTRATIONS_PER_BLOCK));
    const steps = commitSteps(this.pace);
    for (const s = this.state; ; s.step++) {
      const drained = s.flights.size === 0 && s.withdrawals.length === 0;
      if (s.step >= steps && (drained || s.step > steps + DRAIN_STEPS)) break;
      const ts = this.timeOf(this.height + 1);
      const rng = this.rng.fork(`step:${s.step}`);
      yield this.block(this.decide((ctx) => stepActions(ctx, this.pace, ts, rng, false)));
    }
  }

  private decide(policy: (ctx: PolicyContext) => void): Action[] {
    const ctx = newContext(this.world, this.state, this.timing, this.options.seed);
    ctx.nodeWeight = this.nodeWeight;
    ctx.scenario = this.scenario;
    ctx.sign = pssSign;
    policy(ctx);
    return ctx.actions;
  }

  private timeOf(height: number): number {
    return this.options.startTime + (height - 1) * this.options.blockSeconds;
  }

  private block(actions: Action[]): SynthBlock {
    const b = new BlockBuilder(() => this.rng.raw.bytes32());
    for (const a of actions)
      encodeAction(b, this.world, a, (kind) => {
        this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
        if (kind === "HeartbeatReceived" || kind === "IndividualSettlement") this.stats.signatures++;
      });
    this.height++;
    const hash = this.rng.raw.bytes32();
    const block = {
      header: {
        height: this.height,
        hash,
        parentHash: this.parentHash,
        timestamp: this.timeOf(this.height) * 1000,
      },
      logs: b.logs,
    };
    this.parentHash = hash;
    this.stats.blocks++;
    this.stats.events += b.logs.length;
    return block;
  }
}
