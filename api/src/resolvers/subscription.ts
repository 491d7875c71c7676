import { GraphQLError } from "graphql";
import type { Resolvers } from "../generated/resolvers-types.ts";
import type { Context } from "../graphql/context.ts";
import type { IndexerStatusPayload, InferencePayload, SlashPayload } from "../subscriptions/payloads.ts";
import { optionalBytes32 } from "./args.ts";

// Subscriptions (graphql-transport-ws at /graphql): each event is resolved with the scope of the indexer batch
// that produced it, so nested fields see that batch's data and subscribers share its loaders.

function hubOf(ctx: Context) {
  if (!ctx.hub)
    throw new GraphQLError("Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql");
  return ctx.hub;
}

export const subscriptionResolvers: Resolvers = {
  Subscription: {
    inferenceUpdated: {
      subscribe(_root, args, ctx) {
        const node = optionalBytes32("node", args.node);
        const model = optionalBytes32("model", args.model);
        return hubOf(ctx).subscribe<InferencePayload>(
          "inference",
          (p) => (!node || p.inference.nodeId === node) && (!model || p.inference.modelId === model),
        );
      },
      resolve(payload: InferencePayload, _args: unknown, ctx: Context) {
        Object.assign(ctx, payload.scope);
        return payload.inference;
      },
    },
    slashed: {
      subscribe(_root, args, ctx) {
        const node = optionalBytes32("node", args.node);
        return hubOf(ctx).subscribe<SlashPayload>("slash", (p) => !node || p.slash.nodeId === node);
      },
      resolve(payload: SlashPayload, _args: unknown, ctx: Context) {
        Object.assign(ctx, payload.scope);
        return payload.slash;
      },
    },
    indexerStatus: {
      subscribe: (_root, _args, ctx) => hubOf(ctx).subscribe<IndexerStatusPayload>("indexerStatus"),
      resolve(payload: IndexerStatusPayload, _args: unknown, ctx: Context) {
        Object.assign(ctx, payload.scope);
        return payload.status;
      },
    },
  },
};
