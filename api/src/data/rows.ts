import type {
  BatchSettlementModel,
  BlockRefModel,
  ChallengeModel,
  CheckValue,
  InferenceModel,
  ModelModel,
  ModeValue,
  NodeModel,
  SettlementModel,
  SlashModel,
  SlashReasonValue,
  StatusValue,
} from "./models.ts";

// Rows as pg returns them (int4 → number, numeric → string, timestamptz → Date) and their mapping to models.
// Table and column names follow TypeORM's snake_case naming of the root schema.graphql.

interface BlockColumns {
  block: number;
  block_hash: string;
  at: Date;
  tx: string;
  log_index: number;
}

export function blockRef(
  number: number,
  hash: string,
  at: Date,
  tx: string,
  logIndex: number,
): BlockRefModel {
  return { number, hash, timestamp: at, txHash: tx, logIndex };
}

function optionalBlockRef(
  number: number | null,
  hash: string | null,
  at: Date | null,
  tx: string | null,
  logIndex: number | null,
): BlockRefModel | null {
  if (number === null || hash === null || at === null || tx === null || logIndex === null) return null;
  return blockRef(number, hash, at, tx, logIndex);
}

export interface NodeRow {
  id: string;
  owner: string | null;
  operator: string | null;
  tee_type: number | null;
  endpoint: string | null;
  payment_address: string | null;
  public_key: string | null;
  pcr_hash: string | null;
  enabled: boolean;
  registered_block: number | null;
  registered_block_hash: string | null;
  registered_at: Date | null;
  registered_tx: string | null;
  registered_log_index: number | null;
  last_heartbeat_at: Date | null;
  stake: string;
  pending_withdrawals: string;
  total_slashed: string;
  committed: number;
  revealed: number;
  verified: number;
  failed: number;
  expired: number;
  challenged: number;
  disputes_lost: number;
  slashes: number;
  settlements: number;
  settlement_signature_failures: number;
  discrepancies: number;
  rep_ref_time: number;
  rep_s: string;
  rep_n: string;
  rep_d: string;
}

export function nodeFromRow(r: NodeRow): NodeModel {
  return {
    __typename: "Node",
    id: r.id,
    owner: r.owner,
    operator: r.operator,
    teeType: r.tee_type,
    endpoint: r.endpoint,
    paymentAddress: r.payment_address,
    publicKey: r.public_key,
    pcrHash: r.pcr_hash,
    enabled: r.enabled,
    registered: optionalBlockRef(
      r.registered_block,
      r.registered_block_hash,
      r.registered_at,
      r.registered_tx,
      r.registered_log_index,
    ),
    lastHeartbeatAt: r.last_heartbeat_at,
    stake: r.stake,
    pendingWithdrawals: r.pending_withdrawals,
    totalSlashed: r.total_slashed,
    counts: {
      committed: r.committed,
      revealed: r.revealed,
      verified: r.verified,
      failed: r.failed,
      expired: r.expired,
      challenged: r.challenged,
      disputesLost: r.disputes_lost,
      slashes: r.slashes,
      settlements: r.settlements,
      settlementSignatureFailures: r.settlement_signature_failures,
      discrepancies: r.discrepancies,
    },
    rep: { ref_time: r.rep_ref_time, s: r.rep_s, n: r.rep_n, d: r.rep_d },
  };
}

export interface ModelRow {
  id: string;
  owner: string | null;
  name: string;
  version: string;
  mode: ModeValue;
  content_hash: string | null;
  blob_id: string;
  deprecated: boolean;
  registered_block: number | null;
  registered_block_hash: string | null;
  registered_at: Date | null;
  registered_tx: string | null;
  registered_log_index: number | null;
  inferences: number;
  verified: number;
  failed: number;
  expired: number;
  discrepancies: number;
  rep_ref_time: number;
  rep_s: string;
  rep_n: string;
}

export function modelFromRow(r: ModelRow): ModelModel {
  return {
    __typename: "Model",
    id: r.id,
    owner: r.owner,
    name: r.name,
    version: r.version,
    mode: r.mode,
    contentHash: r.content_hash,
    blobId: r.blob_id,
    deprecated: r.deprecated,
    registered: optionalBlockRef(
      r.registered_block,
      r.registered_block_hash,
      r.registered_at,
      r.registered_tx,
      r.registered_log_index,
    ),
    counts: {
      inferences: r.inferences,
      verified: r.verified,
      failed: r.failed,
      expired: r.expired,
      discrepancies: r.discrepancies,
    },
    rep: { ref_time: r.rep_ref_time, s: r.rep_s, n: r.rep_n, d: 0 },
  };
}

export interface InferenceRow {
  id: string;
  node_id: string;
  model_id: string;
  settlement_id: string | null;
  mode: ModeValue;
  status: StatusValue;
  input_hash: string;
  commitment: string;
  output_hash: string | null;
  salt: string | null;
  proof_ref: string | null;
  reveal_deadline: Date;
  committed_block: number;
  committed_block_hash: string;
  committed_at: Date;
  committed_tx: string;
  committed_log_index: number;
  revealed_block: number | null;
  revealed_block_hash: string | null;
  revealed_at: Date | null;
  revealed_tx: string | null;
  revealed_log_index: number | null;
  settled_block: number | null;
  settled_block_hash: string | null;
  settled_at: Date | null;
  settled_tx: string | null;
  settled_log_index: number | null;
  verifier: string | null;
  commitment_check: CheckValue;
  reveal_on_time_check: CheckValue;
  tee_signature_check: CheckValue;
  pcr_valid_check: CheckValue;
  discrepancy: boolean;
}

/**
 * The columns of `inference` that InferenceRow holds, for the API's inference statements (`inferenceColumns`):
 * the rows are read without what only the indexer uses (link key, PCR hash, reputation bookkeeping), a fifth of
 * a row's bytes and of pg's parsing. A Record over InferenceRow's keys, so a field added there and not here does
 * not compile.
 */
const INFERENCE_COLUMNS = Object.keys({
  id: true,
  node_id: true,
  model_id: true,
  settlement_id: true,
  mode: true,
  status: true,
  input_hash: true,
  commitment: true,
  output_hash: true,
  salt: true,
  proof_ref: true,
  reveal_deadline: true,
  committed_block: true,
  committed_block_hash: true,
  committed_at: true,
  committed_tx: true,
  committed_log_index: true,
  revealed_block: true,
  revealed_block_hash: true,
  revealed_at: true,
  revealed_tx: true,
  revealed_log_index: true,
  settled_block: true,
  settled_block_hash: true,
  settled_at: true,
  settled_tx: true,
  settled_log_index: true,
  verifier: true,
  commitment_check: true,
  reveal_on_time_check: true,
  tee_signature_check: true,
  pcr_valid_check: true,
  discrepancy: true,
} satisfies Record<keyof InferenceRow, true>);

/** The select list of InferenceRow's columns of the inference table under `alias`. */
export function inferenceColumns(alias: string): string {
  return INFERENCE_COLUMNS.map((c) => `${alias}.${c}`).join(", ");
}

export function inferenceFromRow(r: InferenceRow): InferenceModel {
  return {
    __typename: "Inference",
    id: r.id,
    nodeId: r.node_id,
    modelId: r.model_id,
    settlementId: r.settlement_id,
    mode: r.mode,
    status: r.status,
    inputHash: r.input_hash,
    commitment: r.commitment,
    outputHash: r.output_hash,
    salt: r.salt,
    proofRef: r.proof_ref,
    revealDeadline: r.reveal_deadline,
    committed: blockRef(
      r.committed_block,
      r.committed_block_hash,
      r.committed_at,
      r.committed_tx,
      r.committed_log_index,
    ),
    revealed: optionalBlockRef(
      r.revealed_block,
      r.revealed_block_hash,
      r.revealed_at,
      r.revealed_tx,
      r.revealed_log_index,
    ),
    settled: optionalBlockRef(
      r.settled_block,
      r.settled_block_hash,
      r.settled_at,
      r.settled_tx,
      r.settled_log_index,
    ),
    verifier: r.verifier,
    checks: {
      commitment: r.commitment_check,
      revealOnTime: r.reveal_on_time_check,
      teeSignature: r.tee_signature_check,
      pcrValid: r.pcr_valid_check,
    },
    discrepancy: r.discrepancy,
  };
}

/** The latest second a DateTime can hold: 9999-12-31T23:59:59Z (spec/README.md). */
export const MAX_DATE_TIME_SECONDS = 253_402_300_799n;

export interface SettlementRow extends BlockColumns {
  id: string;
  tee_id: string;
  node_id: string | null;
  eth_address: string;
  input_hash: string;
  output_hash: string;
  timestamp_seconds: string;
  walrus_blob_id: string;
  signature: string;
  signature_check: CheckValue;
  freshness_check: CheckValue;
  tee_enabled_check: CheckValue;
  pcr_valid_check: CheckValue;
}

export function settlementTimestamp(seconds: string): Date | null {
  const s = BigInt(seconds);
  return s > MAX_DATE_TIME_SECONDS || s < 0n ? null : new Date(Number(s) * 1000);
}

export function settlementFromRow(r: SettlementRow): SettlementModel {
  return {
    __typename: "Settlement",
    id: r.id,
    teeId: r.tee_id,
    nodeId: r.node_id,
    ethAddress: r.eth_address,
    inputHash: r.input_hash,
    outputHash: r.output_hash,
    timestampSeconds: r.timestamp_seconds,
    timestamp: settlementTimestamp(r.timestamp_seconds),
    walrusBlobId: r.walrus_blob_id,
    signature: r.signature,
    block: blockRef(r.block, r.block_hash, r.at, r.tx, r.log_index),
    checks: {
      signature: r.signature_check,
      freshness: r.freshness_check,
      teeEnabled: r.tee_enabled_check,
      pcrValid: r.pcr_valid_check,
    },
  };
}

export interface BatchSettlementRow extends BlockColumns {
  id: string;
  merkle_root: string;
  batch_size: string;
  walrus_blob_id: string;
}

export function batchSettlementFromRow(r: BatchSettlementRow): BatchSettlementModel {
  return {
    id: r.id,
    merkleRoot: r.merkle_root,
    batchSize: r.batch_size,
    walrusBlobId: r.walrus_blob_id,
    block: blockRef(r.block, r.block_hash, r.at, r.tx, r.log_index),
  };
}

export interface SlashRow extends BlockColumns {
  id: string;
  node_id: string;
  inference_id: string | null;
  reason: SlashReasonValue;
  amount: string;
  remaining_stake: string;
}

export function slashFromRow(r: SlashRow): SlashModel {
  return {
    __typename: "Slash",
    id: r.id,
    nodeId: r.node_id,
    inferenceId: r.inference_id,
    reason: r.reason,
    amount: r.amount,
    remainingStake: r.remaining_stake,
    block: blockRef(r.block, r.block_hash, r.at, r.tx, r.log_index),
  };
}

export interface ChallengeRow {
  id: string;
  inference_id: string;
  node_id: string;
  challenger: string;
  bond: string;
  deadline: Date;
  opened_block: number;
  opened_block_hash: string;
  opened_at: Date;
  opened_tx: string;
  opened_log_index: number;
  resolved_block: number | null;
  resolved_block_hash: string | null;
  resolved_at: Date | null;
  resolved_tx: string | null;
  resolved_log_index: number | null;
  node_at_fault: boolean | null;
  evidence_hash: string | null;
}

export function challengeFromRow(r: ChallengeRow): ChallengeModel {
  return {
    id: r.id,
    inferenceId: r.inference_id,
    nodeId: r.node_id,
    challenger: r.challenger,
    bond: r.bond,
    deadline: r.deadline,
    opened: blockRef(r.opened_block, r.opened_block_hash, r.opened_at, r.opened_tx, r.opened_log_index),
    resolved: optionalBlockRef(
      r.resolved_block,
      r.resolved_block_hash,
      r.resolved_at,
      r.resolved_tx,
      r.resolved_log_index,
    ),
    nodeAtFault: r.node_at_fault,
    evidenceHash: r.evidence_hash,
  };
}
