import * as att from "../abi/AttestationRegistry";
import * as relay from "../abi/InferenceSettlementRelay";
import * as legacy from "../abi/LegacyTEERegistry";
import * as grace from "../abi/LegacyTEERegistry758e149";
import * as tee from "../abi/TEERegistry";

/** Where an event sits on the chain: every row it creates copies this. */
export interface Position {
  block: number;
  blockHash: string;
  /** Block time. */
  at: Date;
  /** Block time in unix seconds. */
  ts: number;
  tx: string;
  logIndex: number;
  /** Calldata of the emitting transaction, when the processor fetched it (TEERegistered, HeartbeatReceived). */
  txInput?: string;
}

const MODES = ["VANILLA", "ZKML", "TEE"] as const;
const OUTCOMES = ["VERIFIED", "FAILED", "EXPIRED"] as const;
const REASONS = [
  "INVALID_PROOF",
  "REVEAL_MISMATCH",
  "REVEAL_TIMEOUT",
  "LOST_DISPUTE",
  "PCR_REVOKED",
  "EQUIVOCATION",
] as const;
export type ModeName = (typeof MODES)[number];
export type OutcomeName = (typeof OUTCOMES)[number];
export type ReasonName = (typeof REASONS)[number];

export type ChainEvent =
  | { kind: "TEETypeAdded"; typeId: number; name: string }
  /** Earlier registries only (og-evm 6030478 and 758e149): the type accepts no new registrations or approvals. */
  | { kind: "TEETypeDeactivated"; typeId: number }
  /** teeType undefined: og-evm 6030478's PCRApproved(pcrHash, version), an approval for every TEE type. */
  | { kind: "PCRApproved"; pcrHash: string; teeType: number | undefined; version: string }
  /**
   * teeType undefined: the event does not name one (one-argument form, and 758e149's graced form, whose type the
   * mapping reads from the revokePCR calldata when it can). gracePeriod (seconds): 758e149's form only; the
   * revocation takes effect at block time + gracePeriod.
   */
  | { kind: "PCRRevoked"; pcrHash: string; teeType: number | undefined; gracePeriod?: bigint }
  | { kind: "TEERegistered"; teeId: string; owner: string; teeType: number }
  | { kind: "TEEDisabled"; teeId: string }
  | { kind: "TEEEnabled"; teeId: string }
  | { kind: "HeartbeatReceived"; teeId: string; timestamp: bigint }
  | {
      kind: "IndividualSettlement";
      teeId: string;
      ethAddress: string;
      inputHash: string;
      outputHash: string;
      timestamp: bigint;
      walrusBlobId: string;
      signature: string;
    }
  | { kind: "BatchSettlement"; merkleRoot: string; batchSize: bigint; walrusBlobId: string }
  | { kind: "StakeDeposited"; nodeId: string; from: string; amount: bigint; newTotal: bigint }
  | { kind: "WithdrawalRequested"; nodeId: string; withdrawalId: bigint; amount: bigint; unlockAt: bigint }
  | { kind: "WithdrawalCompleted"; nodeId: string; withdrawalId: bigint; amount: bigint }
  | {
      kind: "ModelRegistered";
      modelId: string;
      owner: string;
      mode: ModeName;
      contentHash: string;
      blobId: string;
      name: string;
      version: string;
    }
  | { kind: "ModelDeprecated"; modelId: string }
  | {
      kind: "InferenceCommitted";
      requestId: string;
      nodeId: string;
      modelId: string;
      mode: ModeName;
      inputHash: string;
      commitment: string;
      revealDeadline: bigint;
    }
  | {
      kind: "InferenceRevealed";
      requestId: string;
      nodeId: string;
      outputHash: string;
      salt: string;
      proofRef: string;
    }
  | {
      kind: "InferenceVerified";
      requestId: string;
      nodeId: string;
      modelId: string;
      outcome: OutcomeName;
      verifier: string;
    }
  | {
      kind: "ChallengeOpened";
      challengeId: bigint;
      requestId: string;
      challenger: string;
      bond: bigint;
      deadline: bigint;
    }
  | {
      kind: "ChallengeResolved";
      challengeId: bigint;
      requestId: string;
      nodeAtFault: boolean;
      resolver: string;
      evidenceHash: string;
    }
  | {
      kind: "NodeSlashed";
      nodeId: string;
      requestId: string;
      reason: ReasonName;
      amount: bigint;
      remainingStake: bigint;
    };

export type PositionedEvent = ChainEvent & { pos: Position };

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: number;
  transactionHash: string;
}

export interface Addresses {
  teeRegistry: string;
  settlementRelay: string;
  /** Absent on a network without this project's commit-reveal registry (OpenGradient's). */
  attestationRegistry: string | undefined;
}

/** A log that did not decode; kept as an UndecodedLog row. */
export interface DecodeFailure {
  log: RawLog;
  error: string;
}

const lower = (s: string) => s.toLowerCase();

function enumName<T extends readonly string[]>(names: T, index: number, what: string): T[number] {
  const name = names[index];
  if (name === undefined) throw new Error(`${what} ${index} is not one of ${names.join(", ")}`);
  return name;
}

/** Decodes one log of the three contracts; throws with a message naming what was wrong. */
export function decodeLog(log: RawLog, addresses: Addresses): ChainEvent {
  const address = lower(log.address);
  const topic = log.topics[0];
  if (address === addresses.teeRegistry) {
    switch (topic) {
      case tee.events.TEETypeAdded.topic: {
        const e = tee.events.TEETypeAdded.decode(log);
        return { kind: "TEETypeAdded", typeId: e.typeId, name: e.name };
      }
      case tee.events.PCRApproved.topic: {
        const e = tee.events.PCRApproved.decode(log);
        return { kind: "PCRApproved", pcrHash: lower(e.pcrHash), teeType: e.teeType, version: e.version };
      }
      case tee.events.PCRRevoked.topic: {
        const e = tee.events.PCRRevoked.decode(log);
        return { kind: "PCRRevoked", pcrHash: lower(e.pcrHash), teeType: e.teeType };
      }
      // Earlier OpenGradient registries (docs/decisions/005-earlier-tee-registry-versions.md).
      case legacy.events.PCRApproved.topic: {
        const e = legacy.events.PCRApproved.decode(log);
        return { kind: "PCRApproved", pcrHash: lower(e.pcrHash), teeType: undefined, version: e.version };
      }
      case legacy.events.PCRRevoked.topic: {
        const e = legacy.events.PCRRevoked.decode(log);
        return { kind: "PCRRevoked", pcrHash: lower(e.pcrHash), teeType: undefined };
      }
      case grace.events.PCRRevoked.topic: {
        const e = grace.events.PCRRevoked.decode(log);
        return {
          kind: "PCRRevoked",
          pcrHash: lower(e.pcrHash),
          teeType: undefined,
          gracePeriod: e.gracePeriod,
        };
      }
      case legacy.events.TEEDeactivated.topic:
        return { kind: "TEEDisabled", teeId: lower(legacy.events.TEEDeactivated.decode(log).teeId) };
      case legacy.events.TEEActivated.topic:
        return { kind: "TEEEnabled", teeId: lower(legacy.events.TEEActivated.decode(log).teeId) };
      // 758e149's removeTEE deletes the TEE (it may register again): a disable here, its history kept.
      case grace.events.TEERemoved.topic:
        return { kind: "TEEDisabled", teeId: lower(grace.events.TEERemoved.decode(log).teeId) };
      case legacy.events.TEETypeDeactivated.topic:
        return { kind: "TEETypeDeactivated", typeId: legacy.events.TEETypeDeactivated.decode(log).typeId };
      case tee.events.TEERegistered.topic: {
        const e = tee.events.TEERegistered.decode(log);
        return { kind: "TEERegistered", teeId: lower(e.teeId), owner: lower(e.owner), teeType: e.teeType };
      }
      case tee.events.TEEDisabled.topic:
        return { kind: "TEEDisabled", teeId: lower(tee.events.TEEDisabled.decode(log).teeId) };
      case tee.events.TEEEnabled.topic:
        return { kind: "TEEEnabled", teeId: lower(tee.events.TEEEnabled.decode(log).teeId) };
      case tee.events.HeartbeatReceived.topic: {
        const e = tee.events.HeartbeatReceived.decode(log);
        return { kind: "HeartbeatReceived", teeId: lower(e.teeId), timestamp: e.timestamp };
      }
    }
  } else if (address === addresses.settlementRelay) {
    switch (topic) {
      case relay.events.IndividualSettlement.topic: {
        const e = relay.events.IndividualSettlement.decode(log);
        return {
          kind: "IndividualSettlement",
          teeId: lower(e.teeId),
          ethAddress: lower(e.ethAddress),
          inputHash: lower(e.inputHash),
          outputHash: lower(e.outputHash),
          timestamp: e.timestamp,
          walrusBlobId: lower(e.walrusBlobId),
          signature: lower(e.signature),
        };
      }
      case relay.events.BatchSettlement.topic: {
        const e = relay.events.BatchSettlement.decode(log);
        return {
          kind: "BatchSettlement",
          merkleRoot: lower(e.merkleRoot),
          batchSize: e.batchSize,
          walrusBlobId: lower(e.walrusBlobId),
        };
      }
    }
  } else if (address === addresses.attestationRegistry) {
    switch (topic) {
      case att.events.StakeDeposited.topic: {
        const e = att.events.StakeDeposited.decode(log);
        return {
          kind: "StakeDeposited",
          nodeId: lower(e.nodeId),
          from: lower(e.from),
          amount: e.amount,
          newTotal: e.newTotal,
        };
      }
      case att.events.WithdrawalRequested.topic: {
        const e = att.events.WithdrawalRequested.decode(log);
        return {
          kind: "WithdrawalRequested",
          nodeId: lower(e.nodeId),
          withdrawalId: e.withdrawalId,
          amount: e.amount,
          unlockAt: e.unlockAt,
        };
      }
      case att.events.WithdrawalCompleted.topic: {
        const e = att.events.WithdrawalCompleted.decode(log);
        return {
          kind: "WithdrawalCompleted",
          nodeId: lower(e.nodeId),
          withdrawalId: e.withdrawalId,
          amount: e.amount,
        };
      }
      case att.events.ModelRegistered.topic: {
        const e = att.events.ModelRegistered.decode(log);
        return {
          kind: "ModelRegistered",
          modelId: lower(e.modelId),
          owner: lower(e.owner),
          mode: enumName(MODES, e.mode, "mode"),
          contentHash: lower(e.contentHash),
          blobId: e.blobId,
          name: e.name,
          version: e.version,
        };
      }
      case att.events.ModelDeprecated.topic:
        return { kind: "ModelDeprecated", modelId: lower(att.events.ModelDeprecated.decode(log).modelId) };
      case att.events.InferenceCommitted.topic: {
        const e = att.events.InferenceCommitted.decode(log);
        return {
          kind: "InferenceCommitted",
          requestId: lower(e.requestId),
          nodeId: lower(e.nodeId),
          modelId: lower(e.modelId),
          mode: enumName(MODES, e.mode, "mode"),
          inputHash: lower(e.inputHash),
          commitment: lower(e.commitment),
          revealDeadline: e.revealDeadline,
        };
      }
      case att.events.InferenceRevealed.topic: {
        const e = att.events.InferenceRevealed.decode(log);
        return {
          kind: "InferenceRevealed",
          requestId: lower(e.requestId),
          nodeId: lower(e.nodeId),
          outputHash: lower(e.outputHash),
          salt: lower(e.salt),
          proofRef: lower(e.proofRef),
        };
      }
      case att.events.InferenceVerified.topic: {
        const e = att.events.InferenceVerified.decode(log);
        return {
          kind: "InferenceVerified",
          requestId: lower(e.requestId),
          nodeId: lower(e.nodeId),
          modelId: lower(e.modelId),
          outcome: enumName(OUTCOMES, e.outcome, "outcome"),
          verifier: lower(e.verifier),
        };
      }
      case att.events.ChallengeOpened.topic: {
        const e = att.events.ChallengeOpened.decode(log);
        return {
          kind: "ChallengeOpened",
          challengeId: e.challengeId,
          requestId: lower(e.requestId),
          challenger: lower(e.challenger),
          bond: e.bond,
          deadline: e.deadline,
        };
      }
      case att.events.ChallengeResolved.topic: {
        const e = att.events.ChallengeResolved.decode(log);
        return {
          kind: "ChallengeResolved",
          challengeId: e.challengeId,
          requestId: lower(e.requestId),
          nodeAtFault: e.nodeAtFault,
          resolver: lower(e.resolver),
          evidenceHash: lower(e.evidenceHash),
        };
      }
      case att.events.NodeSlashed.topic: {
        const e = att.events.NodeSlashed.decode(log);
        return {
          kind: "NodeSlashed",
          nodeId: lower(e.nodeId),
          requestId: lower(e.requestId),
          reason: enumName(REASONS, e.reason, "slash reason"),
          amount: e.amount,
          remainingStake: e.remainingStake,
        };
      }
    }
  }
  throw new Error(`no event of contract ${address} has topic0 ${topic ?? "(none)"}`);
}
