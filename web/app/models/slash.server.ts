import { gql } from "~/lib/graphql.server";
import type { SlashReason } from "./enums";
import { PAGE_INFO, SLASH_ROW } from "./fragments";
import type { Connection, SlashRow } from "./types";

export async function slashList(args: {
  first: number;
  after?: string;
  where: { node?: string; reason?: SlashReason; from?: string; to?: string };
}): Promise<Connection<SlashRow>> {
  const data = await gql<{ slashes: Connection<SlashRow> }>(
    `query Slashes($first: Int!, $after: String, $where: SlashFilter) {
      slashes(first: $first, after: $after, where: $where) { edges { node { ${SLASH_ROW} } } ${PAGE_INFO} }
    }`,
    args,
  );
  return data.slashes;
}
