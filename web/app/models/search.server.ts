import { gql } from "~/lib/graphql.server";

export type SearchHit =
  | { __typename: "Node"; id: string; owner: string | null; endpoint: string | null }
  | { __typename: "Model"; id: string; name: string; version: string; mode: string }
  | { __typename: "Inference"; id: string; status: string; model: { name: string } }
  | { __typename: "Settlement"; id: string; teeId: string }
  | { __typename: "Slash"; id: string; reason: string; node: { id: string } };

export async function search(query: string): Promise<SearchHit[]> {
  const data = await gql<{ search: SearchHit[] }>(
    `query Search($query: String!) {
      search(query: $query) {
        __typename
        ... on Node { id owner endpoint }
        ... on Model { id name version mode }
        ... on Inference { id status model { name } }
        ... on Settlement { id teeId }
        ... on Slash { id reason node { id } }
      }
    }`,
    { query },
  );
  return data.search;
}

/** The page of one search hit. */
export function hitPath(hit: SearchHit): string {
  switch (hit.__typename) {
    case "Node":
      return `/nodes/${hit.id}`;
    case "Model":
      return `/models/${hit.id}`;
    case "Inference":
      return `/inferences/${hit.id}`;
    case "Settlement":
      return `/settlements/${encodeURIComponent(hit.id)}`;
    case "Slash":
      return `/slashes?node=${hit.node.id}#${encodeURIComponent(hit.id)}`;
  }
}
