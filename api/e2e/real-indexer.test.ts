// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * The whole pipeline on a real chain: a bulk simulator run (fixed genesis and seed) on a devnet, indexed by the
 * compiled indexer into a real Postgres, served by the API as its own process (`node --import tsx
 * api/src/main.ts`, DATABASE_URL pointing at that database). Every answer is checked against the independent
 * reference fold of the chain (packages/testkit/src/reference/fold-chain.ts), the simulator's ground truth, and rep-v1
 * replays (packages/rep-v1).
 */

import { iso, type Row } from "@attestation-explorer/testkit/reference/fold-chain";
import { truthMismatches } from "@attestation-explorer/testkit/reference/truth-checks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { blockRef, REPUTATION_FIELDS, reputationAsOf, reputationDiffs } from "./real/expect.ts";
import { type BulkStack, startBulkStack } from "./real/stack.ts";

const FINALITY = 5;
const PAGE = 37;
let s: BulkStack;
let finalizedHeight: number;
let T: string;

beforeAll(async () => {
  s = await startBulkStack(
    { seed: "api-real-indexer", nodes: 6, inferences: 800, perBlock: 20 },
    { finality: FINALITY },
  );
  finalizedHeight = s.head.number - FINALITY;
  T = iso(s.expected.T);
  console.log(`real-indexer: stack ready ${JSON.stringify(s.timings)} (ms), head ${s.head.number}`);
  expect(s.expected.warnings).toEqual([]);
}, 240_000);
afterAll(async () => {
  await s?.close();
});

const ok = (query: string, variables?: Record<string, unknown>) => s.api.ok(query, variables);
const table = (name: string) => s.expected.tables[name] as Map<string, Row>;
const rows = (name: string) => [...table(name).values()];
const sortIds = (ids: Iterable<string>) => [...ids].sort();

/** Follows a connection page by page: every row once, totalCount constant, endCursor = last edge's cursor. */
async function walk(field: string, select: string, args = "", first = PAGE) {
  const nodes: any[] = [];
  let after: string | null = null;
  let total = -1;
  let pages = 0;
  for (;;) {
    const data: any = await ok(
      `query($first: Int, $after: String) { ${field}(first: $first, after: $after${args ? `, ${args}` : ""}) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${select} } } } }`,
      { first, after },
    );
    const c = data[field];
    pages++;
    if (total === -1) total = c.totalCount;
    expect(c.totalCount, `${field} totalCount on page ${pages}`).toBe(total);
    expect(c.edges.length).toBeLessThanOrEqual(first);
    nodes.push(...c.edges.map((e: any) => e.node));
    if (c.edges.length > 0) expect(c.pageInfo.endCursor).toBe(c.edges[c.edges.length - 1].cursor);
    if (!c.pageInfo.hasNextPage) break;
    expect(c.edges.length, `${field}: a page short of first before the end`).toBe(first);
    after = c.pageInfo.endCursor;
    expect(pages).toBeLessThan(500);
  }
  const ids = nodes.map((n) => n.id as string);
  expect(new Set(ids).size, `${field}: a row came twice`).toBe(ids.length);
  expect(ids.length, `${field}: rows walked vs totalCount`).toBe(total);
  return { nodes, ids, total, pages };
}

const BLOCK = "number hash timestamp txHash logIndex finalized";
const INFERENCE_FIELDS = `id node { id } model { id } mode status inputHash commitment outputHash salt proofRef revealDeadline
  committed { ${BLOCK} } revealed { ${BLOCK} } settled { ${BLOCK} } verifier challenge { id } slashes { id }
  settlement { id } checks { commitment revealOnTime teeSignature pcrValid } discrepancy`;
const SETTLEMENT_FIELDS = `id teeId node { id } ethAddress inputHash outputHash timestampSeconds timestamp walrusBlobId signature
  block { ${BLOCK} } checks { signature freshness teeEnabled pcrValid }`;

function expectedInference(r: Row) {
  const id = r.id as string;
  const challenges = [...s.expected.challenges.values()]
    .filter((c) => c.inferenceId === id)
    .sort((a, b) => a.opened.block - b.opened.block || a.opened.logIndex - b.opened.logIndex);
  const slashes = [...s.expected.slashes.values()].filter((x) => x.inferenceId === id).map((x) => x.id);
  return {
    id,
    node: { id: r.node_id },
    model: { id: r.model_id },
    mode: r.mode,
    status: r.status,
    inputHash: r.input_hash,
    commitment: r.commitment,
    outputHash: r.output_hash,
    salt: r.salt,
    proofRef: r.proof_ref,
    revealDeadline: r.reveal_deadline,
    committed: blockRef(r, "committed", finalizedHeight),
    revealed: blockRef(r, "revealed", finalizedHeight),
    settled: blockRef(r, "settled", finalizedHeight),
    verifier: r.verifier,
    challenge: challenges.length ? { id: challenges[challenges.length - 1].id } : null,
    slashes: sortIds(slashes).map((x) => ({ id: x })),
    settlement: r.settlement_id === null ? null : { id: r.settlement_id },
    checks: {
      commitment: r.commitment_check,
      revealOnTime: r.reveal_on_time_check,
      teeSignature: r.tee_signature_check,
      pcrValid: r.pcr_valid_check,
    },
    discrepancy: r.discrepancy,
  };
}
const normalizeInference = (x: any) => ({
  ...x,
  slashes: [...x.slashes].sort((a: any, b: any) => (a.id < b.id ? -1 : 1)),
});

function expectedSettlement(r: Row) {
  return {
    id: r.id,
    teeId: r.tee_id,
    node: r.node_id === null ? null : { id: r.node_id },
    ethAddress: r.eth_address,
    inputHash: r.input_hash,
    outputHash: r.output_hash,
    timestampSeconds: r.timestamp_seconds,
    timestamp: r.timestamp,
    walrusBlobId: r.walrus_blob_id,
    signature: r.signature,
    block: blockRef(r, "", finalizedHeight),
    checks: {
      signature: r.signature_check,
      freshness: r.freshness_check,
      teeEnabled: r.tee_enabled_check,
      pcrValid: r.pcr_valid_check,
    },
  };
}

/** Many single-object lookups in few requests: `a0: field(id: …) {…}` aliases (at most 25 per operation). */
async function lookup(field: string, type: string, ids: string[], select: string): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25);
    const vars = chunk.map((_, j) => `$v${j}: ${type}`).join(", ");
    const body = chunk.map((_, j) => `a${j}: ${field}(id: $v${j}) { ${select} }`).join("\n");
    const data = await ok(
      `query(${vars}) { ${body} }`,
      Object.fromEntries(chunk.map((id, j) => [`v${j}`, id])),
    );
    for (const [j, id] of chunk.entries()) out.set(id, data[`a${j}`]);
  }
  return out;
}

describe("whole-network answers", () => {
  test("networkStats equals the fold's totals", async () => {
    const { networkStats: n } =
      await ok(`{ networkStats { nodes enabledNodes models inferences verified failed
      expired pending slashes totalStake totalSlashed settlements settlementSignatureFailures discrepancies
      verificationRate byMode { mode count } } }`);
    const e = table("network_stats").get("network") as Row;
    const settled = (e.verified as number) + (e.failed as number) + (e.expired as number);
    expect({ ...n, byMode: [...n.byMode].sort((a: any, b: any) => (a.mode < b.mode ? -1 : 1)) }).toEqual({
      nodes: e.nodes,
      enabledNodes: e.enabled_nodes,
      models: e.models,
      inferences: e.inferences,
      verified: e.verified,
      failed: e.failed,
      expired: e.expired,
      pending: e.pending,
      slashes: e.slashes,
      totalStake: e.total_stake,
      totalSlashed: e.total_slashed,
      settlements: e.settlements,
      settlementSignatureFailures: e.settlement_signature_failures,
      discrepancies: e.discrepancies,
      verificationRate: expect.closeTo(settled ? (e.verified as number) / settled : Number.NaN, 12),
      byMode: [
        { mode: "TEE", count: e.inferences_tee },
        { mode: "VANILLA", count: e.inferences_vanilla },
        { mode: "ZKML", count: e.inferences_zkml },
      ],
    });
    // … and the fold's totals are the ground truth's.
    const commits = s.truth.filter((l) => l.kind === "commit" && !l.reorged).length;
    expect(n.inferences).toBe(commits);
    expect(n.inferences).toBe(800);
  });

  test("indexerStatus: height = chain head, finalizedHeight = head - FINALITY_CONFIRMATIONS", async () => {
    const { indexerStatus } = await ok(
      "{ indexerStatus { height hash timestamp finalizedHeight chainHeight lagBlocks reorgedBlocks } }",
    );
    expect(indexerStatus).toEqual({
      height: s.head.number,
      hash: s.head.hash,
      timestamp: iso(s.head.timestamp),
      finalizedHeight: s.head.number - FINALITY,
      chainHeight: s.head.number,
      lagBlocks: 0,
      reorgedBlocks: 0,
    });
  });

  test("indexerStatus.contracts names the three devnet contracts the indexer reads", async () => {
    const { indexerStatus } = await ok(
      "{ indexerStatus { contracts { teeRegistry settlementRelay attestationRegistry } } }",
    );
    const a = s.devnet.deployment.addresses;
    expect(indexerStatus.contracts).toEqual({
      teeRegistry: a.teeRegistry.toLowerCase(),
      settlementRelay: a.settlementRelay.toLowerCase(),
      attestationRegistry: a.attestationRegistry.toLowerCase(),
    });
  });
});

describe("nodes", () => {
  test("node(id) for every node: stake, withdrawals, slashed, enabled, counts, PCR, registration, reputation", async () => {
    const ids = [...table("node").keys()];
    expect(ids.length).toBeGreaterThanOrEqual(6);
    const got = await lookup(
      "node",
      "Bytes!",
      ids,
      `id owner operator teeType endpoint paymentAddress publicKey pcrHash pcrApproved enabled
       registered { ${BLOCK} } lastHeartbeatAt stake pendingWithdrawals totalSlashed
       counts { committed revealed verified failed expired challenged disputesLost slashes settlements settlementSignatureFailures discrepancies }
       reputation { ${REPUTATION_FIELDS} }`,
    );
    const problems: string[] = [];
    for (const id of ids) {
      const r = table("node").get(id) as Row;
      const n = got.get(id);
      const pcr = r.pcr_hash === null ? undefined : table("pcr").get(`${r.pcr_hash}-${r.tee_type}`);
      const { reputation, ...rest } = n;
      expect(rest, `node ${id}`).toEqual({
        id,
        owner: r.owner,
        operator: r.operator,
        teeType: r.tee_type,
        endpoint: r.endpoint,
        paymentAddress: r.payment_address,
        publicKey: r.public_key,
        pcrHash: r.pcr_hash,
        pcrApproved: pcr?.approved === true,
        enabled: r.enabled,
        registered: blockRef(r, "registered", finalizedHeight),
        lastHeartbeatAt: r.last_heartbeat_at,
        stake: r.stake,
        pendingWithdrawals: r.pending_withdrawals,
        totalSlashed: r.total_slashed,
        counts: {
          committed: r.committed,
          revealed: r.revealed,
          verified: r.verified,
          failed: r.failed,
          expired: r.expired,
          challenged: r.challenged,
          disputesLost: r.disputes_lost,
          slashes: r.slashes,
          settlements: r.settlements,
          settlementSignatureFailures: r.settlement_signature_failures,
          discrepancies: r.discrepancies,
        },
      });
      const want = s.expected.reputation.node.get(id);
      if (!want) throw new Error(`the fold has no reputation for ${id}`);
      problems.push(...reputationDiffs(`node ${id}`, reputation, want, T));
    }
    expect(problems).toEqual([]);
    // The run exercised what these fields are about.
    expect(rows("node").some((r) => r.total_slashed !== "0")).toBe(true);
  });

  test("node(id).attestation for every node equals the fold's verdict on its registration document", async () => {
    const ids = [...table("node").keys()];
    const got = await lookup(
      "node",
      "Bytes!",
      ids,
      `id attestation { status reason format moduleId timestamp pcr0 pcr1 pcr2 pcrHash
        certificates { subject notBefore notAfter } userData document tlsCertificate registered { ${BLOCK} } }`,
    );
    let devnetDocuments = 0;
    for (const id of ids) {
      const r = table("tee_attestation").get(id);
      const a = got.get(id).attestation;
      if (!r) {
        expect(a, `node ${id} never registered`).toBeNull();
        continue;
      }
      expect(a, `node ${id}`).toEqual({
        status: r.status,
        reason: r.reason,
        format: r.format,
        moduleId: r.module_id,
        timestamp: r.timestamp,
        pcr0: r.pcr0,
        pcr1: r.pcr1,
        pcr2: r.pcr2,
        pcrHash: r.pcr_hash,
        certificates: [],
        userData: r.user_data,
        document: r.document,
        tlsCertificate: r.tls_certificate,
        registered: blockRef(r, "", finalizedHeight),
      });
      // The document's PCRs are the node's.
      expect(a.pcrHash).toBe(table("node").get(id)?.pcr_hash);
      if (a.format === "DEVNET") devnetDocuments++;
    }
    expect(devnetDocuments, "the simulator registers with devnet documents").toBeGreaterThanOrEqual(6);
  });

  test("model(id) reputation and counts for every model", async () => {
    const ids = [...table("model").keys()];
    const got = await lookup(
      "model",
      "Bytes!",
      ids,
      `id name version mode deprecated counts { inferences verified failed expired discrepancies } reputation { ${REPUTATION_FIELDS} }`,
    );
    const problems: string[] = [];
    for (const id of ids) {
      const r = table("model").get(id) as Row;
      const m = got.get(id);
      expect(m, `model ${id}`).toMatchObject({
        id,
        name: r.name,
        version: r.version,
        mode: r.mode,
        deprecated: r.deprecated,
        counts: {
          inferences: r.inferences,
          verified: r.verified,
          failed: r.failed,
          expired: r.expired,
          discrepancies: r.discrepancies,
        },
      });
      problems.push(
        ...reputationDiffs(`model ${id}`, m.reputation, s.expected.reputation.model.get(id) as any, T),
      );
    }
    expect(problems).toEqual([]);
  });
});

describe("inferences and settlements", () => {
  test("inference(id) for a sample of every status (and every discrepancy) equals the fold, checks and links included", async () => {
    const byStatus = new Map<string, Row[]>();
    for (const r of rows("inference")) {
      const list = byStatus.get(r.status as string) ?? [];
      list.push(r);
      byStatus.set(r.status as string, list);
    }
    const sample = new Set<string>();
    for (const list of byStatus.values()) for (const r of list.slice(0, 25)) sample.add(r.id as string);
    for (const r of rows("inference")) {
      if (r.discrepancy || r.settlement_id !== null) sample.add(r.id as string);
      if (r.mode === "TEE" && r.settlement_id === null) sample.add(r.id as string);
    }
    for (const c of s.expected.challenges.values()) sample.add(c.inferenceId);
    for (const x of s.expected.slashes.values()) if (x.inferenceId) sample.add(x.inferenceId);
    const ids = [...sample].slice(0, 400);
    console.log(
      `real-indexer: statuses ${JSON.stringify(Object.fromEntries([...byStatus].map(([k, v]) => [k, v.length])))}, sample ${ids.length}`,
    );
    const got = await lookup("inference", "Bytes!", ids, INFERENCE_FIELDS);
    for (const id of ids)
      expect(normalizeInference(got.get(id)), `inference ${id}`).toEqual(
        expectedInference(table("inference").get(id) as Row),
      );
    // An unknown id is null, not an error.
    expect((await ok(`{ inference(id: "0x${"ab".repeat(32)}") { id } }`)).inference).toBeNull();
  });

  test("settlement(id) for every settlement: checks, node link, timestamps", async () => {
    const ids = [...table("settlement").keys()];
    const got = await lookup("settlement", "ID!", ids, SETTLEMENT_FIELDS);
    for (const id of ids)
      expect(got.get(id), `settlement ${id}`).toEqual(expectedSettlement(table("settlement").get(id) as Row));
  });

  test("every inference and settlement the API lists agrees with the simulator's ground truth", async () => {
    const inf = await walk("inferences", INFERENCE_FIELDS);
    const st = await walk("settlements", SETTLEMENT_FIELDS);
    const inference = new Map<string, Row>(
      inf.nodes.map((x: any) => [
        x.id,
        {
          id: x.id,
          status: x.status,
          commitment_check: x.checks.commitment,
          reveal_on_time_check: x.checks.revealOnTime,
          tee_signature_check: x.checks.teeSignature,
          pcr_valid_check: x.checks.pcrValid,
        },
      ]),
    );
    const settlement = st.nodes.map((x: any) => ({
      tx: x.block.txHash,
      signature_check: x.checks.signature,
      freshness_check: x.checks.freshness,
      node_id: x.node?.id ?? null,
    }));
    const truth = s.truth.filter((l) => l.kind !== "heartbeat");
    const mismatches = truthMismatches({ inference, settlement, heartbeat: [] }, truth);
    expect(mismatches.slice(0, 20), `${mismatches.length} mismatches`).toEqual([]);
    // The walked pages hold exactly the fold's rows.
    for (const x of inf.nodes)
      expect(normalizeInference(x), `inference ${x.id}`).toEqual(
        expectedInference(table("inference").get(x.id) as Row),
      );
  });
});

describe("connections, walked page by page (first: 37)", () => {
  test.each([
    ["nodes", "node", "id"],
    ["inferences", "inference", "id"],
    ["settlements", "settlement", "id"],
    [
      "slashes",
      "slash",
      "id node { id } inference { id } reason amount remainingStake block { number txHash logIndex }",
    ],
    [
      "challenges",
      "challenge",
      "id inference { id } challenger bond deadline opened { number } resolved { number } nodeAtFault evidenceHash",
    ],
    ["models", "model", "id"],
  ])("%s returns every row once, totalCount = the fold's count", async (field, name, select) => {
    const { ids, total, nodes } = await walk(field, select);
    expect(total).toBe(table(name).size);
    expect(sortIds(ids)).toEqual(sortIds(table(name).keys()));
    if (name === "slash")
      for (const x of nodes) {
        const r = table("slash").get(x.id) as Row;
        expect(x, `slash ${x.id}`).toEqual({
          id: r.id,
          node: { id: r.node_id },
          inference: r.inference_id === null ? null : { id: r.inference_id },
          reason: r.reason,
          amount: r.amount,
          remainingStake: r.remaining_stake,
          block: { number: r.block, txHash: r.tx, logIndex: r.log_index },
        });
      }
    if (name === "challenge")
      for (const x of nodes) {
        const r = table("challenge").get(x.id) as Row;
        expect(x, `challenge ${x.id}`).toEqual({
          id: r.id,
          inference: { id: r.inference_id },
          challenger: r.challenger,
          bond: r.bond,
          deadline: r.deadline,
          opened: { number: r.opened_block },
          resolved: r.resolved_block === null ? null : { number: r.resolved_block },
          nodeAtFault: r.node_at_fault,
          evidenceHash: r.evidence_hash,
        });
      }
  });

  test("inferences in COMMITTED_ASC and COMMITTED_DESC are the same rows in opposite commit order", async () => {
    const pos = (id: string) => {
      const r = table("inference").get(id) as Row;
      return (r.committed_block as number) * 1e6 + (r.committed_log_index as number);
    };
    const desc = (await walk("inferences", "id", "orderBy: COMMITTED_DESC")).ids;
    const asc = (await walk("inferences", "id", "orderBy: COMMITTED_ASC")).ids;
    expect([...asc].reverse()).toEqual(desc);
    for (let i = 1; i < desc.length; i++) expect(pos(desc[i - 1])).toBeGreaterThanOrEqual(pos(desc[i]));
  });
});

describe("inference filters match the fold's filtered sets", () => {
  const all = () => rows("inference");
  async function check(where: Record<string, unknown>, want: (r: Row) => boolean) {
    const data = await ok(
      `query($where: InferenceFilter) { inferences(first: 1000, where: $where) { totalCount pageInfo { hasNextPage } edges { node { id } } } }`,
      { where },
    );
    const c = data.inferences;
    const expected = all()
      .filter(want)
      .map((r) => r.id as string);
    expect(c.totalCount, `totalCount for ${JSON.stringify(where)}`).toBe(expected.length);
    expect(c.pageInfo.hasNextPage).toBe(false);
    expect(sortIds(c.edges.map((e: any) => e.node.id)), JSON.stringify(where)).toEqual(sortIds(expected));
    return expected.length;
  }

  test("node, model, mode, discrepancy", async () => {
    for (const id of table("node").keys()) await check({ node: id }, (r) => r.node_id === id);
    // Upper-case hex is the same id.
    const first = [...table("node").keys()][0];
    await check({ node: `0x${first.slice(2).toUpperCase()}` }, (r) => r.node_id === first);
    for (const id of table("model").keys()) await check({ model: id }, (r) => r.model_id === id);
    for (const mode of ["VANILLA", "ZKML", "TEE"])
      expect(await check({ mode }, (r) => r.mode === mode)).toBeGreaterThan(0);
    expect(await check({ discrepancy: true }, (r) => r.discrepancy === true)).toBeGreaterThan(0);
    await check({ discrepancy: false }, (r) => r.discrepancy === false);
    await check(
      { node: first, mode: "TEE", discrepancy: false },
      (r) => r.node_id === first && r.mode === "TEE" && !r.discrepancy,
    );
  });

  test("status lists", async () => {
    const statuses = ["COMMITTED", "REVEALED", "VERIFIED", "FAILED", "EXPIRED"];
    for (const st of statuses) await check({ status: [st] }, (r) => r.status === st);
    await check({ status: ["FAILED", "EXPIRED"] }, (r) => r.status === "FAILED" || r.status === "EXPIRED");
    await check(
      { status: ["COMMITTED", "REVEALED"] },
      (r) => r.status === "COMMITTED" || r.status === "REVEALED",
    );
    await check({ status: statuses }, () => true);
  });

  test("from / to (times between blocks, so the ends' inclusivity does not matter)", async () => {
    const times = [...new Set(all().map((r) => Date.parse(r.committed_at as string) / 1000))].sort(
      (a, b) => a - b,
    );
    expect(times.length).toBeGreaterThan(10);
    const mid = (k: number) => times[k] + 1; // strictly after block k's time, before block k+1's
    const a = mid(Math.floor(times.length / 4));
    const b = mid(Math.floor((3 * times.length) / 4));
    const t = (r: Row) => Date.parse(r.committed_at as string) / 1000;
    await check({ from: iso(a) }, (r) => t(r) >= a);
    await check({ to: iso(b) }, (r) => t(r) <= b);
    await check({ from: iso(a), to: iso(b) }, (r) => t(r) >= a && t(r) <= b);
    await check({ from: iso(b), to: iso(a) }, () => false);
    // A block's exact timestamp: both ends inclusive (the API's documented reading of the filter).
    await check({ from: iso(times[3]), to: iso(times[3]) }, (r) => t(r) === times[3]);
    await check(
      { from: iso(a), status: ["VERIFIED"], mode: "TEE" },
      (r) => t(r) >= a && r.status === "VERIFIED" && r.mode === "TEE",
    );
  });
});

describe("search", () => {
  const SEARCH = `query($q: String!) { search(query: $q) { __typename
    ... on Node { id } ... on Model { id name } ... on Inference { id } ... on Settlement { sid: id } ... on Slash { sid: id } } }`;
  const search = async (q: string) => (await ok(SEARCH, { q })).search as any[];
  const has = (list: any[], typename: string, id: string) =>
    list.some((x) => x.__typename === typename && (x.id ?? x.sid) === id);

  test("by node id, request id, settlement tx hash, owner address", async () => {
    for (const id of table("node").keys()) {
      expect(has(await search(id), "Node", id), `node ${id}`).toBe(true);
      expect(
        has(await search(id.toUpperCase().replace("0X", "0x")), "Node", id),
        `node ${id} upper-case`,
      ).toBe(true);
    }
    for (const r of rows("inference").slice(0, 20))
      expect(has(await search(r.id as string), "Inference", r.id as string)).toBe(true);
    for (const r of rows("settlement").slice(0, 20)) {
      const found = await search(r.tx as string);
      const sameTx = rows("settlement").filter((x) => x.tx === r.tx);
      for (const x of sameTx.slice(0, 20))
        expect(has(found, "Settlement", x.id as string), `settlement tx ${r.tx}`).toBe(true);
      expect(found.length).toBeLessThanOrEqual(20);
    }
    const owners = new Set(
      rows("node")
        .map((r) => r.owner)
        .filter((o): o is string => typeof o === "string"),
    );
    expect(owners.size).toBeGreaterThan(0);
    for (const owner of owners) {
      const found = await search(owner);
      for (const r of rows("node").filter((x) => x.owner === owner))
        expect(has(found, "Node", r.id as string), `owner ${owner}`).toBe(true);
      for (const r of rows("model")
        .filter((x) => x.owner === owner)
        .slice(0, 20))
        expect(has(found, "Model", r.id as string)).toBe(true);
    }
    expect(await search(`0x${"ee".repeat(32)}`)).toEqual([]);
  });

  test("model-name prefixes, case-insensitive, non-ASCII and markup included", async () => {
    const names = rows("model").map((r) => ({ id: r.id as string, name: r.name as string }));
    const prefixes = [
      "Qwen/Qwen2.5-7B 通义",
      "qwen/qwen2.5-7b 通义千问",
      "Ünïcödé",
      "ünïcödé-émbed 🔍",
      "og/credit-risk-xgb モ",
      "<script>",
      "<SCRIPT>alert(1)</script>",
      '=HYPERLINK("',
      "og/",
      "meta-llama/",
    ];
    for (const p of prefixes) {
      const want = names.filter((m) => m.name.toLowerCase().startsWith(p.toLowerCase()));
      expect(want.length, `fixture: a model named like ${p}`).toBeGreaterThan(0);
      const found = await search(p);
      for (const m of want)
        expect(has(found, "Model", m.id), `prefix ${JSON.stringify(p)} finds ${JSON.stringify(m.name)}`).toBe(
          true,
        );
      for (const x of found.filter((y) => y.__typename === "Model"))
        expect(
          x.name.toLowerCase().startsWith(p.toLowerCase()),
          `prefix ${JSON.stringify(p)} found ${JSON.stringify(x.name)}`,
        ).toBe(true);
    }
    // A prefix is a prefix, not a substring; LIKE wildcards are literal.
    expect((await search("Instruct")).filter((x) => x.__typename === "Model")).toEqual([]);
    expect((await search("%")).filter((x) => x.__typename === "Model")).toEqual([]);
    expect((await search("_")).filter((x) => x.__typename === "Model")).toEqual([]);
  });
});

describe("reputation as of an earlier block", () => {
  test.each([0.3, 0.6, 0.9])(
    "reputation(asOf:) at the time of a block %s of the way up equals a replay of the fold's events up to it",
    async (f) => {
      const times = [...new Set(rows("inference_verdict").map((r) => r.block as number))].sort(
        (a, b) => a - b,
      );
      const block = times[Math.floor(times.length * f)];
      const at = rows("inference_verdict").find((r) => r.block === block)?.at as string;
      const asOf = Date.parse(at) / 1000;
      const want = reputationAsOf(s.expected, asOf);
      const nodeIds = [...table("node").keys()];
      const modelIds = [...table("model").keys()];
      const got = await ok(
        `query($t: DateTime) { ${nodeIds.map((id, i) => `n${i}: node(id: "${id}") { reputation(asOf: $t) { ${REPUTATION_FIELDS} } }`).join("\n")}
        ${modelIds.map((id, i) => `m${i}: model(id: "${id}") { reputation(asOf: $t) { ${REPUTATION_FIELDS} } }`).join("\n")} }`,
        { t: at },
      );
      const problems: string[] = [];
      for (const [i, id] of nodeIds.entries())
        problems.push(
          ...reputationDiffs(`node ${id} as of ${at}`, got[`n${i}`].reputation, want.node.get(id) as any, at),
        );
      for (const [i, id] of modelIds.entries())
        problems.push(
          ...reputationDiffs(
            `model ${id} as of ${at}`,
            got[`m${i}`].reputation,
            want.model.get(id) as any,
            at,
          ),
        );
      expect(problems).toEqual([]);
      // Sanity of the replay itself: at the head's time it is the fold's own reputation.
      const atHead = reputationAsOf(s.expected, s.expected.T);
      for (const id of nodeIds)
        expect(atHead.node.get(id)?.score).toBe(s.expected.reputation.node.get(id)?.score);
    },
  );
});
