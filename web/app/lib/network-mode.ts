import type { NetworkContractsQuery } from "~/generated/graphql";

/** The contracts the indexer reads (IndexerStatus.contracts); attestationRegistry null on a two-contract network. */
type IndexedContracts = NetworkContractsQuery["indexerStatus"]["contracts"];

// What the explorer can show depends on the contracts the indexer reads. OpenGradient's network has the TEE
// registry and the settlement relay only: without the commit-reveal AttestationRegistry there is no stake, no
// pending withdrawal, no slash, no model registry and no commit-reveal inference, so the explorer hides those and
// says why instead of showing empty tables and zeros. Reputation is still shown: rep-v1 computed on what exists
// (no verdicts there, so N = 0: score 0, provisional), with uptime and settlement counts beside it.

export interface NetworkMode {
  /** The indexer reads the commit-reveal AttestationRegistry: stake, slashes, models and inferences exist. */
  commitReveal: boolean;
}

/** The one sentence the explorer shows where commit-reveal data would have been. */
export const NO_COMMIT_REVEAL =
  "This network has no commit-reveal registry: OpenGradient's chain records TEE registrations, heartbeats and settlements; stake, slashes and commit-reveal inferences do not exist here.";

/** The full set, for an API without IndexerStatus.contracts or an indexer that has not written them yet. */
export const ALL_CONTRACTS: NetworkMode = { commitReveal: true };

/**
 * The mode of a network from IndexerStatus.contracts: a missing `contracts` (older API, or the indexer has not
 * written its position yet) counts as all three contracts; a null attestationRegistry means two.
 */
export function networkModeOf(contracts: IndexedContracts | null | undefined): NetworkMode {
  if (!contracts) return ALL_CONTRACTS;
  return { commitReveal: contracts.attestationRegistry !== null };
}

/** Pages whose every row comes from the commit-reveal registry. */
export const COMMIT_REVEAL_PAGES = ["/models", "/inferences", "/slashes"] as const;

/** Whether a navigation target can have data in this mode. */
export function pageExists(path: string, mode: NetworkMode): boolean {
  if (mode.commitReveal) return true;
  return !COMMIT_REVEAL_PAGES.some((p) => path === p || path.startsWith(`${p}/`));
}
