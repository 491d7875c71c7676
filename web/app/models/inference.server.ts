import { gql } from "~/lib/graphql.server";
import { BLOCK_REF, INFERENCE_ROW, PAGE_INFO, SLASH_ROW } from "./fragments";
import type { BlockRef, Check, Connection, InferenceRow, InferenceStatus, Mode, SlashRow } from "./types";

export interface InferenceFilter {
  node?: string;
  model?: string;
  status?: InferenceStatus[];
  mode?: Mode;
  from?: string;
  to?: string;
  discrepancy?: boolean;
}

export async function inferenceList(args: {
  first: number;
  after?: string;
  orderBy: "COMMITTED_DESC" | "COMMITTED_ASC";
  where: InferenceFilter;
}): Promise<Connection<InferenceRow>> {
  const data = await gql<{ inferences: Connection<InferenceRow> }>(
    `query Inferences($first: Int!, $after: String, $orderBy: InferenceOrderBy!, $where: InferenceFilter) {
      inferences(first: $first, after: $after, orderBy: $orderBy, where: $where) {
        edges { node { ${INFERENCE_ROW} } } ${PAGE_INFO}
      }
    }`,
    args,
  );
  return data.inferences;
}

export interface InferenceDetail {
  id: string;
  mode: Mode;
  status: InferenceStatus;
  inputHash: string;
  commitment: string;
  outputHash: string | null;
  salt: string | null;
  proofRef: string | null;
  revealDeadline: string;
  committed: BlockRef;
  revealed: BlockRef | null;
  settled: BlockRef | null;
  verifier: string | null;
  discrepancy: boolean;
  node: {
    id: string;
    teeType: number | null;
    pcrHash: string | null;
    pcrApproved: boolean;
    publicKey: string | null;
  };
  model: { id: string; name: string; version: string; mode: Mode };
  challenge: {
    id: string;
    challenger: string;
    bond: string;
    deadline: string;
    opened: BlockRef;
    resolved: BlockRef | null;
    nodeAtFault: boolean | null;
    evidenceHash: string | null;
  } | null;
  slashes: SlashRow[];
  settlement: {
    id: string;
    teeId: string;
    inputHash: string;
    outputHash: string;
    timestampSeconds: string;
    signature: string;
    block: BlockRef;
    checks: { signature: Check; freshness: Check; teeEnabled: Check; pcrValid: Check };
  } | null;
  checks: { commitment: Check; revealOnTime: Check; teeSignature: Check; pcrValid: Check };
}

export async function inferenceDetail(id: string): Promise<InferenceDetail | null> {
  const data = await gql<{ inference: InferenceDetail | null }>(
    `query Inference($id: Bytes!) {
      inference(id: $id) {
        id mode status inputHash commitment outputHash salt proofRef revealDeadline verifier discrepancy
        committed { ${BLOCK_REF} } revealed { ${BLOCK_REF} } settled { ${BLOCK_REF} }
        node { id teeType pcrHash pcrApproved publicKey }
        model { id name version mode }
        challenge { id challenger bond deadline opened { ${BLOCK_REF} } resolved { ${BLOCK_REF} } nodeAtFault evidenceHash }
        slashes { ${SLASH_ROW} }
        settlement { id teeId inputHash outputHash timestampSeconds signature block { ${BLOCK_REF} }
          checks { signature freshness teeEnabled pcrValid } }
        checks { commitment revealOnTime teeSignature pcrValid }
      }
    }`,
    { id },
  );
  return data.inference;
}
