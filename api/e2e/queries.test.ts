// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers

import { replayAsOf } from "@attestation-explorer/rep-history";
import { evaluate, stateFromRow, uptime7d } from "@attestation-explorer/rep-v1";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Db } from "../src/db/database.ts";
import { gqlOk, startTestApi, type TestApi } from "../src/testing/api-client.ts";
import {
  address,
  blockHash,
  DISABLED_NODE,
  dateOf,
  extraModel,
  FINALIZED,
  type Fixture,
  HEIGHT,
  inferenceId,
  MODEL_COUNT,
  modelId,
  NODE_COUNT,
  nodeId,
  PCR_OK,
  T0,
  timeOf,
  UNREGISTERED_NODE,
} from "../src/testing/network.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// Every query and field of the contract on the fixture network, against values computed from the fixture.

let tdb: TestDatabase;
let api: TestApi;
let fx: Fixture;
let sqlCount = 0;
let seededFrom: number;
let seededTo: number;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

beforeAll(async () => {
  tdb = await openTestDatabase();
  seededFrom = Date.now();
  fx = await seedNetwork(tdb.adminUrl);
  seededTo = Date.now();
  // Counts statements, to check that nested fields are batched.
  const counting: Db = {
    pool: tdb.db.pool,
    query: (sql, params) => {
      sqlCount++;
      return tdb.db.query(sql, params);
    },
  };
  api = await startTestApi(testConfig(), counting, { connectionString: tdb.readerUrl });
});
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

const ok = <Data = any>(query: string, variables?: Record<string, unknown>): Promise<Data> =>
  gqlOk<Data>(api, query, variables);

/** Declarations for the DateTime variables given (GraphQL rejects unused ones). */
const timeVars = (v: Record<string, unknown>) => {
  const names = Object.keys(v);
  return names.length ? `(${names.map((n) => `$${n}: DateTime`).join(", ")})` : "";
};

/** Follows a connection page by page; returns the ids in order and checks totalCount on every page. */
async function walk(
  field: string,
  args: string,
  first: number,
  select = "id",
): Promise<{ ids: string[]; total: number; pages: number }> {
  const ids: string[] = [];
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
    expect(c.totalCount).toBe(total);
    ids.push(...c.edges.map((e: any) => e.node.id));
    if (c.edges.length > 0) expect(c.pageInfo.endCursor).toBe(c.edges[c.edges.length - 1].cursor);
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
    expect(pages).toBeLessThan(1000);
  }
  expect(new Set(ids).size).toBe(ids.length); // no repeats
  expect(ids.length).toBe(total); // no gaps
  return { ids, total, pages };
}

const storedScore = (i: number) => {
  const events = fx.nodeEvents.get(nodeId(i)) ?? [];
  return replayAsOf(events, T0, "node");
};

describe("nodes", () => {
  test("node(id) returns every field from the node's row, registration, PCR approval and uptime", async () => {
    const { node } = await ok(
      `query($id: Bytes!) { node(id: $id) {
        id owner operator teeType endpoint paymentAddress publicKey pcrHash pcrApproved enabled
        registered { number hash timestamp txHash logIndex finalized }
        lastHeartbeatAt uptime7d stake pendingWithdrawals totalSlashed
        counts { committed revealed verified failed expired challenged disputesLost slashes settlements settlementSignatureFailures discrepancies }
      } }`,
      { id: nodeId(0).toUpperCase().replace("0X", "0x") },
    );
    const mine = fx.inferences.filter((x) => x.node === 0);
    const beats = fx.heartbeats.filter((h) => h.node === 0 && h.counts).map((h) => h.at);
    expect(node).toMatchObject({
      id: nodeId(0),
      owner: address(0),
      operator: address(100),
      teeType: 1,
      endpoint: "https://node-0.example",
      paymentAddress: address(200),
      pcrApproved: true,
      enabled: true,
      registered: {
        number: 10,
        hash: blockHash(10),
        timestamp: dateOf(10).toISOString(),
        logIndex: 0,
        finalized: true,
      },
      uptime7d: uptime7d(beats, T0),
      stake: fx.stakes[0].toString(),
      pendingWithdrawals: "0",
      counts: {
        committed: mine.length,
        verified: mine.filter((x) => x.status === "VERIFIED").length,
        discrepancies: mine.filter((x) => x.discrepancy).length,
      },
    });
    expect(node.lastHeartbeatAt).toBe(iso(Math.max(...beats)));
  });

  test("uptime7d counts half-hour windows with a counting heartbeat; forged heartbeats do not count", async () => {
    const { a, b, c } = await ok(
      `query($a: Bytes!, $b: Bytes!, $c: Bytes!) { a: node(id: $a) { uptime7d } b: node(id: $b) { uptime7d } c: node(id: $c) { uptime7d lastHeartbeatAt } }`,
      { a: nodeId(0), b: nodeId(1), c: nodeId(2) },
    );
    const node0 = fx.heartbeats.filter((h) => h.node === 0).map((h) => h.at);
    const node1 = fx.heartbeats.filter((h) => h.node === 1).map((h) => h.at);
    // Node 0 beat every half hour since it registered, 6.9 days before the latest block.
    expect(a.uptime7d).toBe(uptime7d(node0, T0));
    expect(a.uptime7d).toBeCloseTo(330 / 336, 12);
    expect(b.uptime7d).toBe(uptime7d(node1, T0));
    expect(b.uptime7d).toBeCloseTo(12 / 336, 12);
    expect(c).toEqual({ uptime7d: 0, lastHeartbeatAt: null });
  });

  test("a node that never registered has nulls, PCR not approved, and is not enabled", async () => {
    const { node } = await ok(
      `query($id: Bytes!) { node(id: $id) { owner teeType pcrHash pcrApproved enabled registered { number } } }`,
      {
        id: nodeId(UNREGISTERED_NODE),
      },
    );
    expect(node).toEqual({
      owner: null,
      teeType: null,
      pcrHash: null,
      pcrApproved: false,
      enabled: false,
      registered: null,
    });
  });

  test("a node with a revoked PCR is not pcrApproved", async () => {
    const { node } = await ok(`query($id: Bytes!) { node(id: $id) { pcrApproved } }`, { id: nodeId(3) });
    expect(node.pcrApproved).toBe(false);
  });

  test("an unknown id is null, not an error", async () => {
    expect(await ok(`{ node(id: "0x${"00".repeat(32)}") { id } }`)).toEqual({ node: null });
  });

  test("reputation defaults to the latest block's time and evaluates the stored state", async () => {
    for (const i of [0, 3, 7, UNREGISTERED_NODE]) {
      const { node } = await ok(
        `query($id: Bytes!) { node(id: $id) { reputation { score lowerBound upperBound successRate effectiveSamples decayedSlashes slashFactor provisional asOf formulaVersion } } }`,
        { id: nodeId(i) },
      );
      const [row] = await tdb.admin
        .query(
          "SELECT rep_ref_time AS ref_time, rep_s AS s, rep_n AS n, rep_d AS d FROM node WHERE id = $1",
          [nodeId(i)],
        )
        .then((r) => r.rows);
      const expected = evaluate(stateFromRow(row), T0);
      expect(node.reputation).toEqual({ ...expected, asOf: iso(T0) });
      // The stored state and a replay of the events agree.
      expect(node.reputation.score).toBe(storedScore(i).score);
    }
  });

  test("reputation(asOf) before the latest block replays the events as of then", async () => {
    for (const block of [100, 400, 700, 999]) {
      const asOf = timeOf(block) + 30;
      for (const i of [0, 2, 3, 6]) {
        const { node } = await ok(
          `query($id: Bytes!, $asOf: DateTime) { node(id: $id) { reputation(asOf: $asOf) { score effectiveSamples decayedSlashes lowerBound successRate asOf provisional } } }`,
          { id: nodeId(i), asOf: iso(asOf) },
        );
        const expected = replayAsOf(fx.nodeEvents.get(nodeId(i)) ?? [], asOf, "node");
        expect(node.reputation).toEqual({
          score: expected.score,
          effectiveSamples: expected.effectiveSamples,
          decayedSlashes: expected.decayedSlashes,
          lowerBound: expected.lowerBound,
          successRate: expected.successRate,
          provisional: expected.provisional,
          asOf: iso(asOf),
        });
      }
    }
  });

  test("reputation(asOf) of several nodes in one list is replayed in one batch", async () => {
    const asOf = iso(timeOf(500));
    const before = sqlCount;
    const { nodes } = await ok(
      `query($asOf: DateTime) { nodes(first: 12) { edges { node { id reputation(asOf: $asOf) { score } } } } }`,
      { asOf },
    );
    expect(nodes.edges).toHaveLength(NODE_COUNT);
    // + the position read after computing, for X-Indexed-Height (server/app.ts): one per request, not per row
    expect(sqlCount - before).toBeLessThanOrEqual(4); // indexer state, the page, one replay query
  });

  test("nodes walks the whole list in every order without gaps or repeats, in the right order", async () => {
    const rows = (await tdb.admin.query("SELECT * FROM node")).rows as any[];
    const score = new Map(
      rows.map((r) => [
        r.id,
        evaluate(stateFromRow({ ref_time: r.rep_ref_time, s: r.rep_s, n: r.rep_n, d: r.rep_d }), T0).score,
      ]),
    );
    const byId = (a: any, b: any) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const big = (x: string) => BigInt(x);
    // Equal scores: nodes in good standing (enabled, PCR approved, some stake) first (README, "Leaderboard order").
    // The fixture approves PCR_OK for TEE type 1 only.
    const standing = (r: any) =>
      r.enabled && big(r.stake) > 0n && r.pcr_hash === PCR_OK && r.tee_type === 1 ? 1 : 0;
    expect(new Set(rows.map(standing)).size, "the fixture has nodes in and out of good standing").toBe(2);
    const expected: Record<string, string[]> = {
      SCORE_DESC: [...rows]
        .sort(
          (a, b) =>
            (score.get(b.id) as number) - (score.get(a.id) as number) ||
            standing(b) - standing(a) ||
            byId(a, b),
        )
        .map((r) => r.id),
      SCORE_ASC: [...rows]
        .sort(
          (a, b) =>
            (score.get(a.id) as number) - (score.get(b.id) as number) ||
            standing(a) - standing(b) ||
            byId(a, b),
        )
        .map((r) => r.id),
      STAKE_DESC: [...rows]
        .sort((a, b) => (big(b.stake) > big(a.stake) ? 1 : big(b.stake) < big(a.stake) ? -1 : byId(a, b)))
        .map((r) => r.id),
      SLASHED_DESC: [...rows]
        .sort((a, b) =>
          big(b.total_slashed) > big(a.total_slashed)
            ? 1
            : big(b.total_slashed) < big(a.total_slashed)
              ? -1
              : byId(a, b),
        )
        .map((r) => r.id),
      INFERENCES_DESC: [...rows].sort((a, b) => b.committed - a.committed || byId(a, b)).map((r) => r.id),
      REGISTERED_DESC: [...rows]
        .sort(
          (a, b) =>
            (b.registered_block ?? -1) - (a.registered_block ?? -1) ||
            (b.registered_log_index ?? -1) - (a.registered_log_index ?? -1) ||
            byId(a, b),
        )
        .map((r) => r.id),
    };
    for (const [orderBy, ids] of Object.entries(expected)) {
      const walked = await walk("nodes", `orderBy: ${orderBy}`, 5);
      expect(walked.ids, orderBy).toEqual(ids);
      expect(walked.pages).toBe(3);
    }
  });

  test("nodes filters: enabled, teeType, owner (any case), minScore, provisional", async () => {
    const count = async (where: string) =>
      (
        await ok(
          `{ nodes(first: 1000, where: ${where}) { totalCount edges { node { id reputation { score provisional } } } } }`,
        )
      ).nodes;
    expect((await count("{ enabled: false }")).totalCount).toBe(2); // the disabled and the unregistered node
    expect((await count("{ enabled: true }")).totalCount).toBe(NODE_COUNT - 2);
    expect((await count("{ teeType: 2 }")).edges.map((e: any) => e.node.id).sort()).toEqual(
      [nodeId(3), nodeId(7)].sort(),
    );
    const owned = await count(`{ owner: "${address(1).toUpperCase().replace("0X", "0x")}" }`);
    expect(owned.edges.map((e: any) => e.node.id).sort()).toEqual(
      [nodeId(1), nodeId(4), nodeId(7), nodeId(10)].sort(),
    );
    const strong = await count("{ minScore: 100 }");
    expect(strong.totalCount).toBeGreaterThan(0);
    expect(strong.totalCount).toBeLessThan(NODE_COUNT);
    for (const e of strong.edges) expect(e.node.reputation.score).toBeGreaterThanOrEqual(100);
    const provisional = await count("{ provisional: true }");
    const settled = await count("{ provisional: false }");
    expect(provisional.totalCount + settled.totalCount).toBe(NODE_COUNT);
    for (const e of provisional.edges) expect(e.node.reputation.provisional).toBe(true);
    expect(
      (await count(`{ enabled: true, teeType: 1, minScore: 0, provisional: true }`)).totalCount,
    ).toBeGreaterThan(0);
    expect(DISABLED_NODE).toBe(5);
  });

  test("nested lists of a node: inferences (by status and model), settlements, slashes", async () => {
    const mine = fx.inferences.filter((x) => x.node === 3);
    const { node } = await ok(
      `query($id: Bytes!, $model: Bytes) { node(id: $id) {
        all: inferences(first: 100) { totalCount edges { node { id committed { number } } } }
        verified: inferences(status: VERIFIED) { totalCount }
        ofModel: inferences(model: $model) { totalCount edges { node { model { id } } } }
        settlements { totalCount edges { node { teeId node { id } } } }
        slashes { totalCount edges { node { reason node { id } } } }
      } }`,
      { id: nodeId(3), model: modelId(2).toUpperCase().replace("0X", "0x") },
    );
    expect(node.all.totalCount).toBe(mine.length);
    const blocks = node.all.edges.map((e: any) => e.node.committed.number);
    expect(blocks).toEqual([...blocks].sort((a, b) => b - a));
    expect(node.verified.totalCount).toBe(mine.filter((x) => x.status === "VERIFIED").length);
    expect(node.ofModel.totalCount).toBe(mine.filter((x) => x.model === 2).length);
    for (const e of node.ofModel.edges) expect(e.node.model.id).toBe(modelId(2));
    expect(node.settlements.totalCount).toBe(fx.settlements.filter((s) => s.node === 3).length);
    for (const e of node.settlements.edges)
      expect(e.node).toEqual({ teeId: nodeId(3), node: { id: nodeId(3) } });
    expect(node.slashes.totalCount).toBe(fx.slashes.filter((s) => s.node === 3).length);
    expect(node.slashes.edges.map((e: any) => e.node.reason)).toContain("PCR_REVOKED");
  });

  test("history: DAY buckets hold the node's counts; the last bucket's score is the reputation at asOf", async () => {
    const { node } = await ok(
      `query($id: Bytes!) { node(id: $id) {
        reputation { score }
        day: history { start committed verified failed expired slashes slashedAmount score }
        hour: history(interval: HOUR) { committed }
        week: history(interval: WEEK) { start committed verified slashes slashedAmount score }
      } }`,
      { id: nodeId(3) },
    );
    const mine = fx.inferences.filter((x) => x.node === 3);
    const sum = (list: any[], f: string) => list.reduce((a, b) => a + b[f], 0);
    expect(sum(node.day, "committed")).toBe(mine.length);
    expect(sum(node.hour, "committed")).toBe(mine.length);
    expect(sum(node.week, "committed")).toBe(mine.length);
    expect(sum(node.day, "verified")).toBe(mine.filter((x) => x.status === "VERIFIED").length);
    expect(sum(node.week, "slashes")).toBe(fx.slashes.filter((s) => s.node === 3).length);
    const slashed = fx.slashes.filter((s) => s.node === 3).reduce((a, s) => a + s.amount, 0n);
    expect(node.week.reduce((a: bigint, b: any) => a + BigInt(b.slashedAmount), 0n)).toBe(slashed);
    // Dense, consecutive days ending with today's bucket.
    const starts = node.day.map((b: any) => Date.parse(b.start) / 1000);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBe(86_400);
    expect(starts[starts.length - 1]).toBe(Math.floor(T0 / 86_400) * 86_400);
    expect(new Date(node.week[node.week.length - 1].start).getUTCDay()).toBe(1); // Monday
    expect(node.day[node.day.length - 1].score).toBe(node.reputation.score);
    expect(node.week[node.week.length - 1].score).toBe(node.reputation.score);
    // Earlier buckets: the replay as of the bucket's end.
    const events = fx.nodeEvents.get(nodeId(3)) ?? [];
    node.day.slice(0, -1).forEach((b: any) => {
      expect(b.score).toBe(replayAsOf(events, Date.parse(b.start) / 1000 + 86_400, "node").score);
    });
  });

  test("history with an explicit range is dense from the first to the last bucket", async () => {
    const { node } = await ok(
      `query($id: Bytes!, $from: DateTime, $to: DateTime) { node(id: $id) { history(interval: DAY, from: $from, to: $to) { start committed } } }`,
      { id: nodeId(0), from: "2026-11-01T00:00:00Z", to: "2026-11-10T12:00:00Z" },
    );
    expect(node.history).toHaveLength(10);
    expect(node.history[0]).toEqual({ start: "2026-11-01T00:00:00.000Z", committed: 0 });
  });
});

describe("models", () => {
  test("model(id) with counts, reputation, distinct nodes and nested inferences", async () => {
    const mine = fx.inferences.filter((x) => x.model === 2);
    const { model } = await ok(
      `query($id: Bytes!, $node: Bytes) { model(id: $id) {
        id owner name version mode contentHash blobId deprecated registered { number finalized }
        counts { inferences verified failed expired discrepancies } distinctNodes30d
        reputation { score effectiveSamples decayedSlashes slashFactor formulaVersion }
        inferences(first: 3) { totalCount edges { node { id mode } } }
        ofNode: inferences(node: $node, status: VERIFIED) { totalCount }
        history { inferences verified distinctNodes }
        week: history(interval: WEEK) { inferences distinctNodes }
      } }`,
      { id: modelId(2), node: nodeId(1) },
    );
    expect(model).toMatchObject({
      id: modelId(2),
      name: "Mistral 7B",
      mode: "TEE",
      deprecated: false,
      registered: { number: 7, finalized: true },
      counts: { inferences: mine.length, discrepancies: mine.filter((x) => x.discrepancy).length },
      distinctNodes30d: new Set(mine.map((x) => x.node)).size,
      reputation: { decayedSlashes: 0, slashFactor: 1, formulaVersion: "rep-v1" },
    });
    expect(model.reputation.score).toBe(replayAsOf(fx.modelEvents.get(modelId(2)) ?? [], T0, "model").score);
    expect(model.inferences.totalCount).toBe(mine.length);
    expect(model.ofNode.totalCount).toBe(mine.filter((x) => x.node === 1 && x.status === "VERIFIED").length);
    expect(model.history.reduce((a: number, b: any) => a + b.inferences, 0)).toBe(mine.length);
    expect(model.week.reduce((a: number, b: any) => a + b.inferences, 0)).toBe(mine.length);
    // All of the model's commits fall in one or two ISO weeks; distinct nodes per week are counted, not summed.
    for (const w of model.week)
      expect(w.distinctNodes).toBeLessThanOrEqual(new Set(mine.map((x) => x.node)).size);
  });

  test("servingNodes lists each node's commits for the model, most first, with first and last commit", async () => {
    const mine = fx.inferences.filter((x) => x.model === 2);
    const perNode = new Map<number, number>();
    for (const x of mine) perNode.set(x.node, (perNode.get(x.node) ?? 0) + 1);
    const { model } = await ok(
      `query($id: Bytes!) { model(id: $id) {
        servingNodes { node { id } inferences firstCommitAt lastCommitAt }
        one: servingNodes(first: 1) { inferences }
      } }`,
      { id: modelId(2) },
    );
    expect(model.servingNodes).toHaveLength(perNode.size);
    const counts = model.servingNodes.map((s: any) => s.inferences);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    for (const s of model.servingNodes) {
      const index = [...perNode.keys()].find((n) => nodeId(n) === s.node.id);
      expect(index, `node ${s.node.id} serves the model`).toBeDefined();
      expect(s.inferences).toBe(perNode.get(index as number));
      expect(Date.parse(s.firstCommitAt)).toBeLessThanOrEqual(Date.parse(s.lastCommitAt));
    }
    expect(model.one).toEqual([{ inferences: Math.max(...perNode.values()) }]);
  });

  test("reputation(asOf) of a model replays its inferences with no slash term", async () => {
    const asOf = timeOf(600);
    const { model } = await ok(
      `query($id: Bytes!, $asOf: DateTime) { model(id: $id) { reputation(asOf: $asOf) { score effectiveSamples } } }`,
      {
        id: modelId(0),
        asOf: iso(asOf),
      },
    );
    const expected = replayAsOf(fx.modelEvents.get(modelId(0)) ?? [], asOf, "model");
    expect(model.reputation).toEqual({ score: expected.score, effectiveSamples: expected.effectiveSamples });
  });

  test("a model seen in commits but never registered: nulls, empty strings and the commit's mode", async () => {
    const { model } = await ok(
      `query($id: Bytes!) { model(id: $id) { owner name version mode contentHash blobId registered { number } } }`,
      {
        id: modelId(4),
      },
    );
    expect(model).toEqual({
      owner: null,
      name: "",
      version: "",
      mode: "TEE",
      contentHash: null,
      blobId: "",
      registered: null,
    });
  });

  test("models walks every ordering; filters by mode, owner, deprecated and name", async () => {
    for (const orderBy of ["INFERENCES_DESC", "SCORE_DESC", "REGISTERED_DESC", "NAME_ASC"]) {
      const walked = await walk("models", `orderBy: ${orderBy}`, 2);
      expect(walked.total).toBe(MODEL_COUNT);
    }
    const byInferences = await walk("models", "orderBy: INFERENCES_DESC", 2, "id counts { inferences }");
    expect(byInferences.ids).toHaveLength(MODEL_COUNT);
    const names = (await ok(`{ models(orderBy: NAME_ASC) { edges { node { name } } } }`)).models.edges.map(
      (e: any) => e.node.name,
    );
    expect(names[0]).toBe("");
    const total = async (where: string) =>
      (await ok(`{ models(where: ${where}) { totalCount } }`)).models.totalCount;
    expect(await total("{ mode: TEE }")).toBe(3);
    expect(await total(`{ owner: "${address(50)}" }`)).toBe(2);
    expect(await total("{ deprecated: true }")).toBe(1);
    expect(await total(`{ nameContains: "LLAMA" }`)).toBe(2);
    expect(await total(`{ nameContains: "%" }`)).toBe(0);
    expect(await total(`{ nameContains: "<script>" }`)).toBe(1);
  });
});

describe("inferences", () => {
  test("inference(id) with every field, checks, challenge, slashes and settlement", async () => {
    const x = fx.inferences.find(
      (y) => y.mode === "TEE" && y.status === "VERIFIED" && y.discrepancy && y.settlementId,
    ) as Fixture["inferences"][number];
    const { inference } = await ok(
      `query($id: Bytes!) { inference(id: $id) {
        id node { id } model { id } mode status inputHash commitment outputHash salt proofRef revealDeadline
        committed { number hash timestamp txHash logIndex finalized } revealed { number } settled { number }
        verifier challenge { id } slashes { id } settlement { id checks { signature } }
        checks { commitment revealOnTime teeSignature pcrValid } discrepancy
      } }`,
      { id: x.id },
    );
    expect(inference).toMatchObject({
      id: x.id,
      node: { id: nodeId(x.node) },
      model: { id: modelId(x.model) },
      mode: "TEE",
      status: "VERIFIED",
      committed: {
        number: x.committedBlock,
        timestamp: dateOf(x.committedBlock).toISOString(),
        finalized: x.committedBlock <= FINALIZED,
      },
      revealed: { number: x.revealedBlock },
      settled: { number: x.verdicts[x.verdicts.length - 1].block },
      settlement: { id: x.settlementId, checks: { signature: x.checks.teeSignature } },
      checks: x.checks,
      discrepancy: true,
    });
    expect(inference.revealDeadline).toBe(iso(timeOf(x.committedBlock) + 3600));
  });

  test("Inference.challenge is the latest challenge; Inference.slashes lists its slashes", async () => {
    const c = fx.challenges[0];
    const { inference } = await ok(
      `query($id: Bytes!) { inference(id: $id) { challenge { id nodeAtFault resolved { number } opened { number } inference { id } challenger bond deadline evidenceHash } slashes { reason inference { id } } } }`,
      {
        id: c.inference,
      },
    );
    expect(inference.challenge).toMatchObject({ id: "2", nodeAtFault: true, inference: { id: c.inference } });
    expect(inference.slashes).toEqual([{ reason: "LOST_DISPUTE", inference: { id: c.inference } }]);
  });

  test("an unrevealed inference has null reveal fields and NOT_APPLICABLE checks", async () => {
    const x = fx.inferences.find((y) => y.status === "COMMITTED") as Fixture["inferences"][number];
    const { inference } = await ok(
      `query($id: Bytes!) { inference(id: $id) { status outputHash salt proofRef revealed { number } settled { number } verifier challenge { id } settlement { id } slashes { id } checks { commitment } } }`,
      {
        id: x.id,
      },
    );
    expect(inference).toEqual({
      status: "COMMITTED",
      outputHash: null,
      salt: null,
      proofRef: null,
      revealed: null,
      settled: null,
      verifier: null,
      challenge: null,
      settlement: null,
      slashes: [],
      checks: { commitment: "NOT_APPLICABLE" },
    });
  });

  test("inferences walks all rows in commit order both ways", async () => {
    const desc = await walk("inferences", "orderBy: COMMITTED_DESC", 7);
    const asc = await walk("inferences", "orderBy: COMMITTED_ASC", 7);
    expect(desc.total).toBe(fx.inferences.length);
    expect(asc.ids).toEqual([...desc.ids].reverse());
    const order = [...fx.inferences]
      .sort((a, b) => b.committedBlock - a.committedBlock || (a.id < b.id ? 1 : -1))
      .map((x) => x.id);
    expect(desc.ids).toEqual(order);
  });

  test("inferences filters: node, model, status list, mode, time range, discrepancy", async () => {
    const total = async (where: string, variables: Record<string, unknown> = {}) =>
      (await ok(`query${timeVars(variables)} { inferences(where: ${where}) { totalCount } }`, variables))
        .inferences.totalCount;
    const count = (f: (x: Fixture["inferences"][number]) => boolean) => fx.inferences.filter(f).length;
    expect(await total(`{ node: "${nodeId(2)}" }`)).toBe(count((x) => x.node === 2));
    expect(await total(`{ model: "${modelId(1)}" }`)).toBe(count((x) => x.model === 1));
    expect(await total("{ status: [FAILED, EXPIRED] }")).toBe(
      count((x) => x.status === "FAILED" || x.status === "EXPIRED"),
    );
    expect(await total("{ status: [] }")).toBe(0);
    expect(await total("{ mode: ZKML }")).toBe(count((x) => x.mode === "ZKML"));
    expect(await total("{ discrepancy: true }")).toBe(count((x) => x.discrepancy));
    expect(await total("{ from: $from, to: $to }", { from: iso(timeOf(300)), to: iso(timeOf(600)) })).toBe(
      count((x) => x.committedBlock >= 300 && x.committedBlock <= 600),
    );
    expect(await total(`{ node: "${nodeId(2)}", status: [VERIFIED], mode: VANILLA }`)).toBe(
      count((x) => x.node === 2 && x.status === "VERIFIED" && x.mode === "VANILLA"),
    );
  });

  test("nested references are batched: one statement per kind, not one per row", async () => {
    const before = sqlCount;
    const { inferences } = await ok(
      `{ inferences(first: 100) { edges { node { id node { id counts { committed } } model { id } settlement { id node { id } } challenge { id } slashes { id } } } } }`,
    );
    expect(inferences.edges.length).toBe(fx.inferences.length);
    // page + node + model + settlement + challenge + slashes (+ settlement's node comes from the node loader's cache or one more batch)
    // + the position read after computing, for X-Indexed-Height (server/app.ts)
    expect(sqlCount - before).toBeLessThanOrEqual(8);
  });
});

describe("settlements, batches, slashes, challenges", () => {
  test("settlement(id) and a settlement by a TEE that never registered", async () => {
    const s = fx.settlements.find((x) => x.node !== null) as Fixture["settlements"][number];
    const { settlement } = await ok(
      `query($id: ID!) { settlement(id: $id) { id teeId node { id } ethAddress inputHash outputHash timestampSeconds timestamp walrusBlobId signature block { number finalized } checks { signature freshness teeEnabled pcrValid } } }`,
      { id: s.id },
    );
    expect(settlement).toMatchObject({
      id: s.id,
      teeId: s.teeId,
      node: { id: s.teeId },
      timestampSeconds: s.timestampSeconds,
      timestamp: iso(Number(s.timestampSeconds)),
      block: { number: s.block },
    });
    const orphans = fx.settlements.filter((x) => x.node === null);
    const { a, b } = await ok(
      `query($a: ID!, $b: ID!) { a: settlement(id: $a) { node { id } timestamp } b: settlement(id: $b) { timestamp timestampSeconds checks { signature } } }`,
      {
        a: orphans[0].id,
        b: orphans[1].id,
      },
    );
    expect(a).toEqual({ node: null, timestamp: iso(Number(orphans[0].timestampSeconds)) });
    expect(b).toEqual({
      timestamp: null,
      timestampSeconds: "100000000000000000000",
      checks: { signature: "UNKNOWN" },
    });
    expect(await ok(`{ settlement(id: "nope") { id } }`)).toEqual({ settlement: null });
  });

  test("settlements walk newest first and filter by TEE, signature check and time", async () => {
    const walked = await walk("settlements", "", 4, "id block { number logIndex }");
    expect(walked.total).toBe(fx.settlements.length);
    const total = async (where: string, v: Record<string, unknown> = {}) =>
      (await ok(`query${timeVars(v)} { settlements(where: ${where}) { totalCount } }`, v)).settlements
        .totalCount;
    expect(await total(`{ teeId: "${nodeId(1)}" }`)).toBe(
      fx.settlements.filter((s) => s.teeId === nodeId(1)).length,
    );
    expect(await total("{ signature: FAIL }")).toBe(
      fx.settlements.filter((s) => s.signature === "FAIL").length,
    );
    expect(await total("{ signature: UNKNOWN }")).toBe(2);
    expect(await total("{ from: $from }", { from: iso(timeOf(900)) })).toBe(
      fx.settlements.filter((s) => s.block >= 900).length,
    );
    expect(await total("{ to: $to }", { to: iso(timeOf(500)) })).toBe(
      fx.settlements.filter((s) => s.block <= 500).length,
    );
  });

  test("batchSettlements walk newest first", async () => {
    const { batchSettlements } = await ok(
      `{ batchSettlements(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id merkleRoot batchSize walrusBlobId block { number } } } } }`,
    );
    expect(batchSettlements.totalCount).toBe(3);
    expect(batchSettlements.pageInfo.hasNextPage).toBe(true);
    expect(batchSettlements.edges.map((e: any) => e.node.block.number)).toEqual([700, 400]);
    expect(batchSettlements.edges[0].node.batchSize).toBe("12");
    expect((await walk("batchSettlements", "", 1)).total).toBe(3);
  });

  test("slashes walk and filter by node, reason and time; a slash without an inference has a null one", async () => {
    expect(
      (
        await walk(
          "slashes",
          "",
          2,
          "id node { id } inference { id } amount remainingStake reason block { number }",
        )
      ).total,
    ).toBe(fx.slashes.length);
    const total = async (where: string, v: Record<string, unknown> = {}) =>
      (
        await ok(
          `query${timeVars(v)} { slashes(where: ${where}) { totalCount edges { node { reason inference { id } } } } }`,
          v,
        )
      ).slashes;
    expect((await total(`{ node: "${nodeId(3)}" }`)).totalCount).toBe(
      fx.slashes.filter((s) => s.node === 3).length,
    );
    const pcr = await total("{ reason: PCR_REVOKED }");
    expect(pcr.edges).toEqual([{ node: { reason: "PCR_REVOKED", inference: null } }]);
    expect(
      (await total("{ from: $from, to: $to }", { from: iso(timeOf(900)), to: iso(timeOf(1000)) })).totalCount,
    ).toBe(fx.slashes.filter((s) => s.block >= 900).length);
  });

  test("challenges filter by node and open", async () => {
    const { all, open, closed, mine } = await ok(
      `query($node: Bytes) { all: challenges { totalCount edges { node { id } } } open: challenges(where: { open: true }) { edges { node { id resolved { number } nodeAtFault } } }
        closed: challenges(where: { open: false }) { totalCount } mine: challenges(where: { node: $node }) { totalCount } }`,
      { node: nodeId(fx.challenges[0].node) },
    );
    expect(all.totalCount).toBe(4);
    expect(open.edges).toEqual([{ node: { id: "3", resolved: null, nodeAtFault: null } }]);
    expect(closed.totalCount).toBe(3);
    expect(mine.totalCount).toBe(fx.challenges.filter((c) => c.node === fx.challenges[0].node).length);
  });
});

describe("network, search, indexer", () => {
  test("networkStats with verification rate and counts by mode", async () => {
    const { networkStats: s } = await ok(
      `{ networkStats { nodes enabledNodes models inferences verified failed expired pending slashes totalStake totalSlashed settlements settlementSignatureFailures discrepancies verificationRate byMode { mode count } } }`,
    );
    const count = (f: (x: Fixture["inferences"][number]) => boolean) => fx.inferences.filter(f).length;
    const v = count((x) => x.status === "VERIFIED");
    const settled = v + count((x) => x.status === "FAILED") + count((x) => x.status === "EXPIRED");
    expect(s).toMatchObject({
      nodes: NODE_COUNT,
      enabledNodes: NODE_COUNT - 2,
      models: MODEL_COUNT,
      inferences: fx.inferences.length,
      verified: v,
      settlements: fx.settlements.length,
    });
    expect(s.verificationRate).toBeCloseTo(v / settled, 12);
    expect(s.byMode).toEqual([
      { mode: "VANILLA", count: count((x) => x.mode === "VANILLA") },
      { mode: "ZKML", count: count((x) => x.mode === "ZKML") },
      { mode: "TEE", count: count((x) => x.mode === "TEE") },
    ]);
  });

  test("networkHistory in hours, days and weeks adds up to the totals", async () => {
    const { hour, day, week } = await ok(
      `{ hour: networkHistory(interval: HOUR) { committed settlements } day: networkHistory { start committed verified failed expired slashes slashedAmount settlements byMode { mode count } } week: networkHistory(interval: WEEK) { committed byMode { count } } }`,
    );
    const sum = (list: any[], f: string) => list.reduce((a, b) => a + b[f], 0);
    for (const list of [hour, day, week]) expect(sum(list, "committed")).toBe(fx.inferences.length);
    expect(sum(hour, "settlements")).toBe(fx.settlements.length);
    expect(sum(day, "slashes")).toBe(fx.slashes.length);
    expect(
      day.reduce((a: number, b: any) => a + b.byMode.reduce((x: number, m: any) => x + m.count, 0), 0),
    ).toBe(fx.inferences.length);
    expect(hour.length).toBeLessThanOrEqual(1000);
  });

  test("search finds ids, transaction hashes, addresses and model-name prefixes", async () => {
    const search = async (q: string) =>
      (
        await ok(
          `query($q: String!) { search(query: $q) { __typename ... on Node { id } ... on Model { id name } ... on Inference { id } ... on Settlement { sid: id } ... on Slash { sid: id } } }`,
          { q },
        )
      ).search.map((r: any) => (r.sid ? { __typename: r.__typename, id: r.sid } : r));
    expect(await search(nodeId(4).toUpperCase().replace("0X", "0x"))).toEqual([
      { __typename: "Node", id: nodeId(4) },
    ]);
    expect(await search(modelId(1))).toEqual([{ __typename: "Model", id: modelId(1), name: "llama guard" }]);
    expect(await search(inferenceId(3))).toEqual([{ __typename: "Inference", id: inferenceId(3) }]);
    const s = fx.settlements[0];
    expect(await search(s.id.split("-")[0])).toEqual([{ __typename: "Settlement", id: s.id }]);
    expect(await search(s.id)).toEqual([{ __typename: "Settlement", id: s.id }]);
    const sl = fx.slashes[0];
    expect(await search(sl.id.split("-")[0])).toEqual([{ __typename: "Slash", id: sl.id }]);
    const owned = await search(address(2));
    expect(owned.map((r: any) => r.id).sort()).toEqual([nodeId(2), nodeId(5), nodeId(8)].sort());
    expect(await search(address(105))).toEqual([{ __typename: "Node", id: nodeId(5) }]);
    expect((await search("LLAMA")).map((r: any) => r.name)).toEqual(["Llama-3 8B", "llama guard"]);
    expect((await search("<script")).map((r: any) => r.name)).toEqual(["<script>alert(1)</script>"]);
    expect(await search("%")).toEqual([]);
    expect(await search("   ")).toEqual([]);
    expect(await search(`0x${"12".repeat(32)}`)).toEqual([]);
  });

  test("search returns at most 20 results", async () => {
    // A network of its own with 30 more models registered on chain, all matching "bulk".
    const bulk = await openTestDatabase();
    let bulkApi: TestApi | undefined;
    try {
      await seedNetwork(bulk.adminUrl, (at) => {
        for (let k = 0; k < 30; k++)
          at(20, { kind: "registerModel", model: extraModel(1000 + k, `bulk model ${k}`, "1") });
      });
      bulkApi = await startTestApi(testConfig(), bulk.db, { connectionString: bulk.readerUrl });
      const found = await gqlOk<any>(
        bulkApi,
        `{ search(query: "bulk") { __typename ... on Model { name } } }`,
      );
      expect(found.search).toHaveLength(20);
      for (const hit of found.search) expect(hit.name).toMatch(/^bulk model \d+$/);
    } finally {
      await bulkApi?.close();
      await bulk.close();
    }
  });

  test("indexerStatus and reorgs, newest first", async () => {
    const data = await ok(
      `{ indexerStatus { height hash timestamp finalizedHeight chainHeight lagBlocks reorgedBlocks updatedAt } reorgs { detectedAt fromBlock toBlock depth } one: reorgs(first: 1) { fromBlock } }`,
    );
    expect(data.indexerStatus).toMatchObject({
      height: HEIGHT,
      hash: blockHash(HEIGHT),
      timestamp: iso(T0),
      finalizedHeight: FINALIZED,
      chainHeight: HEIGHT + 5,
      lagBlocks: 5,
      reorgedBlocks: fx.reorgs.reduce((a, r) => a + r.depth, 0),
    });
    // Newest first: the indexer saw them while seeding, in chain order.
    const newestFirst = [...fx.reorgs].reverse();
    expect(data.reorgs.map(({ detectedAt: _, ...r }: any) => r)).toEqual(newestFirst);
    const seen = data.reorgs.map((r: any) => Date.parse(r.detectedAt));
    expect(seen[0]).toBeGreaterThanOrEqual(seen[1]);
    expect(seen[1]).toBeGreaterThanOrEqual(seededFrom);
    expect(seen[0]).toBeLessThanOrEqual(seededTo);
    expect(data.one).toEqual([{ fromBlock: newestFirst[0].fromBlock }]);
  });

  test("BlockRef.finalized compares the block with the finalized height", async () => {
    const late = fx.inferences.filter((x) => x.committedBlock > FINALIZED);
    const early = fx.inferences.filter((x) => x.committedBlock <= FINALIZED);
    expect(late.length + early.length).toBe(fx.inferences.length);
    if (late.length > 0) {
      const { inference } = await ok(
        `query($id: Bytes!) { inference(id: $id) { committed { finalized } } }`,
        { id: late[0].id },
      );
      expect(inference.committed.finalized).toBe(false);
    }
    const { inference } = await ok(`query($id: Bytes!) { inference(id: $id) { committed { finalized } } }`, {
      id: early[0].id,
    });
    expect(inference.committed.finalized).toBe(true);
  });
});
