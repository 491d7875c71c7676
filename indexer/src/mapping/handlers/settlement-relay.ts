import { linkKey, settlementChecks, settlementTimestampDate } from "@attestation-explorer/checks";
import type { Hex } from "viem";
import { BatchSettlement, Check, Settlement } from "../../model";
import { mutate } from "../inference-effects";
import { type BatchState, blockFields, type Ev, rowId } from "../state";
import type { Handlers } from "./types";

/** The settlement relay's events (contracts/src/InferenceSettlementRelay.sol). */
export const settlementRelayHandlers: Handlers<"IndividualSettlement" | "BatchSettlement"> = {
  IndividualSettlement: onSettlement,
  BatchSettlement: onBatchSettlement,
};

function onSettlement(state: BatchState, e: Ev<"IndividualSettlement">): void {
  const known = state.nodes.get(e.teeId);
  const node = known && known.registeredBlock != null ? known : undefined;
  const checks = settlementChecks({
    key: node ? state.keyOf(node) : undefined,
    inputHash: e.inputHash as Hex,
    outputHash: e.outputHash as Hex,
    timestamp: e.timestamp,
    signature: e.signature as Hex,
    blockNumber: e.pos.block,
    blockTimestamp: e.pos.ts,
    tee: node ? { registeredAtBlock: node.registeredBlock as number, enabled: node.enabled } : undefined,
    pcrApprovedAtBlock: node ? state.pcrApprovalOf(node, e.pos.ts) : undefined,
  });
  const sig = checks.signature as Check;
  const s = new Settlement({
    id: rowId(e.pos),
    teeId: e.teeId,
    node: node ?? null,
    ethAddress: e.ethAddress,
    inputHash: e.inputHash,
    outputHash: e.outputHash,
    timestampSeconds: e.timestamp,
    timestamp: settlementTimestampDate(e.timestamp),
    walrusBlobId: e.walrusBlobId,
    signature: e.signature,
    linkKey: linkKey(e.teeId as Hex, e.inputHash as Hex, e.outputHash as Hex),
    signatureCheck: sig,
    freshnessCheck: checks.freshness as Check,
    teeEnabledCheck: checks.teeEnabled as Check,
    pcrValidCheck: checks.pcrValid as Check,
    pcrHash: node?.pcrHash ?? null,
    teeType: node?.teeType ?? null,
    ...blockFields(e.pos),
  });
  state.adoptSettlement(s);
  state.dirty.settlements.add(s);
  state.network.settlements++;
  state.agg.count("settlements", e.pos.ts, 1);
  if (sig === Check.FAIL) state.network.settlementSignatureFailures++;
  if (node) {
    node.settlements++;
    if (sig === Check.FAIL) node.settlementSignatureFailures++;
    state.dirty.nodes.add(node);
  }
  // A revealed TEE inference waiting for its settlement links to the earliest one.
  for (const inf of state.inferencesByLink.get(s.linkKey) ?? []) {
    if (!inf.settlement) {
      mutate(state, inf, () => {
        inf.settlement = s;
      });
    }
  }
}

function onBatchSettlement(state: BatchState, e: Ev<"BatchSettlement">): void {
  state.inserts.batchSettlements.push(
    new BatchSettlement({
      id: rowId(e.pos),
      merkleRoot: e.merkleRoot,
      batchSize: e.batchSize,
      walrusBlobId: e.walrusBlobId,
      ...blockFields(e.pos),
    }),
  );
}
