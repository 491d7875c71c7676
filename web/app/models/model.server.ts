import {
  type Interval,
  ModelDocument,
  ModelPagesDocument,
  type ModelQuery,
  ModelsDocument,
  type ModelsQueryVariables,
} from "~/generated/graphql";
import { gql } from "~/lib/graphql.server";
import type { PageWalk } from "./paging.server";

type ListArgs = Omit<ModelsQueryVariables, "first" | "after">;

export async function modelList(args: ModelsQueryVariables) {
  return (await gql(ModelsDocument, args)).models;
}

/** The cursors of the models `args` picks (paging.server.ts). */
export function modelPages(args: ListArgs): PageWalk {
  return async (first, after) => (await gql(ModelPagesDocument, { ...args, first, after })).models.pageInfo;
}

export type ModelDetail = NonNullable<ModelQuery["model"]>;

export async function modelDetail(
  id: string,
  interval: Interval,
  from?: string,
  to?: string,
): Promise<ModelDetail | null> {
  return (await gql(ModelDocument, { id, interval, from, to })).model;
}
