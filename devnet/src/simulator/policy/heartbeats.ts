import { heartbeatMessage } from "../../crypto/messages.ts";
import { forgeSignature } from "../../crypto/pss-sign.ts";
import type { Rng } from "../../crypto/rng.ts";
import { PROFILE_SHARES } from "../profiles.ts";
import { first, type PolicyContext } from "./context.ts";

/**
 * Each registered, enabled TEE beats once every `heartbeatEvery` blocks (offset per node), skipping some and
 * signing some badly as its profile says; the first malicious beat is always bad.
 */
export function heartbeats(ctx: PolicyContext, ts: number, rng: Rng): void {
  const s = ctx.state;
  const all = [...ctx.world.nodes, ...(s.latecomerRegistered ? [ctx.world.latecomer] : [])];
  for (const n of all) {
    const st = s.nodes[n.index];
    const enabled = st ? st.enabled && st.registered : true;
    if (!n.key || !enabled) continue;
    if ((s.step + (st?.heartbeatOffset ?? 0)) % ctx.timing.heartbeatEvery !== 0) continue;
    const shares = PROFILE_SHARES[n.profile];
    if (rng.chance(shares.skipHeartbeat)) continue;
    const message = heartbeatMessage(n.id, BigInt(ts));
    const bad = rng.chance(shares.badHeartbeat) || (n.profile === "malicious" && !first(ctx, "badHeartbeat"));
    const signature = bad
      ? forgeSignature("otherMessage", { privateKey: n.key.privateKey, message32: message, rng })
      : ctx.sign(n.key.privateKey, message);
    ctx.actions.push({ kind: "heartbeat", node: n, timestamp: ts, signature, bad });
  }
}
