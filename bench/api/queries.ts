// The three GraphQL workloads, as the explorer asks them of the API, and the nearest OpenReader equivalents over
// the squid's own entities (schema.graphql). OpenReader has no reputation: its leaderboard orders by a stored
// column (rep_s, the decayed success weight) and returns the raw rep-v1 state instead of a computed score; its node
// page is four root fields (the entity has no derived lists); its lists have no cursors (limit, no pageInfo).

export interface Workload {
  name: string;
  ours: (i: number) => string;
  openReader: (i: number) => string;
}

export interface Sample {
  /** Node ids for node pages, spread over busy and quiet nodes. */
  nodeIds: string[];
  /** The model with the most inferences. */
  busyModelId: string;
}

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

const NODE_COUNTS = `committed revealed verified failed expired challenged disputesLost slashes settlements
  settlementSignatureFailures discrepancies`;

const LEADERBOARD = `query Leaderboard {
  nodes(first: 50, orderBy: SCORE_DESC) {
    edges { node {
      id owner enabled teeType stake totalSlashed
      counts { ${NODE_COUNTS} }
      reputation { score lowerBound upperBound successRate effectiveSamples provisional }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const NODE_COLUMNS = `id owner enabled teeType stake totalSlashed ${NODE_COUNTS} repRefTime repS repN repD`;

const OR_LEADERBOARD = `query Leaderboard {
  nodes(limit: 50, orderBy: [repS_DESC, id_ASC]) { ${NODE_COLUMNS} }
}`;

const NODE_PAGE = `query NodePage($id: Bytes!) {
  node(id: $id) {
    id owner operator teeType endpoint paymentAddress publicKey pcrHash pcrApproved enabled
    registered { number hash timestamp txHash finalized }
    lastHeartbeatAt stake pendingWithdrawals totalSlashed
    counts { ${NODE_COUNTS} }
    reputation { score lowerBound upperBound successRate effectiveSamples decayedSlashes slashFactor provisional asOf }
    inferences(first: 20) { edges { node {
      id status mode model { id name } committed { number timestamp txHash } settled { number timestamp }
      discrepancy checks { commitment revealOnTime teeSignature pcrValid }
    } } pageInfo { hasNextPage endCursor } }
    settlements(first: 20) { edges { node {
      id inputHash outputHash timestampSeconds block { number timestamp txHash }
      checks { signature freshness teeEnabled pcrValid }
    } } pageInfo { hasNextPage endCursor } }
    slashes(first: 20) { edges { node {
      id reason amount remainingStake block { number timestamp txHash }
    } } pageInfo { hasNextPage endCursor } }
  }
}`;

const OR_NODE_PAGE = `query NodePage($id: String!) {
  nodeById(id: $id) {
    id owner operator teeType endpoint paymentAddress publicKey pcrHash enabled
    registeredBlock registeredBlockHash registeredAt registeredTx
    lastHeartbeatAt stake pendingWithdrawals totalSlashed ${NODE_COUNTS} repRefTime repS repN repD
  }
  inferences(limit: 20, where: { node: { id_eq: $id } }, orderBy: [committedBlock_DESC, committedLogIndex_DESC, id_DESC]) {
    id status mode model { id name } committedBlock committedAt committedTx settledBlock settledAt
    discrepancy commitmentCheck revealOnTimeCheck teeSignatureCheck pcrValidCheck
  }
  settlements(limit: 20, where: { teeId_eq: $id }, orderBy: [block_DESC, logIndex_DESC, id_DESC]) {
    id inputHash outputHash timestampSeconds block at tx
    signatureCheck freshnessCheck teeEnabledCheck pcrValidCheck
  }
  slashes(limit: 20, where: { node: { id_eq: $id } }, orderBy: [block_DESC, logIndex_DESC, id_DESC]) {
    id reason amount remainingStake block at tx
  }
}`;

const INFERENCES = `query Inferences($where: InferenceFilter) {
  inferences(first: 50, where: $where) {
    edges { node {
      id status mode node { id } model { id name } inputHash outputHash verifier discrepancy
      committed { number timestamp txHash } revealed { number } settled { number }
      checks { commitment revealOnTime teeSignature pcrValid }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const OR_INFERENCES = `query Inferences($where: InferenceWhereInput) {
  inferences(limit: 50, where: $where, orderBy: [committedBlock_DESC, committedLogIndex_DESC, id_DESC]) {
    id status mode node { id } model { id name } inputHash outputHash verifier discrepancy
    committedBlock committedAt committedTx revealedBlock settledBlock
    commitmentCheck revealOnTimeCheck teeSignatureCheck pcrValidCheck
  }
}`;

export function workloads(sample: Sample): Workload[] {
  const node = (i: number) => sample.nodeIds[i % sample.nodeIds.length];
  // Four filters in turn: failures, verified TEE inferences, one model's, discrepancies.
  const ourFilters = [
    { status: ["FAILED", "EXPIRED"] },
    { status: ["VERIFIED"], mode: "TEE" },
    { model: sample.busyModelId },
    { discrepancy: true },
  ];
  const orFilters = [
    { status_in: ["FAILED", "EXPIRED"] },
    { status_in: ["VERIFIED"], mode_eq: "TEE" },
    { model: { id_eq: sample.busyModelId } },
    { discrepancy_eq: true },
  ];
  return [
    { name: "leaderboard", ours: () => body(LEADERBOARD), openReader: () => body(OR_LEADERBOARD) },
    {
      name: "node page",
      ours: (i) => body(NODE_PAGE, { id: node(i) }),
      openReader: (i) => body(OR_NODE_PAGE, { id: node(i) }),
    },
    {
      name: "inference list",
      ours: (i) => body(INFERENCES, { where: ourFilters[i % 4] }),
      openReader: (i) => body(OR_INFERENCES, { where: orFilters[i % 4] }),
    },
  ];
}
