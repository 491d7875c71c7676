// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON lines
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { replayAsOf } from "@attestation-explorer/rep-history";
import { evaluate, stateFromRow, uptime7d } from "@attestation-explorer/rep-v1";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COLUMNS } from "../src/exports/format.ts";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import {
  dateOf,
  extraCommits,
  extraModel,
  extraNode,
  FINALIZED,
  type Fixture,
  HEIGHT,
  MODEL_COUNT,
  modelId,
  NODE_COUNT,
  nodeId,
  T0,
  timeOf,
} from "../src/testing/network.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// The analysts' exports (spec/exports.md) on the fixture network plus a few rows of their own: columns, formats,
// quoting and the CSV-injection guard, filters, asOf (time travel), provenance, 400s, and a large streamed export.

let tdb: TestDatabase;
let api: TestApi;
let fx: Fixture;

const NASTY_NAMES = ['a,b "c"\nd', "=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tTAB", "\rCR", "plain"];
const NASTY_FIRST = 100;

/** A node of this test's own, with a stake and enabled history. */
const stakeNode = extraNode(NODE_COUNT);
const STAKE_NODE_ID = stakeNode.id;
let seededFrom: number;
let seededTo: number;

beforeAll(async () => {
  tdb = await openTestDatabase();
  seededFrom = Date.now();
  fx = await seedNetwork(tdb.adminUrl, (at) => {
    // Models whose chain-supplied text needs quoting or the injection guard.
    NASTY_NAMES.forEach((name, k) => {
      const version = k === 0 ? 'v"1",2' : "=1+1";
      at(20, { kind: "registerModel", model: extraModel(NASTY_FIRST + k, name, version) });
    });
    // Stake and enabled history of the stake node: registered with 7 wei at block 10, disabled at 300, topped up
    // to 1 ETH + 123 wei at 600, 3 wei asked back at 620, enabled again at 650.
    at(10, { kind: "registerTEE", node: stakeNode });
    at(10, { kind: "deposit", node: stakeNode, from: stakeNode.operator, amount: 7n, total: 7n });
    at(300, { kind: "disableTEE", node: stakeNode });
    const topUp = 1_000_000_000_000_000_116n;
    at(600, { kind: "deposit", node: stakeNode, from: stakeNode.operator, amount: topUp, total: topUp + 7n });
    at(620, { kind: "requestWithdrawal", node: stakeNode, withdrawalId: 2, amount: 3n, unlockAt: T0 });
    at(650, { kind: "enableTEE", node: stakeNode });
  });
  seededTo = Date.now();
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
});
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

interface Got {
  status: number;
  headers: Headers;
  text: string;
}
async function get(path: string): Promise<Got> {
  const res = await fetch(`${api.base}${path}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** RFC 4180 parser: records of cells (CRLF or LF line ends; quoted cells may hold anything). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
      i++;
    } else if (c === "\n") {
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += c;
    i++;
  }
  if (cell !== "" || record.length) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

/** CSV as objects keyed by the header. */
async function csv(path: string): Promise<{ header: string[]; rows: Record<string, string>[]; got: Got }> {
  const got = await get(path);
  expect(got.status, got.text).toBe(200);
  const [header, ...records] = parseCsv(got.text);
  return {
    header,
    rows: records.map((r) => {
      expect(r.length).toBe(header.length);
      return Object.fromEntries(header.map((h, i) => [h, r[i]]));
    }),
    got,
  };
}

async function ndjson(path: string): Promise<{ rows: any[]; got: Got }> {
  const got = await get(path);
  expect(got.status, got.text).toBe(200);
  expect(got.text.endsWith("\n")).toBe(true);
  return {
    rows: got.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l)),
    got,
  };
}

const names = (kind: keyof typeof COLUMNS) => COLUMNS[kind].map((c) => c.name);

const EXPECTED = {
  nodes:
    "id,owner,operator,tee_type,enabled,pcr_approved,stake_wei,pending_withdrawals_wei,total_slashed_wei,committed,verified,failed,expired,disputes_lost,slashes,settlements,signature_failures,discrepancies,uptime_7d,success_rate,effective_samples,lower_bound,upper_bound,slash_factor,score,provisional,as_of,as_of_block,formula_version",
  models:
    "id,owner,name,version,mode,content_hash,blob_id,deprecated,inferences,verified,failed,expired,discrepancies,distinct_nodes_30d,success_rate,effective_samples,lower_bound,upper_bound,score,provisional,as_of,as_of_block,formula_version",
  inferences:
    "id,node,model,mode,status,input_hash,commitment,output_hash,committed_block,committed_at,committed_tx,revealed_block,revealed_at,settled_block,settled_at,verifier,commitment_check,reveal_on_time_check,tee_signature_check,pcr_valid_check,discrepancy,finalized",
  slashes: "id,node,inference,reason,amount_wei,remaining_stake_wei,block,timestamp,tx_hash,finalized",
};
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("columns and formats", () => {
  const counts = () => ({
    nodes: NODE_COUNT + 1,
    models: MODEL_COUNT + NASTY_NAMES.length,
    inferences: fx.inferences.length,
    slashes: fx.slashes.length,
  });

  for (const kind of ["nodes", "models", "inferences", "slashes"] as const) {
    test(`${kind}: CSV header and NDJSON keys are exactly the spec's columns, in order`, async () => {
      expect(names(kind).join(",")).toBe(EXPECTED[kind]);
      const c = await csv(`/export/${kind}.csv`);
      expect(c.got.text.startsWith(`${EXPECTED[kind]}\r\n`)).toBe(true);
      expect(c.header.join(",")).toBe(EXPECTED[kind]);
      expect(c.rows).toHaveLength(counts()[kind]);
      expect(c.got.headers.get("content-type")).toMatch(/^text\/csv/);
      const n = await ndjson(`/export/${kind}.ndjson`);
      expect(n.rows).toHaveLength(counts()[kind]);
      for (const row of n.rows) expect(Object.keys(row).join(",")).toBe(EXPECTED[kind]);
      expect(n.got.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
      // The same values in both formats (CSV text = JSON value written as text; null = empty cell).
      n.rows.forEach((row, i) => {
        for (const [key, value] of Object.entries(row)) {
          expect(c.rows[i][key], `${kind}[${i}].${key}`).toBe(
            value === null
              ? ""
              : kind === "models" && ["name", "version", "blob_id"].includes(key)
                ? c.rows[i][key]
                : String(value),
          );
        }
      });
    });
  }

  test("nodes: wei as strings, counts as numbers, floats as String(x), rep-v1 from the stored state", async () => {
    const { rows } = await ndjson("/export/nodes.ndjson");
    const stored = await tdb.admin.query("SELECT * FROM node ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual(stored.rows.map((r) => r.id));
    rows.forEach((row, i) => {
      const s = stored.rows[i];
      expect(row.stake_wei).toBe(s.stake);
      expect(typeof row.stake_wei).toBe("string");
      expect(row.pending_withdrawals_wei).toBe(s.pending_withdrawals);
      expect(row.total_slashed_wei).toBe(s.total_slashed);
      expect(row.committed).toBe(s.committed);
      expect(row.signature_failures).toBe(s.settlement_signature_failures);
      expect(row.enabled).toBe(s.enabled);
      const rep = evaluate(
        stateFromRow({ ref_time: s.rep_ref_time, s: s.rep_s, n: s.rep_n, d: s.rep_d }),
        T0,
        "node",
      );
      expect(row.score).toBe(rep.score);
      expect(row.lower_bound).toBe(rep.lowerBound);
      expect(row.success_rate).toBe(rep.successRate);
      expect(row.slash_factor).toBe(rep.slashFactor);
      expect(row.provisional).toBe(rep.provisional);
      expect(row.as_of).toBe(new Date(T0 * 1000).toISOString());
      expect(row.as_of_block).toBe(HEIGHT);
      expect(row.formula_version).toBe("rep-v1");
      expect(typeof row.uptime_7d).toBe("number");
    });
    // Node 0 heartbeats in every half hour since it registered (6.9 days); node 2's heartbeats are forged.
    const beats = fx.heartbeats.filter((h) => h.node === 0 && h.counts).map((h) => h.at);
    expect(rows.find((r) => r.id === nodeId(0)).uptime_7d).toBe(uptime7d(beats, T0));
    expect(rows.find((r) => r.id === nodeId(2)).uptime_7d).toBe(0);
    expect(rows.find((r) => r.id === nodeId(2)).pending_withdrawals_wei).toBe("5000");
    // PCR_OK is approved for type 1, PCR_REVOKED is not.
    expect(rows.find((r) => r.id === nodeId(0)).pcr_approved).toBe(true);
    expect(rows.find((r) => r.id === nodeId(3)).pcr_approved).toBe(false);
    const c = await csv("/export/nodes.csv");
    const unregistered = c.rows.find((r) => r.id === nodeId(11)) as Record<string, string>;
    expect(unregistered.owner).toBe(""); // null → empty cell
    expect(unregistered.tee_type).toBe("");
    expect(c.rows[0].enabled).toMatch(/^(true|false)$/);
    expect(c.rows[0].as_of).toMatch(ISO_RE);
  });

  test("inferences: times ISO-8601 UTC, Bytes lowercase hex, finalized by the latest event's block", async () => {
    const { rows } = await ndjson("/export/inferences.ndjson");
    const byId = new Map(fx.inferences.map((x) => [x.id, x]));
    for (const row of rows) {
      const x = byId.get(row.id);
      expect(x).toBeDefined();
      if (!x) continue;
      expect(row.status).toBe(x.status);
      expect(row.committed_block).toBe(x.committedBlock);
      expect(row.committed_at).toBe(dateOf(x.committedBlock).toISOString());
      expect(row.revealed_block).toBe(x.revealedBlock);
      expect(row.discrepancy).toBe(x.discrepancy);
      expect(row.commitment_check).toBe(x.checks.commitment);
      expect(row.tee_signature_check).toBe(x.checks.teeSignature);
      const last = x.verdicts.at(-1)?.block ?? x.revealedBlock ?? x.committedBlock;
      expect(row.finalized).toBe(last <= FINALIZED);
      expect(row.input_hash).toMatch(/^0x[0-9a-f]{64}$/);
    }
    // Ordered by commit block.
    const blocks = rows.map((r) => r.committed_block);
    expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
  });

  test("slashes: amounts as wei strings, finalized against the finalized block", async () => {
    const { rows } = await ndjson("/export/slashes.ndjson");
    const byId = new Map(fx.slashes.map((s) => [s.id, s]));
    for (const row of rows) {
      const s = byId.get(row.id);
      expect(s).toBeDefined();
      if (!s) continue;
      expect(row.amount_wei).toBe(s.amount.toString());
      expect(row.reason).toBe(s.reason);
      expect(row.block).toBe(s.block);
      expect(row.timestamp).toBe(dateOf(s.block).toISOString());
      expect(row.finalized).toBe(s.block <= FINALIZED);
      expect(row.inference).toBe(s.inference);
    }
  });
});

describe("CSV safety", () => {
  test("RFC 4180 quoting of commas, quotes and newlines; chain text starting with = + - @ tab CR gets a quote", async () => {
    const got = await get("/export/models.csv");
    // The raw text: the first nasty name is quoted, its quotes doubled, its newline kept inside the quotes.
    expect(got.text).toContain('"a,b ""c""\nd","v""1"",2"');
    const { rows } = await csv("/export/models.csv");
    const nasty = NASTY_NAMES.map((_, k) => rows.find((r) => r.id === modelId(NASTY_FIRST + k)));
    expect(nasty[0]?.name).toBe('a,b "c"\nd');
    expect(nasty[0]?.version).toBe('v"1",2');
    expect(nasty[1]?.name).toBe("'=HYPERLINK(1)");
    expect(nasty[2]?.name).toBe("'+1");
    expect(nasty[3]?.name).toBe("'-1");
    expect(nasty[4]?.name).toBe("'@SUM(A1)");
    expect(nasty[5]?.name).toBe("'\tTAB");
    expect(nasty[6]?.name).toBe("'\rCR");
    expect(nasty[7]?.name).toBe("plain");
    expect(nasty[7]?.version).toBe("'=1+1");
    expect(nasty[7]?.blob_id).toBe("'@blob");
    // NDJSON carries the text as it is.
    const { rows: json } = await ndjson("/export/models.ndjson");
    expect(json.find((r) => r.id === modelId(NASTY_FIRST + 1)).name).toBe("=HYPERLINK(1)");
  });
});

describe("filters", () => {
  test("inferences by node, model, status and committed time", async () => {
    const node = 2;
    const byNode = (await ndjson(`/export/inferences.ndjson?node=${nodeId(node)}`)).rows;
    expect(byNode.map((r) => r.id).sort()).toEqual(
      fx.inferences
        .filter((x) => x.node === node)
        .map((x) => x.id)
        .sort(),
    );
    const byModel = (
      await ndjson(`/export/inferences.ndjson?model=${modelId(1).toUpperCase().replace("0X", "0x")}`)
    ).rows;
    expect(byModel.map((r) => r.id).sort()).toEqual(
      fx.inferences
        .filter((x) => x.model === 1)
        .map((x) => x.id)
        .sort(),
    );
    const byStatus = (
      await ndjson(`${"/export/inferences.csv".replace(".csv", ".ndjson")}?status=FAILED,EXPIRED`)
    ).rows;
    expect(byStatus.map((r) => r.id).sort()).toEqual(
      fx.inferences
        .filter((x) => x.status === "FAILED" || x.status === "EXPIRED")
        .map((x) => x.id)
        .sort(),
    );
    const from = dateOf(200).toISOString();
    const to = dateOf(400).toISOString();
    const byTime = (await csv(`/export/inferences.csv?from=${from}&to=${to}&status=VERIFIED`)).rows;
    expect(byTime.map((r) => r.id).sort()).toEqual(
      fx.inferences
        .filter((x) => x.committedBlock >= 200 && x.committedBlock <= 400 && x.status === "VERIFIED")
        .map((x) => x.id)
        .sort(),
    );
  });

  test("slashes by node and time", async () => {
    const rows = (await ndjson(`/export/slashes.ndjson?node=${nodeId(3)}`)).rows;
    expect(rows.map((r) => r.id).sort()).toEqual(
      fx.slashes
        .filter((s) => s.node === 3)
        .map((s) => s.id)
        .sort(),
    );
    const from = dateOf(500).toISOString();
    const timed = (await csv(`/export/slashes.csv?from=${from}`)).rows;
    expect(timed.map((r) => r.id).sort()).toEqual(
      fx.slashes
        .filter((s) => s.block >= 500)
        .map((s) => s.id)
        .sort(),
    );
  });
});

describe("asOf", () => {
  test("by block number: stake and enabled as they stood, counts and reputation of events at or before it", async () => {
    const B = 650; // a tee_status_change is in block 650, so as_of is that block's time
    const { rows, got } = await ndjson(`/export/nodes.ndjson?asOf=${B}`);
    expect(got.headers.get("x-as-of-block")).toBe(String(B));
    expect(got.headers.get("x-as-of")).toBe(dateOf(B).toISOString());
    const n0 = rows.find((r) => r.id === STAKE_NODE_ID);
    expect(n0.stake_wei).toBe("1000000000000000123");
    expect(n0.pending_withdrawals_wei).toBe("3");
    expect(n0.enabled).toBe(true);
    const early = (await ndjson("/export/nodes.ndjson?asOf=500")).rows.find((r) => r.id === STAKE_NODE_ID);
    expect(early.stake_wei).toBe("7"); // deposit at 600 not yet
    expect(early.enabled).toBe(false); // disabled at 300, re-enabled at 650
    // Counts and reputation of every node as of B, against the fixture.
    const T = timeOf(B);
    for (const row of rows) {
      const node = Array.from({ length: NODE_COUNT }, (_, i) => i).find((i) => nodeId(i) === row.id);
      const mine = fx.inferences.filter((x) => x.node === node && x.committedBlock <= B);
      const statusAt = (x: (typeof mine)[number]) =>
        x.verdicts.filter((v) => v.block <= B).at(-1)?.outcome ??
        (x.revealedBlock !== null && x.revealedBlock <= B ? "REVEALED" : "COMMITTED");
      expect(row.committed, row.id).toBe(mine.length);
      expect(row.verified).toBe(mine.filter((x) => statusAt(x) === "VERIFIED").length);
      expect(row.failed).toBe(mine.filter((x) => statusAt(x) === "FAILED").length);
      expect(row.slashes).toBe(fx.slashes.filter((s) => s.node === node && s.block <= B).length);
      expect(row.total_slashed_wei).toBe(
        fx.slashes
          .filter((s) => s.node === node && s.block <= B)
          .reduce((a, s) => a + s.amount, 0n)
          .toString(),
      );
      const rep = replayAsOf(fx.nodeEvents.get(row.id) ?? [], T, "node");
      expect(row.score, row.id).toBe(rep.score);
      expect(row.effective_samples).toBeCloseTo(rep.effectiveSamples, 9);
      expect(row.as_of_block).toBe(B);
    }
    // Inferences as of B: only those committed by B, status as it stood.
    const inf = (await ndjson(`/export/inferences.ndjson?asOf=${B}`)).rows;
    expect(inf).toHaveLength(fx.inferences.filter((x) => x.committedBlock <= B).length);
    const pending = fx.inferences.find(
      (x) => x.verdicts.length > 0 && x.committedBlock <= B && x.verdicts[0].block > B,
    );
    if (pending) {
      const row = inf.find((r) => r.id === pending.id);
      expect(row.settled_block).toBeNull();
      expect(["COMMITTED", "REVEALED"]).toContain(row.status);
    }
    const slashes = (await ndjson(`/export/slashes.ndjson?asOf=${B}`)).rows;
    expect(slashes).toHaveLength(fx.slashes.filter((s) => s.block <= B).length);
  });

  test("by date: the same as the block at or before it; models deprecated only from their block on", async () => {
    const byDate = await ndjson(`/export/nodes.ndjson?asOf=${encodeURIComponent(dateOf(520).toISOString())}`);
    const n0 = byDate.rows.find((r) => r.id === STAKE_NODE_ID);
    expect(n0.stake_wei).toBe("7");
    expect(n0.enabled).toBe(false);
    expect(byDate.got.headers.get("x-as-of")).toBe(dateOf(520).toISOString());
    expect(Number(byDate.got.headers.get("x-as-of-block"))).toBeLessThanOrEqual(520);
    const before = (await ndjson("/export/models.ndjson?asOf=499")).rows.find((r) => r.id === modelId(3));
    const after = (await ndjson("/export/models.ndjson?asOf=650")).rows.find((r) => r.id === modelId(3));
    expect(before.deprecated).toBe(false);
    expect(after.deprecated).toBe(true);
    const rep = replayAsOf(fx.modelEvents.get(modelId(3)) ?? [], timeOf(650), "model");
    expect(after.score).toBe(rep.score);
    // The latest block as a number is the default.
    const latest = await get("/export/models.csv");
    const explicit = await get(`/export/models.csv?asOf=${HEIGHT}`);
    expect(explicit.text).toBe(latest.text);
  });
});

describe("provenance", () => {
  test("headers always; the CSV comment and the NDJSON line only when asked", async () => {
    const plain = await get("/export/slashes.csv");
    expect(plain.headers.get("x-as-of-block")).toBe(String(HEIGHT));
    expect(plain.headers.get("x-as-of")).toBe(new Date(T0 * 1000).toISOString());
    expect(plain.headers.get("x-finalized-block")).toBe(String(FINALIZED));
    expect(plain.headers.get("x-formula-version")).toBe("rep-v1");
    expect(plain.text.startsWith("id,")).toBe(true);
    const commented = await get("/export/slashes.csv?provenance=comment&asOf=600");
    expect(commented.headers.get("x-finalized-block")).toBe(String(FINALIZED));
    const [first, second] = commented.text.split("\r\n");
    expect(first).toBe(
      `# as_of_block=600, as_of=${dateOf(600).toISOString()}, finalized_block=${FINALIZED}, formula=rep-v1`,
    );
    expect(second).toBe(EXPECTED.slashes);
    const plainJson = await ndjson("/export/slashes.ndjson");
    expect(plainJson.rows.some((r) => "_provenance" in r)).toBe(false);
    const lined = await ndjson("/export/slashes.ndjson?provenance=line");
    expect(lined.rows.at(-1)).toEqual({
      _provenance: {
        as_of_block: HEIGHT,
        as_of: new Date(T0 * 1000).toISOString(),
        finalized_block: FINALIZED,
        formula: "rep-v1",
      },
    });
    expect(lined.rows.slice(0, -1)).toEqual(plainJson.rows);
  });
});

describe("bad parameters", () => {
  const cases: [string, string][] = [
    ["/export/nodes.csv?asOf=yesterday", "asOf"],
    ["/export/nodes.csv?asOf=2026-13-40T00:00:00Z", "asOf"],
    ["/export/nodes.csv?asOf=2026-11-01T00:00:00", "asOf"], // no zone
    [`/export/nodes.csv?asOf=${HEIGHT + 1}`, "asOf"],
    ["/export/inferences.csv?node=0x1234", "node"],
    [`/export/inferences.csv?node=${nodeId(1)}zz`, "node"],
    ["/export/inferences.csv?model=abc", "model"],
    ["/export/inferences.csv?status=DONE", "status"],
    ["/export/inferences.ndjson?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from"],
    ["/export/slashes.csv?to=soon", "to"],
    ["/export/slashes.csv?status=VERIFIED", "status"],
    [`/export/nodes.csv?node=${nodeId(1)}`, "node"],
    ["/export/nodes.csv?provenance=line", "provenance"],
    ["/export/nodes.ndjson?provenance=comment", "provenance"],
    ["/export/models.csv?asof=1", "asof"],
    ["/export/models.csv?asOf=1&asOf=2", "asOf"],
  ];
  test.each(cases)("%s → 400 naming %s, nothing streamed", async (path, parameter) => {
    const got = await get(path);
    expect(got.status).toBe(400);
    expect(got.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(got.headers.get("x-as-of-block")).toBeNull();
    const lines = got.text.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Bad parameter ${parameter}: `));
  });

  test("unknown export 404, other methods 405", async () => {
    expect((await get("/export/nodes.xml")).status).toBe(404);
    const res = await fetch(`${api.base}/export/nodes.csv`, { method: "POST" });
    expect(res.status).toBe(405);
  });
});

describe("a large export", () => {
  const ROWS = 50_000;
  // A network of its own: the fixture network and ROWS more commits.
  let big: TestDatabase;
  let bigApi: TestApi;
  beforeAll(async () => {
    big = await openTestDatabase();
    await seedNetwork(big.adminUrl, (at) => extraCommits(at, ROWS, 100_000));
    bigApi = await startTestApi(testConfig(), big.db, { connectionString: big.readerUrl });
  }, 300_000);
  afterAll(async () => {
    await bigApi?.close();
    await big?.close();
  });

  test(`streams ${ROWS} + fixture inference rows completely with bounded memory`, async () => {
    const expected = ROWS + fx.inferences.length;
    // A forced collection before each sample measures live memory, not garbage awaiting a lazy GC.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // The fast path (stored columns) in both formats, and the as-of path (a verdict lookup per row) once.
    for (const [format, query] of [
      ["csv", ""],
      ["ndjson", ""],
      ["csv", `?asOf=${HEIGHT - 1}`],
    ] as const) {
      gc();
      const before = process.memoryUsage();
      let peakLive = before.heapUsed;
      let peakRss = before.rss;
      const started = performance.now();
      const res = await fetch(`${bigApi.base}/export/inferences.${format}${query}`);
      expect(res.status).toBe(200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let bytes = 0;
      let lines = 0;
      let nextSample = 2e6;
      let gcMs = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (const b of value) if (b === 10) lines++;
        if (bytes >= nextSample) {
          nextSample += 2e6;
          const g = performance.now();
          gc();
          gcMs += performance.now() - g;
          const m = process.memoryUsage();
          peakLive = Math.max(peakLive, m.heapUsed);
          peakRss = Math.max(peakRss, m.rss);
        }
      }
      const seconds = (performance.now() - started - gcMs) / 1000;
      expect(lines).toBe(expected + (format === "csv" ? 1 : 0));
      gc();
      const after = process.memoryUsage();
      const liveGrowth = peakLive - before.heapUsed;
      const rssGrowth = peakRss - before.rss;
      console.log(
        `export inferences.${format}${query}: ${expected} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
          `(${Math.round(expected / seconds)} rows/s, forced GCs excluded); peak live heap +${(liveGrowth / 1e6).toFixed(1)} MB, ` +
          `peak RSS +${(rssGrowth / 1e6).toFixed(1)} MB, heap after +${((after.heapUsed - before.heapUsed) / 1e6).toFixed(1)} MB`,
      );
      // The whole export held in memory would be more than its byte size (JS strings, row objects); a stream
      // holds one chunk (2000 rows, ~1 MB) and the socket buffers.
      expect(bytes).toBeGreaterThan(25e6);
      expect(liveGrowth).toBeLessThan(bytes / 5);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(bytes / 10);
      expect(rssGrowth).toBeLessThan(bytes);
    }
  });

  test("a client that goes away cancels the query and frees the connection", async () => {
    const controller = new AbortController();
    const res = await fetch(`${bigApi.base}/export/inferences.csv`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => {});
    // No export cursor is left open on the server, and the pool is whole again.
    for (let i = 0; i < 50; i++) {
      const open = await big.admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND query ILIKE 'FETCH%'",
      );
      if (open.rows[0].n === 0 && big.db.pool.totalCount === big.db.pool.idleCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cursors = await big.admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    expect(cursors.rows[0].n).toBe(0);
    expect(big.db.pool.totalCount).toBe(big.db.pool.idleCount);
    expect((await fetch(`${bigApi.base}/export/slashes.csv`)).status).toBe(200);
  });
});

describe("settlements", () => {
  const HEADER =
    "id,tee_id,node,eth_address,input_hash,output_hash,timestamp_seconds,timestamp,walrus_blob_id,signature,signature_check,freshness_check,tee_enabled_check,pcr_valid_check,block,block_time,tx_hash,finalized";

  test("one row per settlement, in block order, with the spec's columns in CSV and NDJSON", async () => {
    expect(names("settlements").join(",")).toBe(HEADER);
    const c = await csv("/export/settlements.csv");
    expect(c.header.join(",")).toBe(HEADER);
    expect(c.got.headers.get("content-type")).toMatch(/^text\/csv/);
    const n = await ndjson("/export/settlements.ndjson");
    const want = [...fx.settlements].sort((a, b) => a.block - b.block || a.id.localeCompare(b.id));
    expect(n.rows.map((r) => r.id)).toEqual(want.map((s) => s.id));
    expect(c.rows.map((r) => r.id)).toEqual(want.map((s) => s.id));
    const byId = new Map(fx.settlements.map((s) => [s.id, s]));
    for (const row of n.rows) {
      const s = byId.get(row.id);
      expect(row.tee_id).toBe(s?.teeId);
      expect(row.node).toBe(s?.node === null ? null : nodeId(s?.node as number));
      expect(row.signature_check).toBe(s?.signature);
      // The signed uint256 as a string; block numbers as numbers; times as ISO-8601.
      expect(row.timestamp_seconds).toBe(s?.timestampSeconds);
      expect(row.block).toBe(s?.block);
      expect(row.block_time).toMatch(ISO_RE);
      expect(row.finalized).toBe((s?.block as number) <= FINALIZED);
    }
  });

  test("filters: node (the TEE id), signature check, time; asOf a block; a bad check is a 400", async () => {
    const node = fx.settlements[0].node as number;
    const byNode = (await ndjson(`/export/settlements.ndjson?node=${nodeId(node)}`)).rows;
    expect(byNode.map((r) => r.id).sort()).toEqual(
      fx.settlements
        .filter((s) => s.node === node)
        .map((s) => s.id)
        .sort(),
    );
    const failed = (await csv("/export/settlements.csv?signature=FAIL")).rows;
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((r) => r.id).sort()).toEqual(
      fx.settlements
        .filter((s) => s.signature === "FAIL")
        .map((s) => s.id)
        .sort(),
    );
    const from = dateOf(500).toISOString();
    const timed = (await ndjson(`/export/settlements.ndjson?from=${from}`)).rows;
    expect(timed.map((r) => r.id).sort()).toEqual(
      fx.settlements
        .filter((s) => s.block >= 500)
        .map((s) => s.id)
        .sort(),
    );
    const B = 400;
    const asOf = (await ndjson(`/export/settlements.ndjson?asOf=${B}`)).rows;
    expect(asOf).toHaveLength(fx.settlements.filter((s) => s.block <= B).length);
    const bad = await get("/export/settlements.csv?signature=MAYBE");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("signature");
  });
});

describe("reorgs", () => {
  test("one row per reorg the indexer handled, oldest first; from/to bound the detection time; no asOf", async () => {
    const c = await csv("/export/reorgs.csv");
    expect(c.header.join(",")).toBe("detected_at,from_block,to_block,depth");
    // The indexer saw them while seeding, in chain order.
    expect(c.rows.map(({ detected_at: _, ...r }) => r)).toEqual(
      fx.reorgs.map((r) => ({
        from_block: String(r.fromBlock),
        to_block: String(r.toBlock),
        depth: String(r.depth),
      })),
    );
    const seen = c.rows.map((r) => Date.parse(r.detected_at));
    for (const t of seen) expect(t >= seededFrom && t <= seededTo).toBe(true);
    expect(seen[0]).toBeLessThan(seen[1]);
    const last = fx.reorgs[1];
    const recent = await ndjson(`/export/reorgs.ndjson?from=${c.rows[1].detected_at}`);
    expect(recent.rows).toEqual([
      {
        detected_at: c.rows[1].detected_at,
        from_block: last.fromBlock,
        to_block: last.toBlock,
        depth: last.depth,
      },
    ]);
    const until = await ndjson(`/export/reorgs.ndjson?to=${new Date(seen[1] - 1).toISOString()}`);
    expect(until.rows.map((r) => r.from_block)).toEqual([fx.reorgs[0].fromBlock]);
    const bad = await get("/export/reorgs.csv?asOf=5");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("asOf");
  });
});
