/**
 * The compiled indexer on OpenGradient's EARLIER registries (og-evm 758e149 and 6030478, compiled from
 * ../shared/fixtures by contracts/og-evm/compile.ts and driven on anvil by contracts/og-evm/legacy.ts until each has
 * emitted every event whose signature differs from the current registry's), one indexer per registry: each
 * signature is indexed as its current equivalent (docs/decisions/005-earlier-tee-registry-versions.md).
 * - 758e149: PCRRevoked(bytes32,uint256) with its TEE type from the revokePCR calldata and its grace period;
 *   TEEDeactivated/TEEActivated as status changes; TEETypeDeactivated on the type; TEERemoved as a disable.
 * - 6030478: PCRApproved(bytes32,string) for every TEE type; PCRRevoked(bytes32); the same status events; and
 *   approvePCR(…, previousPcrHash, gracePeriod) expiring the previous PCR (no event: read from the calldata).
 */

import { IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import { type Address, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Mined, OgEvmChain, type PcrSet, pcrSet } from "../../../contracts/og-evm/deploy.ts";
import {
  driveRegistry758e149,
  driveRegistry6030478,
  type LegacyRun,
} from "../../../contracts/og-evm/legacy.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../../devnet/src/crypto/rsa-keygen.ts";

type Row = Record<string, unknown>;
type Tables = Record<string, Row[]>;

const GRACE = 3600n;
const ROTATION_GRACE = 600n;

let pg: TestPostgres;
let chain: OgEvmChain;
let v758: LegacyRun;
let v603: LegacyRun;
/** 6030478's rotation: approvePCR(next, …, previousPcrHash = rotated.hash, ROTATION_GRACE). */
let rotated: PcrSet;
let next: PcrSet;
let rotation: Mined;
let t758: Tables;
let t603: Tables;

const lower = (h: string) => h.toLowerCase();
const date = (seconds: bigint) => new Date(Number(seconds) * 1000);
const lastBlock = (run: LegacyRun, ...more: Mined[]) =>
  Math.max(...[...Object.values(run.steps), ...more].map((m) => m.block));

/** Indexes one registry from its deployment to `height` (the relay: an address with no code) and reads the tables. */
async function indexRegistry(
  name: string,
  registry: Address,
  startBlock: number,
  height: number,
): Promise<Tables> {
  const databaseUrl = await pg.createDatabase(`legacy_${name}`);
  const indexer = new IndexerProcess({
    rpcUrl: chain.rpcUrl,
    addresses: { teeRegistry: registry, settlementRelay: chain.accounts[19], attestationRegistry: "" },
    startBlock,
    databaseUrl,
    finalityConfirmations: 0,
  });
  const db: PgClient = await connect(databaseUrl);
  try {
    await indexer.start();
    await indexer.waitForHeight(height, { timeoutMs: 120_000 });
    const out: Tables = {};
    for (const [table, order] of Object.entries({
      pcr: "id",
      pcr_event: "block, log_index, id",
      tee_type: "type_id",
      tee_status_change: "block, log_index",
      node: "id",
      heartbeat: "block",
      undecoded_log: "block",
    })) {
      out[table] = (await db.query<Row>(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
    }
    return out;
  } catch (err) {
    console.log(indexer.log.slice(-4000));
    throw err;
  } finally {
    await db.end().catch(() => {});
    await indexer.close();
  }
}

beforeAll(async () => {
  IndexerProcess.assertBuilt();
  pg = await startTestPostgres();
  chain = await OgEvmChain.start();
  const rng = createRng("og-evm-legacy-indexer");
  const pcrs = () => pcrSet(toHex(rng.bytes(48)), toHex(rng.bytes(48)), toHex(rng.bytes(48)));
  v758 = await driveRegistry758e149(chain, {
    key: generateTeeKey(rng.fork("758e149")),
    pcrs: pcrs(),
    paymentAddress: chain.accounts[14],
    gracePeriod: GRACE,
  });
  v603 = await driveRegistry6030478(chain, {
    key: generateTeeKey(rng.fork("6030478")),
    pcrs: pcrs(),
    paymentAddress: chain.accounts[15],
  });
  rotated = pcrs();
  next = pcrs();
  const tuple = (p: PcrSet) => ({ pcr0: p.pcr0, pcr1: p.pcr1, pcr2: p.pcr2 });
  await chain.send(v603.registry, "approvePCR", [tuple(rotated), "v0.8.1", `0x${"00".repeat(32)}`, 0n]);
  rotation = await chain.send(v603.registry, "approvePCR", [
    tuple(next),
    "v0.8.2",
    rotated.hash,
    ROTATION_GRACE,
  ]);
  t758 = await indexRegistry("758e149", v758.registry.address, v758.steps.deploy.block, lastBlock(v758));
  t603 = await indexRegistry("6030478", v603.registry.address, v603.steps.deploy.block, rotation.block);
}, 300_000);

afterAll(async () => {
  await chain?.stop();
  await pg?.stop();
});

/** The status changes of a run: registration, deactivateTEE, activateTEE (and removeTEE). */
const statusChanges = (t: Tables) => t.tee_status_change.map((r) => [r.node_id, r.enabled, r.tx]);

describe("og-evm 758e149's registry", () => {
  it("decodes every log (nothing undecodable)", () => {
    expect(t758.undecoded_log).toEqual([]);
    expect(t758.heartbeat).toHaveLength(1);
  });

  it("PCRRevoked(bytes32,uint256): the TEE type from revokePCR's calldata, in effect at block time + grace", () => {
    const revoke = v758.steps.revokePCR;
    // On chain the graced revocation deactivates no TEE: the transaction emits only PCRRevoked.
    expect(chain.events(v758.registry, revoke).map((e) => e.eventName)).toEqual(["PCRRevoked"]);
    const hash = lower(v758.pcrHash);
    expect(t758.pcr_event.map((e) => [e.kind, e.pcr_hash, e.tee_type])).toEqual([
      ["APPROVED", hash, 0],
      ["REVOKED", hash, 0],
    ]);
    expect(t758.pcr_event[1]).toMatchObject({
      block: revoke.block,
      tx: revoke.hash,
      grace_period: GRACE.toString(),
      effective_at: date(revoke.time + GRACE),
    });
    expect(t758.pcr).toEqual([
      expect.objectContaining({
        id: `${hash}-0`,
        tee_type: 0,
        approved: false,
        approved_until: date(revoke.time + GRACE),
        ever_revoked: true,
        last_revoked_block: revoke.block,
      }),
    ]);
  });

  it("TEEDeactivated, TEEActivated and TEERemoved are status changes; the node ends disabled", () => {
    const id = lower(v758.teeId);
    expect(statusChanges(t758)).toEqual([
      [id, true, v758.steps.register.hash],
      [id, false, v758.steps.deactivateTEE.hash],
      [id, true, v758.steps.activateTEE.hash],
      [id, false, v758.steps.removeTEE.hash],
    ]);
    expect(t758.node).toEqual([expect.objectContaining({ id, enabled: false, tee_type: 0 })]);
  });

  it("TEETypeDeactivated(uint8) is recorded on the type", () => {
    const d = v758.steps.deactivateTEEType;
    expect(t758.tee_type).toEqual([
      expect.objectContaining({
        type_id: 0,
        deactivated_block: d.block,
        deactivated_at: date(d.time),
        deactivated_tx: d.hash,
      }),
    ]);
  });
});

describe("og-evm 6030478's registry", () => {
  it("decodes every log (nothing undecodable)", () => {
    expect(t603.undecoded_log).toEqual([]);
    expect(t603.heartbeat).toHaveLength(1);
  });

  it("PCRApproved(bytes32,string) approves for every TEE type; PCRRevoked(bytes32) revokes it at once", () => {
    const hash = lower(v603.pcrHash);
    const mine = t603.pcr_event.filter((e) => e.pcr_hash === hash);
    expect(mine.map((e) => [e.kind, e.tee_type, e.version, e.tx])).toEqual([
      ["APPROVED", null, "v0.8.0", v603.steps.approvePCR.hash],
      ["REVOKED", null, null, v603.steps.revokePCR.hash],
    ]);
    expect(mine[1]).toMatchObject({ grace_period: null, effective_at: date(v603.steps.revokePCR.time) });
    expect(t603.pcr.find((p) => p.pcr_hash === hash)).toMatchObject({
      id: `${hash}-any`,
      tee_type: null,
      approved: false,
      approved_until: null,
      ever_revoked: true,
    });
    // The TEE (type 0) registered on it: its node carries the hash the every-type approval covers.
    expect(t603.node).toEqual([
      expect.objectContaining({ id: lower(v603.teeId), pcr_hash: hash, tee_type: 0, enabled: true }),
    ]);
  });

  it("approvePCR(…, previousPcrHash, gracePeriod) makes the previous PCR expire after the grace period", () => {
    const prev = lower(rotated.hash);
    const expiring = t603.pcr_event.filter((e) => e.kind === "EXPIRING");
    expect(expiring).toEqual([
      expect.objectContaining({
        id: `${rotation.hash}-${expiring[0]?.log_index}-expiring`,
        pcr_hash: prev,
        tee_type: null,
        block: rotation.block,
        effective_at: date(rotation.time + ROTATION_GRACE),
        grace_period: ROTATION_GRACE.toString(),
      }),
    ]);
    expect(t603.pcr.find((p) => p.pcr_hash === prev)).toMatchObject({
      approved: false,
      approved_until: date(rotation.time + ROTATION_GRACE),
      ever_revoked: false,
    });
    expect(t603.pcr.find((p) => p.pcr_hash === lower(next.hash))).toMatchObject({
      approved: true,
      version: "v0.8.2",
    });
  });

  it("TEEDeactivated and TEEActivated are status changes; TEETypeDeactivated is recorded on the type", () => {
    const id = lower(v603.teeId);
    expect(statusChanges(t603)).toEqual([
      [id, true, v603.steps.register.hash],
      [id, false, v603.steps.deactivateTEE.hash],
      [id, true, v603.steps.activateTEE.hash],
    ]);
    expect(t603.tee_type).toEqual([
      expect.objectContaining({ type_id: 0, deactivated_block: v603.steps.deactivateTEEType.block }),
    ]);
  });
});
