import { type Address, toHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { inferenceCommitment, settlementMessage } from "../../crypto/messages.ts";
import { verifyPss } from "../../crypto/pss-verify.ts";
import { createRng } from "../../crypto/rng.ts";
import type { Flight, FlightPlan, SimState } from "../state.ts";
import { buildWorld, type World } from "../world.ts";
import type { Action } from "./actions.ts";
import { initialState, newContext, type PolicyContext, type Timing } from "./context.ts";
import { advanceFlights, plan } from "./inferences.ts";
import { scenarioEvents } from "./scenario.ts";
import { STALE_BY } from "./settle.ts";
import { setupNodesAndModels } from "./setup.ts";
import { completeWithdrawals, requestWithdrawal, SLASH_AMOUNT, slash } from "./stake.ts";
import { type Pace, stepActions } from "./step.ts";

const accounts = Array.from({ length: 30 }, (_, i) => toHex(i + 1, { size: 20 }) as Address);
const TIMING: Timing = {
  interval: 300,
  revealWindow: 900,
  challengeWindow: 1200,
  withdrawalDelay: 1800,
  heartbeatEvery: 2,
};
const T0 = 1_780_000_000;

let world: World;
beforeAll(() => {
  // Nodes: 0 honest, 1 flaky, 2 malicious, 3 ghost, 4 honest (on the PCR that gets revoked), 5 flaky.
  world = buildWorld(createRng("policy-test").fork("world"), accounts, 6);
});

/** A state after setup: every node staked. */
function stakedState(): SimState {
  const state = initialState(world, T0, 0);
  setupNodesAndModels(newContext(world, state, TIMING, "policy-test"));
  return state;
}

function ctxOf(state: SimState): PolicyContext {
  return newContext(world, state, TIMING, "policy-test");
}

const PLAN: FlightPlan = {
  reveal: "onTime",
  wrongSalt: false,
  verdict: "VERIFIED",
  settle: "none",
  forged: false,
  stale: false,
  challenge: false,
  atFault: false,
};

function flight(state: SimState, node: number, p: Partial<FlightPlan>): Flight {
  const outputHash = `0x${"11".repeat(32)}` as const;
  const salt = `0x${"22".repeat(32)}` as const;
  const f: Flight = {
    requestId: `0x${(state.flights.size + 1).toString(16).padStart(64, "0")}`,
    node,
    model: 0,
    mode: world.models[0].mode,
    inputHash: `0x${"33".repeat(32)}`,
    outputHash,
    salt,
    commitment: inferenceCommitment(outputHash, salt),
    commitStep: state.step,
    deadline: T0 + TIMING.revealWindow,
    plan: { ...PLAN, ...p },
  };
  state.flights.set(f.requestId, f);
  return f;
}

/** Runs advanceFlights for one block at `ts` and returns the actions; the step counter moves on. */
function advance(state: SimState, ts: number): Action[] {
  const ctx = ctxOf(state);
  advanceFlights(ctx, ts, createRng(`advance:${state.step}`));
  state.step++;
  return ctx.actions;
}

const kinds = (actions: Action[]) => actions.map((a) => a.kind);

describe("traffic policy: inference lifecycle", () => {
  it("an inference never revealed is expired one interval after its deadline, with a REVEAL_TIMEOUT slash", () => {
    const state = stakedState();
    const f = flight(state, 1, { reveal: "never" });
    const before = state.nodes[1].stake;
    expect(advance(state, f.deadline)).toEqual([]);
    expect(advance(state, f.deadline + TIMING.interval)).toEqual([]);
    const actions = advance(state, f.deadline + TIMING.interval + 1);
    expect(kinds(actions)).toEqual(["expire"]);
    const expire = actions[0] as Extract<Action, { kind: "expire" }>;
    expect(expire.requestId).toBe(f.requestId);
    expect(expire.slash).toEqual({
      reason: "REVEAL_TIMEOUT",
      amount: SLASH_AMOUNT.REVEAL_TIMEOUT,
      taken: SLASH_AMOUNT.REVEAL_TIMEOUT,
      remaining: before - SLASH_AMOUNT.REVEAL_TIMEOUT,
    });
    expect(state.nodes[1].stake).toBe(before - SLASH_AMOUNT.REVEAL_TIMEOUT);
    expect(state.flights.has(f.requestId)).toBe(false);
  });

  it("a late reveal comes only after the deadline and is marked late; the verdict follows a block later", () => {
    const state = stakedState();
    const f = flight(state, 1, { reveal: "late" });
    expect(advance(state, T0 + TIMING.interval)).toEqual([]);
    expect(advance(state, f.deadline)).toEqual([]);
    const reveal = advance(state, f.deadline + 1);
    expect(reveal).toMatchObject([{ kind: "reveal", requestId: f.requestId, late: true, salt: f.salt }]);
    expect(kinds(advance(state, f.deadline + 2))).toEqual(["verify"]);
    expect(state.flights.size).toBe(0);
  });

  it("a wrong-salt reveal does not open the commitment, and a FAILED verdict brings its REVEAL_MISMATCH slash", () => {
    const state = stakedState();
    const f = flight(state, 2, { wrongSalt: true, verdict: "FAILED", slash: "REVEAL_MISMATCH" });
    // An on-time reveal comes in the block after the commit's.
    expect(advance(state, T0)).toEqual([]);
    const [reveal] = advance(state, T0 + TIMING.interval) as Extract<Action, { kind: "reveal" }>[];
    expect(reveal.late).toBe(false);
    expect(inferenceCommitment(reveal.outputHash, reveal.salt)).not.toBe(f.commitment);
    const verdict = advance(state, T0 + 2 * TIMING.interval);
    expect(verdict).toMatchObject([
      { kind: "verify", outcome: "FAILED" },
      { kind: "slash", requestId: f.requestId, slash: { reason: "REVEAL_MISMATCH" } },
    ]);
  });

  it("a challenged inference is challenged the block after its verdict and resolved two blocks later", () => {
    const state = stakedState();
    const f = flight(state, 0, { challenge: true, atFault: true });
    expect(advance(state, T0)).toEqual([]); // the commit's block
    advance(state, T0 + 300); // reveal
    advance(state, T0 + 600); // verdict
    const open = advance(state, T0 + 900);
    expect(open).toMatchObject([
      {
        kind: "openChallenge",
        requestId: f.requestId,
        challengeId: 1,
        deadline: T0 + 900 + TIMING.challengeWindow,
      },
    ]);
    expect(advance(state, T0 + 1200)).toEqual([]);
    const resolved = advance(state, T0 + 1500);
    expect(resolved).toMatchObject([
      { kind: "resolveChallenge", challengeId: 1, nodeAtFault: true, slash: { reason: "LOST_DISPUTE" } },
    ]);
    const cleared = stakedState();
    const g = flight(cleared, 0, { challenge: true, atFault: false });
    for (const ts of [0, 300, 600, 900, 1200]) advance(cleared, T0 + ts);
    const [r] = advance(cleared, T0 + 1500) as Extract<Action, { kind: "resolveChallenge" }>[];
    expect(r.requestId).toBe(g.requestId);
    expect(r.slash).toBeUndefined();
  });
});

describe("traffic policy: stake", () => {
  it("a slash takes at most the stake: equivocation takes it all, the next slash takes nothing", () => {
    const state = stakedState();
    const ctx = ctxOf(state);
    const staked = state.nodes[3].stake;
    slash(ctx, 3, "0x", "EQUIVOCATION");
    slash(ctx, 3, "0x", "INVALID_PROOF");
    expect(ctx.actions).toMatchObject([
      { kind: "slash", requestId: `0x${"0".repeat(64)}`, slash: { taken: staked, remaining: 0n } },
      { kind: "slash", slash: { taken: 0n, remaining: 0n } },
    ]);
  });

  it("a withdrawal completes once unlocked, but not while a challenge against the node may be open", () => {
    const state = stakedState();
    requestWithdrawal(ctxOf(state), 0, T0);
    const [w] = state.withdrawals;
    expect(w.amount).toBe(state.nodes[0].stake / 10n);
    const early = ctxOf(state);
    completeWithdrawals(early, w.unlockAt - 1);
    expect(early.actions).toEqual([]);
    flight(state, 0, { challenge: true });
    const held = ctxOf(state);
    completeWithdrawals(held, w.unlockAt);
    expect(held.actions).toEqual([]);
    state.flights.clear();
    const done = ctxOf(state);
    const stake = state.nodes[0].stake;
    completeWithdrawals(done, w.unlockAt);
    expect(done.actions).toMatchObject([{ kind: "completeWithdrawal", withdrawalId: w.id, paid: w.amount }]);
    expect(state.nodes[0].stake).toBe(stake - w.amount);
    expect(state.withdrawals).toEqual([]);
  });
});

describe("traffic policy: plans and settlements", () => {
  it("forges a malicious node's settlement signatures at its configured rate (30%), the first one always", () => {
    const state = stakedState();
    const ctx = ctxOf(state);
    const malicious = world.nodes[2];
    const rng = createRng("plans");
    const plans = Array.from({ length: 4000 }, () => plan(ctx, malicious, true, rng));
    expect(plans[0].forged).toBe(true);
    const share = plans.filter((p) => p.forged).length / plans.length;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    // An honest node never forges; VANILLA/ZKML inferences are never settled.
    expect(
      Array.from({ length: 500 }, () => plan(ctx, world.nodes[0], true, rng)).some((p) => p.forged),
    ).toBe(false);
    expect(plan(ctx, malicious, false, rng)).toMatchObject({ settle: "none", forged: false, stale: false });
  });

  it("a bulk run's settlements verify exactly when not forged, and stale ones are signed 2 hours back", () => {
    const state = stakedState();
    const pace: Pace = { kind: "bulk", inferences: 400, perBlock: 40 };
    const settlements: (Extract<Action, { kind: "settleIndividual" }> & { ts: number })[] = [];
    const all: Action[] = [];
    let ts = T0;
    for (let step = 0; step < 20; step++) {
      ts += TIMING.interval;
      const ctx = ctxOf(state);
      stepActions(ctx, pace, ts, createRng("bulk").fork(`step:${step}`), false);
      state.step++;
      expect(ctx.actions.length).toBeGreaterThan(0);
      for (const a of ctx.actions) if (a.kind === "settleIndividual") settlements.push({ ...a, ts });
      all.push(...ctx.actions);
    }
    expect(state.committed).toBe(400);
    const keys = new Map(
      [...world.nodes, world.latecomer].flatMap((n) => (n.key ? [[n.key.teeId, n.key]] : [])),
    );
    keys.set(world.stranger.teeId, world.stranger);
    expect(settlements.some((s) => s.forged)).toBe(true);
    expect(settlements.some((s) => s.stale)).toBe(true);
    for (const s of settlements) {
      const key = keys.get(s.teeId);
      expect(key).toBeDefined();
      const ok = verifyPss(
        key?.publicKeyDer as `0x${string}`,
        settlementMessage(s.inputHash, s.outputHash, BigInt(s.signedAt)),
        s.signature,
      );
      expect(ok).toBe(!s.forged);
      if (s.stale) expect(s.ts - s.signedAt).toBe(STALE_BY);
      else expect(s.ts - s.signedAt).toBeLessThanOrEqual(30);
    }
    // Every commit reaches a verdict or an expiry within the run.
    const committed = all.filter((a) => a.kind === "commit").length;
    const ended = all.filter((a) => a.kind === "verify" || a.kind === "expire").length;
    expect(committed).toBe(400);
    expect(ended).toBeGreaterThan(350);
  });
});

describe("traffic policy: scenario", () => {
  it("disables the scenario's TEEs at 30% and enables them at 45%, once per cycle", () => {
    const state = stakedState();
    const run = (progress: number, scale = { disabled: [0, 4], withdrawing: [] }) => {
      const ctx = ctxOf(state);
      ctx.scenario = scale;
      scenarioEvents(ctx, progress, 0, T0, createRng(`scenario:${progress}`));
      state.step++;
      return ctx.actions.filter((a) => a.kind === "disableTEE" || a.kind === "enableTEE");
    };
    expect(run(0.29)).toEqual([]);
    expect(run(0.3)).toMatchObject([
      { kind: "disableTEE", node: { index: 0 } },
      { kind: "disableTEE", node: { index: 4 } },
    ]);
    expect(state.nodes[4].enabled).toBe(false);
    expect(run(0.35)).toEqual([]);
    expect(run(0.45)).toMatchObject([
      { kind: "enableTEE", node: { index: 0 } },
      { kind: "enableTEE", node: { index: 4 } },
    ]);
  });

  it("withdrawal rounds: `count` random nodes every `every` blocks until the last commit", () => {
    const state = stakedState();
    const withdrawals = (step: number, progress: number) => {
      state.step = step;
      const ctx = ctxOf(state);
      ctx.scenario = { disabled: [], withdrawing: [], withdrawalRounds: { every: 4, count: 3 } };
      scenarioEvents(ctx, progress, 0, T0, createRng(`rounds:${step}`));
      return ctx.actions.filter((a) => a.kind === "requestWithdrawal");
    };
    expect(withdrawals(1, 0.01)).toEqual([]);
    expect(withdrawals(2, 0.02)).toHaveLength(3);
    expect(withdrawals(6, 0.9)).toHaveLength(3);
    expect(withdrawals(10, 1)).toEqual([]);
    expect(state.withdrawals.map((w) => w.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
