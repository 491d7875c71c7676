import type { ChainEvent } from "../decode-logs";
import type { BatchState, Ev } from "../state";

/** A contract's handlers: for each event kind, how it changes the batch's state (synchronous, no I/O). */
export type Handlers<K extends ChainEvent["kind"]> = { [P in K]: (state: BatchState, e: Ev<P>) => void };
