import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureEmbeddedPostgres, type PostgresHandle } from "@attestation-explorer/embedded-postgres";
import { freePort } from "@attestation-explorer/testkit/net";
import type { Store } from "@subsquid/typeorm-store";
import { Client } from "pg";
import {
  type Abi,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseAbi,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { useDatabaseUrl } from "../src/db/connection.ts";
import { applyMigrations } from "../src/db/migrations.ts";
import type * as ReorgDb from "../src/db/reorg-aware-database.ts";
import type * as HandleBatch from "../src/mapping/handle-batch.ts";
import type { ProcessorContext } from "../src/processor.ts";

// The mapping of OpenGradient's earlier registry events (og-evm 6030478 and 758e149; docs/decisions/005) through
// the squid's batch handler into a real Postgres with the real migrations: logs encoded from the events as
// declared in og-evm's sources, checks read back from the tables.

const PROJECT_DIR = resolve(__dirname, "..");
// TypeormDatabase loads the compiled model: the handler must come from the same compiled modules.
if (!existsSync(join(PROJECT_DIR, "lib", "mapping", "handle-batch.js"))) {
  const r = spawnSync("npx", ["tsc", "-b", PROJECT_DIR], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the indexer failed");
}
const req = createRequire(__filename);
const { makeBatchHandler } = req(join(PROJECT_DIR, "lib", "mapping", "handle-batch")) as typeof HandleBatch;
const { ReorgAwareDatabase } = req(join(PROJECT_DIR, "lib", "db", "reorg-aware-database")) as typeof ReorgDb;

const TEE = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const RELAY = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

const current = parseAbi([
  "event TEETypeAdded(uint8 indexed typeId, string name)",
  "event PCRApproved(bytes32 indexed pcrHash, uint8 indexed teeType, string version)",
  "event TEERegistered(bytes32 indexed teeId, address indexed owner, uint8 teeType)",
  "event IndividualSettlement(bytes32 indexed teeId, address indexed ethAddress, bytes32 inputHash, bytes32 outputHash, uint256 timestamp, bytes walrusBlobId, bytes signature)",
  "function registerTEEWithAttestation(bytes attestationDocument, bytes signingPublicKey, bytes tlsCertificate, address paymentAddress, string endpoint, uint8 teeType) returns (bytes32 teeId)",
]) as Abi;
const v6030478 = parseAbi([
  "event PCRApproved(bytes32 indexed pcrHash, string version)",
  "event PCRRevoked(bytes32 indexed pcrHash)",
  "event TEEDeactivated(bytes32 indexed teeId)",
  "event TEEActivated(bytes32 indexed teeId)",
  "event TEETypeDeactivated(uint8 indexed typeId)",
  "function approvePCR((bytes pcr0, bytes pcr1, bytes pcr2) pcrs, string version, bytes32 previousPcrHash, uint256 gracePeriod)",
]) as Abi;
const v758e149 = parseAbi([
  "event PCRRevoked(bytes32 indexed pcrHash, uint256 gracePeriod)",
  "event TEERemoved(bytes32 indexed teeId)",
  "function revokePCR(bytes32 pcrHash, uint8 teeType, uint256 gracePeriod)",
]) as Abi;

interface SynthLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: number;
  transactionIndex: number;
  transactionHash: string;
  transaction?: { hash: string; input: string; from: string; to: string };
}

let txCounter = 0;
function log(
  abi: Abi,
  address: string,
  eventName: string,
  args: Record<string, unknown>,
  input?: Hex,
): SynthLog {
  const ev = abi.find((x) => x.type === "event" && x.name === eventName) as Extract<
    Abi[number],
    { type: "event" }
  >;
  const data = ev.inputs.filter((i) => !i.indexed);
  const hash = keccak256(toHex(`tx-${++txCounter}`));
  return {
    address,
    topics: encodeEventTopics({ abi: [ev], eventName, args } as never) as string[],
    data: encodeAbiParameters(data, data.map((i) => args[i.name as string]) as never),
    logIndex: 0,
    transactionIndex: 0,
    transactionHash: hash,
    transaction: input ? { hash, input, from: `0x${"11".repeat(20)}`, to: address } : undefined,
  };
}

const pcrs = (n: number): [Hex, Hex, Hex] => [toHex(`p0-${n}`), toHex(`p1-${n}`), toHex(`p2-${n}`)];
const pcrHash = (n: number) =>
  keccak256(
    `0x${pcrs(n)
      .map((p) => p.slice(2))
      .join("")}` as Hex,
  );
const P_ANY = pcrHash(1);
const P_GRACE = pcrHash(2);
const P_C = pcrHash(3);
const P_ANY_KEPT = pcrHash(4);
const key = (n: number) => toHex(`tee-key-${n}`);
const teeId = (n: number) => keccak256(key(n));
const [A, B, C, D] = [teeId(1), teeId(2), teeId(3), teeId(4)];

function registration(n: number, teeType: number, pcr: number): SynthLog {
  const input = encodeFunctionData({
    abi: current,
    functionName: "registerTEEWithAttestation",
    args: [
      encodeAbiParameters([{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }], pcrs(pcr)),
      key(n),
      "0x",
      `0x${"22".repeat(20)}`,
      `https://tee-${n}.example`,
      teeType,
    ],
  });
  return log(
    current,
    TEE,
    "TEERegistered",
    { teeId: teeId(n), owner: `0x${"33".repeat(20)}`, teeType },
    input,
  );
}

let settlementCounter = 0;
function settlement(tee: Hex, ts: number): SynthLog {
  const k = ++settlementCounter;
  return log(current, RELAY, "IndividualSettlement", {
    teeId: tee,
    ethAddress: `0x${"44".repeat(20)}`,
    inputHash: keccak256(toHex(`in-${k}`)),
    outputHash: keccak256(toHex(`out-${k}`)),
    timestamp: BigInt(ts),
    walrusBlobId: toHex(`blob-${k}`),
    signature: "0x00",
  });
}

/** The chain: block heights from 1, each block's time, its logs in order (log indexes assigned here). */
const T = 1_800_000_000;
const blocks: { height: number; ts: number; logs: SynthLog[] }[] = [];
const settlementAt = new Map<string, string>(); // name -> settlement id (txHash-logIndex)
function block(ts: number, logs: (SynthLog | [string, SynthLog])[]): number {
  const height = blocks.length + 1;
  const out: SynthLog[] = [];
  logs.forEach((l, i) => {
    const entry = Array.isArray(l) ? l[1] : l;
    entry.logIndex = i;
    entry.transactionIndex = i;
    if (Array.isArray(l)) settlementAt.set(l[0], `${entry.transactionHash}-${i}`);
    out.push(entry);
  });
  blocks.push({ height, ts, logs: out });
  return height;
}

block(T, [
  log(current, TEE, "TEETypeAdded", { typeId: 1, name: "LLM" }),
  log(current, TEE, "TEETypeAdded", { typeId: 2, name: "Agent" }),
  log(v6030478, TEE, "PCRApproved", { pcrHash: P_ANY, version: "every-type" }),
  log(v6030478, TEE, "PCRApproved", { pcrHash: P_ANY_KEPT, version: "kept" }),
  log(current, TEE, "PCRApproved", { pcrHash: P_GRACE, teeType: 1, version: "v2" }),
  log(current, TEE, "PCRApproved", { pcrHash: P_C, teeType: 1, version: "v3" }),
  registration(1, 2, 1),
  registration(2, 1, 2),
  registration(3, 1, 3),
  registration(4, 2, 4),
]);
block(T + 10, [
  ["a2", settlement(A, T + 10)],
  ["b2", settlement(B, T + 10)],
  ["d2", settlement(D, T + 10)],
]);
// 758e149: revokePCR(P_GRACE, type 1, 100 s): in effect from T + 120.
const REVOKE_BLOCK = block(T + 20, [
  log(
    v758e149,
    TEE,
    "PCRRevoked",
    { pcrHash: P_GRACE, gracePeriod: 100n },
    encodeFunctionData({ abi: v758e149, functionName: "revokePCR", args: [P_GRACE, 1, 100n] }),
  ),
]);
block(T + 119, [["b4", settlement(B, T + 119)]]);
block(T + 120, [["b5", settlement(B, T + 120)]]);
const DEACTIVATE_BLOCK = block(T + 130, [
  log(v6030478, TEE, "TEEDeactivated", { teeId: A }),
  ["a6", settlement(A, T + 130)],
]);
const TYPE_BLOCK = block(T + 140, [
  log(v6030478, TEE, "TEEActivated", { teeId: A }),
  log(v758e149, TEE, "TEERemoved", { teeId: C }),
  log(v6030478, TEE, "TEETypeDeactivated", { typeId: 2 }),
  log(v6030478, TEE, "TEETypeDeactivated", { typeId: 9 }),
  ["a7", settlement(A, T + 140)],
]);
// 6030478's one-argument revocation of the every-type approval.
block(T + 150, [log(v6030478, TEE, "PCRRevoked", { pcrHash: P_ANY }), ["a8", settlement(A, T + 150)]]);
// A graced revocation whose calldata is not revokePCR (a call through another contract): every type's.
block(T + 160, [
  log(v758e149, TEE, "PCRRevoked", { pcrHash: P_C, gracePeriod: 2n ** 256n - 1n }, "0xdeadbeef"),
]);
// Re-approval (current form) ends the grace period's bookkeeping.
block(T + 170, [log(current, TEE, "PCRApproved", { pcrHash: P_GRACE, teeType: 1, version: "v2.1" })]);
// 6030478's rotation: approvePCR(new PCRs, version, previousPcrHash = P_ANY_KEPT, 30 s) emits only the new
// approval; the previous PCR expires at T + 210.
const P_NEW = pcrHash(5);
const [p0, p1, p2] = pcrs(5);
const ROTATION_BLOCK = block(T + 180, [
  log(
    v6030478,
    TEE,
    "PCRApproved",
    { pcrHash: P_NEW, version: "v-new" },
    encodeFunctionData({
      abi: v6030478,
      functionName: "approvePCR",
      args: [{ pcr0: p0, pcr1: p1, pcr2: p2 }, "v-new", P_ANY_KEPT, 30n],
    }),
  ),
]);
block(T + 209, [["d12", settlement(D, T + 209)]]);
block(T + 210, [["d13", settlement(D, T + 210)]]);

let root: string;
let pg: PostgresHandle;
let client: Client;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "legacy-registry-"));
  chmodSync(root, 0o755);
  pg = await ensureEmbeddedPostgres({ dataDir: join(root, "pg"), port: await freePort(), log: () => {} });
  useDatabaseUrl(pg.url);
  await applyMigrations(PROJECT_DIR);
  const db = new ReorgAwareDatabase({ projectDir: PROJECT_DIR, finalityConfirmations: 0, log: () => {} });
  await db.connect();
  const handle = db.wrapHandler(
    makeBatchHandler({ teeRegistry: TEE, settlementRelay: RELAY, attestationRegistry: undefined }) as (
      ctx: ProcessorContext<Store>,
    ) => Promise<void>,
  );
  const noRpc = { client: { call: async () => Promise.reject(new Error("no RPC in this test")) } };
  // Two batches: the revocation's retroactive taint reaches rows saved by an earlier batch.
  let head = { height: -1, hash: "0x" };
  for (const part of [blocks.slice(0, 2), blocks.slice(2)]) {
    const synth = part.map((b) => ({
      header: { height: b.height, hash: keccak256(toHex(`block-${b.height}`)), timestamp: b.ts * 1000 },
      logs: b.logs,
    }));
    const last = synth[synth.length - 1].header;
    const next = { height: last.height, hash: last.hash };
    await db.transact({ prevHead: head, nextHead: next }, (store) =>
      handle({
        blocks: synth,
        store,
        log: { warn: () => {} },
        isHead: false,
        _chain: noRpc,
      } as unknown as ProcessorContext<Store>),
    );
    head = next;
  }
  await db.disconnect();
  client = new Client({ connectionString: pg.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end().catch(() => {});
  await pg?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function rows<R = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
  return (await client.query(sql, values)).rows as R[];
}
const pcrValid = async (name: string) =>
  (
    await rows<{ c: string }>("SELECT pcr_valid_check AS c FROM settlement WHERE id = $1", [
      settlementAt.get(name),
    ])
  )[0]?.c;

describe("earlier registry events through the mapping", () => {
  test("nothing undecodable but the deactivation of a type never added", async () => {
    const undecoded = await rows<{ topic0: string; error: string }>(
      "SELECT topic0, error FROM undecoded_log",
    );
    expect(undecoded).toEqual([
      { topic0: "TEETypeDeactivated", error: "TEE type 9 was not added in the indexed blocks" },
    ]);
  });

  test("PCRApproved(pcrHash, version) approves the hash for every TEE type", async () => {
    const [p] = await rows("SELECT * FROM pcr WHERE id = $1", [`${P_ANY}-any`]);
    expect(p).toMatchObject({
      pcr_hash: P_ANY,
      tee_type: null,
      version: "every-type",
      last_approved_block: 1,
    });
    const [e] = await rows("SELECT * FROM pcr_event WHERE pcr_hash = $1 AND kind = 'APPROVED'", [P_ANY]);
    expect(e).toMatchObject({
      tee_type: null,
      version: "every-type",
      effective_at: null,
      grace_period: null,
    });
    // Node A (type 2) on that PCR: its settlement in block 2 passed.
    const [node] = await rows("SELECT pcr_hash, tee_type FROM node WHERE id = $1", [A]);
    expect(node).toEqual({ pcr_hash: P_ANY, tee_type: 2 });
    // Node D (type 2) on another every-type approval, never revoked: its settlement passes.
    expect(await pcrValid("d2")).toBe("PASS");
  });

  test("PCRRevoked(pcrHash) of the every-type approval taints earlier results and fails later ones", async () => {
    expect(await pcrValid("a2")).toBe("FAIL"); // PASS at block 2, tainted by the revocation in block 8
    expect(await pcrValid("a7")).toBe("FAIL"); // tainted too (block 7 <= 8)
    expect(await pcrValid("a8")).toBe("FAIL"); // after it, in the same block: not approved
    const [p] = await rows("SELECT * FROM pcr WHERE id = $1", [`${P_ANY}-any`]);
    expect(p).toMatchObject({
      approved: false,
      ever_revoked: true,
      last_revoked_block: 8,
      approved_until: null,
    });
  });

  test("PCRRevoked(pcrHash, gracePeriod): type from the calldata, retroactive before, approved within the grace", async () => {
    const [e] = await rows("SELECT * FROM pcr_event WHERE pcr_hash = $1 AND kind = 'REVOKED'", [P_GRACE]);
    expect(e).toMatchObject({
      tee_type: 1,
      block: REVOKE_BLOCK,
      grace_period: "100",
      effective_at: new Date((T + 120) * 1000),
    });
    expect(await pcrValid("b2")).toBe("FAIL"); // before the revocation's block: tainted
    expect(await pcrValid("b4")).toBe("PASS"); // block time T + 119 < T + 120
    expect(await pcrValid("b5")).toBe("FAIL"); // block time T + 120: in effect
    // Re-approved in the last block: approved, no grace period pending; the taint stays.
    const [p] = await rows("SELECT * FROM pcr WHERE id = $1", [`${P_GRACE}-1`]);
    expect(p).toMatchObject({ approved: true, approved_until: null, ever_revoked: true, version: "v2.1" });
  });

  test("a graced PCRRevoked whose calldata is not revokePCR covers every type; a grace beyond any date is capped", async () => {
    const [e] = await rows("SELECT * FROM pcr_event WHERE pcr_hash = $1 AND kind = 'REVOKED'", [P_C]);
    expect(e).toMatchObject({
      tee_type: null,
      grace_period: (2n ** 256n - 1n).toString(),
      effective_at: new Date("9999-12-31T23:59:59Z"),
    });
    const [p] = await rows("SELECT * FROM pcr WHERE id = $1", [`${P_C}-1`]);
    expect(p).toMatchObject({ approved: false, approved_until: new Date("9999-12-31T23:59:59Z") });
  });

  test("6030478's approvePCR with a previous PCR: it expires after the grace period, earlier results untouched", async () => {
    const effective = new Date((T + 210) * 1000);
    const [e] = await rows("SELECT * FROM pcr_event WHERE pcr_hash = $1 AND kind <> 'APPROVED'", [
      P_ANY_KEPT,
    ]);
    expect(e).toMatchObject({
      kind: "EXPIRING",
      tee_type: null,
      block: ROTATION_BLOCK,
      effective_at: effective,
      grace_period: "30",
    });
    expect(e.id).toMatch(/-expiring$/);
    const [p] = await rows("SELECT * FROM pcr WHERE id = $1", [`${P_ANY_KEPT}-any`]);
    expect(p).toMatchObject({ approved: false, approved_until: effective, ever_revoked: false });
    const [n] = await rows("SELECT * FROM pcr WHERE id = $1", [`${P_NEW}-any`]);
    expect(n).toMatchObject({ approved: true, version: "v-new" });
    expect(await pcrValid("d2")).toBe("PASS");
    expect(await pcrValid("d12")).toBe("PASS");
    expect(await pcrValid("d13")).toBe("FAIL");
  });

  test("TEEDeactivated, TEEActivated and TEERemoved are status changes; TEETypeDeactivated is on the type", async () => {
    const changes = await rows<{ node_id: string; enabled: boolean; block: number }>(
      "SELECT node_id, enabled, block FROM tee_status_change WHERE block > 1 ORDER BY block, log_index",
    );
    expect(changes).toEqual([
      { node_id: A, enabled: false, block: DEACTIVATE_BLOCK },
      { node_id: A, enabled: true, block: TYPE_BLOCK },
      { node_id: C, enabled: false, block: TYPE_BLOCK },
    ]);
    const a6 = (
      await rows<{ c: string }>("SELECT tee_enabled_check AS c FROM settlement WHERE id = $1", [
        settlementAt.get("a6"),
      ])
    )[0]?.c;
    expect(a6).toBe("FAIL");
    const nodes = await rows<{ id: string; enabled: boolean }>("SELECT id, enabled FROM node ORDER BY id");
    expect(Object.fromEntries(nodes.map((n) => [n.id, n.enabled]))).toEqual({
      [A]: true,
      [B]: true,
      [C]: false,
      [D]: true,
    });
    const types = await rows(
      "SELECT type_id, deactivated_block, deactivated_at FROM tee_type ORDER BY type_id",
    );
    expect(types).toEqual([
      { type_id: 1, deactivated_block: null, deactivated_at: null },
      { type_id: 2, deactivated_block: TYPE_BLOCK, deactivated_at: new Date((T + 140) * 1000) },
    ]);
  });
});
