import { settlementMessage } from "@attestation-explorer/checks";
import { describe, expect, test } from "vitest";
import { signPss } from "../../../../devnet/src/crypto/pss-sign.ts";
import type { BatchState } from "../state";
import { apply, at, blockTime, hash, model, newState, newTeeKey, teeInfoKey } from "./test-support";

const { Check, InferenceStatus } = model;
const tee = newTeeKey();
const teeId = tee.teeId.toLowerCase();
const owner = "0x00000000000000000000000000000000000000aa";
const pcrHash = hash("pcr");
const inputHash = hash("input");

/** A state in which the TEE registered at block 1 (key from getTEE) with an approved PCR. */
function registered(): BatchState {
  const state = newState();
  state.teeInfos = new Map([
    [teeInfoKey(teeId, 1), { publicKey: tee.publicKeyDer, pcrHash, endpoint: "", paymentAddress: owner }],
  ]);
  return apply(
    state,
    at(0, { kind: "PCRApproved", pcrHash, teeType: 0, version: "v1" }),
    at(1, { kind: "TEERegistered", teeId, owner, teeType: 0 }),
  );
}

function settlement(block: number, o: { output: string; signedOver?: string; timestamp?: bigint }) {
  const timestamp = o.timestamp ?? BigInt(blockTime(block));
  const signed = settlementMessage(inputHash, hash(o.signedOver ?? o.output), timestamp);
  return at(block, {
    kind: "IndividualSettlement",
    teeId,
    ethAddress: owner,
    inputHash,
    outputHash: hash(o.output),
    timestamp,
    walrusBlobId: "blob",
    signature: signPss(tee.privateKey, signed),
  });
}

describe("settlement relay handlers", () => {
  test("a settlement signed by the TEE's key passes every check and counts", () => {
    const state = apply(registered(), settlement(2, { output: "out" }));
    const [s] = state.settlements.values();
    expect([s.signatureCheck, s.freshnessCheck, s.teeEnabledCheck, s.pcrValidCheck]).toEqual([
      Check.PASS,
      Check.PASS,
      Check.PASS,
      Check.PASS,
    ]);
    expect(s.node?.id).toBe(teeId);
    expect(s.node?.settlements).toBe(1);
    expect(state.network.settlements).toBe(1);
    expect(state.network.settlementSignatureFailures).toBe(0);
  });

  test("a settlement with a bad signature fails rule 1 and is counted as a signature failure", () => {
    const state = apply(registered(), settlement(2, { output: "out", signedOver: "another output" }));
    const [s] = state.settlements.values();
    expect(s.signatureCheck).toBe(Check.FAIL);
    expect(s.node?.settlementSignatureFailures).toBe(1);
    expect(state.network.settlementSignatureFailures).toBe(1);
  });

  test("freshness: signed 3600 s before the block passes, 3601 s before fails (rule 2)", () => {
    const state = apply(
      registered(),
      settlement(2, { output: "a", timestamp: BigInt(blockTime(2) - 3600) }),
      settlement(3, { output: "b", timestamp: BigInt(blockTime(3) - 3601) }),
    );
    expect([...state.settlements.values()].map((s) => s.freshnessCheck)).toEqual([Check.PASS, Check.FAIL]);
  });

  test("a settlement of a disabled TEE fails teeEnabled; one of a TEE never registered has no node, fails teeEnabled, and its key and PCR are UNKNOWN", () => {
    const state = apply(
      registered(),
      at(2, { kind: "TEEDisabled", teeId }),
      settlement(3, { output: "out" }),
    );
    expect([...state.settlements.values()][0].teeEnabledCheck).toBe(Check.FAIL);
    const unknown = apply(newState(), settlement(3, { output: "out" }));
    const [s] = unknown.settlements.values();
    expect(s.node).toBeNull();
    expect([s.signatureCheck, s.teeEnabledCheck, s.pcrValidCheck]).toEqual([
      Check.UNKNOWN,
      Check.FAIL,
      Check.UNKNOWN,
    ]);
  });

  test("a revealed TEE inference links to the earliest matching settlement and takes its signature check", () => {
    const state = registered();
    const modelId = hash("model");
    apply(
      state,
      at(2, {
        kind: "InferenceCommitted",
        requestId: hash("r1"),
        nodeId: teeId,
        modelId,
        mode: "TEE",
        inputHash,
        commitment: hash("commitment"),
        revealDeadline: BigInt(blockTime(100)),
      }),
      at(3, {
        kind: "InferenceRevealed",
        requestId: hash("r1"),
        nodeId: teeId,
        outputHash: hash("out"),
        salt: hash("salt"),
        proofRef: "",
      }),
    );
    const inf = state.inferences.get(hash("r1"));
    expect(inf?.teeSignatureCheck).toBe(Check.UNKNOWN);
    apply(state, settlement(4, { output: "out", signedOver: "forged" }), settlement(5, { output: "out" }));
    expect(inf?.settlement?.block).toBe(4);
    expect(inf?.teeSignatureCheck).toBe(Check.FAIL);
    expect(inf?.status).toBe(InferenceStatus.REVEALED);
  });

  test("a batch settlement is kept as its row", () => {
    const state = apply(
      newState(),
      at(2, { kind: "BatchSettlement", merkleRoot: hash("root"), batchSize: 7n, walrusBlobId: "w" }),
    );
    expect(state.inserts.batchSettlements.map((b) => [b.merkleRoot, b.batchSize])).toEqual([
      [hash("root"), 7n],
    ]);
  });
});
