import { gql } from "~/lib/graphql.server";
import type { ModelOrderBy } from "./enums";
import { BLOCK_REF, INFERENCE_ROW, PAGE_INFO, REPUTATION } from "./fragments";
import type { BlockRef, Connection, InferenceRow, Interval, Mode, Reputation } from "./types";

export interface ModelCounts {
  inferences: number;
  verified: number;
  failed: number;
  expired: number;
  discrepancies: number;
}

export interface ModelRow {
  id: string;
  owner: string | null;
  name: string;
  version: string;
  mode: Mode;
  deprecated: boolean;
  counts: ModelCounts;
  distinctNodes30d: number;
  reputation: Pick<Reputation, "score" | "lowerBound" | "upperBound" | "provisional">;
}

export async function modelList(args: {
  first: number;
  after?: string;
  orderBy: ModelOrderBy;
  where: { mode?: Mode; deprecated?: boolean; nameContains?: string };
}): Promise<Connection<ModelRow>> {
  const data = await gql<{ models: Connection<ModelRow> }>(
    `query Models($first: Int!, $after: String, $orderBy: ModelOrderBy!, $where: ModelFilter) {
      models(first: $first, after: $after, orderBy: $orderBy, where: $where) {
        edges { node { id owner name version mode deprecated distinctNodes30d
          counts { inferences verified failed expired discrepancies }
          reputation { score lowerBound upperBound provisional } } }
        ${PAGE_INFO}
      }
    }`,
    args,
  );
  return data.models;
}

export interface ModelDetail extends ModelRow {
  contentHash: string | null;
  blobId: string;
  registered: BlockRef | null;
  reputation: Reputation;
  history: {
    start: string;
    inferences: number;
    verified: number;
    failed: number;
    expired: number;
    distinctNodes: number;
  }[];
  inferences: Connection<InferenceRow>;
  servingNodes: {
    node: { id: string; enabled: boolean; reputation: { score: number; provisional: boolean } };
    inferences: number;
    firstCommitAt: string;
    lastCommitAt: string;
  }[];
}

export async function modelDetail(
  id: string,
  interval: Interval,
  from?: string,
  to?: string,
): Promise<ModelDetail | null> {
  const data = await gql<{ model: ModelDetail | null }>(
    `query Model($id: Bytes!, $interval: Interval!, $from: DateTime, $to: DateTime) {
      model(id: $id) {
        id owner name version mode contentHash blobId deprecated distinctNodes30d
        registered { ${BLOCK_REF} }
        counts { inferences verified failed expired discrepancies }
        reputation { ${REPUTATION} }
        history(interval: $interval, from: $from, to: $to) { start inferences verified failed expired distinctNodes }
        inferences(first: 50) { edges { node { ${INFERENCE_ROW} } } ${PAGE_INFO} }
        servingNodes(first: 50) { node { id enabled reputation { score provisional } } inferences firstCommitAt lastCommitAt }
      }
    }`,
    { id, interval, from, to },
  );
  return data.model;
}
