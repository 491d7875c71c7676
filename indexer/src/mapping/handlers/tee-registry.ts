import {
  applyRevocation,
  decodeHeartbeat,
  decodeRegisterTee,
  heartbeatCounts,
  heartbeatSignatureCheck,
  MAX_DATE_SECONDS,
  parseTeeKey,
  type RegisterTeeCall,
  signatureCheck,
} from "@attestation-explorer/checks";
import { attestationCheck } from "@attestation-explorer/checks/attestation";
import type { Hex } from "viem";
import { keccak256 } from "viem";
import * as legacyRegistry from "../../abi/LegacyTEERegistry";
import * as graceRegistry from "../../abi/LegacyTEERegistry758e149";
import {
  AttestationFormat,
  Check,
  Heartbeat,
  KeySource,
  KeyStatus,
  type Pcr,
  PcrEvent,
  PcrEventKind,
  TeeAttestation,
  TeeStatusChange,
  TeeType,
} from "../../model";
import type { Position } from "../decode-logs";
import { mutate } from "../inference-effects";
import { type BatchState, blockFields, byPosition, type Ev, rowApprovedAt, rowId, ZERO_ID } from "../state";
import { type TeeInfo, teeInfoKey } from "../tee-info";
import type { Handlers } from "./types";

const NOT_IN_CALLDATA =
  "attestation document not in the calldata (registration made through another contract)";

/** The TEE registry's events (contracts/src/TEERegistry.sol, and the earlier registries' in abi/Legacy*). */
export const teeRegistryHandlers: Handlers<
  | "TEETypeAdded"
  | "TEETypeDeactivated"
  | "PCRApproved"
  | "PCRRevoked"
  | "TEERegistered"
  | "TEEDisabled"
  | "TEEEnabled"
  | "HeartbeatReceived"
> = {
  TEETypeAdded: onTeeTypeAdded,
  TEETypeDeactivated: onTeeTypeDeactivated,
  PCRApproved: onPcrApproved,
  PCRRevoked: onPcrRevoked,
  TEERegistered: onTeeRegistered,
  TEEDisabled: (state, e) => onTeeStatus(state, e.teeId, false, e.pos),
  TEEEnabled: (state, e) => onTeeStatus(state, e.teeId, true, e.pos),
  HeartbeatReceived: onHeartbeat,
};

function onTeeTypeAdded(state: BatchState, e: Ev<"TEETypeAdded">): void {
  const id = String(e.typeId);
  const t = state.teeTypes.get(id) ?? new TeeType({ id, typeId: e.typeId });
  t.name = e.name;
  t.addedBlock = e.pos.block;
  t.addedAt = e.pos.at;
  t.addedTx = e.pos.tx;
  state.teeTypes.set(id, t);
  state.dirty.teeTypes.add(t);
}

/** Earlier registries only: recorded on the type; nothing else changes (its TEEs and approvals stay). */
function onTeeTypeDeactivated(state: BatchState, e: Ev<"TEETypeDeactivated">): void {
  const t = state.teeTypes.get(String(e.typeId));
  if (!t) {
    // The registry reverts for a type never added: the TEETypeAdded is before the indexed range.
    state.unusable(e, `TEE type ${e.typeId} was not added in the indexed blocks`);
    return;
  }
  t.deactivatedBlock = e.pos.block;
  t.deactivatedAt = e.pos.at;
  t.deactivatedTx = e.pos.tx;
  state.dirty.teeTypes.add(t);
}

/** An approval for one TEE type, or for every type (6030478): every row it covers becomes approved. */
function onPcrApproved(state: BatchState, e: Ev<"PCRApproved">): void {
  // 6030478's approvePCR first sets the previous PCR's expiry (an approval of the same hash then overrides it).
  if (e.teeType === undefined) supersede(state, e);
  const targets =
    e.teeType === undefined
      ? [state.pcr(e.pcrHash, undefined), ...state.pcrRows(e.pcrHash)]
      : [state.pcr(e.pcrHash, e.teeType)];
  for (const p of new Set(targets)) {
    p.approved = true;
    p.approvedUntil = null;
    p.version = e.version;
    p.lastApprovedBlock = e.pos.block;
    state.dirty.pcrs.add(p);
  }
  state.inserts.pcrEvents.push(
    new PcrEvent({
      id: rowId(e.pos),
      pcrHash: e.pcrHash,
      teeType: e.teeType ?? null,
      kind: PcrEventKind.APPROVED,
      version: e.version,
      effectiveAt: null,
      gracePeriod: null,
      ...blockFields(e.pos),
    }),
  );
}

/**
 * 6030478's approvePCR(pcrs, version, previousPcrHash, gracePeriod): if the previous PCR is active (not revoked;
 * an expiry already set is overwritten, as the registry does), it expires at block time + gracePeriod. No event
 * says so: read from the calldata (a direct call). Not a PCRRevoked: no retroactive taint (README check 4).
 */
function supersede(state: BatchState, e: Ev<"PCRApproved">): void {
  const call = approvalFromCalldata(e);
  if (!call || call.previousPcrHash === ZERO_ID || call.previousPcrHash === e.pcrHash) return;
  const active = state.pcrRows(call.previousPcrHash).filter((p) => p.approved || p.approvedUntil != null);
  if (active.length === 0) return;
  const effective = dateOfSeconds(BigInt(e.pos.ts) + call.gracePeriod);
  for (const p of active) {
    p.approved = false;
    p.approvedUntil = effective;
    state.dirty.pcrs.add(p);
  }
  state.inserts.pcrEvents.push(
    new PcrEvent({
      id: `${rowId(e.pos)}-expiring`,
      pcrHash: call.previousPcrHash,
      teeType: null,
      kind: PcrEventKind.EXPIRING,
      version: null,
      effectiveAt: effective,
      gracePeriod: call.gracePeriod,
      ...blockFields(e.pos),
    }),
  );
}

/**
 * Revokes the PCR (for every TEE type when the event names none) and taints earlier PASS results
 * retroactively. With a grace period (758e149) the PCR still counts as approved for blocks whose time is before
 * block time + grace period, if it was approved when revoked (the registry reverts otherwise).
 */
function onPcrRevoked(state: BatchState, e: Ev<"PCRRevoked">): void {
  const teeType = e.teeType ?? revokedTypeFromCalldata(e);
  const grace = e.gracePeriod ?? 0n;
  const effective = dateOfSeconds(BigInt(e.pos.ts) + grace);
  const targets: Pcr[] = [];
  const wasApproved = new Map<Pcr, boolean>();
  if (teeType === undefined) {
    for (const p of state.pcrRows(e.pcrHash)) {
      targets.push(p);
      wasApproved.set(p, rowApprovedAt(p, e.pos.ts));
    }
  } else {
    const before = state.pcrApprovedAt(e.pcrHash, teeType, e.pos.ts);
    const p = state.pcr(e.pcrHash, teeType);
    targets.push(p);
    wasApproved.set(p, before);
  }
  for (const p of targets) {
    p.approved = false;
    p.approvedUntil = grace > 0n && wasApproved.get(p) ? effective : null;
    p.everRevoked = true;
    p.lastRevokedBlock = e.pos.block;
    state.dirty.pcrs.add(p);
  }
  state.inserts.pcrEvents.push(
    new PcrEvent({
      id: rowId(e.pos),
      pcrHash: e.pcrHash,
      teeType: teeType ?? null,
      kind: PcrEventKind.REVOKED,
      version: null,
      effectiveAt: effective,
      gracePeriod: e.gracePeriod ?? null,
      ...blockFields(e.pos),
    }),
  );
  // Rows judged at or before this block, whose PCR the revocation covers: PASS turns FAIL (checks/, rule 4).
  const revocation = { pcrHash: e.pcrHash as Hex, teeType };
  const tainted = (
    check: Check,
    pcrHash: string | null | undefined,
    type: number | null | undefined,
    block: number,
  ) =>
    pcrHash != null &&
    type != null &&
    block <= e.pos.block &&
    applyRevocation(check, { pcrHash: pcrHash as Hex, teeType: type }, revocation) !== check;
  for (const s of state.settlements.values()) {
    if (tainted(s.pcrValidCheck, s.pcrHash, s.teeType, s.block)) {
      s.pcrValidCheck = Check.FAIL;
      state.dirty.settlements.add(s);
    }
  }
  for (const inf of state.inferencesInChainOrder()) {
    if (tainted(inf.pcrValidCheck, inf.pcrHash, inf.teeType, inf.committedBlock)) {
      mutate(state, inf, () => {
        inf.pcrValidCheck = Check.FAIL;
      });
    }
  }
}

/**
 * The registration call the calldata gives, or undefined when it gives none the mapping can use: no calldata, not a
 * registration, or a key that does not hash to the event's id (e.g. a batched registration): the chain is asked.
 */
function registrationCall(e: Ev<"TEERegistered">): RegisterTeeCall | undefined {
  const info = e.pos.txInput ? decodeRegisterTee(e.pos.txInput as Hex) : undefined;
  return info && matchesTee(info.signingPublicKey, e.teeId) ? info : undefined;
}

/**
 * Whether mapping this registration uses getTEE's answer (so the load phase asks only for these): when its calldata
 * gives no usable call, or its attestation document gives no PCR hash (the chain's word is taken then).
 */
export function needsTeeInfo(e: Ev<"TEERegistered">): boolean {
  const call = registrationCall(e);
  if (!call) return true;
  return (
    attestationCheck({
      document: call.attestationDocument,
      signingPublicKey: call.signingPublicKey,
      tlsCertificate: call.tlsCertificate,
      blockTime: e.pos.ts,
      isPcrApproved: () => false,
    }).pcrHash === null
  );
}

function onTeeRegistered(state: BatchState, e: Ev<"TEERegistered">): void {
  const node = state.node(e.teeId, e.pos);
  const wasRegistered = node.registeredBlock != null;
  const info = registrationCall(e);
  let source = KeySource.CALLDATA;
  // The attestation document is verified by the indexer itself (check "attestation"); its PCRs are the node's.
  const attestation = attest(state, e, info);
  // getTEE's answer (read in the load phase), used when the calldata does not say, or for the PCR hash of a
  // document the indexer cannot read PCRs from (the chain's word).
  let fromChain: TeeInfo | undefined;
  if (!info) {
    fromChain = state.teeInfos.get(teeInfoKey(e.teeId, e.pos.block));
    source = fromChain ? KeySource.GET_TEE : KeySource.NONE;
  } else if (!attestation.pcrHash) {
    fromChain = state.teeInfos.get(teeInfoKey(e.teeId, e.pos.block));
  }
  const publicKey = (info?.signingPublicKey ?? fromChain?.publicKey)?.toLowerCase() ?? null;
  node.owner = e.owner;
  node.teeType = e.teeType;
  node.endpoint = info?.endpoint ?? fromChain?.endpoint ?? null;
  node.paymentAddress = (info?.paymentAddress ?? fromChain?.paymentAddress)?.toLowerCase() ?? null;
  node.publicKey = publicKey;
  node.pcrHash = (attestation.pcrHash ?? fromChain?.pcrHash)?.toLowerCase() ?? null;
  node.keySource = source;
  node.keyStatus = publicKey
    ? keyStatusOf(parseTeeKey(publicKey as Hex, e.teeId as Hex).status)
    : KeyStatus.UNKNOWN;
  if (!node.enabled) state.network.enabledNodes++;
  node.enabled = true;
  node.registeredBlock = e.pos.block;
  node.registeredBlockHash = e.pos.blockHash;
  node.registeredAt = e.pos.at;
  node.registeredTx = e.pos.tx;
  node.registeredLogIndex = e.pos.logIndex;
  state.dirty.nodes.add(node);
  state.inserts.teeStatus.push(
    new TeeStatusChange({ id: rowId(e.pos), node, enabled: true, ...blockFields(e.pos) }),
  );
  if (wasRegistered) return;
  // Settlements this TEE made before it registered: attach them and check their signatures now (teeEnabled and
  // pcrValid stay as judged at their blocks).
  const earlier = [...state.settlements.values()]
    .filter((s) => s.teeId === e.teeId && !s.node)
    .sort(byPosition);
  // Most registrations have none: then the batch's settlements and inferences are not sorted at all.
  if (earlier.length === 0) return;
  const key = state.keyOf(node);
  // Sorted once: the loop changes inferences' checks, never which inferences the batch holds.
  const inferences = state.inferencesInChainOrder();
  for (const s of earlier) {
    s.node = node;
    s.signatureCheck = signatureCheck(
      key,
      s.inputHash as Hex,
      s.outputHash as Hex,
      s.timestampSeconds,
      s.signature as Hex,
    ) as Check;
    state.dirty.settlements.add(s);
    node.settlements++;
    if (s.signatureCheck === Check.FAIL) {
      node.settlementSignatureFailures++;
      state.network.settlementSignatureFailures++;
    }
    for (const inf of inferences) {
      if (inf.settlement === s) mutate(state, inf, () => undefined);
    }
  }
}

/** The attestation check of a registration, kept as its TeeAttestation row (the latest registration's). */
function attest(
  state: BatchState,
  e: Ev<"TEERegistered">,
  call: RegisterTeeCall | undefined,
): TeeAttestation {
  const result = call
    ? attestationCheck({
        document: call.attestationDocument,
        signingPublicKey: call.signingPublicKey,
        tlsCertificate: call.tlsCertificate,
        blockTime: e.pos.ts,
        isPcrApproved: (pcrHash) => state.pcrApprovedAt(pcrHash, e.teeType, e.pos.ts),
      })
    : undefined;
  const row = new TeeAttestation({
    id: e.teeId,
    format: result ? (result.format as AttestationFormat) : AttestationFormat.NONE,
    status: result ? (result.status as Check) : Check.UNKNOWN,
    reason: result ? result.reason : NOT_IN_CALLDATA,
    moduleId: result?.moduleId ?? null,
    timestamp: result?.timestampMs == null ? null : new Date(result.timestampMs),
    pcr0: result?.pcr0 ?? null,
    pcr1: result?.pcr1 ?? null,
    pcr2: result?.pcr2 ?? null,
    pcrHash: result?.pcrHash ?? null,
    // The API lists them leaf first, towards the root (the check orders them root first, as cabundle is).
    certificates: result?.certificates.length ? [...result.certificates].reverse() : null,
    userData: result?.userData ?? null,
    document: call ? call.attestationDocument.toLowerCase() : null,
    tlsCertificate: call ? call.tlsCertificate.toLowerCase() : null,
    ...blockFields(e.pos),
  });
  state.attestations.set(row.id, row);
  return row;
}

function onTeeStatus(state: BatchState, teeId: string, enabled: boolean, pos: Position): void {
  const node = state.node(teeId, pos);
  if (node.enabled !== enabled) state.network.enabledNodes += enabled ? 1 : -1;
  node.enabled = enabled;
  state.dirty.nodes.add(node);
  state.inserts.teeStatus.push(new TeeStatusChange({ id: rowId(pos), node, enabled, ...blockFields(pos) }));
}

function onHeartbeat(state: BatchState, e: Ev<"HeartbeatReceived">): void {
  const node = state.node(e.teeId, e.pos);
  const call = e.pos.txInput ? decodeHeartbeat(e.pos.txInput as Hex) : undefined;
  const check = heartbeatSignatureCheck({
    key: state.keyOf(node),
    event: { teeId: e.teeId as Hex, timestamp: e.timestamp },
    call,
  }) as Check;
  const counts = heartbeatCounts(check);
  if (counts) {
    node.lastHeartbeatAt = e.pos.at;
    state.dirty.nodes.add(node);
  }
  state.inserts.heartbeats.push(
    new Heartbeat({
      id: rowId(e.pos),
      node,
      timestampSeconds: e.timestamp,
      signature: call?.signature.toLowerCase() ?? null,
      signatureCheck: check,
      counts,
      ...blockFields(e.pos),
    }),
  );
}

function keyStatusOf(status: "VALID" | "MISMATCH" | "MALFORMED"): KeyStatus {
  return KeyStatus[status];
}

function matchesTee(publicKey: Hex, teeId: string): boolean {
  try {
    return keccak256(publicKey).toLowerCase() === teeId;
  } catch {
    return false;
  }
}

/** Unix seconds as a Date, capped at 9999-12-31T23:59:59Z (a DateTime column holds no later time). */
function dateOfSeconds(seconds: bigint): Date {
  return new Date(Number(seconds > MAX_DATE_SECONDS ? MAX_DATE_SECONDS : seconds) * 1000);
}

/**
 * 758e149's PCRRevoked(pcrHash, gracePeriod) does not name the TEE type its revokePCR(pcrHash, teeType,
 * gracePeriod) call revoked: read it from the transaction's calldata when that is the direct call (same hash and
 * grace period); undefined otherwise (e.g. a call through another contract), and the revocation covers every type.
 */
function revokedTypeFromCalldata(e: Ev<"PCRRevoked">): number | undefined {
  const input = e.pos.txInput;
  if (e.gracePeriod === undefined || !input) return undefined;
  try {
    if (!graceRegistry.functions.revokePCR.is(input)) return undefined;
    const call = graceRegistry.functions.revokePCR.decode(input);
    if (call.pcrHash.toLowerCase() !== e.pcrHash || call.gracePeriod !== e.gracePeriod) return undefined;
    return call.teeType;
  } catch {
    return undefined;
  }
}

/**
 * 6030478's approvePCR(pcrs, version, previousPcrHash, gracePeriod) of a PCRApproved(pcrHash, version), when the
 * transaction is that direct call (its PCRs hash to the event's); undefined otherwise.
 */
function approvalFromCalldata(
  e: Ev<"PCRApproved">,
): { previousPcrHash: string; gracePeriod: bigint } | undefined {
  const input = e.pos.txInput;
  if (!input) return undefined;
  try {
    if (!legacyRegistry.functions.approvePCR.is(input)) return undefined;
    const call = legacyRegistry.functions.approvePCR.decode(input);
    const { pcr0, pcr1, pcr2 } = call.pcrs;
    const hash = keccak256(`0x${[pcr0, pcr1, pcr2].map((b) => b.slice(2)).join("")}` as Hex).toLowerCase();
    if (hash !== e.pcrHash || call.version !== e.version) return undefined;
    return { previousPcrHash: call.previousPcrHash.toLowerCase(), gracePeriod: call.gracePeriod };
  } catch {
    return undefined;
  }
}
