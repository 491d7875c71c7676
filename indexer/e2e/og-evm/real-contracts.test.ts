// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are untyped JSON
/**
 * The compiled indexer on OpenGradient's REAL contracts (og-evm 113ae07's TEERegistry and InferenceSettlementRelay,
 * compiled from ../shared/fixtures by contracts/og-evm/compile.ts, our MockTEEVerifier at the TEE precompile's
 * address), with TEE_REGISTRY_ADDRESS and SETTLEMENT_RELAY_ADDRESS only (no attestation registry). The scenario of
 * contracts/og-evm/scenario.ts is driven on anvil in two phases (the indexer catches up before the PCR revocation,
 * then after it), and the indexer's tables are compared with what was sent: nodes (keys, PCR hashes, enabled flags
 * after disable/enable/revoke), heartbeats (signature PASS, lastHeartbeatAt = block time), settlements (signature,
 * freshness at both bounds, teeEnabled, pcrValid turning FAIL retroactively on revocation), batch settlements, status
 * changes, PCRs, and the attestation check of each registration (devnet documents: DEVNET / NOT_APPLICABLE; the
 * real Nitro document: NITRO / FAIL, its user_data binding another enclave's keys).
 */

import { type ApiProcess, startApiProcess } from "@attestation-explorer/testkit/api-process";
import { IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NITRO_DOCUMENT_TIME_MS, NITRO_PCR_HASH, OgEvmChain } from "../../../contracts/og-evm/deploy.ts";
import {
  runScenario,
  SCENARIO_GENESIS,
  type Scenario,
  type SentSettlement,
} from "../../../contracts/og-evm/scenario.ts";

type Row = Record<string, unknown>;

let pg: TestPostgres;
let chain: OgEvmChain;
let indexer: IndexerProcess;
let db: PgClient;
let databaseUrl: string;
let s: Scenario;
/** Settlement rows (by tx) as the indexer had them before the revocation of PCR a. */
let beforeRevocation: Map<string, Row>;
const timings: Record<string, number> = {};

const lower = (h: string) => h.toLowerCase();
const seconds = (d: unknown) => Math.floor((d as Date).getTime() / 1000);
const rows = async (sql: string, values?: unknown[]) => (await db.query<Row>(sql, values)).rows;
const settlementsByTx = async () =>
  new Map((await rows("SELECT * FROM settlement")).map((r) => [r.tx as string, r]));

beforeAll(async () => {
  IndexerProcess.assertBuilt();
  let t = Date.now();
  pg = await startTestPostgres();
  databaseUrl = await pg.createDatabase("og_evm");
  db = await connect(databaseUrl);
  timings.postgres = Date.now() - t;
  t = Date.now();
  chain = await OgEvmChain.start({ genesisTimestamp: SCENARIO_GENESIS });
  timings.anvil = Date.now() - t;
  t = Date.now();
  s = await runScenario(chain, {
    beforeRevocation: async ({ net, lastBlock, settlements }) => {
      timings.phase1 = Date.now() - t;
      t = Date.now();
      indexer = new IndexerProcess({
        rpcUrl: chain.rpcUrl,
        // Two contracts: ATTESTATION_REGISTRY_ADDRESS empty counts as unset.
        addresses: {
          teeRegistry: net.registry.address,
          settlementRelay: net.relay.address,
          attestationRegistry: "",
        },
        startBlock: net.deploymentBlock,
        databaseUrl,
        finalityConfirmations: 2,
      });
      await indexer.start();
      await indexer.waitForHeight(lastBlock, { timeoutMs: 120_000 });
      beforeRevocation = await settlementsByTx();
      expect(beforeRevocation.size).toBe(settlements.length);
      timings.indexPhase1 = Date.now() - t;
      t = Date.now();
    },
  });
  timings.phase2 = Date.now() - t;
  t = Date.now();
  await indexer.waitForHeight(s.lastBlock, { timeoutMs: 120_000 });
  timings.indexPhase2 = Date.now() - t;
  console.log(`og-evm real contracts: ${JSON.stringify(timings)} ms, last block ${s.lastBlock}`);
}, 300_000);

afterAll(async () => {
  await api?.stop();
  if (indexer && process.env.INDEXER_E2E_VERBOSE) console.log(indexer.log.slice(-4000));
  await indexer?.close();
  await db?.end().catch(() => {});
  await chain?.stop();
  await pg?.stop();
});

const isPcrA = (x: SentSettlement) => x.tee === s.tees.a1 || x.tee === s.tees.a2;

describe("the indexer on og-evm 113ae07's real contracts (two-contract network)", () => {
  it("records the two indexed contracts, no attestation registry, and no undecoded log", async () => {
    const [state] = await rows("SELECT * FROM indexer_state WHERE id = 'indexer'");
    expect(state.tee_registry).toBe(lower(s.net.registry.address));
    expect(state.settlement_relay).toBe(lower(s.net.relay.address));
    expect(state.attestation_registry).toBeNull();
    expect(await rows("SELECT * FROM undecoded_log")).toEqual([]);
  });

  it("nodes: keys, PCR hashes, types, owners, endpoints; enabled after disable/enable/revoke", async () => {
    const nodes = new Map((await rows("SELECT * FROM node")).map((r) => [r.id as string, r]));
    expect([...nodes.keys()].sort()).toEqual(
      Object.values(s.tees)
        .map((t) => t.teeId)
        .sort(),
    );
    const enabled: Record<string, boolean> = { a1: false, a2: false, b: true, c: true, nitro: true };
    for (const [name, tee] of Object.entries(s.tees)) {
      const n = nodes.get(tee.teeId) as Row;
      expect(n.public_key, name).toBe(tee.key.publicKeyDer);
      expect(n.key_status, name).toBe("VALID");
      expect(n.key_source, name).toBe("CALLDATA");
      expect(n.pcr_hash, name).toBe(tee.pcrHash);
      expect(n.tee_type, name).toBe(tee.teeType);
      expect(n.owner, name).toBe(lower(tee.owner));
      expect(n.endpoint, name).toBe(tee.endpoint);
      expect(n.payment_address, name).toBe(lower(tee.paymentAddress));
      expect(n.registered_block, name).toBe(tee.registration.block);
      expect(n.registered_tx, name).toBe(tee.registration.hash);
      expect(seconds(n.registered_at), name).toBe(Number(tee.registration.time));
      expect(n.enabled, name).toBe(enabled[name]);
      expect(n.settlements, name).toBe(s.settlements.filter((x) => x.tee === tee).length);
      expect(n.settlement_signature_failures, name).toBe(0);
    }
    expect(nodes.get(s.tees.nitro.teeId)?.pcr_hash).toBe(NITRO_PCR_HASH);
  });

  it("status changes: registrations, b disabled then enabled (the second enableTEE emits nothing), a2 and a1 disabled by the revocation", async () => {
    const changes = await rows(
      "SELECT node_id, enabled, tx FROM tee_status_change ORDER BY block, log_index",
    );
    const expected: [Hex, boolean, Hex][] = [
      ...[s.tees.nitro, s.tees.a1, s.tees.a2, s.tees.b, s.tees.c].map(
        (t) => [t.teeId, true, t.registration.hash] as [Hex, boolean, Hex],
      ),
      [s.tees.b.teeId, false, s.disableB.hash],
      [s.tees.b.teeId, true, s.enableB.hash],
      [s.tees.a2.teeId, false, s.revokeA.hash],
      [s.tees.a1.teeId, false, s.revokeA.hash],
    ];
    expect(changes.map((c) => [c.node_id, c.enabled, c.tx])).toEqual(expected);
  });

  it("heartbeats: the accepted ones only, signature PASS, signed timestamp, block time; lastHeartbeatAt = block time", async () => {
    const hbs = await rows("SELECT * FROM heartbeat ORDER BY block, log_index");
    expect(hbs.map((h) => h.tx)).toEqual(s.heartbeats.map((h) => h.mined.hash));
    for (const [i, h] of s.heartbeats.entries()) {
      const r = hbs[i];
      expect(r.node_id).toBe(h.tee.teeId);
      expect(r.signature_check).toBe("PASS");
      expect(r.counts).toBe(true);
      expect(BigInt(r.timestamp_seconds as string)).toBe(h.timestamp);
      expect(r.signature).toBe(h.signature);
      expect(seconds(r.at)).toBe(Number(h.mined.time));
    }
    const nodes = new Map(
      (await rows("SELECT id, last_heartbeat_at FROM node")).map((r) => [r.id as string, r]),
    );
    for (const [name, tee] of Object.entries(s.tees)) {
      const last = s.heartbeats.filter((h) => h.tee === tee).at(-1);
      const at = nodes.get(tee.teeId)?.last_heartbeat_at;
      // Block time of the last heartbeat (c's signed a timestamp 60 s earlier: the block's time counts).
      if (last) expect(seconds(at), name).toBe(Number(last.mined.time));
    }
  });

  it("settlements: the accepted ones only, with what was sent; signature, freshness (both bounds), teeEnabled PASS", async () => {
    const byTx = await settlementsByTx();
    expect([...byTx.keys()].sort()).toEqual(s.settlements.map((x) => x.mined.hash).sort());
    const labels = s.settlements.map((x) => x.label);
    expect(labels).toContain("a1 at block - 3600");
    expect(labels).toContain("a1 at block + 300");
    for (const x of s.settlements) {
      const r = byTx.get(x.mined.hash) as Row;
      expect(r.tee_id, x.label).toBe(x.tee.teeId);
      expect(r.node_id, x.label).toBe(x.tee.teeId);
      expect(r.eth_address, x.label).toBe(lower(x.ethAddress));
      expect(r.input_hash, x.label).toBe(x.inputHash);
      expect(r.output_hash, x.label).toBe(x.outputHash);
      expect(BigInt(r.timestamp_seconds as string), x.label).toBe(x.timestamp);
      expect(r.walrus_blob_id, x.label).toBe(x.walrusBlobId);
      expect(r.signature, x.label).toBe(x.signature);
      expect(r.block, x.label).toBe(x.mined.block);
      expect(seconds(r.at), x.label).toBe(Number(x.mined.time));
      expect(r.signature_check, x.label).toBe("PASS");
      expect(r.freshness_check, x.label).toBe("PASS");
      expect(r.tee_enabled_check, x.label).toBe("PASS");
      expect(r.pcr_hash, x.label).toBe(x.tee.pcrHash);
      expect(r.tee_type, x.label).toBe(x.tee.teeType);
    }
  });

  it("pcrValid: PASS before the revocation of PCR a, FAIL retroactively after it for a1's and a2's settlements only", async () => {
    const after = await settlementsByTx();
    for (const x of s.settlements) {
      const before = beforeRevocation.get(x.mined.hash);
      if (before) expect(before.pcr_valid_check, `${x.label} before`).toBe("PASS");
      expect(after.get(x.mined.hash)?.pcr_valid_check, `${x.label} after`).toBe(isPcrA(x) ? "FAIL" : "PASS");
    }
    expect(s.settlements.filter(isPcrA).length).toBe(3);
  });

  it("batch settlements: root, size, blob", async () => {
    const batches = await rows("SELECT * FROM batch_settlement ORDER BY block, log_index");
    expect(
      batches.map((b) => [b.merkle_root, BigInt(b.batch_size as string), b.walrus_blob_id, b.tx]),
    ).toEqual(s.batches.map((b) => [b.merkleRoot, b.batchSize, b.walrusBlobId, b.mined.hash]));
  });

  it("TEE types and PCRs: approvals with type and version, PCR a revoked (type 0)", async () => {
    const types = await rows("SELECT type_id, name FROM tee_type ORDER BY type_id");
    expect(types).toEqual([
      { type_id: 0, name: "LLMProxy" },
      { type_id: 1, name: "Agent" },
    ]);
    const pcrs = new Map((await rows("SELECT * FROM pcr")).map((r) => [r.pcr_hash as string, r]));
    const expected: [Hex, number, string, boolean][] = [
      [s.pcrs.nitro.hash, 0, "nitro-113ae07", true],
      [s.pcrs.a.hash, 0, "v1.0.0", false],
      [s.pcrs.b.hash, 0, "v1.1.0", true],
      [s.pcrs.c.hash, 1, "agent-v1", true],
    ];
    for (const [hash, type, version, approved] of expected) {
      const r = pcrs.get(hash) as Row;
      expect(r, hash).toBeDefined();
      expect([r.tee_type, r.version, r.approved, r.ever_revoked]).toEqual([
        type,
        version,
        approved,
        !approved,
      ]);
    }
    const events = await rows("SELECT pcr_hash, tee_type, kind, tx FROM pcr_event ORDER BY block, log_index");
    expect(events.filter((e) => e.kind === "REVOKED")).toEqual([
      { pcr_hash: s.pcrs.a.hash, tee_type: 0, kind: "REVOKED", tx: s.revokeA.hash },
    ]);
    expect(events.filter((e) => e.kind === "APPROVED").map((e) => e.pcr_hash)).toEqual(
      expected.map((e) => e[0]),
    );
  });

  it("attestation: devnet documents DEVNET / NOT_APPLICABLE; the real Nitro document NITRO / FAIL on its user_data binding", async () => {
    const atts = new Map((await rows("SELECT * FROM tee_attestation")).map((r) => [r.id as string, r]));
    expect([...atts.keys()].sort()).toEqual(
      Object.values(s.tees)
        .map((t) => t.teeId)
        .sort(),
    );
    for (const tee of [s.tees.a1, s.tees.a2, s.tees.b, s.tees.c]) {
      const r = atts.get(tee.teeId) as Row;
      expect([r.format, r.status]).toEqual(["DEVNET", "NOT_APPLICABLE"]);
      expect(r.pcr_hash).toBe(tee.pcrHash);
      expect(r.tx).toBe(tee.registration.hash);
    }
    const n = atts.get(s.tees.nitro.teeId) as Row;
    expect([n.format, n.status]).toEqual(["NITRO", "FAIL"]);
    // Signature, certificate chain, PCR approval and freshness pass (the genesis was set near the document's
    // time): the first failure is the binding of our TLS certificate (sha256 in user_data is another enclave's).
    expect(String(n.reason)).toMatch(/^user_data does not bind the registered TLS certificate/);
    expect((n.certificates as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(n.module_id).toBe("i-0340e0cb833504eb6-enc019c12d31f78864d");
    expect((n.timestamp as Date).getTime()).toBe(NITRO_DOCUMENT_TIME_MS);
    expect(n.pcr_hash).toBe(NITRO_PCR_HASH);
    expect(n.document).toBe(s.tees.nitro.document);
    expect(n.tls_certificate).toBe(s.tees.nitro.tlsCertificate);
    expect(n.tx).toBe(s.tees.nitro.registration.hash);
  });
});

// The API (the built `api/dist/main.js`, as `npm run api` runs it) over the indexer's database, as an operator starts it.
let api: ApiProcess | undefined;

describe("the API over that index", () => {
  beforeAll(async () => {
    api = await startApiProcess({ DATABASE_URL: databaseUrl });
  }, 90_000);

  it("indexerStatus.contracts: the two contracts, no attestation registry", async () => {
    const { indexerStatus } = await (api as ApiProcess).ok(
      "{ indexerStatus { height contracts { teeRegistry settlementRelay attestationRegistry } } }",
    );
    expect(indexerStatus.height).toBeGreaterThanOrEqual(s.lastBlock);
    expect(indexerStatus.contracts).toEqual({
      teeRegistry: lower(s.net.registry.address),
      settlementRelay: lower(s.net.relay.address),
      attestationRegistry: null,
    });
  });

  it("nodes: key, PCR, enabled, pcrApproved, lastHeartbeatAt, attestation, settlements with their checks", async () => {
    const { nodes } = await (api as ApiProcess).ok(`{ nodes(first: 20) { edges { node {
      id publicKey pcrHash pcrApproved enabled teeType lastHeartbeatAt registered { number txHash }
      attestation { status format reason moduleId pcrHash registered { txHash } }
      settlements(first: 50) { totalCount edges { node { id timestampSeconds block { txHash }
        checks { signature freshness teeEnabled pcrValid } } } }
    } } } }`);
    const byId = new Map<string, any>(nodes.edges.map((e: any) => [e.node.id, e.node]));
    expect([...byId.keys()].sort()).toEqual(
      Object.values(s.tees)
        .map((t) => t.teeId)
        .sort(),
    );
    const enabled: Record<string, boolean> = { a1: false, a2: false, b: true, c: true, nitro: true };
    for (const [name, tee] of Object.entries(s.tees)) {
      const n = byId.get(tee.teeId);
      expect(n.publicKey, name).toBe(tee.key.publicKeyDer);
      expect(n.pcrHash, name).toBe(tee.pcrHash);
      expect(n.teeType, name).toBe(tee.teeType);
      expect(n.enabled, name).toBe(enabled[name]);
      expect(n.pcrApproved, name).toBe(tee.pcrHash !== s.pcrs.a.hash);
      expect(n.registered, name).toEqual({ number: tee.registration.block, txHash: tee.registration.hash });
      const last = s.heartbeats.filter((h) => h.tee === tee).at(-1);
      if (last) expect(Date.parse(n.lastHeartbeatAt) / 1000, name).toBe(Number(last.mined.time));
      expect(n.attestation.registered.txHash, name).toBe(tee.registration.hash);
      if (tee === s.tees.nitro) {
        expect([n.attestation.format, n.attestation.status]).toEqual(["NITRO", "FAIL"]);
        expect(n.attestation.reason).toMatch(/^user_data does not bind the registered TLS certificate/);
        expect(n.attestation.moduleId).toBe("i-0340e0cb833504eb6-enc019c12d31f78864d");
        expect(n.attestation.pcrHash).toBe(NITRO_PCR_HASH);
      } else {
        expect([n.attestation.format, n.attestation.status], name).toEqual(["DEVNET", "NOT_APPLICABLE"]);
      }
      const sent = s.settlements.filter((x) => x.tee === tee);
      expect(n.settlements.totalCount, name).toBe(sent.length);
      const got = new Map<string, any>(n.settlements.edges.map((e: any) => [e.node.block.txHash, e.node]));
      for (const x of sent) {
        const g = got.get(x.mined.hash);
        expect(g?.timestampSeconds, x.label).toBe(String(x.timestamp));
        expect(g?.checks, x.label).toEqual({
          signature: "PASS",
          freshness: "PASS",
          teeEnabled: "PASS",
          pcrValid: isPcrA(x) ? "FAIL" : "PASS",
        });
      }
    }
  });

  it("batchSettlements", async () => {
    const { batchSettlements } = await (api as ApiProcess).ok(
      "{ batchSettlements(first: 10) { totalCount edges { node { merkleRoot batchSize walrusBlobId block { txHash } } } } }",
    );
    expect(batchSettlements.totalCount).toBe(s.batches.length);
    const got = batchSettlements.edges
      .map((e: any) => e.node)
      .sort((a: any, b: any) => (a.merkleRoot < b.merkleRoot ? -1 : 1));
    const want = s.batches
      .map((b) => ({
        merkleRoot: b.merkleRoot,
        batchSize: String(b.batchSize),
        walrusBlobId: b.walrusBlobId,
        block: { txHash: b.mined.hash },
      }))
      .sort((a, b) => (a.merkleRoot < b.merkleRoot ? -1 : 1));
    expect(got).toEqual(want);
  });
});
