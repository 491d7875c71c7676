import { inferenceChecks } from "@attestation-explorer/checks";
import { addEvent, type DecayedState, type EventKind, removeEvent } from "@attestation-explorer/rep-v1";
import type { Hex } from "viem";
import { type Check, type Inference, InferenceStatus, type Model, type Node } from "../model";
import type { BatchState } from "./state";

/** Changes an inference: its old contributions to counts, buckets and reputation out, the new ones in. */
export function mutate(state: BatchState, inf: Inference, change: () => void): void {
  retractEffects(state, inf);
  change();
  applyEffects(state, inf);
}

/** Judges an inference again from its current state (checks/inference-checks.ts, rules 5-9). */
function refreshChecks(inf: Inference): void {
  const checks = inferenceChecks({
    mode: inf.mode,
    status: inf.status,
    commitment: inf.commitment as Hex,
    reveal:
      inf.revealedAt && inf.outputHash && inf.salt
        ? {
            outputHash: inf.outputHash as Hex,
            salt: inf.salt as Hex,
            blockTimestamp: Math.floor(inf.revealedAt.getTime() / 1000),
          }
        : undefined,
    revealDeadline: inf.revealDeadline.getTime() / 1000,
    linkedSettlementSignature: inf.settlement?.signatureCheck,
    pcrValid: inf.pcrValidCheck,
  });
  inf.commitmentCheck = checks.commitment as Check;
  inf.revealOnTimeCheck = checks.revealOnTime as Check;
  inf.teeSignatureCheck = checks.teeSignature as Check;
  inf.discrepancy = checks.discrepancy;
  if (inf.status === InferenceStatus.VERIFIED) inf.repKind = inf.discrepancy ? "failure" : "success";
  else if (inf.status === InferenceStatus.FAILED || inf.status === InferenceStatus.EXPIRED)
    inf.repKind = "failure";
  else inf.repKind = null;
  inf.repTime = inf.repKind && inf.settledAt ? Math.floor(inf.settledAt.getTime() / 1000) : null;
}

function retractEffects(state: BatchState, inf: Inference): void {
  effects(state, inf, -1);
}

export function applyEffects(state: BatchState, inf: Inference): void {
  refreshChecks(inf);
  effects(state, inf, +1);
  state.dirty.inferences.add(inf);
}

/** What an inference adds to its node's, model's and the network's counts, buckets and reputation. */
function effects(state: BatchState, inf: Inference, sign: 1 | -1): void {
  const node = inf.node;
  const model = inf.model;
  const net = state.network;
  const settledTs = inf.settledAt ? Math.floor(inf.settledAt.getTime() / 1000) : 0;
  switch (inf.status) {
    case InferenceStatus.COMMITTED:
    case InferenceStatus.REVEALED:
      net.pending += sign;
      break;
    case InferenceStatus.VERIFIED:
      node.verified += sign;
      model.verified += sign;
      net.verified += sign;
      state.agg.count("verified", settledTs, sign, node.id, model.id);
      break;
    case InferenceStatus.FAILED:
      node.failed += sign;
      model.failed += sign;
      net.failed += sign;
      state.agg.count("failed", settledTs, sign, node.id, model.id);
      break;
    case InferenceStatus.EXPIRED:
      node.expired += sign;
      model.expired += sign;
      net.expired += sign;
      state.agg.count("expired", settledTs, sign, node.id, model.id);
      break;
  }
  if (inf.discrepancy) {
    node.discrepancies += sign;
    model.discrepancies += sign;
    net.discrepancies += sign;
  }
  if (inf.repKind && inf.repTime != null) {
    const kind = inf.repKind as EventKind;
    nodeReputation(state, node, kind, inf.repTime, sign);
    modelReputation(state, model, kind, inf.repTime, sign);
  }
  state.dirty.nodes.add(node);
  state.dirty.models.add(model);
}

export function nodeReputation(
  state: BatchState,
  node: Node,
  kind: EventKind,
  t: number,
  sign: 1 | -1,
): void {
  const rep: DecayedState = { refTime: node.repRefTime, s: node.repS, n: node.repN, d: node.repD };
  const next = sign > 0 ? addEvent(rep, kind, t) : removeEvent(rep, kind, t);
  node.repRefTime = next.refTime;
  node.repS = next.s;
  node.repN = next.n;
  node.repD = next.d;
  state.dirty.nodes.add(node);
}

export function modelReputation(
  state: BatchState,
  model: Model,
  kind: EventKind,
  t: number,
  sign: 1 | -1,
): void {
  const rep: DecayedState = { refTime: model.repRefTime, s: model.repS, n: model.repN, d: 0 };
  const next = sign > 0 ? addEvent(rep, kind, t) : removeEvent(rep, kind, t);
  model.repRefTime = next.refTime;
  model.repS = next.s;
  model.repN = next.n;
  state.dirty.models.add(model);
}
