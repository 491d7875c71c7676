export {
  decayedSumsAsOf,
  modelReputationAsOf,
  nodeReputationAsOf,
  reputationAsOf,
  reputationSeries,
} from "./as-of.ts";
export {
  FORMULA_VERSION,
  HALF_LIFE_SECONDS,
  PROVISIONAL_BELOW,
  SLASH_BASE,
  UPTIME_PERIOD_SECONDS,
  UPTIME_WINDOW_SECONDS,
  UPTIME_WINDOWS,
  Z,
} from "./constants.ts";
export { decayFactor } from "./decay.ts";
export {
  addEvent,
  type DecayedState,
  type DecayedStateRow,
  emptyState,
  evaluate,
  REMOVAL_SNAP_RELATIVE,
  removeEvent,
  rescaleTo,
  stateFromRow,
  stateToRow,
  sumsAt,
} from "./decayed-state.ts";
export {
  checkEvent,
  contribution,
  EVENT_KINDS,
  type EventKind,
  isEventKind,
  type ReputationEvent,
  type Subject,
} from "./events.ts";
export {
  insertHeartbeat,
  pruneHeartbeats,
  removeHeartbeat,
  uptime7d,
  uptime7dSorted,
  uptimeWindowCount,
  uptimeWindowCountSorted,
  uptimeWindowIndex,
  uptimeWindowsSince,
} from "./uptime.ts";
export {
  type DecayedSums,
  type Reputation,
  reputationFromSums,
  slashFactor,
  type WilsonInterval,
  wilsonInterval,
} from "./wilson.ts";
