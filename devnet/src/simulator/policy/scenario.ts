import type { Hex } from "viem";
import type { Rng } from "../../crypto/rng.ts";
import type { SimNode } from "../world.ts";
import type { PolicyContext } from "./context.ts";
import { batchSettle, settle } from "./settle.ts";
import { deposit, ETH, requestWithdrawal, slash } from "./stake.ts";

/**
 * The run's one-off and cyclic events, each when the run's progress (0..1: commits made of those asked for; in a
 * live run, the position in the current cycle) reaches its mark: a third-party deposit, withdrawals, TEEs disabled
 * then enabled (which ones: ctx.scenario), the latecomer's registration, a PCR revoked (PCR_REVOKED slashes) then re-approved, a deprecated
 * model, the ghost's equivocation; and every few blocks, settlements by unregistered TEEs and a batch settlement.
 */
export function scenarioEvents(
  ctx: PolicyContext,
  progress: number,
  cycle: number,
  ts: number,
  rng: Rng,
): void {
  const s = ctx.state;
  const { nodes, roles, revokedPcr, models, latecomer } = ctx.world;
  const due = (name: string, at: number, once: boolean): boolean => {
    if (progress < at) return false;
    const last = s.fired[name];
    if (last !== undefined && (once || last === cycle)) return false;
    s.fired[name] = cycle;
    return true;
  };
  // A second account tops up node 2's stake: StakeDeposited.from differs from the operator.
  if (due("thirdPartyDeposit", 0.1, false)) deposit(ctx, 2, roles.challengers[1], 5n * ETH);
  const scale = ctx.scenario;
  if (due("withdraw", 0.2, false)) for (const i of scale.withdrawing) requestWithdrawal(ctx, i, ts);
  const rounds = scale.withdrawalRounds;
  if (rounds && progress < 1 && s.step % rounds.every === Math.floor(rounds.every / 2))
    for (let k = 0; k < rounds.count; k++) requestWithdrawal(ctx, rng.int(0, nodes.length - 1), ts);
  if (due("disable", 0.3, false))
    for (const i of scale.disabled) {
      if (!s.nodes[i].enabled) continue;
      s.nodes[i].enabled = false;
      ctx.actions.push({ kind: "disableTEE", node: nodes[i] });
    }
  if (due("enable", 0.45, false))
    for (const i of scale.disabled) {
      if (s.nodes[i].enabled) continue;
      s.nodes[i].enabled = true;
      ctx.actions.push({ kind: "enableTEE", node: nodes[i] });
    }
  if (due("latecomer", 0.5, true) && !s.latecomerRegistered) {
    s.latecomerRegistered = true;
    ctx.actions.push({ kind: "registerTEE", node: latecomer });
  }
  if (due("revoke", 0.6, true) && !s.pcrRevoked) {
    s.pcrRevoked = true;
    ctx.actions.push({ kind: "revokePCR", pcr: revokedPcr });
    for (const n of nodes.filter((x) => x.pcr === revokedPcr)) slash(ctx, n.index, "0x", "PCR_REVOKED");
  }
  if (due("reapprove", 0.75, true) && s.pcrRevoked && !s.pcrReapproved) {
    s.pcrReapproved = true;
    ctx.actions.push({ kind: "approvePCR", pcr: revokedPcr, version: `${revokedPcr.version}-reapproved` });
  }
  const deprecated = models[models.length - 1];
  if (due("deprecate", 0.8, true) && !s.deprecatedModels.includes(deprecated.index)) {
    s.deprecatedModels.push(deprecated.index);
    ctx.actions.push({ kind: "deprecateModel", model: deprecated });
  }
  const ghost = nodes.find((n) => n.profile === "ghost") as SimNode;
  if (due("ghostStop", 0.85, true)) s.nodes[ghost.index].committing = false;
  if (due("ghostFinale", 0.95, true) && !s.nodes[ghost.index].committing) {
    // Slashed for equivocation with more than it has: the contract takes it all, then a second slash takes 0.
    slash(ctx, ghost.index, "0x" as Hex, "EQUIVOCATION");
    slash(ctx, ghost.index, rng.bytes32(), "INVALID_PROOF");
  }
  // Settlements by TEEs the registry does not know (yet): their signatures stay UNKNOWN until they register.
  if (s.step % 7 === 3)
    settle(ctx, undefined, latecomer.key, rng.bytes32(), rng.bytes32(), ts, rng, false, false);
  if (s.step % 11 === 5)
    settle(ctx, undefined, ctx.world.stranger, rng.bytes32(), rng.bytes32(), ts, rng, false, false);
  if (s.step % 25 === 12) batchSettle(ctx, rng, [2, 1000], 32);
}
