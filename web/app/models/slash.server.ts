import { gql } from "~/lib/graphql.server";
import { PAGE_INFO, SLASH_ROW } from "./fragments";
import type { Connection, SlashRow } from "./types";

export const SLASH_REASONS = [
  "INVALID_PROOF",
  "REVEAL_MISMATCH",
  "REVEAL_TIMEOUT",
  "LOST_DISPUTE",
  "PCR_REVOKED",
  "EQUIVOCATION",
] as const;
export type SlashReason = (typeof SLASH_REASONS)[number];

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
