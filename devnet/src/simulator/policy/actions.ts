import type { Address, Hex } from "viem";
import type { FlightPlan, SlashReasonName, Verdict } from "../state.ts";
import type { PcrSet, SimModel, SimNode } from "../world.ts";

/** What a slash did to the node's stake: the contract takes at most what is staked. */
export interface SlashEffect {
  reason: SlashReasonName;
  /** The amount asked for. */
  amount: bigint;
  taken: bigint;
  /** Stake left after it. */
  remaining: bigint;
}

/**
 * One thing the traffic policy decided should happen on chain, with every value the chain will see (signatures
 * included). The simulator sends each as a transaction; the API bench encodes each as the logs it would emit.
 */
export type Action =
  | { kind: "addTEEType"; teeType: number; name: string }
  | { kind: "approvePCR"; pcr: PcrSet; version: string }
  | { kind: "grantRole"; account: Address }
  | {
      kind: "setParameters";
      revealWindow: number;
      challengeWindow: number;
      withdrawalDelay: number;
      challengeBond: bigint;
      timeoutSlash: bigint;
      disputeSlash: bigint;
    }
  | { kind: "registerTEE"; node: SimNode }
  | { kind: "registerModel"; model: SimModel }
  | { kind: "deposit"; node: SimNode; from: Address; amount: bigint; total: bigint }
  | { kind: "requestWithdrawal"; node: SimNode; withdrawalId: number; amount: bigint; unlockAt: number }
  | { kind: "completeWithdrawal"; node: SimNode; withdrawalId: number; paid: bigint }
  | { kind: "disableTEE"; node: SimNode }
  | { kind: "enableTEE"; node: SimNode }
  | { kind: "revokePCR"; pcr: PcrSet }
  | { kind: "deprecateModel"; model: SimModel }
  | { kind: "slash"; node: SimNode; requestId: Hex; slash: SlashEffect }
  | {
      kind: "heartbeat";
      node: SimNode;
      timestamp: number;
      signature: Hex;
      /** The signature does not verify. */
      bad: boolean;
    }
  | {
      kind: "settleIndividual";
      teeId: Hex;
      inputHash: Hex;
      outputHash: Hex;
      /** The signed timestamp (unix seconds). */
      signedAt: number;
      user: Address;
      blob: Hex;
      signature: Hex;
      /** The inference it settles, if any. */
      requestId: Hex | null;
      /** The TEE is one of the world's nodes (false: a TEE the registry does not know yet, or never will). */
      registered: boolean;
      forged: boolean;
      stale: boolean;
    }
  | { kind: "batchSettle"; root: Hex; count: number; data: Hex }
  | {
      kind: "commit";
      requestId: Hex;
      node: SimNode;
      model: SimModel;
      inputHash: Hex;
      commitment: Hex;
      revealDeadline: number;
      plan: FlightPlan;
    }
  | {
      kind: "reveal";
      requestId: Hex;
      node: SimNode;
      outputHash: Hex;
      salt: Hex;
      proofRef: Hex;
      late: boolean;
    }
  /** expire(): the verdict EXPIRED and the REVEAL_TIMEOUT slash in one transaction. */
  | { kind: "expire"; requestId: Hex; node: SimNode; model: SimModel; slash: SlashEffect }
  | { kind: "verify"; requestId: Hex; node: SimNode; model: SimModel; outcome: Verdict }
  | {
      kind: "openChallenge";
      requestId: Hex;
      challengeId: number;
      challenger: Address;
      bond: bigint;
      deadline: number;
    }
  | {
      kind: "resolveChallenge";
      requestId: Hex;
      challengeId: number;
      node: SimNode;
      nodeAtFault: boolean;
      evidence: Hex;
      /** The LOST_DISPUTE slash the resolution takes when the node is at fault. */
      slash?: SlashEffect;
    };

export type ActionKind = Action["kind"];
