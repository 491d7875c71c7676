import { type Hex, keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import {
  comparePositions,
  earliest,
  inferenceLinkKey,
  linkedSettlement,
  linkKey,
  settlementLinkKey,
} from "./settlement-link.ts";

const teeId = keccak256("0x01");
const inputHash = keccak256("0x02");
const outputHash = keccak256("0x03");
const upper = (h: Hex) => `0x${h.slice(2).toUpperCase()}` as Hex;

describe("link keys", () => {
  test("a revealed TEE inference and its settlement share a key", () => {
    const inference = { mode: "TEE" as const, nodeId: teeId, inputHash, outputHash };
    expect(inferenceLinkKey(inference)).toBe(settlementLinkKey({ teeId, inputHash, outputHash }));
  });

  test("differ when any of teeId, inputHash, outputHash differs, or the two hashes swap", () => {
    const key = linkKey(teeId, inputHash, outputHash);
    const other = keccak256("0x04");
    expect(linkKey(other, inputHash, outputHash)).not.toBe(key);
    expect(linkKey(teeId, other, outputHash)).not.toBe(key);
    expect(linkKey(teeId, inputHash, other)).not.toBe(key);
    expect(linkKey(teeId, outputHash, inputHash)).not.toBe(key);
  });

  test("ignore hex case", () => {
    expect(linkKey(upper(teeId), upper(inputHash), outputHash)).toBe(linkKey(teeId, inputHash, outputHash));
  });

  test("an inference cannot link before its reveal (no outputHash), nor in VANILLA or ZKML mode", () => {
    expect(inferenceLinkKey({ mode: "TEE", nodeId: teeId, inputHash })).toBeUndefined();
    expect(inferenceLinkKey({ mode: "VANILLA", nodeId: teeId, inputHash, outputHash })).toBeUndefined();
    expect(inferenceLinkKey({ mode: "ZKML", nodeId: teeId, inputHash, outputHash })).toBeUndefined();
  });
});

describe("earliest", () => {
  const a = { blockNumber: 5, logIndex: 9, id: "a" };
  const b = { blockNumber: 6, logIndex: 0, id: "b" };
  const c = { blockNumber: 5, logIndex: 2, id: "c" };

  test("orders by block number, then log index", () => {
    expect(earliest(a, b)).toBe(a);
    expect(earliest(b, a)).toBe(a);
    expect(earliest(a, c)).toBe(c);
    expect(comparePositions(a, c)).toBeGreaterThan(0);
    expect(comparePositions(c, c)).toBe(0);
  });

  test("takes the other when one is missing", () => {
    expect(earliest(undefined, b)).toBe(b);
    expect(earliest(a, undefined)).toBe(a);
    expect(earliest(undefined, undefined)).toBeUndefined();
  });

  test("the earliest of several matches counts, whichever order they arrive in", () => {
    expect(linkedSettlement([b, a, c])?.id).toBe("c");
    expect(linkedSettlement([c, b, a])?.id).toBe("c");
    expect(linkedSettlement([])).toBeUndefined();
  });

  test("as of a block, only settlements at or before it link", () => {
    expect(linkedSettlement([b], 5)).toBeUndefined();
    expect(linkedSettlement([b, a], 5)?.id).toBe("a");
    expect(linkedSettlement([b], 6)?.id).toBe("b");
  });
});
