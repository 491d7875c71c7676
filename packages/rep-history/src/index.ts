// rep-v1 as of a past time over the indexer's events (spec/README.md: only events in blocks with timestamp <= A
// count, revocations judged with today's knowledge): the classification (classify.ts), the one statement that
// reads those events (events-sql.ts), and the day-end checkpoints that answer it without a replay
// (checkpoints.ts, docs/decisions/013).

export {
  BLOCK_TIME_SQL,
  DAY_BLOCKS_SQL,
  FIRST_BLOCK_TIME_SQL,
  INSERT_DAY_BLOCKS_SQL,
  TIME_BLOCK_SQL,
  TIMES_BLOCKS_SQL,
} from "./block-times.ts";
export {
  CHECKPOINTS_READABLE_SQL,
  type CheckpointRow,
  type CheckpointState,
  checkpointsAnswer,
  checkpointsSql,
  DAY_SECONDS,
  dayEnds,
  firstDayEndFrom,
  latestDayEndBefore,
  RESTATED_AFTER_SQL,
  readCheckpointState,
} from "./checkpoints.ts";
export {
  classifyAsOf,
  decayedSumsSeries,
  eventsAsOf,
  type Outcome,
  type PlainEvent,
  replayAsOf,
  replaySeries,
  type SubjectEvent,
  type VerdictEvent,
} from "./classify.ts";
export { type EventRow, FIRST_EVENT_SQL, reputationEventsSql, subjectEvent } from "./events-sql.ts";
