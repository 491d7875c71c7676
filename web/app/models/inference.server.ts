import {
  InferenceDocument,
  InferencePagesDocument,
  type InferenceQuery,
  InferencesDocument,
  type InferencesQueryVariables,
} from "~/generated/graphql";
import { gql } from "~/lib/graphql.server";
import type { PageWalk } from "./paging.server";

type ListArgs = Omit<InferencesQueryVariables, "first" | "after">;

export async function inferenceList(args: InferencesQueryVariables) {
  return (await gql(InferencesDocument, args)).inferences;
}

/** The cursors of the inferences `args` picks (paging.server.ts). */
export function inferencePages(args: ListArgs): PageWalk {
  return async (first, after) =>
    (await gql(InferencePagesDocument, { ...args, first, after })).inferences.pageInfo;
}

export type InferenceDetail = NonNullable<InferenceQuery["inference"]>;

export async function inferenceDetail(id: string): Promise<InferenceDetail | null> {
  return (await gql(InferenceDocument, { id })).inference;
}
