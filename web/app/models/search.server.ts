import { SearchDocument } from "~/generated/graphql";
import { gql } from "~/lib/graphql.server";
import type { SearchHit } from "./search-hit";

export type { SearchHit };

export async function search(query: string): Promise<SearchHit[]> {
  const data = await gql(SearchDocument, { query });
  // Settlement and Slash ids come aliased (search.graphql): every hit gets its id back under one name.
  return data.search.map((hit) => {
    switch (hit.__typename) {
      case "Settlement": {
        const { settlementId, ...rest } = hit;
        return { ...rest, id: settlementId };
      }
      case "Slash": {
        const { slashId, ...rest } = hit;
        return { ...rest, id: slashId };
      }
      default:
        return hit;
    }
  });
}
