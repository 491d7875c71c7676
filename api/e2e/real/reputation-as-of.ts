// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
import type { ApiProcess } from "@attestation-explorer/testkit/api-process";
import { expect } from "vitest";

/**
 * Every reputation-history row (NDJSON) equals `node(id) { reputation(asOf: bucket end) }` as the API answers it;
 * returns the nodes the rows cover.
 */
export async function expectAgreesWithReputationAsOf(api: ApiProcess, rows: any[]): Promise<Set<string>> {
  const nodes = new Set<string>(rows.map((r) => r.node));
  for (const row of rows) {
    const data = await api.ok(
      `query($id: Bytes!, $asOf: DateTime) { node(id: $id) { reputation(asOf: $asOf) {
        score lowerBound upperBound successRate effectiveSamples decayedSlashes slashFactor provisional asOf formulaVersion } } }`,
      { id: row.node, asOf: row.bucket_end },
    );
    const rep = data.node.reputation;
    const where = `${row.node} at ${row.bucket_end}`;
    expect(rep.asOf, where).toBe(row.bucket_end);
    expect(row.score, where).toBe(rep.score);
    expect(row.lower_bound, where).toBe(rep.lowerBound);
    expect(row.upper_bound, where).toBe(rep.upperBound);
    expect(row.n, where).toBe(rep.effectiveSamples);
    expect(row.d, where).toBe(rep.decayedSlashes);
    expect(row.slash_factor, where).toBe(rep.slashFactor);
    expect(row.provisional, where).toBe(rep.provisional);
    expect(row.formula_version, where).toBe(rep.formulaVersion);
    if (rep.successRate === null) expect(row.n).toBe(0);
    else expect(row.s / row.n, where).toBeCloseTo(rep.successRate, 12);
    expect(row.s + row.f, where).toBeCloseTo(row.n, 9);
  }
  return nodes;
}
