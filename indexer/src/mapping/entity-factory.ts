import { KeySource, KeyStatus, Model, NetworkStats, Node, type VerificationMode } from "../model";
import type { Position } from "./decode-logs";

/** A node first named by an event other than its registration: what the event says, nulls elsewhere. */
export function newNode(id: string, pos: Position): Node {
  return new Node({
    id,
    owner: null,
    operator: null,
    teeType: null,
    endpoint: null,
    paymentAddress: null,
    publicKey: null,
    keySource: KeySource.NONE,
    keyStatus: KeyStatus.UNKNOWN,
    pcrHash: null,
    enabled: false,
    registeredBlock: null,
    registeredBlockHash: null,
    registeredAt: null,
    registeredTx: null,
    registeredLogIndex: null,
    lastHeartbeatAt: null,
    stake: 0n,
    pendingWithdrawals: 0n,
    totalSlashed: 0n,
    committed: 0,
    revealed: 0,
    verified: 0,
    failed: 0,
    expired: 0,
    challenged: 0,
    disputesLost: 0,
    slashes: 0,
    settlements: 0,
    settlementSignatureFailures: 0,
    discrepancies: 0,
    repRefTime: 0,
    repS: 0,
    repN: 0,
    repD: 0,
    firstSeenBlock: pos.block,
  });
}

/** A model seen in a commit but never registered: owner, contentHash and registered null, empty texts. */
export function newModel(id: string, mode: VerificationMode, pos: Position): Model {
  return new Model({
    id,
    owner: null,
    name: "",
    version: "",
    mode,
    contentHash: null,
    blobId: "",
    deprecated: false,
    registeredBlock: null,
    registeredBlockHash: null,
    registeredAt: null,
    registeredTx: null,
    registeredLogIndex: null,
    deprecatedBlock: null,
    inferences: 0,
    verified: 0,
    failed: 0,
    expired: 0,
    discrepancies: 0,
    repRefTime: 0,
    repS: 0,
    repN: 0,
    firstSeenBlock: pos.block,
  });
}

export function newNetworkStats(): NetworkStats {
  return new NetworkStats({
    id: "network",
    nodes: 0,
    enabledNodes: 0,
    models: 0,
    inferences: 0,
    verified: 0,
    failed: 0,
    expired: 0,
    pending: 0,
    slashes: 0,
    totalStake: 0n,
    totalSlashed: 0n,
    settlements: 0,
    settlementSignatureFailures: 0,
    discrepancies: 0,
    inferencesVanilla: 0,
    inferencesZkml: 0,
    inferencesTee: 0,
  });
}
