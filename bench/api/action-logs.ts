import { Calls } from "../../devnet/src/simulator/calls.ts";
import type { Action } from "../../devnet/src/simulator/policy/actions.ts";
import { toTransaction } from "../../devnet/src/simulator/transactions.ts";
import type { World } from "../../devnet/src/simulator/world.ts";
import { type EncodedLog, events, type Hex } from "./encode.ts";

// The traffic policy's actions (devnet/src/simulator/policy) as the logs the devnet contracts emit, in the shape
// Subsquid's evm-processor hands the indexer's batch handler (header { height, hash, timestamp in ms }, logs with
// transactionHash, logIndex and, for registrations and heartbeats, the transaction's calldata). Used by the API
// bench's synthetic chain (chain.ts) and by the API tests' fixture network (api/src/testing/network.ts).

export const CONTRACTS = {
  teeRegistry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  settlementRelay: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  attestationRegistry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
} as const;

export interface SynthTransaction {
  hash: string;
  input: string;
  from: string;
  to: string;
}

export interface SynthLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: number;
  transactionIndex: number;
  transactionHash: string;
  transaction?: SynthTransaction;
}

export interface SynthBlock {
  header: { height: number; hash: string; parentHash: string; timestamp: number };
  logs: SynthLog[];
}

/** Builds one block: transactions in order (each hash from `txHash`), logs numbered within the block. */
export class BlockBuilder {
  readonly logs: SynthLog[] = [];
  private txIndex = -1;
  private tx: SynthTransaction = { hash: "", input: "0x", from: "", to: "" };
  constructor(private readonly txHash: () => string) {}

  /** Starts a transaction (its hash the next of `txHash` unless given); its logs follow. */
  begin(from: Hex, to: string, input = "0x", hash = this.txHash()): this {
    this.txIndex++;
    this.tx = { hash, input, from, to };
    return this;
  }

  log(address: string, e: EncodedLog, withTransaction = false): this {
    this.logs.push({
      address,
      topics: e.topics,
      data: e.data,
      logIndex: this.logs.length,
      transactionIndex: this.txIndex,
      transactionHash: this.tx.hash,
      ...(withTransaction ? { transaction: this.tx } : {}),
    });
    return this;
  }
}

const calls = new Calls(CONTRACTS);

/**
 * One action as its transaction's logs, as the devnet contracts emit them. `emitted` is told each event's name
 * (the bench counts them).
 */
export function encodeAction(
  b: BlockBuilder,
  world: World,
  a: Action,
  emitted: (event: string) => void = () => {},
): void {
  const d = world.roles.deployer;
  const tee = CONTRACTS.teeRegistry;
  const att = CONTRACTS.attestationRegistry;
  const relay = CONTRACTS.settlementRelay;
  const emit = (address: string, kind: string, e: EncodedLog, withTransaction = false) => {
    b.log(address, e, withTransaction);
    emitted(kind);
  };
  switch (a.kind) {
    case "grantRole":
    case "setParameters":
      break; // no event the indexer reads
    case "addTEEType":
      b.begin(d, tee);
      emit(tee, "TEETypeAdded", events.teeTypeAdded(a.teeType, a.name));
      break;
    case "approvePCR":
      b.begin(d, tee);
      emit(tee, "PCRApproved", events.pcrApproved(a.pcr.hash, a.pcr.teeType, a.version));
      break;
    case "revokePCR":
      b.begin(d, tee);
      emit(tee, "PCRRevoked", events.pcrRevoked(a.pcr.hash, a.pcr.teeType));
      break;
    case "registerTEE": {
      const [tx] = toTransaction(calls, world, a);
      b.begin(a.node.owner, tee, tx.data);
      emit(
        tee,
        "TEERegistered",
        events.teeRegistered(a.node.id, a.node.owner, a.node.pcr?.teeType ?? 0),
        true,
      );
      break;
    }
    case "disableTEE":
      b.begin(a.node.owner, tee);
      emit(tee, "TEEDisabled", events.teeDisabled(a.node.id));
      break;
    case "enableTEE":
      b.begin(a.node.owner, tee);
      emit(tee, "TEEEnabled", events.teeEnabled(a.node.id));
      break;
    case "heartbeat": {
      const [tx] = toTransaction(calls, world, a);
      b.begin(a.node.owner, tee, tx.data);
      emit(tee, "HeartbeatReceived", events.heartbeat(a.node.id, a.timestamp), true);
      break;
    }
    case "settleIndividual":
      b.begin(d, relay);
      emit(
        relay,
        "IndividualSettlement",
        events.individualSettlement({
          teeId: a.teeId,
          ethAddress: a.user,
          inputHash: a.inputHash,
          outputHash: a.outputHash,
          timestamp: a.signedAt,
          walrusBlobId: a.blob,
          signature: a.signature,
        }),
      );
      break;
    case "batchSettle":
      b.begin(d, relay);
      emit(relay, "BatchSettlement", events.batchSettlement(a.root, a.count, a.data));
      break;
    case "registerModel":
      b.begin(a.model.owner, att);
      emit(att, "ModelRegistered", events.modelRegistered(a.model));
      break;
    case "deprecateModel":
      b.begin(a.model.owner, att);
      emit(att, "ModelDeprecated", events.modelDeprecated(a.model.id));
      break;
    case "deposit":
      b.begin(a.from, att);
      emit(att, "StakeDeposited", events.stakeDeposited(a.node.id, a.from, a.amount, a.total));
      break;
    case "requestWithdrawal":
      b.begin(a.node.operator, att);
      emit(
        att,
        "WithdrawalRequested",
        events.withdrawalRequested(a.node.id, a.withdrawalId, a.amount, a.unlockAt),
      );
      break;
    case "completeWithdrawal":
      b.begin(a.node.operator, att);
      emit(att, "WithdrawalCompleted", events.withdrawalCompleted(a.node.id, a.withdrawalId, a.paid));
      break;
    case "slash":
      b.begin(d, att);
      emit(
        att,
        "NodeSlashed",
        events.nodeSlashed(a.node.id, a.requestId, a.slash.reason, a.slash.taken, a.slash.remaining),
      );
      break;
    case "commit":
      b.begin(a.node.operator, att);
      emit(
        att,
        "InferenceCommitted",
        events.inferenceCommitted({
          requestId: a.requestId,
          nodeId: a.node.id,
          modelId: a.model.id,
          mode: a.model.mode,
          inputHash: a.inputHash,
          commitment: a.commitment,
          revealDeadline: a.revealDeadline,
        }),
      );
      break;
    case "reveal":
      b.begin(a.node.operator, att);
      emit(
        att,
        "InferenceRevealed",
        events.inferenceRevealed(a.requestId, a.node.id, a.outputHash, a.salt, a.proofRef),
      );
      break;
    case "verify":
      b.begin(d, att);
      emit(
        att,
        "InferenceVerified",
        events.inferenceVerified(a.requestId, a.node.id, a.model.id, a.outcome, d),
      );
      break;
    case "expire": {
      const keeper = world.roles.keeper;
      b.begin(keeper, att);
      emit(
        att,
        "InferenceVerified",
        events.inferenceVerified(a.requestId, a.node.id, a.model.id, "EXPIRED", keeper),
      );
      const s = a.slash;
      emit(att, "NodeSlashed", events.nodeSlashed(a.node.id, a.requestId, s.reason, s.taken, s.remaining));
      break;
    }
    case "openChallenge":
      b.begin(a.challenger, att);
      emit(
        att,
        "ChallengeOpened",
        events.challengeOpened(a.challengeId, a.requestId, a.challenger, a.bond, a.deadline),
      );
      break;
    case "resolveChallenge": {
      b.begin(d, att);
      emit(
        att,
        "ChallengeResolved",
        events.challengeResolved(a.challengeId, a.requestId, a.nodeAtFault, d, a.evidence),
      );
      const s = a.slash;
      if (s)
        emit(att, "NodeSlashed", events.nodeSlashed(a.node.id, a.requestId, s.reason, s.taken, s.remaining));
      break;
    }
  }
}
