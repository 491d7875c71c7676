import { constants, createPublicKey, verify } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Devnet, readTruth, startDevnet } from "@attestation-explorer/testkit/devnet";
import { decodeEventLog, decodeFunctionData, encodePacked, type Hex, hexToBytes, keccak256 } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../src/chain/artifacts.ts";
import { Simulator } from "../src/simulator/simulator.ts";

// The checks here use node:crypto and viem's keccak alone (not the simulator's own crypto modules), so a bug
// shared by the signer and its verifier cannot hide.
function pssVerifies(publicKeyDer: Hex, message32: Hex, signature: Hex): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(hexToBytes(publicKeyDer)), format: "der", type: "spki" });
    return verify(
      "sha256",
      Buffer.from(hexToBytes(message32)),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(hexToBytes(signature)),
    );
  } catch {
    return false;
  }
}

interface Log {
  address: Hex;
  topics: [Hex, ...Hex[]];
  data: Hex;
  transactionHash: Hex;
  blockNumber: Hex;
}

describe("simulator signatures on a real chain", () => {
  let devnet: Devnet;
  let truthPath: string;
  let logs: Log[];
  const txInput = new Map<Hex, Hex>();

  beforeAll(async () => {
    devnet = await startDevnet();
    truthPath = join(mkdtempSync(join(tmpdir(), "sim-sig-")), "truth.ndjson");
    const sim = new Simulator({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      seed: "signatures",
      nodes: 8,
      inferences: 600,
      perBlock: 60,
      groundTruthPath: truthPath,
    });
    await sim.run();
    logs = await devnet.rpc.call<Log[]>("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]);
    const txs = [...new Set(logs.map((l) => l.transactionHash))];
    const bodies = await devnet.rpc.batch<{ hash: Hex; input: Hex }>(
      txs.map((h) => ({ method: "eth_getTransactionByHash", params: [h] })),
    );
    for (const b of bodies) txInput.set(b.hash, b.input);
  });
  afterAll(async () => {
    await devnet?.anvil.stop();
  });

  const decode = (name: "TEERegistry" | "InferenceSettlementRelay" | "AttestationRegistry", address: Hex) =>
    logs
      .filter((l) => l.address.toLowerCase() === address.toLowerCase())
      .map((l) => ({
        log: l,
        ev: decodeEventLog({ abi: loadArtifact(name).abi, data: l.data, topics: l.topics }),
      }));

  /** teeId -> public key, learnt from the registering transaction's calldata and checked against the id. */
  function registeredKeys(): Map<Hex, Hex> {
    const keys = new Map<Hex, Hex>();
    for (const { log, ev } of decode("TEERegistry", devnet.deployment.addresses.teeRegistry)) {
      if (ev.eventName !== "TEERegistered") continue;
      const call = decodeFunctionData({
        abi: loadArtifact("TEERegistry").abi,
        data: txInput.get(log.transactionHash) as Hex,
      });
      const key = (call.args as readonly unknown[])[1] as Hex;
      const teeId = (ev.args as unknown as { teeId: Hex }).teeId;
      expect(keccak256(key)).toBe(teeId);
      keys.set(teeId, key);
    }
    return keys;
  }

  it("every settlement signature the simulator meant to be valid verifies with node:crypto, and every forged one fails", () => {
    const keys = registeredKeys();
    const truth = readTruth(truthPath).filter((l) => l.kind === "settleIndividual");
    const expected = new Map(truth.map((l) => [l.tx, (l.expect as { signature: string }).signature]));
    const seen = { PASS: 0, FAIL: 0, UNKNOWN: 0 };
    for (const { log, ev } of decode(
      "InferenceSettlementRelay",
      devnet.deployment.addresses.settlementRelay,
    )) {
      if (ev.eventName !== "IndividualSettlement") continue;
      const a = ev.args as unknown as {
        teeId: Hex;
        inputHash: Hex;
        outputHash: Hex;
        timestamp: bigint;
        signature: Hex;
      };
      const message = keccak256(
        encodePacked(["bytes32", "bytes32", "uint256"], [a.inputHash, a.outputHash, a.timestamp]),
      );
      const want = expected.get(log.transactionHash);
      expect(want, `ground truth has settlement ${log.transactionHash}`).toBeDefined();
      const key = keys.get(a.teeId);
      if (want === "UNKNOWN") {
        seen.UNKNOWN++;
        continue;
      }
      expect(key, `settlement by ${a.teeId} has a registered key`).toBeDefined();
      expect(pssVerifies(key as Hex, message, a.signature)).toBe(want === "PASS");
      seen[want as "PASS" | "FAIL"]++;
    }
    expect(seen.PASS).toBeGreaterThan(50);
    expect(seen.FAIL).toBeGreaterThan(0);
    expect(seen.UNKNOWN).toBeGreaterThan(0);
  });

  it("heartbeat signatures in the heartbeat calldata verify, except the forged ones", () => {
    const keys = registeredKeys();
    const expected = new Map(
      readTruth(truthPath)
        .filter((l) => l.kind === "heartbeat")
        .map((l) => [l.tx, (l.expect as { signature: string }).signature]),
    );
    let pass = 0;
    let fail = 0;
    for (const { log, ev } of decode("TEERegistry", devnet.deployment.addresses.teeRegistry)) {
      if (ev.eventName !== "HeartbeatReceived") continue;
      const call = decodeFunctionData({
        abi: loadArtifact("TEERegistry").abi,
        data: txInput.get(log.transactionHash) as Hex,
      });
      const [teeId, timestamp, signature] = call.args as unknown as [Hex, bigint, Hex];
      expect((ev.args as unknown as { timestamp: bigint }).timestamp).toBe(timestamp);
      const message = keccak256(encodePacked(["bytes32", "uint256"], [teeId, timestamp]));
      const ok = pssVerifies(keys.get(teeId) as Hex, message, signature);
      expect(ok).toBe(expected.get(log.transactionHash) === "PASS");
      if (ok) pass++;
      else fail++;
    }
    expect(pass).toBeGreaterThan(10);
    expect(fail).toBeGreaterThan(0);
  });

  it("reveals open their commitments exactly when the simulator says so", () => {
    const events = decode("AttestationRegistry", devnet.deployment.addresses.attestationRegistry);
    const commitments = new Map<Hex, Hex>();
    for (const { ev } of events) {
      if (ev.eventName === "InferenceCommitted") {
        const a = ev.args as unknown as { requestId: Hex; commitment: Hex };
        commitments.set(a.requestId, a.commitment);
      }
    }
    const expected = new Map(
      readTruth(truthPath)
        .filter((l) => l.kind === "commit")
        .map((l) => [l.requestId as Hex, (l.expect as { commitment: string }).commitment]),
    );
    const seen = { PASS: 0, FAIL: 0 };
    for (const { ev } of events) {
      if (ev.eventName !== "InferenceRevealed") continue;
      const a = ev.args as unknown as { requestId: Hex; outputHash: Hex; salt: Hex };
      const opens =
        keccak256(encodePacked(["bytes32", "bytes32"], [a.outputHash, a.salt])) ===
        commitments.get(a.requestId);
      const want = expected.get(a.requestId);
      expect(opens).toBe(want === "PASS");
      seen[opens ? "PASS" : "FAIL"]++;
    }
    expect(seen.PASS).toBeGreaterThan(400);
    expect(seen.FAIL).toBeGreaterThan(0);
  });

  it("the traffic covers every outcome and slash reason", () => {
    const events = decode("AttestationRegistry", devnet.deployment.addresses.attestationRegistry);
    const outcomes = new Set(
      events
        .filter((e) => e.ev.eventName === "InferenceVerified")
        .map((e) => (e.ev.args as unknown as { outcome: number }).outcome),
    );
    const reasons = new Set(
      events
        .filter((e) => e.ev.eventName === "NodeSlashed")
        .map((e) => (e.ev.args as unknown as { reason: number }).reason),
    );
    const resolutions = new Set(
      events
        .filter((e) => e.ev.eventName === "ChallengeResolved")
        .map((e) => (e.ev.args as unknown as { nodeAtFault: boolean }).nodeAtFault),
    );
    const names = new Set(events.map((e) => e.ev.eventName));
    expect([...outcomes].sort()).toEqual([0, 1, 2]);
    expect([...reasons].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...resolutions].sort()).toEqual([false, true]);
    for (const n of [
      "StakeDeposited",
      "WithdrawalRequested",
      "WithdrawalCompleted",
      "ModelRegistered",
      "ModelDeprecated",
      "ChallengeOpened",
    ]) {
      expect(names.has(n as never), n).toBe(true);
    }
    const reg = new Set(
      decode("TEERegistry", devnet.deployment.addresses.teeRegistry).map((e) => e.ev.eventName),
    );
    for (const n of [
      "TEETypeAdded",
      "PCRApproved",
      "PCRRevoked",
      "TEERegistered",
      "TEEDisabled",
      "TEEEnabled",
      "HeartbeatReceived",
    ]) {
      expect(reg.has(n as never), n).toBe(true);
    }
    const relay = new Set<string>(
      decode("InferenceSettlementRelay", devnet.deployment.addresses.settlementRelay).map(
        (e) => e.ev.eventName as unknown as string,
      ),
    );
    expect(relay.has("IndividualSettlement") && relay.has("BatchSettlement")).toBe(true);
  });
});
