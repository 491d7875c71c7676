import type { Db } from "../db/database.ts";
import type { AttestationModel, CheckValue } from "./models.ts";
import { blockRef } from "./rows.ts";

// The indexer's attestation check of each TEE registration (table tee_attestation, written by the indexer's
// mapping from packages/checks/src/attestation): the API only reads it.

interface AttestationRow {
  id: string;
  format: AttestationModel["format"];
  status: CheckValue;
  reason: string | null;
  module_id: string | null;
  timestamp: Date | null;
  pcr0: string | null;
  pcr1: string | null;
  pcr2: string | null;
  pcr_hash: string | null;
  certificates: AttestationModel["certificates"] | null;
  user_data: string | null;
  document: string | null;
  tls_certificate: string | null;
  block: number;
  block_hash: string;
  at: Date;
  tx: string;
  log_index: number;
}

function attestationFromRow(r: AttestationRow): AttestationModel {
  return {
    id: r.id,
    status: r.status,
    reason: r.reason,
    format: r.format,
    moduleId: r.module_id,
    timestamp: r.timestamp,
    pcr0: r.pcr0,
    pcr1: r.pcr1,
    pcr2: r.pcr2,
    pcrHash: r.pcr_hash,
    certificates: r.certificates ?? [],
    userData: r.user_data,
    document: r.document,
    tlsCertificate: r.tls_certificate,
    registered: blockRef(r.block, r.block_hash, r.at, r.tx, r.log_index),
  };
}

/** The attestation check of each TEE id that has one. */
export async function attestationsByNodeIds(db: Db, ids: readonly string[]): Promise<AttestationModel[]> {
  const rows = await db.query<AttestationRow>("SELECT * FROM tee_attestation WHERE id = ANY($1)", [ids]);
  return rows.map(attestationFromRow);
}
