/**
 * What the simulator's ground truth says the indexer must conclude, checked against rows (the fold's expected rows
 * or the database's, both in canonical snake_case form). Returns one readable line per disagreement.
 */
import type { TruthLine } from "../../../../devnet/src/simulator/ground-truth.ts";
import type { Row } from "./fold-chain.ts";

export interface TruthRows {
  /** inference rows by request id */
  inference: Map<string, Row>;
  /** settlement rows (any key); matched to truth lines by tx */
  settlement: Iterable<Row>;
  /** heartbeat rows (any key); matched by tx */
  heartbeat: Iterable<Row>;
}

interface CommitExpect {
  status: string;
  commitment: string;
  revealOnTime: string;
  settlement: "before" | "after" | "none";
  settlementSignature: string | null;
  settlementFreshness: string | null;
}

/** The canonical (not reorged) lines of a ground truth. */
export function canonicalTruth(truth: TruthLine[]): TruthLine[] {
  return truth.filter((l) => l.kind !== "reorg" && !l.reorged);
}

export function truthMismatches(rows: TruthRows, truth: TruthLine[]): string[] {
  const out: string[] = [];
  const lines = canonicalTruth(truth);
  const registered = new Set(
    lines.filter((l) => l.kind === "registerTEE").map((l) => String(l.node).toLowerCase()),
  );
  const byTx = (list: Iterable<Row>) => {
    const m = new Map<string, Row[]>();
    for (const r of list) {
      const k = String(r.tx);
      const l = m.get(k);
      if (l) l.push(r);
      else m.set(k, [r]);
    }
    return m;
  };
  const settlements = byTx(rows.settlement);
  const heartbeats = byTx(rows.heartbeat);
  const eq = (what: string, expected: unknown, actual: unknown) => {
    if (expected !== actual) out.push(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  };

  // A run that stopped (live mode) leaves inferences in flight: judge those by how far they got.
  const revealed = new Set(
    lines.filter((l) => l.kind === "reveal").map((l) => String(l.requestId).toLowerCase()),
  );
  const decided = new Set(
    lines
      .filter((l) => l.kind === "verify" || l.kind === "expire")
      .map((l) => String(l.requestId).toLowerCase()),
  );
  for (const l of lines) {
    if (l.kind === "commit") {
      const id = String(l.requestId).toLowerCase();
      const r = rows.inference.get(id);
      if (!r) {
        out.push(`inference ${id} (commit in block ${l.block}) is missing`);
        continue;
      }
      const e = l.expect as CommitExpect;
      const done = decided.has(id);
      const shown = revealed.has(id);
      eq(`inference ${id} status`, done ? e.status : shown ? "REVEALED" : "COMMITTED", r.status);
      eq(
        `inference ${id} commitment_check`,
        done || shown ? e.commitment : "NOT_APPLICABLE",
        r.commitment_check,
      );
      eq(
        `inference ${id} reveal_on_time_check`,
        done || shown ? e.revealOnTime : "NOT_APPLICABLE",
        r.reveal_on_time_check,
      );
      if (l.mode === "TEE") {
        // A revealed TEE inference links to its settlement (sent with the commit, or with the verdict); an
        // inference never revealed is NOT_APPLICABLE.
        const settled = e.settlement === "before" || done;
        const sig = !shown ? "NOT_APPLICABLE" : settled ? (e.settlementSignature ?? "UNKNOWN") : "UNKNOWN";
        eq(`inference ${id} tee_signature_check`, sig, r.tee_signature_check);
      } else {
        eq(`inference ${id} tee_signature_check`, "NOT_APPLICABLE", r.tee_signature_check);
        eq(`inference ${id} pcr_valid_check`, "NOT_APPLICABLE", r.pcr_valid_check);
      }
    } else if (l.kind === "settleIndividual") {
      const found = settlements.get(String(l.tx).toLowerCase()) ?? [];
      if (found.length !== 1) {
        out.push(`settlement tx ${l.tx}: expected 1 row, found ${found.length}`);
        continue;
      }
      const e = l.expect as { signature: string; freshness: string };
      // A TEE unknown when it settled is re-checked when it registers.
      const tee = String(l.teeId).toLowerCase();
      const sig = e.signature === "UNKNOWN" && registered.has(tee) ? "PASS" : e.signature;
      eq(`settlement ${l.tx} signature_check`, sig, found[0].signature_check);
      eq(`settlement ${l.tx} freshness_check`, e.freshness, found[0].freshness_check);
      eq(`settlement ${l.tx} node_id`, registered.has(tee) ? tee : null, found[0].node_id);
    } else if (l.kind === "heartbeat") {
      const found = heartbeats.get(String(l.tx).toLowerCase()) ?? [];
      if (found.length !== 1) {
        out.push(`heartbeat tx ${l.tx}: expected 1 row, found ${found.length}`);
        continue;
      }
      const e = l.expect as { signature: string };
      eq(`heartbeat ${l.tx} signature_check`, e.signature, found[0].signature_check);
      eq(`heartbeat ${l.tx} counts`, e.signature !== "FAIL", found[0].counts);
    }
  }
  const commits = lines.filter((l) => l.kind === "commit").length;
  if (rows.inference.size !== commits)
    out.push(`${rows.inference.size} inferences, the ground truth commits ${commits}`);
  return out;
}

/** Distinct values of a column over rows (for "every check kind is exercised" assertions). */
export function valuesOf(
  rows: Iterable<Row>,
  column: string,
  where: (r: Row) => boolean = () => true,
): Set<unknown> {
  const out = new Set<unknown>();
  for (const r of rows) if (where(r)) out.add(r[column]);
  return out;
}
