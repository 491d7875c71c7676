import { commitmentOf } from "@attestation-explorer/checks";
import { describe, expect, test } from "vitest";
import type { BatchState } from "../state";
import { apply, at, blockTime, hash, model, newState } from "./test-support";

const { Check, InferenceStatus, StakeChangeKind } = model;
const nodeId = hash("node");
const modelId = hash("model");
const requestId = hash("request");
const verifier = "0x00000000000000000000000000000000000000bb";
const operator = "0x00000000000000000000000000000000000000cc";

const committed = (block: number, commitment = commitmentOf(hash("out"), hash("salt"))) =>
  at(block, {
    kind: "InferenceCommitted",
    requestId,
    nodeId,
    modelId,
    mode: "VANILLA",
    inputHash: hash("in"),
    commitment,
    revealDeadline: BigInt(blockTime(block + 10)),
  });
const revealed = (block: number) =>
  at(block, {
    kind: "InferenceRevealed",
    requestId,
    nodeId,
    outputHash: hash("out"),
    salt: hash("salt"),
    proofRef: "",
  });
const verified = (block: number, outcome: "VERIFIED" | "FAILED" | "EXPIRED") =>
  at(block, { kind: "InferenceVerified", requestId, nodeId, modelId, outcome, verifier });

const node = (state: BatchState) => state.nodes.get(nodeId);

describe("attestation registry handlers", () => {
  test("a commit counts as pending; a verified honest reveal counts as verified, a success for reputation", () => {
    const state = apply(newState(), committed(1));
    expect(state.network.pending).toBe(1);
    expect(node(state)?.committed).toBe(1);
    apply(state, revealed(2), verified(3, "VERIFIED"));
    const inf = state.inferences.get(requestId);
    expect(inf?.status).toBe(InferenceStatus.VERIFIED);
    expect(inf?.commitmentCheck).toBe(Check.PASS);
    expect(inf?.revealOnTimeCheck).toBe(Check.PASS);
    expect(inf?.discrepancy).toBe(false);
    expect(inf?.repKind).toBe("success");
    expect([state.network.pending, state.network.verified, node(state)?.verified]).toEqual([0, 1, 1]);
    expect(node(state)?.repS).toBeGreaterThan(0);
  });

  test("an expiry: status EXPIRED, revealOnTime FAIL, counted expired, a failure for reputation", () => {
    const state = apply(newState(), committed(1), verified(20, "EXPIRED"));
    const inf = state.inferences.get(requestId);
    expect(inf?.status).toBe(InferenceStatus.EXPIRED);
    expect(inf?.revealOnTimeCheck).toBe(Check.FAIL);
    expect(inf?.repKind).toBe("failure");
    expect(inf?.repTime).toBe(blockTime(20));
    expect([
      state.network.pending,
      state.network.expired,
      node(state)?.expired,
      state.models.get(modelId)?.expired,
    ]).toEqual([0, 1, 1, 1]);
    expect(node(state)?.repN).toBeGreaterThan(0);
    expect(node(state)?.repS).toBe(0);
  });

  test("VERIFIED by the chain while the reveal does not open the commitment is a discrepancy (rule 9)", () => {
    const state = apply(
      newState(),
      committed(1, hash("not the commitment")),
      revealed(2),
      verified(3, "VERIFIED"),
    );
    const inf = state.inferences.get(requestId);
    expect(inf?.commitmentCheck).toBe(Check.FAIL);
    expect(inf?.discrepancy).toBe(true);
    expect(inf?.repKind).toBe("failure");
    expect([state.network.discrepancies, node(state)?.discrepancies]).toEqual([1, 1]);
  });

  test("a challenge lost by the node counts as a dispute lost and weighs on its reputation; one won does not", () => {
    const challenge = (id: bigint, nodeAtFault: boolean) => [
      at(2, {
        kind: "ChallengeOpened",
        challengeId: id,
        requestId,
        challenger: operator,
        bond: 5n,
        deadline: 99n,
      }),
      at(3, {
        kind: "ChallengeResolved",
        challengeId: id,
        requestId,
        nodeAtFault,
        resolver: verifier,
        evidenceHash: hash("evidence"),
      }),
    ];
    const won = apply(newState(), committed(1), ...challenge(1n, false));
    const lost = apply(newState(), committed(1), ...challenge(1n, true));
    expect(lost.challenges.get("1")?.nodeAtFault).toBe(true);
    expect([node(won)?.challenged, node(won)?.disputesLost, node(won)?.repN]).toEqual([1, 0, 0]);
    expect([node(lost)?.challenged, node(lost)?.disputesLost]).toEqual([1, 1]);
    // rep-v1: a lost dispute adds twice an event's weight to N (packages/rep-v1/src/decayed-state.ts).
    expect(node(lost)?.repN).toBeGreaterThan(0);
    expect(node(lost)?.repS).toBe(0);
    expect(lost.models.get(modelId)?.repN).toBeGreaterThan(0);
  });

  test("a slash lowers the stake to what the event says remains, and is recorded", () => {
    const state = apply(
      newState(),
      committed(1),
      at(2, { kind: "StakeDeposited", nodeId, from: operator, amount: 100n, newTotal: 100n }),
      at(3, {
        kind: "NodeSlashed",
        nodeId,
        requestId,
        reason: "LOST_DISPUTE",
        amount: 30n,
        remainingStake: 70n,
      }),
    );
    expect([node(state)?.stake, node(state)?.totalSlashed, node(state)?.slashes]).toEqual([70n, 30n, 1]);
    expect([state.network.totalStake, state.network.totalSlashed, state.network.slashes]).toEqual([
      70n,
      30n,
      1,
    ]);
    expect(state.inserts.slashes[0].inference?.id).toBe(requestId);
    expect(state.inserts.stakeChanges.map((c) => [c.kind, c.stakeAfter])).toEqual([
      [StakeChangeKind.DEPOSIT, 100n],
      [StakeChangeKind.SLASH, 70n],
    ]);
    expect(node(state)?.operator).toBe(operator);
    expect(node(state)?.repD).toBeGreaterThan(0);
  });

  test("a withdrawal completed after a slash emptied the stake leaves zero, and clears the requested amount", () => {
    const state = apply(
      newState(),
      at(1, { kind: "StakeDeposited", nodeId, from: operator, amount: 50n, newTotal: 50n }),
      at(2, { kind: "WithdrawalRequested", nodeId, withdrawalId: 7n, amount: 40n, unlockAt: 10n }),
      at(3, {
        kind: "NodeSlashed",
        nodeId,
        requestId,
        reason: "LOST_DISPUTE",
        amount: 50n,
        remainingStake: 0n,
      }),
      at(4, { kind: "WithdrawalCompleted", nodeId, withdrawalId: 7n, amount: 0n }),
    );
    expect([node(state)?.stake, node(state)?.pendingWithdrawals]).toEqual([0n, 0n]);
    expect(state.withdrawals.get("7")?.paid).toBe(0n);
    expect(state.network.totalStake).toBe(0n);
  });

  test("a reveal of a request never committed, or a second commit, is kept as unusable", () => {
    const state = apply(newState(), revealed(1), committed(2), committed(3));
    expect(state.inserts.undecoded.map((u) => u.error)).toEqual([
      `reveal of request ${requestId}, which was never committed`,
      `request ${requestId} was already committed`,
    ]);
    expect(state.network.inferences).toBe(1);
  });
});
