import { createHmac } from "node:crypto";
import { bytesToHex } from "viem";
import { describe, expect, it } from "vitest";
import { createRng } from "./rng.ts";

describe("createRng", () => {
  it("gives the same bytes for the same seed and different bytes for another seed", () => {
    expect(createRng("run-1").bytes(100)).toEqual(createRng("run-1").bytes(100));
    expect(createRng("run-1").bytes32()).not.toBe(createRng("run-2").bytes32());
    expect(createRng(7n).bytes32()).toBe(createRng(7n).bytes32());
    expect(createRng(7n).bytes32()).not.toBe(createRng(8n).bytes32());
  });

  it("keeps a string seed and a bigint seed with the same digits apart", () => {
    expect(createRng("1").bytes32()).not.toBe(createRng(1n).bytes32());
  });

  it("produces the documented HMAC-SHA256 counter stream (so replays survive refactors)", () => {
    const key = createHmac("sha256", "devnet-rng/v1").update("string:devnet").digest();
    const block = (i: number) => {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(i));
      return createHmac("sha256", key).update("block\0").update(counter).digest();
    };
    expect(createRng("devnet").bytes(64)).toEqual(new Uint8Array(Buffer.concat([block(0), block(1)])));
  });

  it("is one stream however the reads are split", () => {
    const rng = createRng("split");
    const parts = Buffer.concat([rng.bytes(5), rng.bytes(40), rng.bytes(0), rng.bytes(19)]);
    expect(new Uint8Array(parts)).toEqual(createRng("split").bytes(64));
  });

  it("forks sub-streams that depend on the label, not on how much the parent consumed", () => {
    const fresh = createRng("seed");
    const used = createRng("seed");
    used.bytes(1000);
    expect(used.fork("nodes").bytes32()).toBe(fresh.fork("nodes").bytes32());
    expect(fresh.fork("nodes").bytes32()).not.toBe(fresh.fork("models").bytes32());
    expect(fresh.fork("nodes").bytes32()).not.toBe(createRng("seed").bytes32());
    expect(fresh.fork("a").fork("b").bytes32()).not.toBe(fresh.fork("b").fork("a").bytes32());
  });

  it("draws uint32, float, int, bytes32 within their ranges", () => {
    const rng = createRng("ranges");
    for (let i = 0; i < 2000; i++) {
      const u = rng.uint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      const f = rng.float();
      expect(f >= 0 && f < 1).toBe(true);
      const n = rng.int(-3, 3);
      expect(Number.isInteger(n) && n >= -3 && n <= 3).toBe(true);
    }
    expect(rng.bytes32()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(rng.int(5, 5)).toBe(5);
    expect(rng.int(0, 2 ** 32 - 1)).toBeLessThan(2 ** 32);
  });

  it("draws int(min, max) uniformly, both ends included", () => {
    const rng = createRng("uniform");
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[rng.int(0, 9)]++;
    for (const count of counts) expect(count).toBeGreaterThan(1_700); // expected 2000, sd ~42
    for (const count of counts) expect(count).toBeLessThan(2_300);
  });

  it("picks every element and honours chance's probability", () => {
    const rng = createRng("pick");
    const items = ["a", "b", "c"] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(rng.pick(items));
    expect([...seen].sort()).toEqual(["a", "b", "c"]);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (rng.chance(0.3)) hits++;
    expect(hits).toBeGreaterThan(2_700); // expected 3000, sd ~46
    expect(hits).toBeLessThan(3_300);
    for (let i = 0; i < 100; i++) {
      expect(rng.chance(0)).toBe(false);
      expect(rng.chance(1)).toBe(true);
    }
  });

  it("rejects impossible requests with a message", () => {
    const rng = createRng("errors");
    expect(() => rng.int(5, 4)).toThrow(/min <= max/);
    expect(() => rng.int(0, 2 ** 32)).toThrow(/2\^32/);
    expect(() => rng.int(0.5, 2)).toThrow(RangeError);
    expect(() => rng.pick([])).toThrow(/non-empty/);
    expect(() => rng.bytes(-1)).toThrow(RangeError);
  });

  it("encodes bytes32 as the hex of the next 32 bytes", () => {
    expect(createRng("hex").bytes32()).toBe(bytesToHex(createRng("hex").bytes(32)));
  });
});
