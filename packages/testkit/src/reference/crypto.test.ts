import { readFileSync } from "node:fs";
import { type Hex, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { commitmentOf, heartbeatMessage, pssVerifies, settlementMessage, teeKey } from "./crypto.ts";

const vectors = JSON.parse(
  readFileSync(new URL("../../../../../shared/spec/signature-vectors.json", import.meta.url), "utf8"),
) as Record<string, Record<string, string>> & { publicKeyDer: Hex; teeId: Hex };

describe("the reference fold's own cryptography", () => {
  it("reproduces spec/signature-vectors.json", () => {
    const { status, key } = teeKey(vectors.publicKeyDer, vectors.teeId);
    expect(status).toBe("VALID");
    if (!key) throw new Error("no key");
    for (const name of ["settlement", "forgedSettlement"]) {
      const v = vectors[name];
      const message = settlementMessage(v.inputHash as Hex, v.outputHash as Hex, BigInt(v.timestamp));
      expect(message).toBe(v.message);
      expect(pssVerifies(key, message, v.signature as Hex) ? "PASS" : "FAIL").toBe(v.expected);
    }
    const hb = vectors.heartbeat;
    const message = heartbeatMessage(hb.teeId as Hex, BigInt(hb.timestamp));
    expect(message).toBe(hb.message);
    expect(pssVerifies(key, message, hb.signature as Hex)).toBe(true);
    const c = vectors.commitment;
    expect(commitmentOf(c.outputHash as Hex, c.salt as Hex)).toBe(c.commitment);
    expect(commitmentOf(c.outputHash as Hex, c.wrongSalt as Hex)).not.toBe(c.commitment);
  });

  it("rejects a key whose hash is not the TEE id, a key that is not RSA SPKI, and a malformed signature", () => {
    expect(teeKey(vectors.publicKeyDer, `0x${"11".repeat(32)}`).status).toBe("MISMATCH");
    expect(teeKey("0x3082", "0x" as Hex).status).toBe("MISMATCH");
    const junk = "0x308200" as Hex;
    expect(teeKey(junk, keccak256(junk)).status).toBe("MALFORMED");
    const { key } = teeKey(vectors.publicKeyDer, vectors.teeId);
    expect(pssVerifies(key as NonNullable<typeof key>, vectors.settlement.message as Hex, "0x1234")).toBe(
      false,
    );
  });
});
