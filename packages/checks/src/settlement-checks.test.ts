import { type Hex, keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import { FORGE_KINDS, forgeSignature, signPss } from "../../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import { settlementMessage } from "./messages.ts";
import {
  applyRevocation,
  freshnessCheck,
  type PcrEvent,
  pcrApprovedAt,
  pcrValidCheck,
  revocationCovers,
  revokedSince,
  settlementChecks,
  settlementTimestampDate,
  signatureCheck,
  teeEnabledCheck,
} from "./settlement-checks.ts";

const UINT256_MAX = 2n ** 256n - 1n;

describe("signatureCheck (rule 1)", () => {
  const tee = generateTeeKey(createRng("settlement-checks"));
  const other = generateTeeKey(createRng("settlement-checks-other"));
  const inputHash = keccak256("0x0a");
  const outputHash = keccak256("0x0b");
  const timestamp = 1_764_000_000n;
  const message = settlementMessage(inputHash, outputHash, timestamp);
  const signature = signPss(tee.privateKey, message);

  test("a signature by the TEE's key over the settlement message passes", () => {
    expect(signatureCheck(tee.publicKey, inputHash, outputHash, timestamp, signature)).toBe("PASS");
  });

  test("the same signature fails for another output hash, input hash or timestamp", () => {
    expect(signatureCheck(tee.publicKey, inputHash, keccak256("0x0c"), timestamp, signature)).toBe("FAIL");
    expect(signatureCheck(tee.publicKey, keccak256("0x0c"), outputHash, timestamp, signature)).toBe("FAIL");
    expect(signatureCheck(tee.publicKey, inputHash, outputHash, timestamp + 1n, signature)).toBe("FAIL");
  });

  test("is UNKNOWN when the TEE's key is unknown, whatever the signature", () => {
    expect(signatureCheck(undefined, inputHash, outputHash, timestamp, signature)).toBe("UNKNOWN");
    expect(signatureCheck(undefined, inputHash, outputHash, timestamp, "0x")).toBe("UNKNOWN");
  });

  for (const kind of FORGE_KINDS) {
    test(`a "${kind}" forgery fails`, () => {
      const forged = forgeSignature(kind, {
        privateKey: tee.privateKey,
        message32: message,
        rng: createRng(`settlement-forge-${kind}`),
        otherPrivateKey: other.privateKey,
      });
      expect(signatureCheck(tee.publicKey, inputHash, outputHash, timestamp, forged)).toBe("FAIL");
    });
  }

  test("wrong-length, truncated, empty and non-hex signatures FAIL rather than throw", () => {
    for (const bad of [signature.slice(0, -2), `${signature}ff`, signature.slice(0, 10), "0x", "0xnothex"]) {
      expect(signatureCheck(tee.publicKey, inputHash, outputHash, timestamp, bad as Hex)).toBe("FAIL");
    }
  });

  test("a signature over the maximal uint256 timestamp verifies", () => {
    const sig = signPss(tee.privateKey, settlementMessage(inputHash, outputHash, UINT256_MAX));
    expect(signatureCheck(tee.publicKey, inputHash, outputHash, UINT256_MAX, sig)).toBe("PASS");
  });
});

describe("freshnessCheck (rule 2)", () => {
  const block = 1_764_000_000;
  const b = BigInt(block);

  test("passes at both bounds: block time - 3600 and block time + 300", () => {
    expect(freshnessCheck(b - 3600n, block)).toBe("PASS");
    expect(freshnessCheck(b + 300n, block)).toBe("PASS");
    expect(freshnessCheck(b, block)).toBe("PASS");
  });

  test("fails one second outside either bound", () => {
    expect(freshnessCheck(b - 3601n, block)).toBe("FAIL");
    expect(freshnessCheck(b + 301n, block)).toBe("FAIL");
  });

  test("fails for timestamp 0 and for the maximal uint256, without overflow", () => {
    expect(freshnessCheck(0n, block)).toBe("FAIL");
    expect(freshnessCheck(UINT256_MAX, block)).toBe("FAIL");
    expect(freshnessCheck(UINT256_MAX - 2n ** 255n, block)).toBe("FAIL");
  });

  test("works near the start of time (block time below an hour)", () => {
    expect(freshnessCheck(0n, 100)).toBe("PASS");
    expect(freshnessCheck(400n, 100)).toBe("PASS");
    expect(freshnessCheck(401n, 100)).toBe("FAIL");
  });
});

describe("teeEnabledCheck (rule 3)", () => {
  test("passes for a TEE registered and enabled at the settlement's block", () => {
    expect(teeEnabledCheck({ registeredAtBlock: 10, enabled: true })).toBe("PASS");
    expect(teeEnabledCheck({ registeredAtBlock: 10, enabled: true }, 10)).toBe("PASS");
  });

  test("fails for a disabled TEE", () => {
    expect(teeEnabledCheck({ registeredAtBlock: 10, enabled: false }, 20)).toBe("FAIL");
  });

  test("fails for an unknown TEE, one never registered, or one registered after the settlement's block", () => {
    expect(teeEnabledCheck(undefined)).toBe("FAIL");
    expect(teeEnabledCheck({ enabled: true })).toBe("FAIL");
    expect(teeEnabledCheck({ registeredAtBlock: 11, enabled: true }, 10)).toBe("FAIL");
  });
});

describe("pcrValidCheck (rule 4)", () => {
  test("passes when the PCR was approved at the block and not revoked since", () => {
    expect(pcrValidCheck({ teeRegistered: true, pcrApprovedAtBlock: true, revokedSince: false })).toBe(
      "PASS",
    );
  });

  test("fails when the PCR was not approved at the block, or was revoked since", () => {
    expect(pcrValidCheck({ teeRegistered: true, pcrApprovedAtBlock: false, revokedSince: false })).toBe(
      "FAIL",
    );
    expect(pcrValidCheck({ teeRegistered: true, pcrApprovedAtBlock: true, revokedSince: true })).toBe("FAIL");
  });

  test("is UNKNOWN when the TEE was not registered at the block, or its PCR hash is unknown", () => {
    expect(pcrValidCheck({ teeRegistered: false, pcrApprovedAtBlock: true, revokedSince: false })).toBe(
      "UNKNOWN",
    );
    expect(pcrValidCheck({ teeRegistered: true, pcrApprovedAtBlock: undefined, revokedSince: false })).toBe(
      "UNKNOWN",
    );
  });
});

describe("PCR revocations", () => {
  const h1 = keccak256("0x01");
  const h2 = keccak256("0x02");

  test("the two-argument form covers only its (pcrHash, teeType)", () => {
    const covers = revocationCovers({ pcrHash: h1, teeType: 1 });
    expect(covers({ pcrHash: h1, teeType: 1 })).toBe(true);
    expect(covers({ pcrHash: h1, teeType: 2 })).toBe(false);
    expect(covers({ pcrHash: h2, teeType: 1 })).toBe(false);
  });

  test("the one-argument form covers the hash for every TEE type", () => {
    const covers = revocationCovers({ pcrHash: h1, teeType: undefined });
    expect(covers({ pcrHash: h1, teeType: 0 })).toBe(true);
    expect(covers({ pcrHash: h1, teeType: 7 })).toBe(true);
    expect(covers({ pcrHash: h2, teeType: 0 })).toBe(false);
  });

  test("compares hashes whatever their hex case", () => {
    const upper = `0x${h1.slice(2).toUpperCase()}` as Hex;
    expect(revocationCovers({ pcrHash: upper, teeType: 1 })({ pcrHash: h1, teeType: 1 })).toBe(true);
  });

  test("a revocation turns an earlier PASS for its PCR into FAIL, and leaves other results alone", () => {
    const revocation = { pcrHash: h1, teeType: 1 };
    expect(applyRevocation("PASS", { pcrHash: h1, teeType: 1 }, revocation)).toBe("FAIL");
    expect(applyRevocation("PASS", { pcrHash: h1, teeType: 2 }, revocation)).toBe("PASS");
    expect(applyRevocation("UNKNOWN", { pcrHash: h1, teeType: 1 }, revocation)).toBe("UNKNOWN");
    expect(applyRevocation("FAIL", { pcrHash: h2, teeType: 1 }, revocation)).toBe("FAIL");
  });

  const pcr = { pcrHash: h1, teeType: 1 };
  const events: PcrEvent[] = [
    { kind: "approved", pcrHash: h1, teeType: 1, blockNumber: 10, logIndex: 0 },
    { kind: "approved", pcrHash: h1, teeType: 2, blockNumber: 10, logIndex: 1 },
    { kind: "revoked", pcrHash: h1, teeType: 1, blockNumber: 20, logIndex: 3 },
    { kind: "approved", pcrHash: h1, teeType: 1, blockNumber: 30, logIndex: 0 },
    { kind: "revoked", pcrHash: h1, teeType: undefined, blockNumber: 40, logIndex: 0 },
  ];

  test("pcrApprovedAt replays approvals and revocations up to the position, in any order", () => {
    const shuffled = [...events].reverse();
    expect(pcrApprovedAt(shuffled, pcr, { blockNumber: 10, logIndex: 0 })).toBe(false); // the same log
    expect(pcrApprovedAt(shuffled, pcr, { blockNumber: 10, logIndex: 1 })).toBe(true);
    expect(pcrApprovedAt(shuffled, pcr, { blockNumber: 20, logIndex: 3 })).toBe(true); // just before revoke
    expect(pcrApprovedAt(shuffled, pcr, { blockNumber: 20, logIndex: 4 })).toBe(false);
    expect(pcrApprovedAt(shuffled, pcr, { blockNumber: 35, logIndex: 0 })).toBe(true); // re-approved
    expect(pcrApprovedAt(shuffled, pcr, { blockNumber: 41, logIndex: 0 })).toBe(false); // one-argument revoke
    // Type 2 is untouched by the two-argument revocation of type 1, not by the one-argument one.
    expect(pcrApprovedAt(shuffled, { pcrHash: h1, teeType: 2 }, { blockNumber: 25, logIndex: 0 })).toBe(true);
    expect(pcrApprovedAt(shuffled, { pcrHash: h1, teeType: 2 }, { blockNumber: 41, logIndex: 0 })).toBe(
      false,
    );
    expect(pcrApprovedAt(shuffled, { pcrHash: h2, teeType: 1 }, { blockNumber: 15, logIndex: 0 })).toBe(
      false,
    );
  });

  test("a re-approval does not clear earlier taint: a PASS before a revocation stays FAIL", () => {
    const revocations = events.filter((e) => e.kind === "revoked");
    const at = { blockNumber: 15, logIndex: 0 };
    const input = {
      teeRegistered: true,
      pcrApprovedAtBlock: pcrApprovedAt(events, pcr, at),
      revokedSince: revokedSince(revocations, pcr, at),
    };
    expect(input.pcrApprovedAtBlock).toBe(true);
    expect(pcrValidCheck(input)).toBe("FAIL");
  });

  test("revokedSince counts only revocations after the row, the same block's later logs included", () => {
    const revocations = [{ pcrHash: h1, teeType: 1, blockNumber: 20, logIndex: 3 }];
    expect(revokedSince(revocations, pcr, { blockNumber: 20, logIndex: 2 })).toBe(true);
    expect(revokedSince(revocations, pcr, { blockNumber: 20, logIndex: 4 })).toBe(false);
    expect(revokedSince(revocations, { pcrHash: h1, teeType: 2 }, { blockNumber: 1, logIndex: 0 })).toBe(
      false,
    );
  });

  test("a settlement after a re-approval and no later revocation passes", () => {
    const at = { blockNumber: 35, logIndex: 0 };
    const revocations = [{ pcrHash: h1, teeType: 1, blockNumber: 20, logIndex: 3 }];
    expect(
      pcrValidCheck({
        teeRegistered: true,
        pcrApprovedAtBlock: pcrApprovedAt(events.slice(0, 4), pcr, at),
        revokedSince: revokedSince(revocations, pcr, at),
      }),
    ).toBe("PASS");
  });
});

describe("settlementTimestampDate", () => {
  test("is a date up to 253402300799 (9999-12-31T23:59:59Z)", () => {
    expect(settlementTimestampDate(253_402_300_799n)?.toISOString()).toBe("9999-12-31T23:59:59.000Z");
    expect(settlementTimestampDate(0n)?.toISOString()).toBe("1970-01-01T00:00:00.000Z");
    expect(settlementTimestampDate(1_764_000_000n)?.getTime()).toBe(1_764_000_000_000);
  });

  test("is null from 253402300800 on, up to the maximal uint256", () => {
    expect(settlementTimestampDate(253_402_300_800n)).toBeNull();
    expect(settlementTimestampDate(UINT256_MAX)).toBeNull();
  });
});

describe("settlementChecks (rules 1-4 together, as the mapping judges a settlement)", () => {
  const tee = generateTeeKey(createRng("settlement-checks-all"));
  const inputHash = keccak256("0x1a");
  const outputHash = keccak256("0x1b");
  const block = { blockNumber: 50, blockTimestamp: 1_800_000_000 };
  const signed = (timestamp: bigint) => ({
    key: tee.publicKey,
    inputHash,
    outputHash,
    timestamp,
    signature: signPss(tee.privateKey, settlementMessage(inputHash, outputHash, timestamp)) as Hex,
    ...block,
    tee: { registeredAtBlock: 10, enabled: true },
    pcrApprovedAtBlock: true as boolean | undefined,
  });

  test("a registered, enabled TEE with an approved PCR signing at both freshness bounds passes all four", () => {
    for (const t of [block.blockTimestamp - 3600, block.blockTimestamp + 300]) {
      expect(settlementChecks(signed(BigInt(t)))).toEqual({
        signature: "PASS",
        freshness: "PASS",
        teeEnabled: "PASS",
        pcrValid: "PASS",
      });
    }
  });

  test("one second past either bound fails freshness only", () => {
    for (const t of [block.blockTimestamp - 3601, block.blockTimestamp + 301]) {
      expect(settlementChecks(signed(BigInt(t)))).toEqual({
        signature: "PASS",
        freshness: "FAIL",
        teeEnabled: "PASS",
        pcrValid: "PASS",
      });
    }
  });

  test("an unregistered TEE: signature and pcrValid UNKNOWN, teeEnabled FAIL", () => {
    const input = { ...signed(BigInt(block.blockTimestamp)), key: undefined, tee: undefined };
    expect(settlementChecks(input)).toMatchObject({
      signature: "UNKNOWN",
      teeEnabled: "FAIL",
      pcrValid: "UNKNOWN",
    });
  });

  test("a disabled TEE fails teeEnabled; an unapproved PCR fails pcrValid; an unknown PCR is UNKNOWN", () => {
    const ok = signed(BigInt(block.blockTimestamp));
    expect(settlementChecks({ ...ok, tee: { registeredAtBlock: 10, enabled: false } }).teeEnabled).toBe(
      "FAIL",
    );
    expect(settlementChecks({ ...ok, pcrApprovedAtBlock: false }).pcrValid).toBe("FAIL");
    expect(settlementChecks({ ...ok, pcrApprovedAtBlock: undefined }).pcrValid).toBe("UNKNOWN");
  });
});
