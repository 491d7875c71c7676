import { gql } from "~/lib/graphql.server";
import { BLOCK_REF, PAGE_INFO, SETTLEMENT_ROW } from "./fragments";
import type { BlockRef, Check, Connection, InferenceStatus, SettlementRow } from "./types";

export async function settlementList(args: {
  first: number;
  after?: string;
  where: { teeId?: string; signature?: Check; from?: string; to?: string };
}): Promise<Connection<SettlementRow>> {
  const data = await gql<{ settlements: Connection<SettlementRow> }>(
    `query Settlements($first: Int!, $after: String, $where: SettlementFilter) {
      settlements(first: $first, after: $after, where: $where) { edges { node { ${SETTLEMENT_ROW} } } ${PAGE_INFO} }
    }`,
    args,
  );
  return data.settlements;
}

export interface SettlementDetail extends SettlementRow {
  walrusBlobId: string;
  signature: string;
  node: { id: string; publicKey: string | null; pcrHash: string | null; enabled: boolean } | null;
  block: BlockRef;
  /** The inferences it settles (the indexer's link). */
  inferences: { id: string; status: InferenceStatus; model: { id: string; name: string } }[];
}

export async function settlementDetail(id: string): Promise<SettlementDetail | null> {
  const data = await gql<{ settlement: SettlementDetail | null }>(
    `query Settlement($id: ID!) {
      settlement(id: $id) { ${SETTLEMENT_ROW} walrusBlobId signature node { id publicKey pcrHash enabled }
        block { ${BLOCK_REF} } inferences { id status model { id name } } }
    }`,
    { id },
  );
  return data.settlement;
}
