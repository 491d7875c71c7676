import { type Hex, keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import { signPss } from "../../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import { heartbeatCounts, heartbeatSignatureCheck } from "./heartbeat-checks.ts";
import { heartbeatMessage } from "./messages.ts";

const tee = generateTeeKey(createRng("heartbeat-checks"));
const timestamp = 1_764_000_123n;
const event = { teeId: tee.teeId, timestamp };
const signature = signPss(tee.privateKey, heartbeatMessage(tee.teeId, timestamp));
const call = { teeId: tee.teeId, timestamp, signature };

describe("heartbeatSignatureCheck", () => {
  test("a heartbeat signed by the TEE's key passes", () => {
    expect(heartbeatSignatureCheck({ key: tee.publicKey, event, call })).toBe("PASS");
  });

  test("a heartbeat with a bad, truncated or empty signature fails", () => {
    const other = generateTeeKey(createRng("heartbeat-checks-other"));
    const byOther = signPss(other.privateKey, heartbeatMessage(tee.teeId, timestamp));
    for (const bad of [byOther, signature.slice(0, -2), "0x"] as Hex[]) {
      expect(heartbeatSignatureCheck({ key: tee.publicKey, event, call: { ...call, signature: bad } })).toBe(
        "FAIL",
      );
    }
  });

  test("is UNKNOWN when the calldata did not decode (e.g. a call through another contract)", () => {
    expect(heartbeatSignatureCheck({ key: tee.publicKey, event, call: undefined })).toBe("UNKNOWN");
  });

  test("is UNKNOWN when the TEE's key is unknown", () => {
    expect(heartbeatSignatureCheck({ key: undefined, event, call })).toBe("UNKNOWN");
  });

  test("is UNKNOWN when the decoded call is not this event's heartbeat (other teeId or timestamp)", () => {
    const otherTee = { ...call, teeId: keccak256("0x01") };
    expect(heartbeatSignatureCheck({ key: tee.publicKey, event, call: otherTee })).toBe("UNKNOWN");
    const otherTime = { ...call, timestamp: timestamp + 1n };
    expect(heartbeatSignatureCheck({ key: tee.publicKey, event, call: otherTime })).toBe("UNKNOWN");
  });
});

describe("heartbeatCounts", () => {
  test("PASS and UNKNOWN heartbeats count toward uptime, FAIL ones do not", () => {
    expect(heartbeatCounts("PASS")).toBe(true);
    expect(heartbeatCounts("UNKNOWN")).toBe(true);
    expect(heartbeatCounts("FAIL")).toBe(false);
  });
});
