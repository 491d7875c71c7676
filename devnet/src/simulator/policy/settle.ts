import { type Hex, toHex } from "viem";
import { settlementMessage } from "../../crypto/messages.ts";
import { FORGE_KINDS, forgeSignature } from "../../crypto/pss-sign.ts";
import type { Rng } from "../../crypto/rng.ts";
import type { SimNode } from "../world.ts";
import type { PolicyContext } from "./context.ts";

/** Seconds a stale settlement's signed timestamp lies behind its block (beyond the freshness window). */
export const STALE_BY = 7200;

/** An IndividualSettlement signed by `key` (or forged), relayed by the settler. `node`: the world's node, if any. */
export function settle(
  ctx: PolicyContext,
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
  const signedAt = stale ? ts - STALE_BY : ts - rng.int(0, 30);
  const message = settlementMessage(inputHash, outputHash, BigInt(signedAt));
  const kind = FORGE_KINDS[rng.int(0, FORGE_KINDS.length - 1)];
  const signature = forged
    ? forgeSignature(kind, {
        privateKey: key.privateKey,
        message32: message,
        rng,
        otherPrivateKey: ctx.world.impostor.privateKey,
      })
    : ctx.sign(key.privateKey, message);
  const user = toHex(rng.bytes(20));
  // Some settlements carry no blob id: empty bytes.
  const blob = rng.chance(0.1) ? "0x" : toHex(`walrus:${rng.bytes32().slice(2, 26)}`);
  ctx.actions.push({
    kind: "settleIndividual",
    teeId: key.teeId,
    inputHash,
    outputHash,
    signedAt,
    user,
    blob,
    signature,
    requestId: requestId ?? null,
    registered: node !== undefined,
    forged,
    stale,
  });
}

/** A BatchSettlement of `count` in [min, max] settlements under a random Merkle root, with `dataBytes` of data. */
export function batchSettle(
  ctx: PolicyContext,
  rng: Rng,
  [min, max]: [number, number],
  dataBytes: number,
): void {
  ctx.actions.push({
    kind: "batchSettle",
    root: rng.bytes32(),
    count: rng.int(min, max),
    data: toHex(rng.bytes(dataBytes)),
  });
}
