import { gql } from "~/lib/graphql.server";
import type { SearchHit } from "./search-hit";

export type { SearchHit };

export async function search(query: string): Promise<SearchHit[]> {
  // Settlement and Slash ids are ID!, the others Bytes!: one selection cannot name both "id" (GraphQL field merging).
  const data = await gql<{ search: (SearchHit & { settlementId?: string; slashId?: string })[] }>(
    `query Search($query: String!) {
      search(query: $query) {
        __typename
        ... on Node { id owner endpoint }
        ... on Model { id name version mode }
        ... on Inference { id status model { name } }
        ... on Settlement { settlementId: id teeId }
        ... on Slash { slashId: id reason node { id } }
      }
    }`,
    { query },
  );
  return data.search.map(
    ({ settlementId, slashId, ...hit }) => ({ ...hit, id: settlementId ?? slashId ?? hit.id }) as SearchHit,
  );
}
