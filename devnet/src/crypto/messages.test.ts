import { concat, type Hex, keccak256, numberToHex } from "viem";
import { describe, expect, it } from "vitest";
import { heartbeatMessage, inferenceCommitment, message32ToBytes, settlementMessage } from "./messages.ts";

const a: Hex = `0x${"11".repeat(32)}`;
const b: Hex = `0x${"22".repeat(32)}`;

describe("messages", () => {
  it("hashes the packed 32-byte fields, with the timestamp as a 32-byte big-endian word", () => {
    const ts = 1_764_000_000n;
    const word = numberToHex(ts, { size: 32 });
    expect(settlementMessage(a, b, ts)).toBe(keccak256(concat([a, b, word])));
    expect(heartbeatMessage(a, ts)).toBe(keccak256(concat([a, word])));
    expect(inferenceCommitment(a, b)).toBe(keccak256(concat([a, b])));
  });

  it("depends on the order of the fields and on every field", () => {
    expect(settlementMessage(a, b, 1n)).not.toBe(settlementMessage(b, a, 1n));
    expect(settlementMessage(a, b, 1n)).not.toBe(settlementMessage(a, b, 2n));
    expect(heartbeatMessage(a, 1n)).not.toBe(heartbeatMessage(b, 1n));
  });

  it("accepts the whole uint256 range and refuses what does not fit", () => {
    expect(() => heartbeatMessage(a, 2n ** 256n - 1n)).not.toThrow();
    expect(() => heartbeatMessage(a, 2n ** 256n)).toThrow();
    expect(() => heartbeatMessage(a, -1n)).toThrow();
  });

  it("refuses fields that are not 32 bytes", () => {
    expect(() => settlementMessage("0x1234", b, 1n)).toThrow();
    expect(() => heartbeatMessage(`${a}00`, 1n)).toThrow();
  });

  it("turns only 32-byte hex into message bytes", () => {
    expect(message32ToBytes(a)).toEqual(new Uint8Array(32).fill(0x11));
    expect(() => message32ToBytes("0x11")).toThrow(/32 bytes/);
    expect(() => message32ToBytes(`0x${"g".repeat(64)}` as Hex)).toThrow(/32 bytes/);
  });
});
