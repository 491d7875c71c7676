// Shapes of the API's answers as the explorer selects them (spec/api.graphql).

export type Check = "PASS" | "FAIL" | "UNKNOWN" | "NOT_APPLICABLE";
export type Mode = "VANILLA" | "ZKML" | "TEE";
export type InferenceStatus = "COMMITTED" | "REVEALED" | "VERIFIED" | "FAILED" | "EXPIRED";
export type Interval = "MINUTE" | "HOUR" | "DAY" | "WEEK";

export interface BlockRef {
  number: number;
  hash: string;
  timestamp: string;
  txHash: string;
  logIndex: number;
  finalized: boolean;
}

export interface Reputation {
  score: number;
  lowerBound: number;
  upperBound: number;
  successRate: number | null;
  effectiveSamples: number;
  decayedSlashes: number;
  slashFactor: number;
  provisional: boolean;
  asOf: string;
  formulaVersion: string;
}

export interface NodeCounts {
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
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

export interface InferenceRow {
  id: string;
  mode: Mode;
  status: InferenceStatus;
  discrepancy: boolean;
  revealDeadline: string;
  node: { id: string };
  model: { id: string; name: string; version: string };
  committed: BlockRef;
  revealed: { number: number; finalized: boolean } | null;
  settled: { number: number; finalized: boolean } | null;
  checks: { commitment: Check; revealOnTime: Check; teeSignature: Check; pcrValid: Check };
}

export interface SettlementRow {
  id: string;
  teeId: string;
  node: { id: string } | null;
  ethAddress: string;
  inputHash: string;
  outputHash: string;
  timestampSeconds: string;
  timestamp: string | null;
  block: BlockRef;
  checks: { signature: Check; freshness: Check; teeEnabled: Check; pcrValid: Check };
}

export interface SlashRow {
  id: string;
  node: { id: string };
  inference: { id: string } | null;
  reason: string;
  amount: string;
  remainingStake: string;
  block: BlockRef;
}

export interface IndexerStatus {
  height: number;
  hash: string | null;
  timestamp: string | null;
  finalizedHeight: number | null;
  chainHeight: number | null;
  lagBlocks: number | null;
  reorgedBlocks: number;
}

export type AttestationFormat = "NITRO" | "DEVNET" | "UNRECOGNIZED" | "NONE";

/** The indexer's own verification of a TEE registration's attestation document (Node.attestation). */
export interface Attestation {
  status: Check;
  reason: string | null;
  format: AttestationFormat;
  moduleId: string | null;
  timestamp: string | null;
  pcr0: string | null;
  pcr1: string | null;
  pcr2: string | null;
  pcrHash: string | null;
  /** Leaf first, then the CA bundle towards the root. */
  certificates: { subject: string; notBefore: string; notAfter: string }[];
  userData: string | null;
  /** The raw document from the registration calldata (what the browser re-verifies); null when not in calldata. */
  document: string | null;
  tlsCertificate: string | null;
  /** The registration that carried the document. */
  registered: BlockRef | null;
}

/** The contracts the indexer reads (IndexerStatus.contracts); attestationRegistry null on a two-contract network. */
export interface IndexedContracts {
  teeRegistry: string;
  settlementRelay: string;
  attestationRegistry: string | null;
}
