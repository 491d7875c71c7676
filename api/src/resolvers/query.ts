import { listBatchSettlements, listChallenges, listSettlements, listSlashes } from "../data/activity.ts";
import { indexerStatusFromRow, listReorgs } from "../data/indexer-state.ts";
import { listInferences } from "../data/inferences.ts";
import { listModels } from "../data/models-list.ts";
import { readNetworkStats } from "../data/network.ts";
import { listNodes } from "../data/nodes.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { networkHistory } from "../history/history-sql.ts";
import { parseFirst } from "../pagination/connection.ts";
import { search } from "../search/search.ts";
import { bytes32, given, optionalAddress, optionalBytes32 } from "./args.ts";

export const queryResolvers: Resolvers = {
  Query: {
    node: (_root, { id }, ctx) => ctx.loaders.node.load(bytes32("id", id)),
    async nodes(_root, args, ctx) {
      const w = args.where ?? {};
      const state = await ctx.indexerState();
      return listNodes(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        orderBy: args.orderBy ?? "SCORE_DESC",
        where: {
          enabled: given(w.enabled),
          teeType: given(w.teeType),
          owner: optionalAddress("where.owner", w.owner),
          minScore: given(w.minScore),
          provisional: given(w.provisional),
        },
        asOf: await ctx.latestTime(),
        state,
      });
    },
    model: (_root, { id }, ctx) => ctx.loaders.model.load(bytes32("id", id)),
    async models(_root, args, ctx) {
      const w = args.where ?? {};
      return listModels(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        orderBy: args.orderBy ?? "INFERENCES_DESC",
        where: {
          mode: given(w.mode),
          owner: optionalAddress("where.owner", w.owner),
          deprecated: given(w.deprecated),
          nameContains: given(w.nameContains),
        },
        asOf: await ctx.latestTime(),
      });
    },
    inference: (_root, { id }, ctx) => ctx.loaders.inference.load(bytes32("id", id)),
    inferences(_root, args, ctx) {
      const w = args.where ?? {};
      return listInferences(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        orderBy: args.orderBy ?? "COMMITTED_DESC",
        where: {
          nodeId: optionalBytes32("where.node", w.node),
          modelId: optionalBytes32("where.model", w.model),
          statuses: given(w.status),
          mode: given(w.mode),
          from: given(w.from),
          to: given(w.to),
          discrepancy: given(w.discrepancy),
        },
      });
    },
    settlement: (_root, { id }, ctx) => ctx.loaders.settlement.load(id.toLowerCase()),
    settlements(_root, args, ctx) {
      const w = args.where ?? {};
      return listSettlements(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        where: {
          teeId: optionalBytes32("where.teeId", w.teeId),
          signature: given(w.signature),
          from: given(w.from),
          to: given(w.to),
        },
      });
    },
    batchSettlements: (_root, args, ctx) =>
      listBatchSettlements(ctx.db, { first: parseFirst(args.first), after: args.after }),
    slashes(_root, args, ctx) {
      const w = args.where ?? {};
      return listSlashes(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        where: {
          nodeId: optionalBytes32("where.node", w.node),
          reason: given(w.reason),
          from: given(w.from),
          to: given(w.to),
        },
      });
    },
    challenges(_root, args, ctx) {
      const w = args.where ?? {};
      return listChallenges(ctx.db, {
        first: parseFirst(args.first),
        after: args.after,
        where: { nodeId: optionalBytes32("where.node", w.node), open: given(w.open) },
      });
    },
    networkStats: (_root, _args, ctx) => readNetworkStats(ctx.db),
    async networkHistory(_root, args, ctx) {
      return networkHistory(ctx.db, {
        interval: args.interval ?? "DAY",
        from: given(args.from),
        to: given(args.to),
        asOf: await ctx.latestTime(),
      });
    },
    search: (_root, { query }, ctx) => search(ctx.db, query),
    indexerStatus: async (_root, _args, ctx) => indexerStatusFromRow(await ctx.indexerState()),
    reorgs: (_root, args, ctx) => listReorgs(ctx.db, parseFirst(args.first)),
  },
};
