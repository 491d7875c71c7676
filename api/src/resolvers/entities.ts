import { UPTIME_WINDOWS, uptimeWindowsSince } from "@attestation-explorer/rep-v1";
import { type GraphQLResolveInfo, Kind } from "graphql";
import { listSettlements, listSlashes } from "../data/activity.ts";
import { listInferences } from "../data/inferences.ts";
import type { NodeModel } from "../data/models.ts";
import { servingNodes } from "../data/models-list.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { modelHistory, nodeHistory } from "../history/history-sql.ts";
import { parseFirst } from "../pagination/connection.ts";
import { asOfSeconds, given, missing, optionalBytes32 } from "./args.ts";
import { reputationAt } from "./reputation.ts";

// Field resolvers of the entity types: the fields their parent models do not already hold.

/** Whether the field's selection is only `id` and `__typename` (no fragments, no directives). */
function asksOnlyId(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.every((field) =>
    field.selectionSet?.selections.every(
      (s) =>
        s.kind === Kind.FIELD &&
        !s.directives?.length &&
        (s.name.value === "id" || s.name.value === "__typename"),
    ),
  );
}

const totalCount = { totalCount: (c: { totalCount: () => Promise<number> }) => c.totalCount() };

export const entityResolvers: Resolvers = {
  BlockRef: {
    async finalized(ref, _args, ctx) {
      const finalized = (await ctx.indexerState())?.finalized_height;
      return finalized !== null && finalized !== undefined && ref.number <= finalized;
    },
  },

  Node: {
    attestation: (node, _args, ctx) => ctx.loaders.attestation.load(node.id),
    async pcrApproved(node, _args, ctx) {
      if (node.pcrHash === null || node.teeType === null) return false;
      return ctx.loaders.pcrApproved.load(`${node.pcrHash}|${node.teeType}`);
    },
    async uptime7d(node, _args, ctx) {
      return ctx.loaders.uptime(await ctx.latestTime()).load(node.id);
    },
    teeTypeName: (node, _args, ctx) =>
      node.teeType === null ? null : ctx.loaders.teeTypeName.load(node.teeType),
    async uptimeWindows(node, _args, ctx) {
      if (!node.registered) return null;
      return uptimeWindowsSince(node.registered.timestamp.getTime() / 1000, await ctx.latestTime());
    },
    async uptimeOverLife(node, _args, ctx) {
      if (!node.registered) return null;
      const asOf = await ctx.latestTime();
      const windows = uptimeWindowsSince(node.registered.timestamp.getTime() / 1000, asOf);
      if (windows === 0) return 0;
      // uptime7d is a count of windows over 336: the same count over the windows the node has existed in.
      const filled = Math.round((await ctx.loaders.uptime(asOf).load(node.id)) * UPTIME_WINDOWS);
      return Math.min(1, filled / windows);
    },
    async reputation(node, { asOf }, ctx) {
      return reputationAt(ctx, "node", node.id, node.rep, asOfSeconds(asOf, await ctx.latestTime()));
    },
    inferences(node, args, ctx) {
      return listInferences(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        orderBy: "COMMITTED_DESC",
        where: {
          nodeId: node.id,
          statuses: args.status ? [args.status] : undefined,
          modelId: optionalBytes32("model", args.model),
        },
      });
    },
    settlements(node, args, ctx) {
      return listSettlements(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        where: { teeId: node.id },
      });
    },
    slashes(node, args, ctx) {
      return listSlashes(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        where: { nodeId: node.id },
      });
    },
    async history(node, args, ctx) {
      return nodeHistory(ctx.db, node.id, {
        interval: args.interval ?? "DAY",
        from: given(args.from),
        to: given(args.to),
        asOf: await ctx.latestTime(),
      });
    },
  },

  Model: {
    distinctNodes30d: (model, _args, ctx) => ctx.loaders.distinctNodes30d.load(model.id),
    async reputation(model, { asOf }, ctx) {
      return reputationAt(ctx, "model", model.id, model.rep, asOfSeconds(asOf, await ctx.latestTime()));
    },
    inferences(model, args, ctx) {
      return listInferences(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        orderBy: "COMMITTED_DESC",
        where: {
          modelId: model.id,
          statuses: args.status ? [args.status] : undefined,
          nodeId: optionalBytes32("node", args.node),
        },
      });
    },
    servingNodes(model, args, ctx) {
      return servingNodes(ctx.db, model.id, parseFirst(args.first));
    },
    async history(model, args, ctx) {
      return modelHistory(ctx.db, model.id, {
        interval: args.interval ?? "DAY",
        from: given(args.from),
        to: given(args.to),
        asOf: await ctx.latestTime(),
      });
    },
  },

  ModelServingNode: {
    async node(row, _args, ctx) {
      const node = await ctx.loaders.node.load(row.nodeId);
      if (!node) throw missing("node", row.nodeId);
      return node;
    },
  },

  Inference: {
    async node(inference, _args, ctx, info) {
      // node_id is a foreign key to node: when only the id is asked for, the row need not be read.
      if (asksOnlyId(info)) return { __typename: "Node", id: inference.nodeId } as NodeModel;
      const node = await ctx.loaders.node.load(inference.nodeId);
      if (!node) throw missing("node", inference.nodeId);
      return node;
    },
    async model(inference, _args, ctx) {
      const model = await ctx.loaders.model.load(inference.modelId);
      if (!model) throw missing("model", inference.modelId);
      return model;
    },
    challenge: (inference, _args, ctx) => ctx.loaders.latestChallenge.load(inference.id),
    slashes: (inference, _args, ctx) => ctx.loaders.slashesOfInference.load(inference.id),
    settlement: (inference, _args, ctx) =>
      inference.settlementId === null ? null : ctx.loaders.settlement.load(inference.settlementId),
  },

  Settlement: {
    node: (settlement, _args, ctx) =>
      settlement.nodeId === null ? null : ctx.loaders.node.load(settlement.nodeId),
    inferences: (settlement, _args, ctx) => ctx.loaders.inferencesOfSettlement.load(settlement.id),
  },

  Slash: {
    async node(slash, _args, ctx) {
      const node = await ctx.loaders.node.load(slash.nodeId);
      if (!node) throw missing("node", slash.nodeId);
      return node;
    },
    inference: (slash, _args, ctx) =>
      slash.inferenceId === null ? null : ctx.loaders.inference.load(slash.inferenceId),
  },

  Challenge: {
    async inference(challenge, _args, ctx) {
      const inference = await ctx.loaders.inference.load(challenge.inferenceId);
      if (!inference) throw missing("inference", challenge.inferenceId);
      return inference;
    },
  },

  NodeConnection: totalCount,
  ModelConnection: totalCount,
  InferenceConnection: totalCount,
  SettlementConnection: totalCount,
  BatchSettlementConnection: totalCount,
  SlashConnection: totalCount,
  ChallengeConnection: totalCount,
};
