// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gqlOk, startTestApi, type TestApi } from "../src/testing/api-client.ts";
import {
  type Fixture,
  inferenceId,
  MODEL_COUNT,
  modelId,
  NODE_COUNT,
  nodeId,
  T0,
  timeOf,
} from "../src/testing/network.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// Query.search by the short hex forms the explorer shows (issue 11), and history(interval: MINUTE).

let tdb: TestDatabase;
let api: TestApi;
let fx: Fixture;

beforeAll(async () => {
  tdb = await openTestDatabase();
  fx = await seedNetwork(tdb.adminUrl);
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
});
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

const ok = <Data = any>(query: string, variables?: Record<string, unknown>): Promise<Data> =>
  gqlOk<Data>(api, query, variables);

const search = async (q: string) =>
  (
    await ok(
      `query($q: String!) { search(query: $q) { __typename ... on Node { id } ... on Model { id } ... on Inference { id } ... on Settlement { sid: id } ... on Slash { sid: id } } }`,
      { q },
    )
  ).search.map((r: any) => `${r.__typename}:${r.sid ?? r.id}`);

/** "0x" + the first `digits` hex digits + "…" + the last `tail` ones, as the explorer shortens ids. */
const shorten = (hex: string, digits: number, tail = 0) =>
  `${hex.slice(0, 2 + digits)}…${tail ? hex.slice(-tail) : ""}`;

describe("search by prefix", () => {
  test("a prefix of ids lists every node or model whose id starts with it, in id order", async () => {
    // TEE ids are hashes of their keys: the models' ids (chosen by their owners) share a prefix.
    const models = Array.from({ length: MODEL_COUNT }, (_, i) => `Model:${modelId(i)}`).sort();
    const nodes = (prefix: string) =>
      Array.from({ length: NODE_COUNT }, (_, i) => nodeId(i))
        .filter((id) => id.startsWith(prefix))
        .map((id) => `Node:${id}`)
        .sort();
    for (const [id, all] of [
      [modelId(0), models],
      [nodeId(0), nodes(nodeId(0).slice(0, 8))],
    ] as const) {
      expect(all.length).toBeGreaterThan(0);
      expect(await search(id.slice(0, 8))).toEqual(all);
      // Any case, with or without 0x, with the ellipsis the explorer shows.
      expect(await search(id.slice(0, 8).toUpperCase().replace("0X", "0x"))).toEqual(all);
      expect(await search(id.slice(2, 10))).toEqual(all);
      expect(await search(shorten(id, 6))).toEqual(all);
    }
  });

  test("the explorer's short form prefix…suffix names exactly one node, model or inference", async () => {
    expect(await search(shorten(nodeId(4), 6, 6))).toEqual([`Node:${nodeId(4)}`]);
    expect(await search(`${nodeId(4).slice(0, 8)}...${nodeId(4).slice(-6)}`)).toEqual([`Node:${nodeId(4)}`]);
    expect(await search(shorten(modelId(1), 6, 4))).toEqual([`Model:${modelId(1)}`]);
    expect(await search(shorten(inferenceId(3), 8, 6))).toEqual([`Inference:${inferenceId(3)}`]);
  });

  test("a prefix of a transaction hash finds its settlement, slash or commit", async () => {
    const s = fx.settlements[0];
    const tx = s.id.split("-")[0];
    const hits = await search(shorten(tx, 10, 10));
    expect(hits).toContain(`Settlement:${s.id}`);
    const sl = fx.slashes[0];
    expect(await search(shorten(sl.id.split("-")[0], 10, 10))).toContain(`Slash:${sl.id}`);
  });

  test("a long prefix that nothing starts with finds nothing; a too-short prefix is not a hex search", async () => {
    expect(await search("0x123456789a")).toEqual([]);
    expect(await search("0xa1")).toEqual([]);
    expect(await search("0xa1…")).toEqual([]);
    // At most 20 results, as for every search.
    expect(await search(inferenceId(0).slice(0, 8))).toHaveLength(20);
  });
});

describe("MINUTE buckets", () => {
  test("minute buckets add up to the indexer's hour buckets over the same hours", async () => {
    // 16 whole hours ending at the hour before the latest block: 960 minutes, under the 1000-bucket limit.
    const end = Math.floor(T0 / 3600) * 3600;
    const from = new Date((end - 16 * 3600) * 1000).toISOString();
    const to = new Date((end - 1) * 1000).toISOString();
    const { minute, hour } = await ok(
      `query($from: DateTime, $to: DateTime) {
        minute: networkHistory(interval: MINUTE, from: $from, to: $to) { start committed verified failed expired slashes slashedAmount settlements byMode { mode count } }
        hour: networkHistory(interval: HOUR, from: $from, to: $to) { start committed verified failed expired slashes slashedAmount settlements byMode { mode count } }
      }`,
      { from, to },
    );
    expect(minute).toHaveLength(16 * 60);
    expect(hour).toHaveLength(16);
    expect(minute[1].start).toBe(new Date(Date.parse(minute[0].start) + 60_000).toISOString());
    const byHour = new Map<string, any>();
    for (const m of minute) {
      const h = new Date(Math.floor(Date.parse(m.start) / 3_600_000) * 3_600_000).toISOString();
      const acc = byHour.get(h) ?? {
        start: h,
        committed: 0,
        verified: 0,
        failed: 0,
        expired: 0,
        slashes: 0,
        slashedAmount: "0",
        settlements: 0,
        byMode: m.byMode.map((x: any) => ({ mode: x.mode, count: 0 })),
      };
      for (const f of ["committed", "verified", "failed", "expired", "slashes", "settlements"])
        acc[f] += m[f];
      acc.slashedAmount = (BigInt(acc.slashedAmount) + BigInt(m.slashedAmount)).toString();
      m.byMode.forEach((x: any, i: number) => {
        acc.byMode[i].count += x.count;
      });
      byHour.set(h, acc);
    }
    expect([...byHour.values()]).toEqual(hour);
    // The window holds data: the comparison is not of zeros.
    expect(hour.reduce((a: number, b: any) => a + b.committed, 0)).toBeGreaterThan(0);
  });

  test("a node's and a model's minute buckets add up to their hour buckets", async () => {
    const end = Math.floor(T0 / 3600) * 3600;
    // The node and model of the latest commit before `end`: their window holds data.
    const latest = fx.inferences
      .filter((i) => timeOf(i.committedBlock) < end)
      .reduce((a, b) => (b.committedBlock > a.committedBlock ? b : a));
    const vars = {
      node: nodeId(latest.node),
      model: modelId(latest.model),
      from: new Date((end - 16 * 3600) * 1000).toISOString(),
      to: new Date((end - 1) * 1000).toISOString(),
    };
    const d = await ok(
      `query($node: Bytes!, $model: Bytes!, $from: DateTime, $to: DateTime) {
        node(id: $node) {
          m: history(interval: MINUTE, from: $from, to: $to) { start committed verified failed expired slashes score }
          h: history(interval: HOUR, from: $from, to: $to) { start committed verified failed expired slashes score }
        }
        model(id: $model) {
          m: history(interval: MINUTE, from: $from, to: $to) { inferences verified failed expired }
          h: history(interval: HOUR, from: $from, to: $to) { inferences verified failed expired }
        }
      }`,
      vars,
    );
    const sum = (list: any[], f: string) => list.reduce((a, b) => a + b[f], 0);
    for (const f of ["committed", "verified", "failed", "expired", "slashes"])
      expect(sum(d.node.m, f), f).toBe(sum(d.node.h, f));
    for (const f of ["inferences", "verified", "failed", "expired"])
      expect(sum(d.model.m, f), f).toBe(sum(d.model.h, f));
    expect(sum(d.model.h, "inferences")).toBeGreaterThan(0);
    // The score at the end of each hour is the score at the end of its last minute.
    d.node.h.forEach((h: any, i: number) => {
      expect(d.node.m[i * 60 + 59].score).toBe(h.score);
    });
  });

  test("without from, minute buckets start at the first minute with data; more than 1000 is BAD_USER_INPUT", async () => {
    const { networkHistory: list } = await ok(
      "{ networkHistory(interval: MINUTE) { start committed verified failed expired slashes settlements } }",
    );
    expect(list.length).toBeGreaterThan(1);
    expect(list.length).toBeLessThanOrEqual(1000);
    const { slashedAmount: _, byMode: __, start: ___, ...first } = list[0];
    expect(Object.values(first).some((n) => (n as number) > 0)).toBe(true);
    const r = await api.gql(
      `{ networkHistory(interval: MINUTE, from: "${new Date((T0 - 2 * 86_400) * 1000).toISOString()}") { start } }`,
    );
    expect(r.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.body.errors?.[0]?.message).toMatch(/MINUTE buckets, expected at most 1000/);
  });
});

describe("uptime over a young node's life", () => {
  test("a node younger than 7 days: uptimeOverLife is its filled windows over the windows since it registered", async () => {
    const { nodes } = await ok(
      "{ nodes(first: 100) { edges { node { id registered { timestamp } uptime7d uptimeWindows uptimeOverLife } } } }",
    );
    const asOf = T0;
    let young = 0;
    for (const { node } of nodes.edges) {
      if (!node.registered) {
        expect(node.uptimeWindows).toBeNull();
        expect(node.uptimeOverLife).toBeNull();
        continue;
      }
      const since = Date.parse(node.registered.timestamp) / 1000;
      // The windows (asOf - 7d + 1800k, asOf - 7d + 1800(k+1)] that end at or after the registration.
      let windows = 0;
      for (let k = 0; k < 336; k++) if (asOf - 604_800 + 1800 * (k + 1) >= since) windows++;
      expect(node.uptimeWindows, node.id).toBe(windows);
      // At most 1: heartbeats in the window of the registration do not make it more than whole.
      expect(node.uptimeOverLife, node.id).toBeCloseTo(
        Math.min(1, Math.round(node.uptime7d * 336) / windows),
        12,
      );
      if (windows < 336) young++;
    }
    // The fixture's nodes registered less than 7 days before its latest block, and some have heartbeats.
    expect(young).toBeGreaterThan(0);
    expect(nodes.edges.some((e: any) => e.node.uptimeOverLife > e.node.uptime7d)).toBe(true);
  });
});

describe("page details", () => {
  test("a settlement lists the inferences it settles; a node names its TEE type", async () => {
    const linked = fx.inferences.filter((i) => i.settlementId !== null);
    expect(linked.length).toBeGreaterThan(0);
    const settlementId = linked[0].settlementId as string;
    const expected = linked.filter((i) => i.settlementId === settlementId).map((i) => i.id);
    const unlinked = fx.settlements.find((s) => !linked.some((i) => i.settlementId === s.id));
    const d = await ok(
      `query($a: ID!, $b: ID!) { a: settlement(id: $a) { inferences { id settlement { id } } } b: settlement(id: $b) { inferences { id } } }`,
      { a: settlementId, b: unlinked?.id ?? settlementId },
    );
    expect(d.a.inferences.map((i: any) => i.id).sort()).toEqual([...expected].sort());
    for (const i of d.a.inferences) expect(i.settlement.id).toBe(settlementId);
    if (unlinked) expect(d.b.inferences).toEqual([]);

    // The network adds type 2 as "TDX (old name)" and adds it again as "Intel TDX": the latest name counts.
    const { nodes } = await ok("{ nodes(first: 100) { edges { node { teeType teeTypeName } } } }");
    const names = new Map<number | null, Set<string | null>>();
    for (const { node } of nodes.edges) {
      const set = names.get(node.teeType) ?? new Set();
      set.add(node.teeTypeName);
      names.set(node.teeType, set);
    }
    expect(names.get(1)).toEqual(new Set(["AWS Nitro Enclaves"]));
    expect(names.get(2)).toEqual(new Set(["Intel TDX"]));
    expect(names.get(null)).toEqual(new Set([null]));
  });
});
