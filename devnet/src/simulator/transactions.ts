import { toHex } from "viem";
import type { PlannedTx } from "../chain/block-writer.ts";
import { type Calls, TEE_OPERATOR_ROLE } from "./calls.ts";
import type { TruthLine } from "./ground-truth.ts";
import type { Action } from "./policy/actions.ts";
import { SLASH_AMOUNT } from "./policy/stake.ts";
import { type FlightPlan, SLASH_REASON } from "./state.ts";
import { attestationDocument, type World } from "./world.ts";

export type PlannedLine = Omit<TruthLine, "block" | "tx">;

/** What the indexer should conclude about an inference, as far as its plan decides it. */
export function expectation(p: FlightPlan): Record<string, unknown> {
  return {
    status: p.reveal === "never" ? "EXPIRED" : p.verdict,
    commitment: p.reveal === "never" ? "NOT_APPLICABLE" : p.wrongSalt ? "FAIL" : "PASS",
    revealOnTime: p.reveal === "onTime" ? "PASS" : "FAIL",
    settlement: p.settle,
    settlementSignature: p.settle === "none" ? null : p.forged ? "FAIL" : "PASS",
    settlementFreshness: p.settle === "none" ? null : p.stale ? "FAIL" : "PASS",
    challenge: p.challenge ? (p.atFault ? "nodeAtFault" : "nodeCleared") : null,
    slash: p.reveal === "never" ? "REVEAL_TIMEOUT" : (p.slash ?? null),
  };
}

/** The transaction that carries out an action on the devnet's contracts, and its ground-truth line. */
export function toTransaction(calls: Calls, world: World, a: Action): [PlannedTx, PlannedLine] {
  const d = world.roles.deployer;
  switch (a.kind) {
    case "addTEEType":
      return [calls.teeRegistry(d, "addTEEType", [a.teeType, a.name]), { kind: a.kind, teeType: a.teeType }];
    case "approvePCR": {
      const p = a.pcr;
      return [
        calls.teeRegistry(d, "approvePCR", [
          { pcr0: p.pcr0, pcr1: p.pcr1, pcr2: p.pcr2 },
          a.version,
          p.teeType,
        ]),
        { kind: a.kind, pcrHash: p.hash, teeType: p.teeType },
      ];
    }
    case "grantRole":
      return [
        calls.teeRegistry(d, "grantRole", [TEE_OPERATOR_ROLE, a.account]),
        { kind: a.kind, account: a.account },
      ];
    case "setParameters":
      return [
        calls.registry(d, "setParameters", [
          a.revealWindow,
          a.challengeWindow,
          a.withdrawalDelay,
          a.challengeBond,
          a.timeoutSlash,
          a.disputeSlash,
        ]),
        { kind: a.kind },
      ];
    case "registerTEE": {
      const n = a.node;
      if (!n.key || !n.pcr) throw new Error(`node ${n.index} has no TEE key`);
      return [
        calls.teeRegistry(n.owner, "registerTEEWithAttestation", [
          attestationDocument(n.pcr),
          n.key.publicKeyDer,
          toHex(`tls-cert:${n.index}`),
          n.paymentAddress,
          n.endpoint,
          n.pcr.teeType,
        ]),
        { kind: a.kind, node: n.id, teeType: n.pcr.teeType, pcrHash: n.pcr.hash, owner: n.owner },
      ];
    }
    case "registerModel": {
      const m = a.model;
      return [
        calls.registry(m.owner, "registerModel", [
          m.id,
          m.modeId,
          m.contentHash,
          m.blobId,
          m.name,
          m.version,
        ]),
        { kind: a.kind, model: m.id, mode: m.mode, name: m.name },
      ];
    }
    case "deposit":
      return [
        calls.registry(a.from, "deposit", [a.node.id], a.amount),
        { kind: a.kind, node: a.node.id, from: a.from, amount: a.amount.toString() },
      ];
    case "requestWithdrawal":
      return [
        calls.registry(a.node.operator, "requestWithdrawal", [a.node.id, a.amount]),
        { kind: a.kind, node: a.node.id, withdrawalId: a.withdrawalId, amount: a.amount.toString() },
      ];
    case "completeWithdrawal":
      return [
        calls.registry(a.node.operator, "completeWithdrawal", [a.node.id, BigInt(a.withdrawalId)]),
        { kind: a.kind, node: a.node.id, withdrawalId: a.withdrawalId, paid: a.paid.toString() },
      ];
    case "disableTEE":
    case "enableTEE":
      return [calls.teeRegistry(a.node.owner, a.kind, [a.node.id]), { kind: a.kind, node: a.node.id }];
    case "revokePCR":
      return [
        calls.teeRegistry(d, "revokePCR", [a.pcr.hash, a.pcr.teeType]),
        { kind: a.kind, pcrHash: a.pcr.hash, teeType: a.pcr.teeType },
      ];
    case "deprecateModel":
      return [
        calls.registry(a.model.owner, "deprecateModel", [a.model.id]),
        { kind: a.kind, model: a.model.id },
      ];
    case "slash": {
      const reason = a.slash.reason;
      return [
        calls.registry(d, "slash", [a.node.id, a.requestId, SLASH_REASON[reason], SLASH_AMOUNT[reason]]),
        { kind: a.kind, node: a.node.id, requestId: a.requestId, reason },
      ];
    }
    case "heartbeat":
      return [
        calls.teeRegistry(a.node.owner, "heartbeat", [a.node.id, BigInt(a.timestamp), a.signature]),
        {
          kind: a.kind,
          node: a.node.id,
          timestamp: a.timestamp,
          expect: { signature: a.bad ? "FAIL" : "PASS" },
        },
      ];
    case "settleIndividual":
      return [
        calls.relay(d, "settleIndividual", [
          a.teeId,
          a.inputHash,
          a.outputHash,
          BigInt(a.signedAt),
          a.user,
          a.blob,
          a.signature,
        ]),
        {
          kind: a.kind,
          teeId: a.teeId,
          requestId: a.requestId,
          registered: a.registered,
          expect: {
            signature: a.registered ? (a.forged ? "FAIL" : "PASS") : "UNKNOWN",
            freshness: a.stale ? "FAIL" : "PASS",
          },
        },
      ];
    case "batchSettle":
      return [calls.relay(d, "batchSettle", [a.root, BigInt(a.count), a.data]), { kind: a.kind }];
    case "commit":
      return [
        calls.registry(a.node.operator, "commit", [
          a.requestId,
          a.node.id,
          a.model.id,
          a.inputHash,
          a.commitment,
        ]),
        {
          kind: a.kind,
          requestId: a.requestId,
          node: a.node.id,
          model: a.model.id,
          mode: a.model.mode,
          inputHash: a.inputHash,
          commitment: a.commitment,
          revealDeadline: a.revealDeadline,
          expect: expectation(a.plan),
        },
      ];
    case "reveal":
      return [
        calls.registry(a.node.operator, "reveal", [a.requestId, a.outputHash, a.salt, a.proofRef]),
        {
          kind: a.kind,
          requestId: a.requestId,
          node: a.node.id,
          outputHash: a.outputHash,
          salt: a.salt,
          late: a.late,
        },
      ];
    case "expire":
      return [
        calls.registry(world.roles.keeper, "expire", [a.requestId]),
        { kind: a.kind, requestId: a.requestId, node: a.node.id },
      ];
    case "verify":
      return [
        calls.registry(d, "verify", [a.requestId, a.outcome === "VERIFIED" ? 0 : 1]),
        { kind: a.kind, requestId: a.requestId, node: a.node.id, outcome: a.outcome },
      ];
    case "openChallenge":
      return [
        calls.registry(a.challenger, "openChallenge", [a.requestId], a.bond),
        { kind: a.kind, requestId: a.requestId, challengeId: a.challengeId, challenger: a.challenger },
      ];
    case "resolveChallenge":
      return [
        calls.registry(d, "resolveChallenge", [BigInt(a.challengeId), a.nodeAtFault, a.evidence]),
        {
          kind: a.kind,
          requestId: a.requestId,
          challengeId: a.challengeId,
          nodeAtFault: a.nodeAtFault,
        },
      ];
  }
}
