// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * The API over an index of OpenGradient's two contracts (TEE registry and settlement relay; no attestation
 * registry): the commit-reveal parts answer with empty lists and zero counts, never an error; what exists (nodes,
 * settlements, heartbeats, the attestation check) equals the two-contract fold of the chain; reputation runs on
 * what exists (rep-v1 has no input there: N = 0).
 */

import type { Row } from "@attestation-explorer/testkit/reference/fold-chain";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type BulkStack, startBulkStack } from "./real/stack.ts";

let s: BulkStack;
beforeAll(async () => {
  s = await startBulkStack(
    { seed: "api-two-contracts", nodes: 5, inferences: 200, perBlock: 20 },
    { twoContracts: true },
  );
}, 240_000);
afterAll(async () => {
  await s?.close();
});

const ok = (query: string, variables?: Record<string, unknown>) => s.api.ok(query, variables);
const table = (name: string) => s.expected.tables[name] as Map<string, Row>;

describe("a network of two contracts", () => {
  test("indexerStatus.contracts has no attestation registry", async () => {
    const { indexerStatus } = await ok(
      "{ indexerStatus { contracts { teeRegistry settlementRelay attestationRegistry } } }",
    );
    expect(indexerStatus.contracts).toEqual({
      teeRegistry: s.devnet.deployment.addresses.teeRegistry.toLowerCase(),
      settlementRelay: s.devnet.deployment.addresses.settlementRelay.toLowerCase(),
      attestationRegistry: null,
    });
  });

  test("commit-reveal parts answer empty lists and zero counts, without errors", async () => {
    const data = await ok(`{
      inferences(first: 10) { totalCount edges { node { id } } }
      models(first: 10) { totalCount edges { node { id } } }
      slashes(first: 10) { totalCount edges { node { id } } }
      networkStats { nodes models inferences verified failed expired pending slashes totalStake totalSlashed
        settlements settlementSignatureFailures discrepancies verificationRate byMode { mode count } }
      networkHistory(interval: DAY) { committed verified failed expired slashes }
    }`);
    for (const list of ["inferences", "models", "slashes"]) {
      expect(data[list], list).toEqual({ totalCount: 0, edges: [] });
    }
    const n = data.networkStats;
    expect(n).toMatchObject({
      models: 0,
      inferences: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      pending: 0,
      slashes: 0,
      totalStake: "0",
      totalSlashed: "0",
      discrepancies: 0,
      verificationRate: null,
    });
    expect(n.nodes).toBe(table("node").size);
    expect(n.settlements).toBe(table("settlement").size);
    expect(n.settlements).toBeGreaterThan(0);
    for (const b of data.networkHistory) {
      expect([b.committed, b.verified, b.failed, b.expired, b.slashes]).toEqual([0, 0, 0, 0, 0]);
    }
  });

  test("nodes: settlements, heartbeats and the attestation check as the fold says; rep-v1 on no verdicts", async () => {
    const { nodes } = await ok(`{ nodes(first: 100) { totalCount edges { node {
      id stake totalSlashed uptime7d lastHeartbeatAt pcrHash
      counts { committed verified slashes settlements settlementSignatureFailures }
      attestation { status format pcrHash }
      reputation { score lowerBound upperBound effectiveSamples provisional }
      inferences(first: 5) { totalCount } slashes(first: 5) { totalCount }
      settlements(first: 1) { totalCount } } } } }`);
    expect(nodes.totalCount).toBe(table("node").size);
    let withUptime = 0;
    for (const { node } of nodes.edges) {
      const r = table("node").get(node.id) as Row;
      expect(node, node.id).toMatchObject({
        stake: "0",
        totalSlashed: "0",
        lastHeartbeatAt: r.last_heartbeat_at,
        pcrHash: r.pcr_hash,
        counts: {
          committed: 0,
          verified: 0,
          slashes: 0,
          settlements: r.settlements,
          settlementSignatureFailures: r.settlement_signature_failures,
        },
        reputation: { score: 0, lowerBound: 0, upperBound: 1, effectiveSamples: 0, provisional: true },
        inferences: { totalCount: 0 },
        slashes: { totalCount: 0 },
        settlements: { totalCount: r.settlements },
      });
      const a = table("tee_attestation").get(node.id);
      expect(node.attestation, node.id).toEqual(
        a ? { status: a.status, format: a.format, pcrHash: a.pcr_hash } : null,
      );
      if (node.uptime7d > 0) withUptime++;
    }
    expect(withUptime, "heartbeats count toward uptime").toBeGreaterThan(0);
  });
});
