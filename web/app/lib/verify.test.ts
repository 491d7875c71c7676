import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { commitmentOf, settlementMessage, verifyTeeSignature } from "./verify";

const vectors = JSON.parse(
  readFileSync(new URL("../../../../shared/spec/signature-vectors.json", import.meta.url), "utf8"),
);

describe("in-browser checks reproduce the spec's signature vectors", () => {
  test("the commitment of the vector's output hash and salt is its commitment; a wrong salt gives another", () => {
    const c = vectors.commitment;
    expect(commitmentOf(c.outputHash, c.salt) === c.commitment.toLowerCase()).toBe(c.expected === "PASS");
    expect(commitmentOf(c.outputHash, c.wrongSalt) === c.commitment.toLowerCase()).toBe(
      c.wrongSaltExpected === "PASS",
    );
  });

  test("the settlement message is keccak256(inputHash ++ outputHash ++ uint256 timestamp)", () => {
    const s = vectors.settlement;
    expect(settlementMessage(s.inputHash, s.outputHash, s.timestamp)).toBe(s.message.toLowerCase());
  });

  for (const name of ["settlement", "forgedSettlement"] as const) {
    test(`WebCrypto verifies the ${name} vector as ${vectors[name].expected}`, async () => {
      const s = vectors[name];
      const verdict = await verifyTeeSignature({
        publicKeyDer: vectors.publicKeyDer,
        teeId: vectors.teeId,
        message32: settlementMessage(s.inputHash, s.outputHash, s.timestamp),
        signature: s.signature,
      });
      expect(verdict.result).toBe(s.expected);
    });
  }

  test("one changed hex digit of a good signature fails", async () => {
    const s = vectors.settlement;
    const flipped = `${s.signature.slice(0, -1)}${s.signature.endsWith("0") ? "1" : "0"}`;
    const verdict = await verifyTeeSignature({
      publicKeyDer: vectors.publicKeyDer,
      teeId: vectors.teeId,
      message32: s.message,
      signature: flipped,
    });
    expect(verdict.result).toBe("FAIL");
  });

  test("a key whose keccak256 is not the TEE id is unknown, not a pass", async () => {
    const s = vectors.settlement;
    const verdict = await verifyTeeSignature({
      publicKeyDer: vectors.publicKeyDer,
      teeId: `0x${"11".repeat(32)}`,
      message32: s.message,
      signature: s.signature,
    });
    expect(verdict.result).toBe("UNKNOWN");
  });

  test("bad input is named: a salt of the wrong length", () => {
    expect(() => commitmentOf(vectors.commitment.outputHash, "0x1234")).toThrow(/Salt must be 32 bytes/);
  });
});
