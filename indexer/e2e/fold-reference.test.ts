/**
 * The reference fold (packages/testkit/src/reference) on a real devnet + simulator run, without the indexer: it must agree with the
 * simulator's ground truth and with the contracts' own state, so that the database comparisons built on it
 * (sync-matches-chain, live-sync, reorg-oracle, crash-oracle) compare against something trustworthy.
 */

import { simulatedChain } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import { type Expected, foldChain, type Row } from "@attestation-explorer/testkit/reference/fold-chain";
import {
  type ChainData,
  contractAbi,
  readChain,
  referenceClient,
} from "@attestation-explorer/testkit/reference/read-chain";
import {
  canonicalTruth,
  truthMismatches,
  valuesOf,
} from "@attestation-explorer/testkit/reference/truth-checks";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthLine } from "../../devnet/src/simulator/ground-truth.ts";

describe("reference fold on a simulated devnet chain", () => {
  let devnet: Devnet;
  let truth: TruthLine[];
  let data: ChainData;
  let expected: Expected;
  const foldUpTo = async (block: number) =>
    foldChain(
      await readChain({
        rpcUrl: devnet.anvil.rpcUrl,
        addresses: devnet.deployment.addresses,
        fromBlock: devnet.deployment.deploymentBlock,
        toBlock: block,
      }),
    );

  beforeAll(async () => {
    const chain = await simulatedChain({
      seed: "fold-reference",
      nodes: 8,
      inferences: 1_500,
      perBlock: 100,
    });
    devnet = chain.devnet;
    truth = chain.truth;
    data = await readChain({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      fromBlock: devnet.deployment.deploymentBlock,
    });
    expected = foldChain(data);
  });
  afterAll(async () => {
    await devnet?.anvil.stop();
  });

  it("reads every log and finds nothing contradictory or undecodable", () => {
    expect(data.undecodable).toEqual([]);
    expect(expected.warnings).toEqual([]);
    expect(expected.inferences.size).toBe(1_500);
  });

  it("agrees with the ground truth on every inference's status and checks, every settlement and heartbeat", () => {
    const mismatches = truthMismatches(
      {
        inference: expected.tables.inference,
        settlement: expected.tables.settlement.values(),
        heartbeat: expected.tables.heartbeat.values(),
      },
      truth,
    );
    expect(mismatches.slice(0, 20), `${mismatches.length} mismatches`).toEqual([]);
  });

  it("exercises every check with PASS and FAIL, and UNKNOWN where the spec gives it", () => {
    const inf = [...expected.tables.inference.values()];
    const tee = (r: Row) => r.mode === "TEE";
    expect(valuesOf(inf, "commitment_check")).toEqual(new Set(["PASS", "FAIL", "NOT_APPLICABLE"]));
    expect(valuesOf(inf, "reveal_on_time_check")).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(inf, "tee_signature_check", tee)).toEqual(new Set(["PASS", "FAIL", "NOT_APPLICABLE"]));
    expect(valuesOf(inf, "pcr_valid_check", tee)).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(inf, "discrepancy")).toEqual(new Set([true, false]));
    const st = [...expected.tables.settlement.values()];
    expect(valuesOf(st, "signature_check")).toEqual(new Set(["PASS", "FAIL", "UNKNOWN"]));
    expect(valuesOf(st, "freshness_check")).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(st, "tee_enabled_check")).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(st, "pcr_valid_check")).toEqual(new Set(["PASS", "FAIL", "UNKNOWN"]));
    expect(valuesOf(expected.tables.heartbeat.values(), "signature_check")).toEqual(
      new Set(["PASS", "FAIL"]),
    );
  });

  it("turns earlier PASS results of a revoked PCR into FAIL, and a re-approval does not clear them", async () => {
    const revoke = canonicalTruth(truth).find((l) => l.kind === "revokePCR") as TruthLine;
    const pcr = String(revoke.pcrHash);
    const reapprove = canonicalTruth(truth).find(
      (l) => l.kind === "approvePCR" && l.pcrHash === pcr && l.block > revoke.block,
    ) as TruthLine;
    expect(reapprove).toBeDefined();
    const before = await foldUpTo(revoke.block - 1);
    const tainted = [...before.inferences.values()].filter((i) => i.tee?.pcrHash === pcr);
    expect(tainted.length).toBeGreaterThan(5);
    for (const i of tainted) {
      expect(i.pcrValidCheck).toBe("PASS");
      expect(expected.inferences.get(i.id)?.pcrValidCheck).toBe("FAIL");
    }
    const taintedSettlements = [...before.settlements.values()].filter((s) => s.tee.pcrHash === pcr);
    expect(taintedSettlements.length).toBeGreaterThan(5);
    for (const s of taintedSettlements) {
      expect(s.pcrValidCheck).toBe("PASS");
      expect(expected.settlements.get(s.id)?.pcrValidCheck).toBe("FAIL");
    }
    // Some tainted inferences were VERIFIED: they are discrepancies now, and failures in the reputation.
    const flipped = tainted.filter((i) => expected.inferences.get(i.id)?.status === "VERIFIED");
    expect(flipped.length).toBeGreaterThan(0);
    for (const i of flipped) {
      expect(i.discrepancy).toBe(false);
      expect(expected.inferences.get(i.id)?.discrepancy).toBe(true);
      expect(expected.inferences.get(i.id)?.repKind).toBe("failure");
    }
    // Committed after the re-approval: PASS again.
    const later = [...expected.inferences.values()].filter(
      (i) => i.tee?.pcrHash === pcr && i.committed.block > reapprove.block,
    );
    expect(later.length).toBeGreaterThan(0);
    for (const i of later) expect(i.pcrValidCheck).toBe("PASS");
  });

  it("re-checks a settlement made before its TEE registered once it registers, and sets its node", async () => {
    const unknownAtTheTime = canonicalTruth(truth).filter(
      (l) => l.kind === "settleIndividual" && l.registered === false,
    );
    const registrations = new Map(
      canonicalTruth(truth)
        .filter((l) => l.kind === "registerTEE")
        .map((l) => [String(l.node), l.block]),
    );
    const late = unknownAtTheTime.find((l) => registrations.has(String(l.teeId))) as TruthLine;
    const never = unknownAtTheTime.find((l) => !registrations.has(String(l.teeId))) as TruthLine;
    expect(late && never).toBeTruthy();
    const regBlock = registrations.get(String(late.teeId)) as number;
    const before = await foldUpTo(regBlock - 1);
    const id = [...before.settlements.values()].find((s) => s.pos.tx === late.tx)?.id as string;
    expect(before.settlements.get(id)).toMatchObject({ signatureCheck: "UNKNOWN", nodeId: null });
    expect(expected.settlements.get(id)).toMatchObject({
      signatureCheck: "PASS",
      nodeId: late.teeId,
      // judged at its block: the TEE was not registered then
      teeEnabledCheck: "FAIL",
      pcrValidCheck: "UNKNOWN",
    });
    const stranger = [...expected.settlements.values()].find((s) => s.pos.tx === never.tx);
    expect(stranger).toMatchObject({ signatureCheck: "UNKNOWN", nodeId: null, teeEnabledCheck: "FAIL" });
    expect(expected.nodes.has(String(never.teeId))).toBe(false);
  });

  it("agrees with the contracts' own state: stake, pending withdrawals, enabled", async () => {
    const client = referenceClient(devnet.anvil.rpcUrl);
    const att = devnet.deployment.addresses.attestationRegistry as Address;
    const tee = devnet.deployment.addresses.teeRegistry as Address;
    for (const n of expected.nodes.values()) {
      const read = (address: Address, name: string, abi: "AttestationRegistry" | "TEERegistry") =>
        client.readContract({ address, abi: contractAbi(abi), functionName: name, args: [n.id as Hex] });
      expect(await read(att, "stakeOf", "AttestationRegistry")).toBe(n.stake);
      expect(await read(att, "pendingWithdrawalsOf", "AttestationRegistry")).toBe(n.pendingWithdrawals);
      if (n.registered) {
        const info = (await read(tee, "getTEE", "TEERegistry")) as {
          enabled: boolean;
          pcrHash: Hex;
          publicKey: Hex;
        };
        expect(info.enabled).toBe(n.enabled);
        expect(info.pcrHash.toLowerCase()).toBe(n.pcrHash);
        expect(info.publicKey.toLowerCase()).toBe(n.publicKey);
      }
    }
    const net = expected.tables.network_stats.get("network") as Row;
    const nodes = [...expected.nodes.values()];
    expect(net.inferences).toBe(nodes.reduce((a, n) => a + n.committed, 0));
    expect(
      (net.verified as number) + (net.failed as number) + (net.expired as number) + (net.pending as number),
    ).toBe(net.inferences);
    expect(net.discrepancies).toBe(nodes.reduce((a, n) => a + n.discrepancies, 0));
    expect(net.slashes).toBe(nodes.reduce((a, n) => a + n.slashes, 0));
  });
});
