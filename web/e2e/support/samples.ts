// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are read as untyped JSON
/**
 * Rows of the indexed network the tests open, chosen through the API (the explorer must show what the API says).
 */
import type { Stack } from "./stack.ts";

export const BLOCK = "number hash timestamp txHash logIndex finalized";

export interface Samples {
  /** The leaderboard's first node (SCORE_DESC). */
  nodeId: string;
  /** The most used model. */
  model: { id: string; name: string; version: string };
  /** A VERIFIED TEE inference whose settlement's signature the indexer accepted. */
  teeInference: any;
  /** Its settlement. */
  settlementId: string;
  /** A settlement whose signature the indexer rejected (a forged one), by a registered TEE. */
  forgedSettlementId: string;
  /** An EXPIRED inference (slashed for the timeout). */
  expiredInference: any;
  /** An inference that was challenged, with the challenge resolved. */
  challengedInference: any | undefined;
}

const INFERENCE = `id mode status committed { ${BLOCK} } revealed { ${BLOCK} } settled { ${BLOCK} }
  model { id name version } node { id }
  settlement { id block { ${BLOCK} } checks { signature } }
  challenge { id opened { ${BLOCK} } resolved { ${BLOCK} } nodeAtFault }
  slashes { id reason block { ${BLOCK} } }
  checks { commitment revealOnTime teeSignature pcrValid }`;

export async function findSamples(s: Stack): Promise<Samples> {
  const d = await s.gql(`{
    nodes(first: 1, orderBy: SCORE_DESC) { edges { node { id } } }
    models(first: 1, orderBy: INFERENCES_DESC) { edges { node { id name version } } }
    tee: inferences(first: 100, where: { mode: TEE, status: [VERIFIED] }) { edges { node { ${INFERENCE} } } }
    expired: inferences(first: 20, where: { status: [EXPIRED] }) { edges { node { ${INFERENCE} } } }
    forged: settlements(first: 50, where: { signature: FAIL }) { edges { node { id node { id publicKey } } } }
    challenges(first: 50, where: { open: false }) { edges { node { id inference { ${INFERENCE} } } } }
  }`);
  const tee = d.tee.edges
    .map((e: any) => e.node)
    .find((i: any) => i.settlement?.checks.signature === "PASS" && i.checks.commitment === "PASS");
  if (!tee) throw new Error("the simulated network has no verified TEE inference with a valid settlement");
  const expired = d.expired.edges.map((e: any) => e.node).find((i: any) => i.slashes.length > 0);
  if (!expired) throw new Error("the simulated network has no expired inference with a slash");
  const forged = d.forged.edges.map((e: any) => e.node).find((x: any) => x.node?.publicKey);
  if (!forged) throw new Error("the simulated network has no forged settlement signature by a known TEE");
  return {
    nodeId: d.nodes.edges[0].node.id,
    model: d.models.edges[0].node,
    teeInference: tee,
    settlementId: tee.settlement.id,
    forgedSettlementId: forged.id,
    expiredInference: expired,
    challengedInference: d.challenges.edges.map((e: any) => e.node.inference)[0],
  };
}
