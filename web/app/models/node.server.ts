import {
  type Interval,
  LeaderboardDocument,
  type LeaderboardQueryVariables,
  NodeDocument,
  NodePagesDocument,
  type NodeQuery,
} from "~/generated/graphql";
import { gql } from "~/lib/graphql.server";
import type { PageWalk } from "./paging.server";

type ListArgs = Omit<LeaderboardQueryVariables, "first" | "after">;

export async function leaderboard(args: LeaderboardQueryVariables) {
  return (await gql(LeaderboardDocument, args)).nodes;
}

/** The cursors of the nodes `args` picks (paging.server.ts). */
export function nodePages(args: ListArgs): PageWalk {
  return async (first, after) => (await gql(NodePagesDocument, { ...args, first, after })).nodes.pageInfo;
}

export type NodeDetail = NonNullable<NodeQuery["node"]>;

export async function nodeDetail(
  id: string,
  interval: Interval,
  from?: string,
  to?: string,
): Promise<NodeDetail | null> {
  return (await gql(NodeDocument, { id, interval, from, to })).node;
}
