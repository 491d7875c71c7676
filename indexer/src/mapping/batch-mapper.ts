import type { ChainEvent, PositionedEvent } from "./decode-logs";
import { attestationRegistryHandlers } from "./handlers/attestation-registry";
import { settlementRelayHandlers } from "./handlers/settlement-relay";
import { teeRegistryHandlers } from "./handlers/tee-registry";
import type { Handlers } from "./handlers/types";
import type { BatchState } from "./state";

/** Every event kind's handler, one file per contract (the type makes a kind without one a compile error). */
const HANDLERS: Handlers<ChainEvent["kind"]> = {
  ...teeRegistryHandlers,
  ...settlementRelayHandlers,
  ...attestationRegistryHandlers,
};

/**
 * Maps a batch's decoded events onto its in-memory state, in chain order: pure and synchronous (what the events
 * need from the database and the chain was read by the load phase: load.ts, tee-info.ts). Derived data (counts,
 * buckets, reputation: inference-effects.ts) is updated per event as an exact delta, so the result does not
 * depend on how blocks were cut into batches.
 */
export function mapEvents(state: BatchState, events: readonly PositionedEvent[]): void {
  for (const e of events) (HANDLERS[e.kind] as (state: BatchState, e: PositionedEvent) => void)(state, e);
}
