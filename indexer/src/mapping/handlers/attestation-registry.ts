import { linkKey, pcrValidInferenceCheck } from "@attestation-explorer/checks";
import type { Hex } from "viem";
import {
  Challenge,
  Check,
  Inference,
  InferenceStatus,
  InferenceVerdict,
  type Node,
  Outcome,
  Slash,
  SlashReason,
  StakeChange,
  StakeChangeKind,
  VerificationMode,
  Withdrawal,
} from "../../model";
import type { Position } from "../decode-logs";
import { applyEffects, modelReputation, mutate, nodeReputation } from "../inference-effects";
import { type BatchState, blockFields, byPosition, type Ev, rowId } from "../state";
import type { Handlers } from "./types";

const OUTCOME_STATUS: Record<Outcome, InferenceStatus> = {
  [Outcome.VERIFIED]: InferenceStatus.VERIFIED,
  [Outcome.FAILED]: InferenceStatus.FAILED,
  [Outcome.EXPIRED]: InferenceStatus.EXPIRED,
};

/** The attestation registry's events (contracts/src/AttestationRegistry.sol): stake, models, inferences, challenges. */
export const attestationRegistryHandlers: Handlers<
  | "StakeDeposited"
  | "WithdrawalRequested"
  | "WithdrawalCompleted"
  | "NodeSlashed"
  | "ModelRegistered"
  | "ModelDeprecated"
  | "InferenceCommitted"
  | "InferenceRevealed"
  | "InferenceVerified"
  | "ChallengeOpened"
  | "ChallengeResolved"
> = {
  StakeDeposited: onDeposit,
  WithdrawalRequested: onWithdrawalRequested,
  WithdrawalCompleted: onWithdrawalCompleted,
  NodeSlashed: onSlashed,
  ModelRegistered: onModelRegistered,
  ModelDeprecated: onModelDeprecated,
  InferenceCommitted: onCommitted,
  InferenceRevealed: onRevealed,
  InferenceVerified: onVerified,
  ChallengeOpened: onChallengeOpened,
  ChallengeResolved: onChallengeResolved,
};

function setStake(state: BatchState, node: Node, stake: bigint): void {
  state.network.totalStake += stake - node.stake;
  node.stake = stake;
}

function stakeChange(
  state: BatchState,
  node: Node,
  kind: StakeChangeKind,
  amount: bigint,
  pos: Position,
  from: string | null = null,
): void {
  state.inserts.stakeChanges.push(
    new StakeChange({
      id: rowId(pos),
      node,
      kind,
      amount,
      from,
      stakeAfter: node.stake,
      pendingAfter: node.pendingWithdrawals,
      ...blockFields(pos),
    }),
  );
  state.dirty.nodes.add(node);
}

function onDeposit(state: BatchState, e: Ev<"StakeDeposited">): void {
  const node = state.node(e.nodeId, e.pos);
  if (!node.operator) node.operator = e.from;
  setStake(state, node, e.newTotal);
  stakeChange(state, node, StakeChangeKind.DEPOSIT, e.amount, e.pos, e.from);
}

function onWithdrawalRequested(state: BatchState, e: Ev<"WithdrawalRequested">): void {
  const node = state.node(e.nodeId, e.pos);
  node.pendingWithdrawals += e.amount;
  const w = new Withdrawal({
    id: e.withdrawalId.toString(),
    node,
    amount: e.amount,
    unlockAt: new Date(Number(e.unlockAt) * 1000),
    requestedBlock: e.pos.block,
    requestedAt: e.pos.at,
    requestedTx: e.pos.tx,
    completedBlock: null,
    completedAt: null,
    completedTx: null,
    paid: null,
  });
  state.withdrawals.set(w.id, w);
  state.dirty.withdrawals.add(w);
  stakeChange(state, node, StakeChangeKind.WITHDRAWAL_REQUESTED, e.amount, e.pos);
}

function onWithdrawalCompleted(state: BatchState, e: Ev<"WithdrawalCompleted">): void {
  const node = state.node(e.nodeId, e.pos);
  const w = state.withdrawals.get(e.withdrawalId.toString());
  setStake(state, node, node.stake - e.amount > 0n ? node.stake - e.amount : 0n);
  // pendingWithdrawals holds requested amounts: the request leaves it whole, whatever was paid.
  const requested = w?.amount ?? e.amount;
  node.pendingWithdrawals = node.pendingWithdrawals > requested ? node.pendingWithdrawals - requested : 0n;
  if (w) {
    w.completedBlock = e.pos.block;
    w.completedAt = e.pos.at;
    w.completedTx = e.pos.tx;
    w.paid = e.amount;
    state.dirty.withdrawals.add(w);
  }
  stakeChange(state, node, StakeChangeKind.WITHDRAWAL_COMPLETED, e.amount, e.pos);
}

function onSlashed(state: BatchState, e: Ev<"NodeSlashed">): void {
  const node = state.node(e.nodeId, e.pos);
  setStake(state, node, e.remainingStake);
  node.totalSlashed += e.amount;
  node.slashes++;
  state.network.totalSlashed += e.amount;
  state.network.slashes++;
  state.agg.slashed(e.pos.ts, node.id, e.amount);
  nodeReputation(state, node, "slash", e.pos.ts, +1);
  state.inserts.slashes.push(
    new Slash({
      id: rowId(e.pos),
      node,
      inference: state.inferences.get(e.requestId) ?? null,
      requestId: e.requestId,
      reason: SlashReason[e.reason],
      amount: e.amount,
      remainingStake: e.remainingStake,
      ...blockFields(e.pos),
    }),
  );
  stakeChange(state, node, StakeChangeKind.SLASH, e.amount, e.pos);
}

function onModelRegistered(state: BatchState, e: Ev<"ModelRegistered">): void {
  const m = state.model(e.modelId, VerificationMode[e.mode], e.pos);
  m.owner = e.owner;
  m.name = e.name;
  m.version = e.version;
  m.mode = VerificationMode[e.mode];
  m.contentHash = e.contentHash;
  m.blobId = e.blobId;
  m.registeredBlock = e.pos.block;
  m.registeredBlockHash = e.pos.blockHash;
  m.registeredAt = e.pos.at;
  m.registeredTx = e.pos.tx;
  m.registeredLogIndex = e.pos.logIndex;
  state.dirty.models.add(m);
}

function onModelDeprecated(state: BatchState, e: Ev<"ModelDeprecated">): void {
  const m = state.model(e.modelId, VerificationMode.VANILLA, e.pos);
  m.deprecated = true;
  m.deprecatedBlock = e.pos.block;
  state.dirty.models.add(m);
}

function onCommitted(state: BatchState, e: Ev<"InferenceCommitted">): void {
  if (state.inferences.has(e.requestId)) {
    state.unusable(e, `request ${e.requestId} was already committed`);
    return;
  }
  const node = state.node(e.nodeId, e.pos);
  const mode = VerificationMode[e.mode];
  const model = state.model(e.modelId, mode, e.pos);
  const tee = mode === VerificationMode.TEE;
  const inf = new Inference({
    id: e.requestId,
    node,
    model,
    mode,
    status: InferenceStatus.COMMITTED,
    outcome: null,
    inputHash: e.inputHash,
    commitment: e.commitment,
    outputHash: null,
    salt: null,
    proofRef: null,
    revealDeadline: new Date(Number(e.revealDeadline) * 1000),
    committedBlock: e.pos.block,
    committedBlockHash: e.pos.blockHash,
    committedAt: e.pos.at,
    committedTx: e.pos.tx,
    committedLogIndex: e.pos.logIndex,
    revealedBlock: null,
    revealedBlockHash: null,
    revealedAt: null,
    revealedTx: null,
    revealedLogIndex: null,
    settledBlock: null,
    settledBlockHash: null,
    settledAt: null,
    settledTx: null,
    settledLogIndex: null,
    verifier: null,
    lastEventBlock: e.pos.block,
    pcrHash: tee ? node.pcrHash : null,
    teeType: tee ? node.teeType : null,
    commitmentCheck: Check.NOT_APPLICABLE,
    revealOnTimeCheck: Check.NOT_APPLICABLE,
    teeSignatureCheck: Check.NOT_APPLICABLE,
    pcrValidCheck: pcrValidInferenceCheck({
      mode,
      teeRegistered: node.registeredBlock != null,
      pcrApprovedAtBlock: state.pcrApprovalOf(node, e.pos.ts),
      revokedSince: false,
    }) as Check,
    discrepancy: false,
    settlement: null,
    linkKey: null,
    repKind: null,
    repTime: null,
  });
  state.inferences.set(inf.id, inf);
  node.committed++;
  model.inferences++;
  state.network.inferences++;
  if (mode === VerificationMode.VANILLA) state.network.inferencesVanilla++;
  else if (mode === VerificationMode.ZKML) state.network.inferencesZkml++;
  else state.network.inferencesTee++;
  state.agg.committed(e.pos.ts, e.pos.at, node, model, mode);
  state.dirty.nodes.add(node);
  state.dirty.models.add(model);
  applyEffects(state, inf);
}

function onRevealed(state: BatchState, e: Ev<"InferenceRevealed">): void {
  const inf = state.inferences.get(e.requestId);
  if (!inf) {
    state.unusable(e, `reveal of request ${e.requestId}, which was never committed`);
    return;
  }
  mutate(state, inf, () => {
    inf.outputHash = e.outputHash;
    inf.salt = e.salt;
    inf.proofRef = e.proofRef;
    inf.revealedBlock = e.pos.block;
    inf.revealedBlockHash = e.pos.blockHash;
    inf.revealedAt = e.pos.at;
    inf.revealedTx = e.pos.tx;
    inf.revealedLogIndex = e.pos.logIndex;
    inf.lastEventBlock = e.pos.block;
    if (inf.status === InferenceStatus.COMMITTED) inf.status = InferenceStatus.REVEALED;
    if (inf.mode === VerificationMode.TEE) {
      inf.linkKey = linkKey(inf.node.id as Hex, inf.inputHash as Hex, e.outputHash as Hex);
      state.push(state.inferencesByLink, inf.linkKey, inf);
      const candidates = (state.settlementsByLink.get(inf.linkKey) ?? []).filter(
        (s) => s.teeId === inf.node.id,
      );
      inf.settlement = candidates.sort(byPosition)[0] ?? null;
    }
  });
  inf.node.revealed++;
  state.dirty.nodes.add(inf.node);
}

function onVerified(state: BatchState, e: Ev<"InferenceVerified">): void {
  const inf = state.inferences.get(e.requestId);
  if (!inf) {
    state.unusable(e, `verdict on request ${e.requestId}, which was never committed`);
    return;
  }
  const outcome = Outcome[e.outcome];
  state.inserts.verdicts.push(
    new InferenceVerdict({
      id: rowId(e.pos),
      inference: inf,
      outcome,
      verifier: e.verifier,
      ...blockFields(e.pos),
    }),
  );
  mutate(state, inf, () => {
    inf.status = OUTCOME_STATUS[outcome];
    inf.outcome = outcome;
    inf.verifier = e.verifier;
    inf.settledBlock = e.pos.block;
    inf.settledBlockHash = e.pos.blockHash;
    inf.settledAt = e.pos.at;
    inf.settledTx = e.pos.tx;
    inf.settledLogIndex = e.pos.logIndex;
    inf.lastEventBlock = e.pos.block;
  });
}

function onChallengeOpened(state: BatchState, e: Ev<"ChallengeOpened">): void {
  const inf = state.inferences.get(e.requestId);
  if (!inf) {
    state.unusable(e, `challenge of request ${e.requestId}, which was never committed`);
    return;
  }
  const c = new Challenge({
    id: e.challengeId.toString(),
    inference: inf,
    node: inf.node,
    challenger: e.challenger,
    bond: e.bond,
    deadline: new Date(Number(e.deadline) * 1000),
    openedBlock: e.pos.block,
    openedBlockHash: e.pos.blockHash,
    openedAt: e.pos.at,
    openedTx: e.pos.tx,
    openedLogIndex: e.pos.logIndex,
    resolvedBlock: null,
    resolvedBlockHash: null,
    resolvedAt: null,
    resolvedTx: null,
    resolvedLogIndex: null,
    nodeAtFault: null,
    resolver: null,
    evidenceHash: null,
  });
  state.challenges.set(c.id, c);
  state.dirty.challenges.add(c);
  inf.node.challenged++;
  state.dirty.nodes.add(inf.node);
}

function onChallengeResolved(state: BatchState, e: Ev<"ChallengeResolved">): void {
  const c = state.challenges.get(e.challengeId.toString());
  const inf = state.inferences.get(e.requestId);
  if (!c || !inf) {
    state.unusable(e, `resolution of challenge ${e.challengeId}, which was never opened`);
    return;
  }
  c.resolvedBlock = e.pos.block;
  c.resolvedBlockHash = e.pos.blockHash;
  c.resolvedAt = e.pos.at;
  c.resolvedTx = e.pos.tx;
  c.resolvedLogIndex = e.pos.logIndex;
  c.nodeAtFault = e.nodeAtFault;
  c.resolver = e.resolver;
  c.evidenceHash = e.evidenceHash;
  state.dirty.challenges.add(c);
  if (e.nodeAtFault) {
    inf.node.disputesLost++;
    state.dirty.nodes.add(inf.node);
    nodeReputation(state, inf.node, "dispute_lost", e.pos.ts, +1);
    modelReputation(state, inf.model, "dispute_lost", e.pos.ts, +1);
  }
}
