// What resolvers receive as parents: rows of the indexer's tables (../schema.graphql, TypeORM snake_case names)
// mapped to the public types' field names. Computed fields (reputation, uptime7d, finalized, lists) have
// resolvers. `__typename` lets the SearchResult union resolve.

export type CheckValue = "PASS" | "FAIL" | "UNKNOWN" | "NOT_APPLICABLE";
export type ModeValue = "VANILLA" | "ZKML" | "TEE";
export type StatusValue = "COMMITTED" | "REVEALED" | "VERIFIED" | "FAILED" | "EXPIRED";
export type SlashReasonValue =
  | "INVALID_PROOF"
  | "REVEAL_MISMATCH"
  | "REVEAL_TIMEOUT"
  | "LOST_DISPUTE"
  | "PCR_REVOKED"
  | "EQUIVOCATION";

export interface BlockRefModel {
  number: number;
  hash: string;
  timestamp: Date;
  txHash: string;
  logIndex: number;
}

/** Decayed rep-v1 state of a row (packages/rep-v1/src/decayed-state.ts). */
export interface RepState {
  ref_time: number;
  s: number | string;
  n: number | string;
  d: number | string;
}

export interface NodeModel {
  __typename: "Node";
  id: string;
  owner: string | null;
  operator: string | null;
  teeType: number | null;
  endpoint: string | null;
  paymentAddress: string | null;
  publicKey: string | null;
  pcrHash: string | null;
  enabled: boolean;
  registered: BlockRefModel | null;
  lastHeartbeatAt: Date | null;
  stake: string;
  pendingWithdrawals: string;
  totalSlashed: string;
  counts: {
    committed: number;
    revealed: number;
    verified: number;
    failed: number;
    expired: number;
    challenged: number;
    disputesLost: number;
    slashes: number;
    settlements: number;
    settlementSignatureFailures: number;
    discrepancies: number;
  };
  rep: RepState;
}

export interface ModelModel {
  __typename: "Model";
  id: string;
  owner: string | null;
  name: string;
  version: string;
  mode: ModeValue;
  contentHash: string | null;
  blobId: string;
  deprecated: boolean;
  registered: BlockRefModel | null;
  counts: { inferences: number; verified: number; failed: number; expired: number; discrepancies: number };
  rep: RepState;
}

export interface InferenceModel {
  __typename: "Inference";
  id: string;
  nodeId: string;
  modelId: string;
  settlementId: string | null;
  mode: ModeValue;
  status: StatusValue;
  inputHash: string;
  commitment: string;
  outputHash: string | null;
  salt: string | null;
  proofRef: string | null;
  revealDeadline: Date;
  committed: BlockRefModel;
  revealed: BlockRefModel | null;
  settled: BlockRefModel | null;
  verifier: string | null;
  checks: {
    commitment: CheckValue;
    revealOnTime: CheckValue;
    teeSignature: CheckValue;
    pcrValid: CheckValue;
  };
  discrepancy: boolean;
}

export interface SettlementModel {
  __typename: "Settlement";
  id: string;
  teeId: string;
  nodeId: string | null;
  ethAddress: string;
  inputHash: string;
  outputHash: string;
  timestampSeconds: string;
  timestamp: Date | null;
  walrusBlobId: string;
  signature: string;
  block: BlockRefModel;
  checks: { signature: CheckValue; freshness: CheckValue; teeEnabled: CheckValue; pcrValid: CheckValue };
}

export interface BatchSettlementModel {
  id: string;
  merkleRoot: string;
  batchSize: string;
  walrusBlobId: string;
  block: BlockRefModel;
}

export interface SlashModel {
  __typename: "Slash";
  id: string;
  nodeId: string;
  inferenceId: string | null;
  reason: SlashReasonValue;
  amount: string;
  remainingStake: string;
  block: BlockRefModel;
}

export interface ChallengeModel {
  id: string;
  inferenceId: string;
  nodeId: string;
  challenger: string;
  bond: string;
  deadline: Date;
  opened: BlockRefModel;
  resolved: BlockRefModel | null;
  nodeAtFault: boolean | null;
  evidenceHash: string | null;
}

export interface ReputationModel {
  score: number;
  lowerBound: number;
  upperBound: number;
  successRate: number | null;
  effectiveSamples: number;
  decayedSlashes: number;
  slashFactor: number;
  provisional: boolean;
  asOf: Date;
  formulaVersion: string;
}

export interface IndexedContractsModel {
  teeRegistry: string;
  settlementRelay: string;
  attestationRegistry: string | null;
}

export interface AttestationModel {
  /** The TEE id. */
  id: string;
  status: CheckValue;
  reason: string | null;
  format: "NITRO" | "DEVNET" | "UNRECOGNIZED" | "NONE";
  moduleId: string | null;
  timestamp: Date | null;
  pcr0: string | null;
  pcr1: string | null;
  pcr2: string | null;
  pcrHash: string | null;
  certificates: { subject: string; notBefore: string; notAfter: string }[];
  userData: string | null;
  document: string | null;
  tlsCertificate: string | null;
  registered: BlockRefModel;
}

export interface IndexerStatusModel {
  /** null before the indexer wrote its position (or when it wrote no addresses). */
  contracts: IndexedContractsModel | null;
  height: number;
  hash: string | null;
  timestamp: Date | null;
  finalizedHeight: number | null;
  chainHeight: number | null;
  lagBlocks: number | null;
  reorgedBlocks: number;
  updatedAt: Date | null;
}

export interface PageInfoModel {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface ConnectionModel<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfoModel;
  totalCount: () => Promise<number>;
}

export type NodeConnectionModel = ConnectionModel<NodeModel>;
export type ModelConnectionModel = ConnectionModel<ModelModel>;
export type InferenceConnectionModel = ConnectionModel<InferenceModel>;
export type SettlementConnectionModel = ConnectionModel<SettlementModel>;
export type BatchSettlementConnectionModel = ConnectionModel<BatchSettlementModel>;
export type SlashConnectionModel = ConnectionModel<SlashModel>;
export type ChallengeConnectionModel = ConnectionModel<ChallengeModel>;
