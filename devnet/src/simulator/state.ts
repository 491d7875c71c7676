import type { Hex } from "viem";
import type { ModeName } from "./models.ts";

export type Verdict = "VERIFIED" | "FAILED";
export type SlashReasonName =
  | "INVALID_PROOF"
  | "REVEAL_MISMATCH"
  | "REVEAL_TIMEOUT"
  | "LOST_DISPUTE"
  | "PCR_REVOKED"
  | "EQUIVOCATION";

export const SLASH_REASON: Record<SlashReasonName, number> = {
  INVALID_PROOF: 0,
  REVEAL_MISMATCH: 1,
  REVEAL_TIMEOUT: 2,
  LOST_DISPUTE: 3,
  PCR_REVOKED: 4,
  EQUIVOCATION: 5,
};

/** What the simulator decided at commit time about one inference's future. */
export interface FlightPlan {
  reveal: "onTime" | "late" | "never";
  wrongSalt: boolean;
  verdict: Verdict;
  /** A slash the slasher sends with the FAILED verdict. */
  slash?: SlashReasonName;
  /** TEE mode: when the relay settles it, relative to the reveal. */
  settle: "before" | "after" | "none";
  forged: boolean;
  stale: boolean;
  challenge: boolean;
  atFault: boolean;
}

/** An inference still in its lifecycle. */
export interface Flight {
  requestId: Hex;
  node: number;
  model: number;
  mode: ModeName;
  inputHash: Hex;
  outputHash: Hex;
  salt: Hex;
  commitment: Hex;
  commitStep: number;
  deadline: number;
  plan: FlightPlan;
  revealedStep?: number;
  verifiedStep?: number;
  challengeId?: number;
  challengeStep?: number;
}

export interface NodeState {
  /** Stake as the contract holds it (deposits - completed withdrawals - slashed). */
  stake: bigint;
  pendingWithdrawals: bigint;
  enabled: boolean;
  registered: boolean;
  committing: boolean;
  heartbeatOffset: number;
}

export interface PendingWithdrawal {
  node: number;
  id: number;
  amount: bigint;
  unlockAt: number;
}

/** Everything that changes while the simulator runs: plain data, so a reorg can restore a copy of it. */
export interface SimState {
  step: number;
  /** Bumped by every injected reorg so the replacement branch carries different transactions. */
  branch: number;
  counter: number;
  lastTimestamp: number;
  committed: number;
  flights: Map<Hex, Flight>;
  nodes: NodeState[];
  latecomerRegistered: boolean;
  withdrawals: PendingWithdrawal[];
  withdrawalCount: number;
  challengeCount: number;
  pcrRevoked: boolean;
  pcrReapproved: boolean;
  deprecatedModels: number[];
  /** Scenario events fired, by name, with the cycle they fired in. */
  fired: Record<string, number>;
  /** Cases forced once so that even a short run exercises every kind. */
  firsts: Record<string, boolean>;
}
