import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Hex, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { heartbeatMessage, inferenceCommitment, settlementMessage } from "./messages.ts";
import { verifyPss } from "./pss-verify.ts";

// The spec sits beside the repository: /work/shared next to /work/main.
const vectorsPath = fileURLToPath(new URL("../../../../shared/spec/signature-vectors.json", import.meta.url));

interface SettlementCase {
  inputHash: Hex;
  outputHash: Hex;
  timestamp: string;
  message: Hex;
  signature: Hex;
  expected: "PASS" | "FAIL";
  note?: string;
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

const vectors = JSON.parse(readFileSync(vectorsPath, "utf8")) as Vectors;
const asResult = (ok: boolean) => (ok ? "PASS" : "FAIL");

describe("shared/spec/signature-vectors.json", () => {
  it("is found beside the repository and holds exactly the cases covered here", () => {
    expect(existsSync(vectorsPath)).toBe(true);
    // A case added to the spec must get a test: this fails until it does.
    expect(Object.keys(vectors).sort()).toEqual(
      ["commitment", "forgedSettlement", "heartbeat", "publicKeyDer", "scheme", "settlement", "teeId"].sort(),
    );
    expect(vectors.scheme).toMatch(/RSA-PSS, SHA-256, MGF1-SHA-256, salt length 32/);
  });

  it("has teeId = keccak256(publicKeyDer)", () => {
    expect(keccak256(vectors.publicKeyDer)).toBe(vectors.teeId);
  });

  for (const name of ["settlement", "forgedSettlement"] as const) {
    it(`${name}: builds the message and verifies to ${vectors[name].expected}`, () => {
      const c = vectors[name];
      expect(settlementMessage(c.inputHash, c.outputHash, BigInt(c.timestamp))).toBe(c.message);
      expect(asResult(verifyPss(vectors.publicKeyDer, c.message, c.signature))).toBe(c.expected);
    });
  }

  it("forgedSettlement is a real signature, just not over this message (its note says so)", () => {
    expect(vectors.forgedSettlement.expected).toBe("FAIL");
    expect(vectors.forgedSettlement.signature).not.toBe(vectors.settlement.signature);
    expect(vectors.forgedSettlement.signature).toHaveLength(2 + 2 * 256);
  });

  it(`heartbeat: builds the message and verifies to ${vectors.heartbeat.expected}`, () => {
    const c = vectors.heartbeat;
    expect(c.teeId).toBe(vectors.teeId);
    expect(heartbeatMessage(c.teeId, BigInt(c.timestamp))).toBe(c.message);
    expect(asResult(verifyPss(vectors.publicKeyDer, c.message, c.signature))).toBe(c.expected);
    // The heartbeat signature does not carry over to the settlement message, nor the other way round.
    expect(verifyPss(vectors.publicKeyDer, vectors.settlement.message, c.signature)).toBe(false);
    expect(verifyPss(vectors.publicKeyDer, c.message, vectors.settlement.signature)).toBe(false);
  });

  it("commitment: the reveal's salt opens it, the wrong salt does not", () => {
    const c = vectors.commitment;
    expect(asResult(inferenceCommitment(c.outputHash, c.salt) === c.commitment)).toBe(c.expected);
    expect(asResult(inferenceCommitment(c.outputHash, c.wrongSalt) === c.commitment)).toBe(
      c.wrongSaltExpected,
    );
  });
});
