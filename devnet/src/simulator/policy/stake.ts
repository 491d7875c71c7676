import type { Address, Hex } from "viem";
import type { SlashReasonName } from "../state.ts";
import type { SlashEffect } from "./actions.ts";
import { type PolicyContext, ZERO_ID } from "./context.ts";

export const ETH = 10n ** 18n;
export const INITIAL_STAKE = 100n * ETH;
/** A committing node whose free stake falls below this is topped up by INITIAL_STAKE. */
export const TOP_UP_BELOW = 50n * ETH;
export const SLASH_AMOUNT: Record<SlashReasonName, bigint> = {
  INVALID_PROOF: ETH / 50n,
  REVEAL_MISMATCH: ETH / 20n,
  REVEAL_TIMEOUT: ETH / 100n,
  LOST_DISPUTE: ETH / 2n,
  PCR_REVOKED: 2n * ETH,
  EQUIVOCATION: 10n ** 30n,
};
export const CHALLENGE_BOND = ETH / 100n;

export function deposit(ctx: PolicyContext, node: number, from: Address, amount: bigint): void {
  const st = ctx.state.nodes[node];
  st.stake += amount;
  ctx.actions.push({ kind: "deposit", node: ctx.world.nodes[node], from, amount, total: st.stake });
}

/** The stake a slash takes (at most what is staked), applied to the node's state. */
export function takeSlash(ctx: PolicyContext, node: number, reason: SlashReasonName): SlashEffect {
  const st = ctx.state.nodes[node];
  const amount = SLASH_AMOUNT[reason];
  const taken = amount < st.stake ? amount : st.stake;
  st.stake -= taken;
  return { reason, amount, taken, remaining: st.stake };
}

/** A slash() by the slasher; request id "0x" for a slash that no inference caused. */
export function slash(ctx: PolicyContext, node: number, requestId: Hex, reason: SlashReasonName): void {
  const id = requestId === "0x" ? ZERO_ID : requestId;
  const effect = takeSlash(ctx, node, reason);
  ctx.actions.push({ kind: "slash", node: ctx.world.nodes[node], requestId: id, slash: effect });
}

export function requestWithdrawal(ctx: PolicyContext, node: number, ts: number): void {
  const s = ctx.state;
  const st = s.nodes[node];
  const amount = (st.stake - st.pendingWithdrawals) / 10n;
  if (amount <= 0n) return;
  const id = ++s.withdrawalCount;
  const unlockAt = ts + ctx.timing.withdrawalDelay;
  st.pendingWithdrawals += amount;
  s.withdrawals.push({ node, id, amount, unlockAt });
  ctx.actions.push({
    kind: "requestWithdrawal",
    node: ctx.world.nodes[node],
    withdrawalId: id,
    amount,
    unlockAt,
  });
}

export function topUps(ctx: PolicyContext): void {
  for (const n of ctx.world.nodes) {
    const st = ctx.state.nodes[n.index];
    if (st.committing && st.stake - st.pendingWithdrawals < TOP_UP_BELOW)
      deposit(ctx, n.index, n.operator, INITIAL_STAKE);
  }
}

export function completeWithdrawals(ctx: PolicyContext, ts: number): void {
  const s = ctx.state;
  s.withdrawals = s.withdrawals.filter((w) => {
    if (ts < w.unlockAt) return true;
    // The registry refuses while a challenge against the node is open (or may still open or close in this block).
    if (ctx.resolvingNodes.has(w.node)) return true;
    for (const f of s.flights.values()) if (f.node === w.node && f.plan.challenge) return true;
    const st = s.nodes[w.node];
    const paid = w.amount < st.stake ? w.amount : st.stake;
    st.stake -= paid;
    st.pendingWithdrawals -= w.amount;
    ctx.actions.push({
      kind: "completeWithdrawal",
      node: ctx.world.nodes[w.node],
      withdrawalId: w.id,
      paid,
    });
    return false;
  });
}
