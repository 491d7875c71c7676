import { commitmentOf, settlementMessage } from "@attestation-explorer/checks";
import { describe, expect, test } from "vitest";
import { signPss } from "../../../../devnet/src/crypto/pss-sign.ts";
import type { BatchState } from "../state";
import { apply, at, blockTime, hash, model, newState, newTeeKey, teeInfoKey } from "./test-support";

const { Check, KeySource, KeyStatus, PcrEventKind } = model;

const tee = newTeeKey();
const teeId = tee.teeId.toLowerCase();
const pcrHash = hash("pcr");
const owner = "0x00000000000000000000000000000000000000aa";
const registered = (block: number) => at(block, { kind: "TEERegistered", teeId, owner, teeType: 0 });

/** A state whose getTEE answered for a registration at `block` (no calldata: e.g. made through a contract). */
function stateWithGetTee(block: number): BatchState {
  const state = newState();
  state.teeInfos = new Map([
    [
      teeInfoKey(teeId, block),
      { publicKey: tee.publicKeyDer, pcrHash, endpoint: "https://tee.example", paymentAddress: owner },
    ],
  ]);
  return state;
}

function settlement(block: number, outputLabel: string, signedOver = outputLabel) {
  const timestamp = BigInt(blockTime(block));
  const inputHash = hash("in");
  return at(block, {
    kind: "IndividualSettlement",
    teeId,
    ethAddress: owner,
    inputHash,
    outputHash: hash(outputLabel),
    timestamp,
    walrusBlobId: "",
    signature: signPss(tee.privateKey, settlementMessage(inputHash, hash(signedOver), timestamp)),
  });
}

describe("TEE registry handlers", () => {
  test("a registration without decodable calldata takes its key and PCR hash from getTEE's answer", () => {
    const state = apply(stateWithGetTee(5), registered(5));
    const node = state.nodes.get(teeId);
    expect(node?.keySource).toBe(KeySource.GET_TEE);
    expect(node?.keyStatus).toBe(KeyStatus.VALID);
    expect(node?.publicKey).toBe(tee.publicKeyDer.toLowerCase());
    expect(node?.pcrHash).toBe(pcrHash);
    expect(node?.endpoint).toBe("https://tee.example");
    expect(node?.enabled).toBe(true);
    expect(node?.registeredBlock).toBe(5);
    expect(state.network.nodes).toBe(1);
    expect(state.network.enabledNodes).toBe(1);
    expect(state.inserts.teeStatus.map((s) => s.enabled)).toEqual([true]);
    expect(state.dirty.nodes.has(node as never)).toBe(true);
  });

  test("without calldata and without getTEE's answer, the key stays unknown", () => {
    const state = apply(newState(), registered(5));
    expect(state.nodes.get(teeId)?.keySource).toBe(KeySource.NONE);
    expect(state.nodes.get(teeId)?.keyStatus).toBe(KeyStatus.UNKNOWN);
    expect(state.nodes.get(teeId)?.publicKey).toBeNull();
  });

  test("disable and enable move the enabled count once each", () => {
    const state = apply(
      stateWithGetTee(5),
      registered(5),
      at(6, { kind: "TEEDisabled", teeId }),
      at(7, { kind: "TEEDisabled", teeId }),
    );
    expect(state.network.enabledNodes).toBe(0);
    apply(state, at(8, { kind: "TEEEnabled", teeId }));
    expect(state.network.enabledNodes).toBe(1);
    expect(state.inserts.teeStatus.map((s) => s.enabled)).toEqual([true, false, false, true]);
  });

  test("a registration attaches the TEE's earlier settlements and checks their signatures then", () => {
    const state = stateWithGetTee(5);
    apply(state, settlement(3, "good"), settlement(4, "bad", "signed-over-something-else"));
    const [good, bad] = [...state.settlements.values()];
    expect(good.node).toBeNull();
    expect(good.signatureCheck).toBe(Check.UNKNOWN);
    apply(state, registered(5));
    const node = state.nodes.get(teeId);
    expect(good.node).toBe(node);
    expect(good.signatureCheck).toBe(Check.PASS);
    expect(bad.signatureCheck).toBe(Check.FAIL);
    expect(node?.settlements).toBe(2);
    expect(node?.settlementSignatureFailures).toBe(1);
    expect(state.network.settlementSignatureFailures).toBe(1);
  });

  test("a PCR revocation turns earlier PASS pcrValid results FAIL, and later ones are judged unapproved", () => {
    const state = stateWithGetTee(5);
    apply(
      state,
      at(2, { kind: "PCRApproved", pcrHash, teeType: 0, version: "v1" }),
      registered(5),
      settlement(6, "before"),
    );
    const before = [...state.settlements.values()][0];
    expect(before.pcrValidCheck).toBe(Check.PASS);
    apply(state, at(7, { kind: "PCRRevoked", pcrHash, teeType: 0 }), settlement(8, "after"));
    const after = [...state.settlements.values()][1];
    expect(before.pcrValidCheck).toBe(Check.FAIL);
    expect(after.pcrValidCheck).toBe(Check.FAIL);
    const row = state.pcrs.get(`${pcrHash}-0`);
    expect(row?.approved).toBe(false);
    expect(row?.everRevoked).toBe(true);
    expect(row?.approvedUntil).toBeNull();
    expect(state.inserts.pcrEvents.map((e) => e.kind)).toEqual([PcrEventKind.APPROVED, PcrEventKind.REVOKED]);
  });

  test("a revocation with a grace period keeps the PCR approved until block time + grace period", () => {
    const state = stateWithGetTee(5);
    apply(
      state,
      at(2, { kind: "PCRApproved", pcrHash, teeType: 0, version: "v1" }),
      registered(5),
      at(6, { kind: "PCRRevoked", pcrHash, teeType: 0, gracePeriod: 24n }),
      settlement(7, "within"),
      settlement(8, "at-the-end"),
    );
    const [within, atEnd] = [...state.settlements.values()];
    expect(state.pcrs.get(`${pcrHash}-0`)?.approvedUntil).toEqual(new Date((blockTime(6) + 24) * 1000));
    expect(within.pcrValidCheck).toBe(Check.PASS);
    expect(atEnd.pcrValidCheck).toBe(Check.FAIL);
  });

  test("deactivating a TEE type never added keeps the log as unusable", () => {
    const state = apply(newState(), at(3, { kind: "TEETypeDeactivated", typeId: 9 }));
    expect(state.inserts.undecoded.map((u) => u.error)).toEqual([
      "TEE type 9 was not added in the indexed blocks",
    ]);
  });
});

describe("a change to many inferences at once folds their reputation in chain order", () => {
  const nodeOf = (state: BatchState) => state.nodes.get(teeId);
  const inferenceEvents = (i: number) => {
    const requestId = hash(`request ${i}`);
    const out = hash(`out ${i}`);
    const salt = hash(`salt ${i}`);
    const base = { requestId, nodeId: teeId };
    return [
      at(10 + i, {
        kind: "InferenceCommitted",
        ...base,
        modelId: hash("model"),
        mode: i % 3 === 0 ? "VANILLA" : "TEE",
        inputHash: hash("in"),
        commitment: commitmentOf(out, salt),
        revealDeadline: BigInt(blockTime(10 + i + 100)),
      }),
      at(40 + 7 * i, { kind: "InferenceRevealed", ...base, outputHash: out, salt, proofRef: "" }),
      at(41 + 7 * i, {
        kind: "InferenceVerified",
        ...base,
        modelId: hash("model"),
        outcome: "VERIFIED",
        verifier: owner,
      }),
    ];
  };
  /**
   * Twelve verified inferences of one node and model, then a revocation of their PCR at block 200: it taints the
   * eight in TEE mode, and the four others keep S above zero.
   */
  function run(reorder: (state: BatchState) => void): BatchState {
    const state = stateWithGetTee(5);
    apply(state, at(2, { kind: "PCRApproved", pcrHash, teeType: 0, version: "v1" }), registered(5));
    apply(state, ...Array.from({ length: 12 }, (_, i) => inferenceEvents(i)).flat());
    reorder(state);
    apply(state, at(200, { kind: "PCRRevoked", pcrHash, teeType: 0 }));
    return state;
  }

  test("the same floats whatever order the batch's state holds the inferences in (load order depends on the batch)", () => {
    const inOrder = run(() => undefined);
    // As if loaded from the database by a later batch in another order: the map's order reversed.
    const reversed = run((state) => {
      const entries = [...state.inferences.entries()].reverse();
      state.inferences.clear();
      for (const [id, inf] of entries) state.inferences.set(id, inf);
    });
    const tainted = [...inOrder.inferences.values()].filter((inf) => inf.pcrValidCheck === Check.FAIL);
    expect(tainted).toHaveLength(8);
    expect(tainted.every((inf) => inf.repKind === "failure")).toBe(true);
    expect(nodeOf(inOrder)?.repS).toBeGreaterThan(0);
    expect(nodeOf(reversed)?.repS).toBe(nodeOf(inOrder)?.repS);
    expect(nodeOf(reversed)?.repN).toBe(nodeOf(inOrder)?.repN);
    expect(reversed.models.get(hash("model"))?.repS).toBe(inOrder.models.get(hash("model"))?.repS);
    expect(reversed.models.get(hash("model"))?.repN).toBe(inOrder.models.get(hash("model"))?.repN);
  });
});
