// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON lines
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import {
  BLOCK_SECONDS,
  blockHash,
  dateOf,
  hex,
  insertRows,
  loadFixture,
  nodeId,
  timeOf,
  txHash,
} from "../src/testing/fixtures.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// PCR approval as OpenGradient's earlier registries leave it (docs/decisions/005-earlier-tee-registry-versions.md),
// in the nodes export (latest and as of a block or time) and Node.pcrApproved: an approval for every TEE type
// (og-evm 6030478: pcr row "<hash>-any", pcr_event tee_type null), and revocations with a grace period (758e149:
// pcr.approved_until, pcr_event.effective_at = block time + grace).

let tdb: TestDatabase;
let api: TestApi;

const PCR_ANY = hex("7c", 3);
const PCR_GRACE = hex("7d", 4);
const PCR_LONG_GRACE = hex("7e", 5);
const PCR_ROTATED = hex("7f", 6);
/** Type 2 on PCR_ANY (approved for every type), type 1 on PCR_GRACE (grace ended), type 1 on PCR_LONG_GRACE. */
const ANY_NODE = nodeId(40);
const GRACE_NODE = nodeId(41);
const LONG_GRACE_NODE = nodeId(42);
/** Type 1 on PCR_ROTATED: approved for every type, then named as the previous PCR of a 6030478 approvePCR. */
const ROTATED_NODE = nodeId(43);
/** PCR_GRACE revoked at block 600 with 3 blocks of grace: approved for times before block 603's. */
const GRACE_END = timeOf(603);

const event = (k: number, block: number, row: Record<string, unknown>) => ({
  id: `${txHash(7000 + k)}-0`,
  version: null,
  effective_at: null,
  grace_period: null,
  block,
  block_hash: blockHash(block),
  at: dateOf(block),
  tx: txHash(7000 + k),
  log_index: 0,
  ...row,
});

beforeAll(async () => {
  tdb = await openTestDatabase();
  await loadFixture(tdb.admin);
  const { rows } = await tdb.admin.query("SELECT * FROM node WHERE id = $1", [nodeId(0)]);
  const base = rows[0] as Record<string, unknown>;
  const node = (id: string, teeType: number, pcrHash: string, block: number) => ({
    ...base,
    id,
    tee_type: teeType,
    pcr_hash: pcrHash,
    registered_block: block,
    registered_block_hash: blockHash(block),
    registered_at: dateOf(block),
    registered_tx: txHash(7100 + block),
    first_seen_block: block,
  });
  await insertRows(tdb.admin, "node", [
    node(ANY_NODE, 2, PCR_ANY, 50),
    node(GRACE_NODE, 1, PCR_GRACE, 50),
    node(LONG_GRACE_NODE, 1, PCR_LONG_GRACE, 50),
    node(ROTATED_NODE, 1, PCR_ROTATED, 50),
  ]);
  const pcr = (hash: string, teeType: number | null, extra: Record<string, unknown>) => ({
    id: `${hash}-${teeType ?? "any"}`,
    pcr_hash: hash,
    tee_type: teeType,
    version: "v1",
    approved: true,
    approved_until: null,
    ever_revoked: false,
    last_approved_block: 100,
    last_revoked_block: null,
    ...extra,
  });
  const revoked = (block: number, until: number) => ({
    approved: false,
    approved_until: new Date(until * 1000),
    ever_revoked: true,
    last_revoked_block: block,
  });
  await insertRows(tdb.admin, "pcr", [
    pcr(PCR_ANY, null, {}),
    pcr(PCR_GRACE, 1, revoked(600, GRACE_END)),
    pcr(PCR_LONG_GRACE, 1, revoked(900, timeOf(900) + 86_400)),
    pcr(PCR_ROTATED, null, { approved: false, approved_until: new Date(GRACE_END * 1000) }),
  ]);
  await insertRows(tdb.admin, "pcr_event", [
    event(1, 100, { pcr_hash: PCR_ANY, tee_type: null, kind: "APPROVED", version: "v1" }),
    event(2, 100, { pcr_hash: PCR_GRACE, tee_type: 1, kind: "APPROVED", version: "v1" }),
    event(3, 100, { pcr_hash: PCR_LONG_GRACE, tee_type: 1, kind: "APPROVED", version: "v1" }),
    event(4, 600, {
      pcr_hash: PCR_GRACE,
      tee_type: null, // the calldata did not name the type: every type's
      kind: "REVOKED",
      effective_at: new Date(GRACE_END * 1000),
      grace_period: String(3 * BLOCK_SECONDS),
    }),
    event(6, 100, { pcr_hash: PCR_ROTATED, tee_type: null, kind: "APPROVED", version: "v1" }),
    {
      ...event(7, 600, {
        pcr_hash: PCR_ROTATED,
        tee_type: null,
        kind: "EXPIRING",
        effective_at: new Date(GRACE_END * 1000),
        grace_period: String(3 * BLOCK_SECONDS),
      }),
      id: `${txHash(7007)}-0-expiring`,
    },
    event(5, 900, {
      pcr_hash: PCR_LONG_GRACE,
      tee_type: 1,
      kind: "REVOKED",
      effective_at: new Date((timeOf(900) + 86_400) * 1000),
      grace_period: "86400",
    }),
  ]);
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
});
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

async function approvals(query = ""): Promise<Map<string, boolean>> {
  const res = await fetch(`${api.base}/export/nodes.ndjson${query}`);
  expect(res.status).toBe(200);
  const rows = (await res.text())
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => JSON.parse(l) as any);
  return new Map(rows.map((r) => [r.id as string, r.pcr_approved as boolean]));
}
const at = (seconds: number) => `?asOf=${encodeURIComponent(new Date(seconds * 1000).toISOString())}`;

describe("PCR approval of earlier registries", () => {
  test("latest: an every-type approval covers the node's type; a grace period that ended no longer counts", async () => {
    const now = await approvals();
    expect(now.get(ANY_NODE)).toBe(true);
    expect(now.get(GRACE_NODE)).toBe(false);
    expect(now.get(LONG_GRACE_NODE)).toBe(true); // its grace ends a day after block 900, after the latest block
    expect(now.get(ROTATED_NODE)).toBe(false);
    const { body } = await api.gql(
      `query($a: Bytes!, $b: Bytes!, $c: Bytes!) {
         a: node(id: $a) { pcrApproved } b: node(id: $b) { pcrApproved } c: node(id: $c) { pcrApproved } }`,
      { a: ANY_NODE, b: GRACE_NODE, c: LONG_GRACE_NODE },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      a: { pcrApproved: true },
      b: { pcrApproved: false },
      c: { pcrApproved: true },
    });
  });

  test("as of a block or time: approved from the approval on, and during the grace period, not from its end", async () => {
    expect((await approvals("?asOf=99")).get(ANY_NODE)).toBe(false);
    expect((await approvals("?asOf=100")).get(ANY_NODE)).toBe(true);
    expect((await approvals("?asOf=650")).get(ANY_NODE)).toBe(true);
    expect((await approvals("?asOf=599")).get(GRACE_NODE)).toBe(true);
    expect((await approvals("?asOf=600")).get(GRACE_NODE)).toBe(true); // revoked in 600, in effect at 603's time
    expect((await approvals(at(GRACE_END - 1))).get(GRACE_NODE)).toBe(true);
    expect((await approvals(at(GRACE_END))).get(GRACE_NODE)).toBe(false);
    expect((await approvals("?asOf=650")).get(GRACE_NODE)).toBe(false);
    expect((await approvals("?asOf=950")).get(LONG_GRACE_NODE)).toBe(true);
    // An expiry set by 6030478's approvePCR(…, previousPcrHash, gracePeriod): the same rule.
    expect((await approvals("?asOf=600")).get(ROTATED_NODE)).toBe(true);
    expect((await approvals(at(GRACE_END - 1))).get(ROTATED_NODE)).toBe(true);
    expect((await approvals(at(GRACE_END))).get(ROTATED_NODE)).toBe(false);
  });
});
