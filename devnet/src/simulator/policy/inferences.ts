import { concat, type Hex, keccak256, toHex } from "viem";
import { inferenceCommitment } from "../../crypto/messages.ts";
import type { Rng } from "../../crypto/rng.ts";
import { PROFILE_SHARES } from "../profiles.ts";
import type { Flight, FlightPlan } from "../state.ts";
import type { SimNode } from "../world.ts";
import { first, type PolicyContext } from "./context.ts";
import { settle } from "./settle.ts";
import { CHALLENGE_BOND, slash, takeSlash } from "./stake.ts";

/** Decides an inference's future from its node's profile; some cases are forced once so short runs cover them. */
export function plan(ctx: PolicyContext, node: SimNode, tee: boolean, rng: Rng): FlightPlan {
  const sh = PROFILE_SHARES[node.profile];
  let reveal: FlightPlan["reveal"] = "onTime";
  if (rng.chance(sh.noReveal)) reveal = "never";
  else if (rng.chance(sh.lateReveal)) reveal = "late";
  if (node.profile === "flaky" && !first(ctx, "flakyNever")) reveal = "never";
  else if (node.profile === "flaky" && !first(ctx, "flakyLate")) reveal = "late";
  let wrongSalt = reveal !== "never" && rng.chance(sh.wrongSalt);
  let verdict: FlightPlan["verdict"] = "VERIFIED";
  if (node.profile === "malicious" && reveal !== "never" && !first(ctx, "wrongSaltVerified")) {
    wrongSalt = true;
  } else if (node.profile === "malicious" && reveal !== "never" && !first(ctx, "wrongSaltFailed")) {
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
    tee && (rng.chance(sh.forgedSignature) || (node.profile === "malicious" && !first(ctx, "forged")));
  const stale = tee && !forged && (rng.chance(sh.staleTimestamp) || !first(ctx, "stale"));
  let challenge = reveal !== "never" && rng.chance(sh.challenged);
  let atFault = rng.chance(sh.atFault);
  if (reveal !== "never" && !first(ctx, "challengeAtFault")) {
    challenge = true;
    atFault = true;
  } else if (reveal !== "never" && !first(ctx, "challengeCleared")) {
    challenge = true;
    atFault = false;
  }
  return { reveal, wrongSalt, verdict, slash, settle, forged, stale, challenge, atFault };
}

function weightedPick<T extends { weight: number }>(items: T[], rng: Rng): T {
  const total = items.reduce((a, m) => a + m.weight, 0);
  let x = rng.float() * total;
  for (const m of items) {
    x -= m.weight;
    if (x < 0) return m;
  }
  return items[items.length - 1];
}

/** Picks among `nodes` uniformly, or by ctx.nodeWeight (binary search over cumulative weights). */
function nodePicker(ctx: PolicyContext, nodes: SimNode[], rng: Rng): () => SimNode {
  const weight = ctx.nodeWeight;
  if (!weight) return () => rng.pick(nodes);
  const cumulative = new Float64Array(nodes.length);
  let total = 0;
  nodes.forEach((n, i) => {
    total += weight(n);
    cumulative[i] = total;
  });
  return () => {
    const x = rng.float() * total;
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return nodes[lo];
  };
}

/** `count` new inferences, each by a committing node with stake, on a model it may serve. */
export function commits(ctx: PolicyContext, count: number, ts: number, rng: Rng): void {
  const s = ctx.state;
  const { nodes, models } = ctx.world;
  const active = nodes.filter((n) => s.nodes[n.index].committing && s.nodes[n.index].stake > 0n);
  const liveModels = models.filter((m) => !s.deprecatedModels.includes(m.index));
  const pickNode = nodePicker(ctx, active, rng);
  for (let i = 0; i < count && active.length > 0; i++) {
    const node = pickNode();
    const eligible = liveModels.filter((m) => (node.key ? true : m.mode !== "TEE"));
    const model = weightedPick(eligible, rng);
    const requestId = keccak256(
      concat([toHex(ctx.seed), toHex(s.branch, { size: 8 }), toHex(s.counter++, { size: 16 })]),
    );
    const outputHash = rng.bytes32();
    const salt = rng.bytes32();
    const flightPlan = plan(ctx, node, model.mode === "TEE", rng);
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
      deadline: ts + ctx.timing.revealWindow,
      plan: flightPlan,
    };
    s.flights.set(requestId, flight);
    s.committed++;
    ctx.actions.push({
      kind: "commit",
      requestId,
      node,
      model,
      inputHash: flight.inputHash,
      commitment: flight.commitment,
      revealDeadline: flight.deadline,
      plan: flightPlan,
    });
    if (flightPlan.settle === "before") settleFlight(ctx, flight, ts, rng);
  }
}

function settleFlight(ctx: PolicyContext, f: Flight, ts: number, rng: Rng): void {
  const node = ctx.world.nodes[f.node];
  settle(ctx, node, node.key, f.inputHash, f.outputHash, ts, rng, f.plan.forged, f.plan.stale, f.requestId);
}

/**
 * Moves every inference in flight one stage on, as its plan says: reveal (on time the block after the commit, late
 * past the deadline, or never: expired one block interval after the deadline with a REVEAL_TIMEOUT slash), then the
 * verdict (with its slash, and the settlement if it comes after), then a challenge and its resolution two blocks on.
 */
export function advanceFlights(ctx: PolicyContext, ts: number, rng: Rng): void {
  const s = ctx.state;
  const { nodes, models, roles } = ctx.world;
  for (const f of [...s.flights.values()]) {
    const node = nodes[f.node];
    const p = f.plan;
    if (f.revealedStep === undefined) {
      const onTimeDue = p.reveal === "onTime" && s.step >= f.commitStep + 1;
      const lateDue = p.reveal === "late" && ts > f.deadline;
      if (onTimeDue || lateDue) {
        const salt = p.wrongSalt ? rng.bytes32() : f.salt;
        const proofRef: Hex =
          f.mode === "ZKML"
            ? toHex(rng.bytes(32))
            : f.mode === "TEE"
              ? toHex(`tee-quote:${f.requestId.slice(2, 18)}`)
              : "0x";
        ctx.actions.push({
          kind: "reveal",
          requestId: f.requestId,
          node,
          outputHash: f.outputHash,
          salt,
          proofRef,
          late: lateDue,
        });
        f.revealedStep = s.step;
      } else if (p.reveal === "never" && ts > f.deadline + ctx.timing.interval) {
        ctx.actions.push({
          kind: "expire",
          requestId: f.requestId,
          node,
          model: models[f.model],
          slash: takeSlash(ctx, f.node, "REVEAL_TIMEOUT"),
        });
        s.flights.delete(f.requestId);
      }
      continue;
    }
    if (f.verifiedStep === undefined) {
      if (s.step < f.revealedStep + 1) continue;
      ctx.actions.push({
        kind: "verify",
        requestId: f.requestId,
        node,
        model: models[f.model],
        outcome: p.verdict,
      });
      if (p.slash) slash(ctx, f.node, f.requestId, p.slash);
      if (p.settle === "after") settleFlight(ctx, f, ts, rng);
      f.verifiedStep = s.step;
      if (!p.challenge) s.flights.delete(f.requestId);
      continue;
    }
    if (f.challengeId === undefined) {
      if (s.step < f.verifiedStep + 1) continue;
      const challenger = roles.challengers[s.challengeCount % 2];
      f.challengeId = ++s.challengeCount;
      f.challengeStep = s.step;
      ctx.actions.push({
        kind: "openChallenge",
        requestId: f.requestId,
        challengeId: f.challengeId,
        challenger,
        bond: CHALLENGE_BOND,
        deadline: ts + ctx.timing.challengeWindow,
      });
      continue;
    }
    if (s.step >= (f.challengeStep as number) + 2) {
      const evidence = rng.bytes32();
      ctx.actions.push({
        kind: "resolveChallenge",
        requestId: f.requestId,
        challengeId: f.challengeId,
        node,
        nodeAtFault: p.atFault,
        evidence,
        slash: p.atFault ? takeSlash(ctx, f.node, "LOST_DISPUTE") : undefined,
      });
      ctx.resolvingNodes.add(f.node);
      s.flights.delete(f.requestId);
    }
  }
}
