import type { PolicyContext } from "./context.ts";
import { CHALLENGE_BOND, deposit, INITIAL_STAKE, SLASH_AMOUNT } from "./stake.ts";

/** Setup's first block: TEE types, approved PCRs, the operator role for every TEE owner. */
export function setupRegistries(ctx: PolicyContext): void {
  const { teeTypes, pcrs, nodes, latecomer } = ctx.world;
  for (const t of teeTypes) ctx.actions.push({ kind: "addTEEType", teeType: t.id, name: t.name });
  for (const p of pcrs) ctx.actions.push({ kind: "approvePCR", pcr: p, version: p.version });
  const owners = new Set([...nodes.filter((n) => n.key).map((n) => n.owner), latecomer.owner]);
  for (const o of owners) ctx.actions.push({ kind: "grantRole", account: o });
}

/** The registry's windows follow this run's timing (a resumed devnet may have been set up by a bulk run). */
export function setParameters(ctx: PolicyContext): void {
  const t = ctx.timing;
  ctx.actions.push({
    kind: "setParameters",
    revealWindow: t.revealWindow,
    challengeWindow: t.challengeWindow,
    withdrawalDelay: t.withdrawalDelay,
    challengeBond: CHALLENGE_BOND,
    timeoutSlash: SLASH_AMOUNT.REVEAL_TIMEOUT,
    disputeSlash: SLASH_AMOUNT.LOST_DISPUTE,
  });
}

/** Setup's second block: every node's TEE (ghosts have none) and first stake, then the models. */
export function setupNodesAndModels(ctx: PolicyContext): void {
  for (const n of ctx.world.nodes) {
    if (n.key) ctx.actions.push({ kind: "registerTEE", node: n });
    deposit(ctx, n.index, n.operator, INITIAL_STAKE);
  }
  for (const m of ctx.world.models) ctx.actions.push({ kind: "registerModel", model: m });
}
