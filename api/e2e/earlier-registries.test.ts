// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON lines

import { encodeAbiParameters, encodeFunctionData, type Hex, keccak256, parseAbi, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRng } from "../../devnet/src/crypto/rng.ts";
import { pcrSet } from "../../devnet/src/simulator/world.ts";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import {
  BLOCK_SECONDS,
  CONTRACTS,
  extraNode,
  NODE_COUNT,
  type RawLog,
  timeOf,
} from "../src/testing/network.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// PCR approval as OpenGradient's earlier registries leave it (docs/decisions/005-earlier-tee-registry-versions.md),
// in the nodes export (latest and as of a block or time) and Node.pcrApproved: an approval for every TEE type
// (og-evm 6030478's PCRApproved(pcrHash, version)), and revocations with a grace period (758e149's
// PCRRevoked(pcrHash, gracePeriod)), as those registries' logs on the fixture network's chain.

let tdb: TestDatabase;
let api: TestApi;

const rng = createRng("earlier-registries");
const PCR_ANY = pcrSet(rng.fork("any"), "any", 2, "v1");
const PCR_GRACE = pcrSet(rng.fork("grace"), "grace", 1, "v1");
const PCR_LONG_GRACE = pcrSet(rng.fork("long-grace"), "long-grace", 1, "v1");
const PCR_ROTATED = pcrSet(rng.fork("rotated"), "rotated", 1, "v1");
/** What 6030478's approvePCR(…, previousPcrHash = PCR_ROTATED, gracePeriod) approves. */
const PCR_NEXT = pcrSet(rng.fork("next"), "next", 1, "v2");
/** TEEs of this test's own, registered at block 50 on those PCRs. */
const node = (k: number, pcr: typeof PCR_ANY) => ({ ...extraNode(NODE_COUNT + k), pcr });
/** Type 2 on PCR_ANY (approved for every type), type 1 on PCR_GRACE (grace ended), type 1 on PCR_LONG_GRACE. */
const ANY = node(0, PCR_ANY);
const GRACE = node(1, PCR_GRACE);
const LONG_GRACE = node(2, PCR_LONG_GRACE);
/** Type 1 on PCR_ROTATED: approved for every type, then named as the previous PCR of a 6030478 approvePCR. */
const ROTATED = node(3, PCR_ROTATED);
const [ANY_NODE, GRACE_NODE, LONG_GRACE_NODE, ROTATED_NODE] = [ANY, GRACE, LONG_GRACE, ROTATED].map(
  (n) => n.id,
);
/** PCR_GRACE revoked at block 600 with 3 blocks of grace: approved for times before block 603's. */
const GRACE_END = timeOf(603);
const GRACE_SECONDS = 3 * BLOCK_SECONDS;

// The earlier registries' events and calls (their ABIs: indexer/abi/LegacyTEERegistry*.json).
const topic = (signature: string) => keccak256(toHex(signature));
const legacyApproval = (pcrHash: Hex, version: string, input?: string): RawLog => ({
  address: CONTRACTS.teeRegistry,
  from: ANY.owner,
  log: {
    topics: [topic("PCRApproved(bytes32,string)"), pcrHash],
    data: encodeAbiParameters([{ type: "string" }], [version]),
  },
  input,
});
const graceRevocation = (pcrHash: Hex, gracePeriod: number, input?: string): RawLog => ({
  address: CONTRACTS.teeRegistry,
  from: ANY.owner,
  log: {
    topics: [topic("PCRRevoked(bytes32,uint256)"), pcrHash],
    data: encodeAbiParameters([{ type: "uint256" }], [BigInt(gracePeriod)]),
  },
  input,
});
const calls = parseAbi([
  "function approvePCR((bytes pcr0, bytes pcr1, bytes pcr2) pcrs, string version, bytes32 previousPcrHash, uint256 gracePeriod)",
  "function revokePCR(bytes32 pcrHash, uint8 teeType, uint256 gracePeriod)",
]);

beforeAll(async () => {
  tdb = await openTestDatabase();
  await seedNetwork(tdb.adminUrl, (at, log) => {
    for (const n of [ANY, GRACE, LONG_GRACE, ROTATED]) {
      at(50, { kind: "registerTEE", node: n });
      at(50, { kind: "deposit", node: n, from: n.operator, amount: 10n ** 18n, total: 10n ** 18n });
    }
    // 6030478: approvals for every TEE type (no type in the event).
    log(100, legacyApproval(PCR_ANY.hash, "v1"));
    log(100, legacyApproval(PCR_ROTATED.hash, "v1"));
    // The current registry's approvals for type 1.
    at(100, { kind: "approvePCR", pcr: PCR_GRACE, version: "v1" });
    at(100, { kind: "approvePCR", pcr: PCR_LONG_GRACE, version: "v1" });
    // 758e149: revoked with 3 blocks of grace; the calldata does not name the type (a call through another
    // contract), so every type's approval is revoked.
    log(600, graceRevocation(PCR_GRACE.hash, GRACE_SECONDS));
    // 6030478's approvePCR(PCR_NEXT, …, previousPcrHash = PCR_ROTATED, 3 blocks): PCR_ROTATED expires then.
    const { pcr0, pcr1, pcr2 } = PCR_NEXT;
    const rotate = encodeFunctionData({
      abi: calls,
      functionName: "approvePCR",
      args: [{ pcr0, pcr1, pcr2 }, "v2", PCR_ROTATED.hash, BigInt(GRACE_SECONDS)],
    });
    log(600, legacyApproval(PCR_NEXT.hash, "v2", rotate));
    // 758e149: revoked for type 1 (the direct call names it) with a day of grace.
    const revoke = encodeFunctionData({
      abi: calls,
      functionName: "revokePCR",
      args: [PCR_LONG_GRACE.hash, 1, 86_400n],
    });
    log(900, graceRevocation(PCR_LONG_GRACE.hash, 86_400, revoke));
  });
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
