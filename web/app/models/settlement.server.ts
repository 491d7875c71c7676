import {
  SettlementDocument,
  SettlementPagesDocument,
  type SettlementQuery,
  SettlementsDocument,
  type SettlementsQueryVariables,
} from "~/generated/graphql";
import { gql } from "~/lib/graphql.server";
import type { PageWalk } from "./paging.server";

export async function settlementList(args: SettlementsQueryVariables) {
  return (await gql(SettlementsDocument, args)).settlements;
}

/** The cursors of the settlements `where` picks (paging.server.ts). */
export function settlementPages(where: SettlementsQueryVariables["where"]): PageWalk {
  return async (first, after) =>
    (await gql(SettlementPagesDocument, { where, first, after })).settlements.pageInfo;
}

export type SettlementDetail = NonNullable<SettlementQuery["settlement"]>;

export async function settlementDetail(id: string): Promise<SettlementDetail | null> {
  return (await gql(SettlementDocument, { id })).settlement;
}
