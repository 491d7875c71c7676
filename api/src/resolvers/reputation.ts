import { evaluate, type Subject, stateFromRow } from "@attestation-explorer/rep-v1";
import type { RepState, ReputationModel } from "../data/models.ts";
import type { Context } from "../graphql/context.ts";

/**
 * rep-v1 of a node or model as of T (unix seconds). At or after the latest indexed block the row's stored
 * decayed state answers in O(1) (every event is at or before T, classified with today's knowledge); before
 * it, the subject's events are replayed as of T (@attestation-explorer/rep-history's classify.ts).
 */
export async function reputationAt(
  ctx: Context,
  subject: Subject,
  id: string,
  rep: RepState,
  T: number,
): Promise<ReputationModel> {
  const latest = await ctx.latestTime();
  const state = stateFromRow(rep);
  const asOf = new Date(T * 1000);
  if (T >= latest && T >= state.refTime) return { ...evaluate(state, T, subject), asOf };
  return { ...(await ctx.loaders.replay(subject, T).load(id)), asOf };
}
