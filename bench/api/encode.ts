import { createRequire } from "node:module";
import type * as AttestationAbi from "../../indexer/src/abi/AttestationRegistry.ts";
import type * as RelayAbi from "../../indexer/src/abi/InferenceSettlementRelay.ts";
import type * as TeeAbi from "../../indexer/src/abi/TEERegistry.ts";

// ABI encoding of the three contracts' events, by hand: millions of logs, and every one of them is static words
// plus at most a few dynamic byte strings. The topics come from the indexer's own ABI modules (compiled), and
// the indexer decodes every log with them again, so a mistake here shows up as undecodable logs (the seeding
// fails when there is any).

const require = createRequire(import.meta.url);
const att = require("../../indexer/lib/abi/AttestationRegistry.js") as typeof AttestationAbi;
const relay = require("../../indexer/lib/abi/InferenceSettlementRelay.js") as typeof RelayAbi;
const tee = require("../../indexer/lib/abi/TEERegistry.js") as typeof TeeAbi;

export type Hex = `0x${string}`;

export interface EncodedLog {
  topics: string[];
  data: string;
}

const ZERO_WORD = "0".repeat(64);

/** One 32-byte word (64 hex digits, no 0x) for each static type. */
export const w = {
  b32: (x: string) => x.slice(2),
  uint: (v: bigint | number) => v.toString(16).padStart(64, "0"),
  addr: (a: string) => a.slice(2).padStart(64, "0"),
  bool: (b: boolean) => (b ? `${ZERO_WORD.slice(1)}1` : ZERO_WORD),
};

type Part = { word: string } | { bytes: string };

/** abi.encode of a tuple: static words in place, dynamic `bytes` (hex without 0x) as offset + tail. */
function tuple(parts: Part[]): string {
  let head = "";
  let tail = "";
  const headBytes = parts.length * 32;
  for (const part of parts) {
    if ("word" in part) {
      head += part.word;
    } else {
      head += w.uint(headBytes + tail.length / 2);
      const len = part.bytes.length / 2;
      tail += w.uint(len) + part.bytes.padEnd(Math.ceil(len / 32) * 64, "0");
    }
  }
  return `0x${head}${tail}`;
}

const word = (x: string): Part => ({ word: x });
const bytes = (hex: string): Part => ({ bytes: hex.slice(2) });
const text = (s: string): Part => ({ bytes: Buffer.from(s, "utf8").toString("hex") });
const topic = (x: string) => `0x${x}`;

export const MODE_ID = { VANILLA: 0, ZKML: 1, TEE: 2 } as const;
export const OUTCOME_ID = { VERIFIED: 0, FAILED: 1, EXPIRED: 2 } as const;
export const REASON_ID = {
  INVALID_PROOF: 0,
  REVEAL_MISMATCH: 1,
  REVEAL_TIMEOUT: 2,
  LOST_DISPUTE: 3,
  PCR_REVOKED: 4,
  EQUIVOCATION: 5,
} as const;
export type ModeName = keyof typeof MODE_ID;
export type OutcomeName = keyof typeof OUTCOME_ID;
export type ReasonName = keyof typeof REASON_ID;

export const events = {
  // ---- TEE registry
  teeTypeAdded: (typeId: number, name: string): EncodedLog => ({
    topics: [tee.events.TEETypeAdded.topic, topic(w.uint(typeId))],
    data: tuple([text(name)]),
  }),
  pcrApproved: (pcrHash: Hex, teeType: number, version: string): EncodedLog => ({
    topics: [tee.events.PCRApproved.topic, pcrHash, topic(w.uint(teeType))],
    data: tuple([text(version)]),
  }),
  pcrRevoked: (pcrHash: Hex, teeType: number): EncodedLog => ({
    topics: [tee.events.PCRRevoked.topic, pcrHash, topic(w.uint(teeType))],
    data: "0x",
  }),
  teeRegistered: (teeId: Hex, owner: Hex, teeType: number): EncodedLog => ({
    topics: [tee.events.TEERegistered.topic, teeId, topic(w.addr(owner))],
    data: tuple([word(w.uint(teeType))]),
  }),
  teeDisabled: (teeId: Hex): EncodedLog => ({ topics: [tee.events.TEEDisabled.topic, teeId], data: "0x" }),
  teeEnabled: (teeId: Hex): EncodedLog => ({ topics: [tee.events.TEEEnabled.topic, teeId], data: "0x" }),
  heartbeat: (teeId: Hex, timestamp: number): EncodedLog => ({
    topics: [tee.events.HeartbeatReceived.topic, teeId],
    data: tuple([word(w.uint(timestamp))]),
  }),
  // ---- settlement relay
  individualSettlement: (s: {
    teeId: Hex;
    ethAddress: Hex;
    inputHash: Hex;
    outputHash: Hex;
    timestamp: number;
    walrusBlobId: Hex;
    signature: Hex;
  }): EncodedLog => ({
    topics: [relay.events.IndividualSettlement.topic, s.teeId, topic(w.addr(s.ethAddress))],
    data: tuple([
      word(w.b32(s.inputHash)),
      word(w.b32(s.outputHash)),
      word(w.uint(s.timestamp)),
      bytes(s.walrusBlobId),
      bytes(s.signature),
    ]),
  }),
  batchSettlement: (merkleRoot: Hex, batchSize: number, walrusBlobId: Hex): EncodedLog => ({
    topics: [relay.events.BatchSettlement.topic, merkleRoot],
    data: tuple([word(w.uint(batchSize)), bytes(walrusBlobId)]),
  }),
  // ---- attestation registry
  stakeDeposited: (nodeId: Hex, from: Hex, amount: bigint, newTotal: bigint): EncodedLog => ({
    topics: [att.events.StakeDeposited.topic, nodeId, topic(w.addr(from))],
    data: tuple([word(w.uint(amount)), word(w.uint(newTotal))]),
  }),
  withdrawalRequested: (nodeId: Hex, id: number, amount: bigint, unlockAt: number): EncodedLog => ({
    topics: [att.events.WithdrawalRequested.topic, nodeId, topic(w.uint(id))],
    data: tuple([word(w.uint(amount)), word(w.uint(unlockAt))]),
  }),
  withdrawalCompleted: (nodeId: Hex, id: number, amount: bigint): EncodedLog => ({
    topics: [att.events.WithdrawalCompleted.topic, nodeId, topic(w.uint(id))],
    data: tuple([word(w.uint(amount))]),
  }),
  modelRegistered: (m: {
    id: Hex;
    owner: Hex;
    mode: ModeName;
    contentHash: Hex;
    blobId: string;
    name: string;
    version: string;
  }): EncodedLog => ({
    topics: [att.events.ModelRegistered.topic, m.id, topic(w.addr(m.owner)), topic(w.uint(MODE_ID[m.mode]))],
    data: tuple([word(w.b32(m.contentHash)), text(m.blobId), text(m.name), text(m.version)]),
  }),
  modelDeprecated: (modelId: Hex): EncodedLog => ({
    topics: [att.events.ModelDeprecated.topic, modelId],
    data: "0x",
  }),
  inferenceCommitted: (c: {
    requestId: Hex;
    nodeId: Hex;
    modelId: Hex;
    mode: ModeName;
    inputHash: Hex;
    commitment: Hex;
    revealDeadline: number;
  }): EncodedLog => ({
    topics: [att.events.InferenceCommitted.topic, c.requestId, c.nodeId, c.modelId],
    data: tuple([
      word(w.uint(MODE_ID[c.mode])),
      word(w.b32(c.inputHash)),
      word(w.b32(c.commitment)),
      word(w.uint(c.revealDeadline)),
    ]),
  }),
  inferenceRevealed: (
    requestId: Hex,
    nodeId: Hex,
    outputHash: Hex,
    salt: Hex,
    proofRef: Hex,
  ): EncodedLog => ({
    topics: [att.events.InferenceRevealed.topic, requestId, nodeId],
    data: tuple([word(w.b32(outputHash)), word(w.b32(salt)), bytes(proofRef)]),
  }),
  inferenceVerified: (
    requestId: Hex,
    nodeId: Hex,
    modelId: Hex,
    outcome: OutcomeName,
    verifier: Hex,
  ): EncodedLog => ({
    topics: [att.events.InferenceVerified.topic, requestId, nodeId, modelId],
    data: tuple([word(w.uint(OUTCOME_ID[outcome])), word(w.addr(verifier))]),
  }),
  challengeOpened: (
    challengeId: number,
    requestId: Hex,
    challenger: Hex,
    bond: bigint,
    deadline: number,
  ): EncodedLog => ({
    topics: [
      att.events.ChallengeOpened.topic,
      topic(w.uint(challengeId)),
      requestId,
      topic(w.addr(challenger)),
    ],
    data: tuple([word(w.uint(bond)), word(w.uint(deadline))]),
  }),
  challengeResolved: (
    challengeId: number,
    requestId: Hex,
    nodeAtFault: boolean,
    resolver: Hex,
    evidenceHash: Hex,
  ): EncodedLog => ({
    topics: [
      att.events.ChallengeResolved.topic,
      topic(w.uint(challengeId)),
      requestId,
      topic(w.bool(nodeAtFault)),
    ],
    data: tuple([word(w.addr(resolver)), word(w.b32(evidenceHash))]),
  }),
  nodeSlashed: (
    nodeId: Hex,
    requestId: Hex,
    reason: ReasonName,
    amount: bigint,
    remainingStake: bigint,
  ): EncodedLog => ({
    topics: [att.events.NodeSlashed.topic, nodeId, requestId, topic(w.uint(REASON_ID[reason]))],
    data: tuple([word(w.uint(amount)), word(w.uint(remainingStake))]),
  }),
};
