// GraphQL selections shared by the explorer's reads (all against the public API, spec/api.graphql).

export const BLOCK_REF = "number hash timestamp txHash logIndex finalized";

export const REPUTATION =
  "score lowerBound upperBound successRate effectiveSamples decayedSlashes slashFactor provisional asOf formulaVersion";

export const NODE_COUNTS =
  "committed revealed verified failed expired challenged disputesLost slashes settlements settlementSignatureFailures discrepancies";

export const INFERENCE_ROW = `id mode status discrepancy revealDeadline
  node { id } model { id name version }
  committed { ${BLOCK_REF} } revealed { number finalized } settled { number finalized }
  checks { commitment revealOnTime teeSignature pcrValid }`;

export const SETTLEMENT_ROW = `id teeId node { id } ethAddress inputHash outputHash timestampSeconds timestamp
  block { ${BLOCK_REF} } checks { signature freshness teeEnabled pcrValid }`;

export const SLASH_ROW = `id node { id } inference { id } reason amount remainingStake block { ${BLOCK_REF} }`;

export const PAGE_INFO = "pageInfo { hasNextPage endCursor } totalCount";

export const ATTESTATION = `status reason format moduleId timestamp pcr0 pcr1 pcr2 pcrHash
  certificates { subject notBefore notAfter } userData document tlsCertificate registered { ${BLOCK_REF} }`;
