import { type Address, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createRng } from "../crypto/rng.ts";
import { HOSTILE_MODEL_NAMES } from "./models.ts";
import { defaultProfiles } from "./profiles.ts";
import { accountsNeeded, buildWorld } from "./world.ts";

const accounts = Array.from({ length: 30 }, (_, i) => toHex(i + 1, { size: 20 }) as Address);

describe("simulated world", () => {
  it("has every node profile once there are at least four nodes", () => {
    expect(new Set(defaultProfiles(4))).toEqual(new Set(["honest", "flaky", "malicious", "ghost"]));
    expect(defaultProfiles(12).filter((p) => p === "honest").length).toBeGreaterThan(5);
  });

  it("is fixed by the seed: same keys and ids for the same seed, others for another", () => {
    const a = buildWorld(createRng("w").fork("world"), accounts, 5);
    const b = buildWorld(createRng("w").fork("world"), accounts, 5);
    const c = buildWorld(createRng("other").fork("world"), accounts, 5);
    expect(a.nodes.map((n) => n.id)).toEqual(b.nodes.map((n) => n.id));
    expect(a.nodes[0].id).not.toBe(c.nodes[0].id);
  });

  it("gives each TEE node an id equal to keccak256 of its DER public key, and ghosts no key", () => {
    const w = buildWorld(createRng("w").fork("world"), accounts, 5);
    for (const n of w.nodes) {
      if (n.profile === "ghost") expect(n.key).toBeUndefined();
      else expect(n.id).toBe(keccak256(n.key?.publicKeyDer as `0x${string}`));
    }
    expect(w.nodes[0].operator).not.toBe(w.nodes[0].owner);
  });

  it("registers models in all three modes, with non-ASCII and hostile names", () => {
    const w = buildWorld(createRng("w").fork("world"), accounts, 5);
    expect(new Set(w.models.map((m) => m.mode))).toEqual(new Set(["VANILLA", "ZKML", "TEE"]));
    expect(w.models.some((m) => /[^\x20-\x7e]/.test(m.name))).toBe(true);
    expect(HOSTILE_MODEL_NAMES).toContain("<script>alert(1)</script>");
    expect(w.models.some((m) => m.name.startsWith("="))).toBe(true);
  });

  it("says how many accounts it needs when the chain has too few", () => {
    expect(() => buildWorld(createRng("w"), accounts.slice(0, 10), 12)).toThrowError(
      new RegExp(`expected at least ${accountsNeeded(12)} for 12 nodes`),
    );
  });
});
