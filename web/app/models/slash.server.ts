import { SlashesDocument, type SlashesQueryVariables, SlashPagesDocument } from "~/generated/graphql";
import { gql } from "~/lib/graphql.server";
import type { PageWalk } from "./paging.server";

export async function slashList(args: SlashesQueryVariables) {
  return (await gql(SlashesDocument, args)).slashes;
}

/** The cursors of the slashes `where` picks (paging.server.ts). */
export function slashPages(where: SlashesQueryVariables["where"]): PageWalk {
  return async (first, after) => (await gql(SlashPagesDocument, { where, first, after })).slashes.pageInfo;
}
