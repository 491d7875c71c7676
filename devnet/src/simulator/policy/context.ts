import type { KeyObject } from "node:crypto";
import type { Hex } from "viem";
import { signPss } from "../../crypto/pss-sign.ts";
import type { SimState } from "../state.ts";
import type { SimNode, World } from "../world.ts";
import type { Action } from "./actions.ts";

/** Protocol timing for one run: bulk runs compress hours into seconds, live runs follow the wall clock. */
export interface Timing {
  /** Seconds between blocks. */
  interval: number;
  revealWindow: number;
  challengeWindow: number;
  withdrawalDelay: number;
  /** Blocks between two heartbeats of a TEE. */
  heartbeatEvery: number;
}

/**
 * Timing of a bulk run, `interval` simulated seconds between blocks: reveals are due within 3 blocks, challenges
 * within 4, withdrawals unlock after 6; a TEE beats every `heartbeatSeconds` (rounded to whole blocks).
 */
export function bulkTiming(interval: number, heartbeatSeconds: number): Timing {
  return {
    interval,
    revealWindow: 3 * interval,
    challengeWindow: 4 * interval,
    withdrawalDelay: 6 * interval,
    heartbeatEvery: Math.max(1, Math.round(heartbeatSeconds / interval)),
  };
}

/**
 * What the policy reads and changes while it decides one block: the fixed world, the run's mutable state (plain
 * data, so a reorg can restore a copy) and the actions decided so far. No I/O: the caller sends the actions.
 */
export interface PolicyContext {
  world: World;
  state: SimState;
  timing: Timing;
  /** The run's seed: request ids derive from it. */
  seed: string;
  actions: Action[];
  /** Nodes whose challenge is resolved in the block being built: their withdrawals wait one more block. */
  resolvingNodes: Set<number>;
  /** How often each node commits, relatively (default: every committing node alike). */
  nodeWeight?: (node: SimNode) => number;
  scenario: ScenarioScale;
  /** Signs a 32-byte message with the spec's RSA-PSS scheme (default: signPss, deterministic). */
  sign: (privateKey: KeyObject, message32: Hex) => Hex;
}

/** Which nodes the scenario's stake and TEE events touch: a few on a devnet, more in a world of thousands. */
export interface ScenarioScale {
  /** TEEs disabled at 30% of the run (of each live cycle) and enabled again at 45%. */
  disabled: number[];
  /** Nodes that ask to withdraw a tenth of their free stake at 20%. */
  withdrawing: number[];
  /** Also, every `every` blocks until the last commit, `count` nodes picked at random do. */
  withdrawalRounds?: { every: number; count: number };
}

/** The devnet's scenario: node 0 disabled for a while, nodes 0 and 1 withdrawing. */
export const DEVNET_SCENARIO: ScenarioScale = { disabled: [0], withdrawing: [0, 1] };

export function newContext(world: World, state: SimState, timing: Timing, seed: string): PolicyContext {
  return {
    world,
    state,
    timing,
    seed,
    actions: [],
    resolvingNodes: new Set(),
    scenario: DEVNET_SCENARIO,
    sign: (key, message) => signPss(key, message),
  };
}

/** A run's state before its first block; `head`: the chain head it starts at. */
export function initialState(world: World, lastTimestamp: number, head: number): SimState {
  return {
    step: 0,
    branch: 0,
    // Request ids include the head the run started at, so a resumed devnet never reuses one.
    counter: head * 1_000_000,
    lastTimestamp,
    committed: 0,
    flights: new Map(),
    nodes: world.nodes.map((n, i) => ({
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

/** True the first time a forced case is asked for (and marks it taken). */
export function first(ctx: PolicyContext, name: string): boolean {
  if (ctx.state.firsts[name]) return true;
  ctx.state.firsts[name] = true;
  return false;
}

export const ZERO_ID = `0x${"0".repeat(64)}` as Hex;
