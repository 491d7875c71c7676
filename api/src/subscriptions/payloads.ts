import type { IndexerStatusModel, InferenceModel, SlashModel } from "../data/models.ts";
import type { Scope } from "../graphql/context.ts";

// What the listener publishes: the row, and the batch's scope (loaders, indexer position) that every
// subscriber resolves it with.

export interface InferencePayload {
  inference: InferenceModel;
  scope: Scope;
}

export interface SlashPayload {
  slash: SlashModel;
  scope: Scope;
}

export interface IndexerStatusPayload {
  status: IndexerStatusModel;
  scope: Scope;
}
