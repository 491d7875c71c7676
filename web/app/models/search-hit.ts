// One result of Query.search and the explorer page that shows it (shared by the loader and the browser).
import type { SearchQuery } from "~/generated/graphql";

/** A hit of search.graphql with its id under one name (Settlement and Slash ids come aliased there). */
type WithId<H> = H extends { settlementId: string }
  ? Omit<H, "settlementId"> & { id: string }
  : H extends { slashId: string }
    ? Omit<H, "slashId"> & { id: string }
    : H;

export type SearchHit = WithId<SearchQuery["search"][number]>;

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

/** What a hit is, in words: "Node at https://…", "Model name version (TEE)", "Inference (verified) of …". */
export function describeHit(hit: SearchHit): string {
  switch (hit.__typename) {
    case "Node":
      return `Node${hit.endpoint ? ` at ${hit.endpoint}` : ""}`;
    case "Model":
      return `Model ${hit.name}${hit.version ? ` ${hit.version}` : ""} (${hit.mode})`;
    case "Inference":
      return `Inference (${hit.status.toLowerCase()}) of ${hit.model.name || "an unregistered model"}`;
    case "Settlement":
      return "Settlement";
    case "Slash":
      return `Slash (${hit.reason.toLowerCase().replaceAll("_", " ")})`;
  }
}
