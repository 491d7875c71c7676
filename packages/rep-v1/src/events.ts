import type { DecayedSums } from "./wilson.ts";

/**
 * What a subject's history is made of, already classified by the indexer with today's knowledge
 * (an inference later hit by a PCR revocation is a failure, not a success; spec/reputation.md):
 * - success: +w to S and N
 * - failure: +w to N
 * - dispute_lost: +2w to N (on top of whatever the inference itself counts)
 * - slash: +w to D (nodes only; models ignore it)
 */
export type EventKind = "success" | "failure" | "dispute_lost" | "slash";

export const EVENT_KINDS: readonly EventKind[] = ["success", "failure", "dispute_lost", "slash"];

/** Nodes use D; models do not (D = 0, slashFactor = 1). */
export type Subject = "node" | "model";

/** `count` identical events of `kind` at block timestamp `t` (unix seconds). count defaults to 1. */
export interface ReputationEvent {
  readonly kind: EventKind;
  readonly t: number;
  readonly count?: number;
}

export function isEventKind(value: unknown): value is EventKind {
  return typeof value === "string" && (EVENT_KINDS as readonly string[]).includes(value);
}

/** Validates an event's fields; returns its count (1 when omitted). Throws a RangeError when malformed. */
export function checkEvent(kind: unknown, t: number, count: number | undefined): number {
  if (!isEventKind(kind)) throw new RangeError(`unknown reputation event kind: ${String(kind)}`);
  if (!Number.isFinite(t)) throw new RangeError(`event time must be finite, got ${t}`);
  const c = count ?? 1;
  if (!Number.isFinite(c) || c < 0) throw new RangeError(`event count must be finite and >= 0, got ${c}`);
  return c;
}

/** What `count` events of `kind`, each of weight `w`, add to S, N and D. */
export function contribution(kind: EventKind, w: number, count = 1): DecayedSums {
  const weight = w * count;
  switch (kind) {
    case "success":
      return { s: weight, n: weight, d: 0 };
    case "failure":
      return { s: 0, n: weight, d: 0 };
    case "dispute_lost":
      return { s: 0, n: 2 * weight, d: 0 };
    case "slash":
      return { s: 0, n: 0, d: weight };
  }
}
