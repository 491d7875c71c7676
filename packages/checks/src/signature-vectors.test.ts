import { readFileSync } from "node:fs";
import type { Hex } from "viem";
import { describe, expect, test } from "vitest";
import { heartbeatSignatureCheck } from "./heartbeat-checks.ts";
import { commitmentCheck } from "./inference-checks.ts";
import { commitmentOf, heartbeatMessage, settlementMessage } from "./messages.ts";
import { signatureCheck } from "./settlement-checks.ts";
import { clearTeeKeyCache, parseTeeKey } from "./tee-key.ts";

interface SettlementCase {
  inputHash: Hex;
  outputHash: Hex;
  timestamp: string;
  message: Hex;
  signature: Hex;
  expected: "PASS" | "FAIL";
}
interface Vectors {
  scheme: string;
  publicKeyDer: Hex;
  teeId: Hex;
  settlement: SettlementCase;
  forgedSettlement: SettlementCase;
  heartbeat: { teeId: Hex; timestamp: string; message: Hex; signature: Hex; expected: "PASS" | "FAIL" };
  commitment: {
    outputHash: Hex;
    salt: Hex;
    commitment: Hex;
    expected: "PASS" | "FAIL";
    wrongSalt: Hex;
    wrongSaltExpected: "PASS" | "FAIL";
  };
}

// The spec sits beside the repository (/work/shared next to /work/main); read, never copied.
const vectors = JSON.parse(
  readFileSync(new URL("../../../../shared/spec/signature-vectors.json", import.meta.url), "utf8"),
) as Vectors;

function vectorKey() {
  clearTeeKeyCache();
  const parsed = parseTeeKey(vectors.publicKeyDer, vectors.teeId);
  if (parsed.status !== "VALID") throw new Error(`vector key: ${parsed.status} ${parsed.reason}`);
  return parsed.key;
}

describe("spec/signature-vectors.json", () => {
  test("holds exactly the cases covered here (a new case must get a test)", () => {
    expect(Object.keys(vectors).sort()).toEqual(
      ["commitment", "forgedSettlement", "heartbeat", "publicKeyDer", "scheme", "settlement", "teeId"].sort(),
    );
    expect(vectors.scheme).toMatch(/RSA-PSS, SHA-256, MGF1-SHA-256, salt length 32/);
  });

  test("the vector key is a VALID 2048-bit key of its teeId", () => {
    clearTeeKeyCache();
    const parsed = parseTeeKey(vectors.publicKeyDer, vectors.teeId);
    expect(parsed.status).toBe("VALID");
    if (parsed.status === "VALID") expect(parsed.modulusBits).toBe(2048);
  });

  for (const name of ["settlement", "forgedSettlement"] as const) {
    test(`${name}: the message matches and the signature check is ${vectors[name].expected}`, () => {
      const c = vectors[name];
      const timestamp = BigInt(c.timestamp);
      expect(settlementMessage(c.inputHash, c.outputHash, timestamp)).toBe(c.message);
      expect(signatureCheck(vectorKey(), c.inputHash, c.outputHash, timestamp, c.signature)).toBe(c.expected);
    });
  }

  test(`heartbeat: the message matches and the signature check is ${vectors.heartbeat.expected}`, () => {
    const h = vectors.heartbeat;
    const timestamp = BigInt(h.timestamp);
    expect(heartbeatMessage(h.teeId, timestamp)).toBe(h.message);
    const check = heartbeatSignatureCheck({
      key: vectorKey(),
      event: { teeId: h.teeId, timestamp },
      call: { teeId: h.teeId, timestamp, signature: h.signature },
    });
    expect(check).toBe(h.expected);
  });

  test("heartbeat: the settlement's signature does not pass as a heartbeat signature", () => {
    const h = vectors.heartbeat;
    const timestamp = BigInt(h.timestamp);
    const call = { teeId: h.teeId, timestamp, signature: vectors.settlement.signature };
    expect(heartbeatSignatureCheck({ key: vectorKey(), event: { teeId: h.teeId, timestamp }, call })).toBe(
      "FAIL",
    );
  });

  test(`commitment: the right salt gives ${vectors.commitment.expected}, the wrong one ${vectors.commitment.wrongSaltExpected}`, () => {
    const c = vectors.commitment;
    expect(commitmentOf(c.outputHash, c.salt)).toBe(c.commitment);
    const base = { revealed: true, outputHash: c.outputHash, commitment: c.commitment };
    expect(commitmentCheck({ ...base, salt: c.salt })).toBe(c.expected);
    expect(commitmentCheck({ ...base, salt: c.wrongSalt })).toBe(c.wrongSaltExpected);
  });
});
