import { addEvent, emptyState, stateToRow } from "@attestation-explorer/rep-v1";
import type pg from "pg";
import type { CheckValue, ModeValue, SlashReasonValue, StatusValue } from "../data/models.ts";
import { eventsAsOf, type SubjectEvent } from "../reputation/classify.ts";

// A small, deterministic network written straight into the indexer's tables (as the indexer would have): nodes,
// models, inferences with verdicts, settlements, challenges, slashes, heartbeats, buckets, totals, the indexer's
// position and reorgs. Derived columns (counts, rep-v1 state, buckets, totals) are computed here from the rows,
// so the API's answers can be checked against them.

/** Latest indexed block and its time: block b was mined at T0 - (HEIGHT - b) * BLOCK_SECONDS. */
export const HEIGHT = 1000;
export const T0 = Date.parse("2026-11-26T04:00:00.000Z") / 1000;
export const BLOCK_SECONDS = 600;
export const FINALIZED = 990;
export const timeOf = (block: number) => T0 - (HEIGHT - block) * BLOCK_SECONDS;
export const dateOf = (block: number) => new Date(timeOf(block) * 1000);

export const hex = (prefix: string, i: number, bytes = 32) =>
  `0x${prefix}${i.toString(16).padStart(bytes * 2 - prefix.length, "0")}`;
export const nodeId = (i: number) => hex("a1", i);
export const modelId = (i: number) => hex("b2", i);
export const inferenceId = (i: number) => hex("c3", i);
export const txHash = (i: number) => hex("d4", i);
export const blockHash = (b: number) => hex("e5", b);
export const address = (i: number) => hex("f6", i, 20);
export const PCR_OK = hex("7a", 1);
export const PCR_REVOKED = hex("7b", 2);

export const NODE_COUNT = 12;
/** Node 11 never registered a TEE (it only staked): no registration, type or PCR. */
export const UNREGISTERED_NODE = 11;
export const DISABLED_NODE = 5;

export interface InferenceFixture {
  id: string;
  node: number;
  model: number;
  mode: ModeValue;
  status: StatusValue;
  committedBlock: number;
  revealedBlock: number | null;
  verdicts: { block: number; outcome: "VERIFIED" | "FAILED" | "EXPIRED" }[];
  checks: {
    commitment: CheckValue;
    revealOnTime: CheckValue;
    teeSignature: CheckValue;
    pcrValid: CheckValue;
  };
  discrepancy: boolean;
  settlementId: string | null;
  settlementBlock: number | null;
}

export interface Fixture {
  inferences: InferenceFixture[];
  slashes: {
    id: string;
    node: number;
    inference: string | null;
    reason: SlashReasonValue;
    block: number;
    amount: bigint;
  }[];
  challenges: {
    id: string;
    inference: string;
    node: number;
    openedBlock: number;
    resolvedBlock: number | null;
    atFault: boolean | null;
  }[];
  settlements: {
    id: string;
    teeId: string;
    node: number | null;
    block: number;
    signature: CheckValue;
    timestampSeconds: string;
  }[];
  /** Reputation events per node and model, as the API replays them. */
  nodeEvents: Map<string, SubjectEvent[]>;
  modelEvents: Map<string, SubjectEvent[]>;
  heartbeats: { node: number; block: number; at: number; counts: boolean }[];
}

type Row = Record<string, unknown>;

/** INSERT of many rows, in chunks that stay under Postgres's parameter limit. */
export async function insertRows(db: pg.Pool | pg.Client, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const perChunk = Math.max(1, Math.floor(60_000 / columns.length));
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = columns.map((c) => {
        values.push(row[c]);
        return `$${values.length}`;
      });
      return `(${placeholders.join(", ")})`;
    });
    await db.query(
      `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`,
      values,
    );
  }
}

const MODELS: { name: string; version: string; mode: ModeValue; registered: boolean; deprecated: boolean }[] =
  [
    { name: "Llama-3 8B", version: "1.0", mode: "VANILLA", registered: true, deprecated: false },
    { name: "llama guard", version: "2", mode: "ZKML", registered: true, deprecated: false },
    { name: "Mistral 7B", version: "0.3", mode: "TEE", registered: true, deprecated: false },
    { name: "<script>alert(1)</script>", version: "x", mode: "TEE", registered: true, deprecated: true },
    // Seen in a commit but never registered.
    { name: "", version: "", mode: "TEE", registered: false, deprecated: false },
  ];
export const MODEL_COUNT = MODELS.length;

function blockColumns(prefix: string, block: number, tx: number, logIndex: number): Row {
  const p = prefix ? `${prefix}_` : "";
  return {
    [`${p}block`]: block,
    [`${p}block_hash`]: blockHash(block),
    [`${p}at`]: dateOf(block),
    [`${p}tx`]: txHash(tx),
    [`${p}log_index`]: logIndex,
  };
}

/** Writes the fixture network into an empty (migrated) database. */
export async function loadFixture(db: pg.Pool): Promise<Fixture> {
  let tx = 1;
  const nextTx = () => tx++;

  // PCRs: one approved (type 1), one revoked (type 2).
  await insertRows(db, "pcr", [
    {
      id: `${PCR_OK}-1`,
      pcr_hash: PCR_OK,
      tee_type: 1,
      version: "v1",
      approved: true,
      ever_revoked: false,
      last_approved_block: 2,
      last_revoked_block: null,
    },
    {
      id: `${PCR_REVOKED}-2`,
      pcr_hash: PCR_REVOKED,
      tee_type: 2,
      version: "v0",
      approved: false,
      ever_revoked: true,
      last_approved_block: 1,
      last_revoked_block: 900,
    },
  ]);

  // Models.
  await insertRows(
    db,
    "model",
    MODELS.map((m, i) => ({
      id: modelId(i),
      owner: m.registered ? address(50 + (i % 2)) : null,
      name: m.name,
      version: m.version,
      mode: m.mode,
      content_hash: m.registered ? hex("c0", i) : null,
      blob_id: m.registered ? `blob-${i}` : "",
      deprecated: m.deprecated,
      registered_block: m.registered ? 5 + i : null,
      registered_block_hash: m.registered ? blockHash(5 + i) : null,
      registered_at: m.registered ? dateOf(5 + i) : null,
      registered_tx: m.registered ? txHash(nextTx()) : null,
      registered_log_index: m.registered ? 0 : null,
      deprecated_block: m.deprecated ? 500 : null,
      inferences: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      discrepancies: 0,
      rep_ref_time: 0,
      rep_s: 0,
      rep_n: 0,
      first_seen_block: 5 + i,
    })),
  );

  // Nodes (counts and reputation filled in below).
  const nodeRows: Row[] = [];
  for (let i = 0; i < NODE_COUNT; i++) {
    const registered = i !== UNREGISTERED_NODE;
    nodeRows.push({
      id: nodeId(i),
      owner: registered ? address(i % 3) : null,
      operator: registered ? address(100 + i) : null,
      tee_type: registered ? (i % 4 === 3 ? 2 : 1) : null,
      endpoint: registered ? `https://node-${i}.example` : null,
      payment_address: registered ? address(200 + i) : null,
      public_key: registered ? `0x30${"00".repeat(10)}${i.toString(16).padStart(2, "0")}` : null,
      key_source: registered ? "CALLDATA" : "NONE",
      key_status: registered ? "VALID" : "UNKNOWN",
      pcr_hash: registered ? (i % 4 === 3 ? PCR_REVOKED : PCR_OK) : null,
      enabled: registered && i !== DISABLED_NODE,
      registered_block: registered ? 10 + i : null,
      registered_block_hash: registered ? blockHash(10 + i) : null,
      registered_at: registered ? dateOf(10 + i) : null,
      registered_tx: registered ? txHash(nextTx()) : null,
      registered_log_index: registered ? i % 3 : null,
      last_heartbeat_at: null,
      stake: ((BigInt(i) + 1n) * 10n ** 18n + 123n).toString(),
      pending_withdrawals: i === 2 ? "5000" : "0",
      total_slashed: "0",
      committed: 0,
      revealed: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      challenged: 0,
      disputes_lost: 0,
      slashes: 0,
      settlements: 0,
      settlement_signature_failures: 0,
      discrepancies: 0,
      rep_ref_time: 0,
      rep_s: 0,
      rep_n: 0,
      rep_d: 0,
      first_seen_block: 10 + i,
    });
  }
  await insertRows(db, "node", nodeRows);

  // Inferences: node i commits 3 + (i % 4) * 2 times, spread over the blocks, cycling through the outcomes.
  const inferences: InferenceFixture[] = [];
  const settlements: Fixture["settlements"] = [];
  const inferenceRows: Row[] = [];
  const verdictRows: Row[] = [];
  const settlementRows: Row[] = [];
  let n = 0;
  for (let node = 0; node < NODE_COUNT; node++) {
    if (node === UNREGISTERED_NODE) continue;
    const count = 3 + (node % 4) * 2;
    for (let k = 0; k < count; k++) {
      const i = n++;
      const model = (node + k) % MODEL_COUNT;
      const mode = MODELS[model].mode;
      const committedBlock = 30 + ((i * 37) % 900);
      const kind = (node + k) % 7; // 0-2 verified, 3 failed, 4 expired, 5 revealed, 6 committed
      const revealed = kind <= 3 || kind === 5;
      const revealedBlock = revealed ? committedBlock + 2 : null;
      const late = revealed && i % 11 === 4; // revealed after the deadline
      const verdicts: InferenceFixture["verdicts"] = [];
      if (kind <= 2) {
        // A few inferences were first FAILED and later VERIFIED (the latest verdict counts).
        if (i % 5 === 0) verdicts.push({ block: committedBlock + 3, outcome: "FAILED" });
        verdicts.push({ block: committedBlock + 4 + (i % 5 === 0 ? 40 : 0), outcome: "VERIFIED" });
      } else if (kind === 3) verdicts.push({ block: committedBlock + 4, outcome: "FAILED" });
      else if (kind === 4) verdicts.push({ block: committedBlock + 6, outcome: "EXPIRED" });
      const status: StatusValue =
        kind <= 2
          ? "VERIFIED"
          : kind === 3
            ? "FAILED"
            : kind === 4
              ? "EXPIRED"
              : kind === 5
                ? "REVEALED"
                : "COMMITTED";
      const nodePcrRevoked = node % 4 === 3;
      // TEE mode: a settlement links once revealed; every third one has a forged signature.
      let settlementId: string | null = null;
      let settlementBlock: number | null = null;
      let teeSignature: CheckValue =
        mode === "TEE" ? (revealed ? "UNKNOWN" : "NOT_APPLICABLE") : "NOT_APPLICABLE";
      if (mode === "TEE" && revealed) {
        settlementBlock = (revealedBlock as number) + (i % 3 === 0 ? 60 : 1);
        const t = nextTx();
        settlementId = `${txHash(t)}-1`;
        const signature: CheckValue = i % 3 === 1 ? "FAIL" : "PASS";
        teeSignature = signature;
        settlements.push({
          id: settlementId,
          teeId: nodeId(node),
          node,
          block: settlementBlock,
          signature,
          timestampSeconds: String(timeOf(settlementBlock)),
        });
        settlementRows.push({
          id: settlementId,
          tee_id: nodeId(node),
          node_id: nodeId(node),
          eth_address: address(300 + node),
          input_hash: hex("11", i),
          output_hash: hex("22", i),
          timestamp_seconds: String(timeOf(settlementBlock)),
          timestamp: dateOf(settlementBlock),
          walrus_blob_id: hex("33", i),
          signature: `0x${"ab".repeat(256)}`,
          link_key: `${nodeId(node)}:${hex("11", i)}:${hex("22", i)}`,
          signature_check: signature,
          freshness_check: "PASS",
          tee_enabled_check: "PASS",
          pcr_valid_check: nodePcrRevoked ? "FAIL" : "PASS",
          pcr_hash: nodePcrRevoked ? PCR_REVOKED : PCR_OK,
          tee_type: nodePcrRevoked ? 2 : 1,
          ...blockColumns("", settlementBlock, t, 1),
        });
      }
      const checks = {
        commitment: revealed ? (i % 13 === 6 ? "FAIL" : "PASS") : "NOT_APPLICABLE",
        revealOnTime: revealed ? (late ? "FAIL" : "PASS") : kind === 4 ? "FAIL" : "NOT_APPLICABLE",
        teeSignature,
        pcrValid: mode === "TEE" ? (nodePcrRevoked ? "FAIL" : "PASS") : "NOT_APPLICABLE",
      } satisfies InferenceFixture["checks"];
      const discrepancy = status === "VERIFIED" && Object.values(checks).includes("FAIL");
      const id = inferenceId(i);
      const lastVerdict = verdicts[verdicts.length - 1];
      const lastEventBlock = lastVerdict?.block ?? revealedBlock ?? committedBlock;
      inferences.push({
        id,
        node,
        model,
        mode,
        status,
        committedBlock,
        revealedBlock,
        verdicts,
        checks,
        discrepancy,
        settlementId,
        settlementBlock,
      });
      const commitTx = nextTx();
      const revealTx = revealed ? nextTx() : 0;
      inferenceRows.push({
        id,
        node_id: nodeId(node),
        model_id: modelId(model),
        mode,
        status,
        outcome: lastVerdict?.outcome ?? null,
        input_hash: hex("11", i),
        commitment: hex("44", i),
        output_hash: revealed ? hex("22", i) : null,
        salt: revealed ? hex("55", i) : null,
        proof_ref: revealed ? (mode === "ZKML" ? hex("66", i) : "0x") : null,
        reveal_deadline: new Date((timeOf(committedBlock) + 3600) * 1000),
        ...blockColumns("committed", committedBlock, commitTx, 0),
        ...(revealed
          ? blockColumns("revealed", revealedBlock as number, revealTx, 0)
          : {
              revealed_block: null,
              revealed_block_hash: null,
              revealed_at: null,
              revealed_tx: null,
              revealed_log_index: null,
            }),
        ...(lastVerdict
          ? blockColumns("settled", lastVerdict.block, nextTx(), 0)
          : {
              settled_block: null,
              settled_block_hash: null,
              settled_at: null,
              settled_tx: null,
              settled_log_index: null,
            }),
        verifier: lastVerdict ? address(400) : null,
        last_event_block: lastEventBlock,
        pcr_hash: mode === "TEE" ? (nodePcrRevoked ? PCR_REVOKED : PCR_OK) : null,
        tee_type: mode === "TEE" ? (nodePcrRevoked ? 2 : 1) : null,
        commitment_check: checks.commitment,
        reveal_on_time_check: checks.revealOnTime,
        tee_signature_check: checks.teeSignature,
        pcr_valid_check: checks.pcrValid,
        discrepancy,
        settlement_id: settlementId,
        link_key: mode === "TEE" && revealed ? `${nodeId(node)}:${hex("11", i)}:${hex("22", i)}` : null,
        rep_kind: null,
        rep_time: null,
      });
      verdicts.forEach((v, j) => {
        const t = nextTx();
        verdictRows.push({
          id: `${txHash(t)}-${j}`,
          inference_id: id,
          outcome: v.outcome,
          verifier: address(400),
          ...blockColumns("", v.block, t, j),
        });
      });
    }
  }
  // Settlements by a TEE that never registered (no node), one with a timestamp beyond 9999-12-31.
  for (const [j, ts] of [String(T0), "99999999999999999999"].entries()) {
    const t = nextTx();
    const id = `${txHash(t)}-0`;
    const block = 950 + j;
    settlements.push({
      id,
      teeId: hex("99", j),
      node: null,
      block,
      signature: "UNKNOWN",
      timestampSeconds: ts,
    });
    settlementRows.push({
      id,
      tee_id: hex("99", j),
      node_id: null,
      eth_address: address(399),
      input_hash: hex("77", j),
      output_hash: hex("88", j),
      timestamp_seconds: ts,
      timestamp: j === 0 ? new Date(T0 * 1000) : null,
      walrus_blob_id: "0x",
      signature: "0x00",
      link_key: `${hex("99", j)}:${hex("77", j)}:${hex("88", j)}`,
      signature_check: "UNKNOWN",
      freshness_check: j === 0 ? "PASS" : "FAIL",
      tee_enabled_check: "FAIL",
      pcr_valid_check: "UNKNOWN",
      pcr_hash: null,
      tee_type: null,
      ...blockColumns("", block, t, 0),
    });
  }
  await insertRows(db, "settlement", settlementRows);
  await insertRows(db, "inference", inferenceRows);
  await insertRows(db, "inference_verdict", verdictRows);

  await insertRows(
    db,
    "batch_settlement",
    [0, 1, 2].map((j) => {
      const t = nextTx();
      return {
        id: `${txHash(t)}-0`,
        merkle_root: hex("ba", j),
        batch_size: String(10 + j),
        walrus_blob_id: hex("bb", j),
        ...blockColumns("", 100 + j * 300, t, 0),
      };
    }),
  );

  // Challenges: two on the same inference (the later one is the inference's challenge), one at fault, one open.
  const challenged = inferences.filter((x) => x.status === "VERIFIED").slice(0, 3);
  const challenges: Fixture["challenges"] = [
    {
      id: "1",
      inference: challenged[0].id,
      node: challenged[0].node,
      openedBlock: challenged[0].committedBlock + 5,
      resolvedBlock: challenged[0].committedBlock + 8,
      atFault: false,
    },
    {
      id: "2",
      inference: challenged[0].id,
      node: challenged[0].node,
      openedBlock: challenged[0].committedBlock + 9,
      resolvedBlock: challenged[0].committedBlock + 12,
      atFault: true,
    },
    {
      id: "3",
      inference: challenged[1].id,
      node: challenged[1].node,
      openedBlock: challenged[1].committedBlock + 5,
      resolvedBlock: null,
      atFault: null,
    },
    {
      id: "4",
      inference: challenged[2].id,
      node: challenged[2].node,
      openedBlock: challenged[2].committedBlock + 5,
      resolvedBlock: challenged[2].committedBlock + 7,
      atFault: true,
    },
  ];
  await insertRows(
    db,
    "challenge",
    challenges.map((c) => ({
      id: c.id,
      inference_id: c.inference,
      node_id: nodeId(c.node),
      challenger: address(500),
      bond: "1000000000000000000",
      deadline: dateOf(c.openedBlock + 10),
      ...blockColumns("opened", c.openedBlock, nextTx(), 0),
      ...(c.resolvedBlock === null
        ? {
            resolved_block: null,
            resolved_block_hash: null,
            resolved_at: null,
            resolved_tx: null,
            resolved_log_index: null,
          }
        : blockColumns("resolved", c.resolvedBlock, nextTx(), 0)),
      node_at_fault: c.atFault,
      resolver: c.resolvedBlock === null ? null : address(501),
      evidence_hash: c.resolvedBlock === null ? null : hex("ee", Number(c.id)),
    })),
  );

  // Slashes: for lost disputes, failures, expiries, and one with no inference (request id 0).
  const slashes: Fixture["slashes"] = [];
  const lost = challenges.filter((c) => c.atFault);
  for (const c of lost)
    slashes.push({
      id: "",
      node: c.node,
      inference: c.inference,
      reason: "LOST_DISPUTE",
      block: c.resolvedBlock as number,
      amount: 10n ** 17n,
    });
  for (const x of inferences.filter((y) => y.status === "FAILED").slice(0, 2)) {
    slashes.push({
      id: "",
      node: x.node,
      inference: x.id,
      reason: "REVEAL_MISMATCH",
      block: x.verdicts[0].block + 1,
      amount: 5n * 10n ** 16n,
    });
  }
  for (const x of inferences.filter((y) => y.status === "EXPIRED").slice(0, 1)) {
    slashes.push({
      id: "",
      node: x.node,
      inference: x.id,
      reason: "REVEAL_TIMEOUT",
      block: x.verdicts[0].block + 1,
      amount: 10n ** 16n,
    });
  }
  slashes.push({
    id: "",
    node: 3,
    inference: null,
    reason: "PCR_REVOKED",
    block: 901,
    amount: 2n * 10n ** 17n,
  });
  const slashRows = slashes.map((s) => {
    const t = nextTx();
    s.id = `${txHash(t)}-2`;
    return {
      id: s.id,
      node_id: nodeId(s.node),
      inference_id: s.inference,
      request_id: s.inference ?? hex("", 0),
      reason: s.reason,
      amount: s.amount.toString(),
      remaining_stake: "1000",
      ...blockColumns("", s.block, t, 2),
    };
  });
  await insertRows(db, "slash", slashRows);

  // Heartbeats: node 0 in every half hour of the last 7 days, node 1 in every other hour of the last day,
  // node 2 only with forged signatures (they do not count).
  const heartbeats: Fixture["heartbeats"] = [];
  for (let k = 0; k < 336; k++)
    heartbeats.push({ node: 0, block: HEIGHT, at: T0 - k * 1800 - 60, counts: true });
  for (let k = 0; k < 12; k++) heartbeats.push({ node: 1, block: HEIGHT, at: T0 - k * 7200, counts: true });
  for (let k = 0; k < 5; k++) heartbeats.push({ node: 2, block: HEIGHT, at: T0 - k * 1800, counts: false });
  await insertRows(
    db,
    "heartbeat",
    heartbeats.map((h) => {
      const t = nextTx();
      return {
        id: `${txHash(t)}-0`,
        node_id: nodeId(h.node),
        timestamp_seconds: String(h.at),
        signature: "0x",
        signature_check: h.counts ? "PASS" : "FAIL",
        counts: h.counts,
        block: HEIGHT - Math.floor((T0 - h.at) / BLOCK_SECONDS),
        block_hash: blockHash(1),
        at: new Date(h.at * 1000),
        tx: txHash(t),
        log_index: 0,
      };
    }),
  );
  await db.query(
    `UPDATE node n SET last_heartbeat_at = h.at FROM (SELECT node_id, max(at) AS at FROM heartbeat WHERE counts GROUP BY node_id) h WHERE h.node_id = n.id`,
  );

  // Reputation events, classified as of T0 (today's knowledge), and the derived columns.
  const nodeEvents = new Map<string, SubjectEvent[]>();
  const modelEvents = new Map<string, SubjectEvent[]>();
  const push = (map: Map<string, SubjectEvent[]>, key: string, e: SubjectEvent) => {
    const list = map.get(key) ?? [];
    list.push(e);
    map.set(key, list);
  };
  for (const x of inferences) {
    x.verdicts.forEach((v, j) => {
      const e: SubjectEvent = {
        kind: "verdict",
        inferenceId: x.id,
        t: timeOf(v.block),
        block: v.block,
        logIndex: j,
        outcome: v.outcome,
        mode: x.mode,
        revealedT: x.revealedBlock === null ? null : timeOf(x.revealedBlock),
        commitmentCheck: x.checks.commitment,
        revealOnTimeCheck: x.checks.revealOnTime,
        pcrValidCheck: x.checks.pcrValid,
        settlementT: x.settlementBlock === null ? null : timeOf(x.settlementBlock),
        settlementSignatureCheck: x.settlementId === null ? null : x.checks.teeSignature,
      };
      push(nodeEvents, nodeId(x.node), e);
      push(modelEvents, modelId(x.model), e);
    });
  }
  for (const c of challenges.filter((y) => y.atFault)) {
    const x = inferences.find((y) => y.id === c.inference) as InferenceFixture;
    const e: SubjectEvent = { kind: "dispute_lost", t: timeOf(c.resolvedBlock as number) };
    push(nodeEvents, nodeId(c.node), e);
    push(modelEvents, modelId(x.model), e);
  }
  for (const s of slashes) push(nodeEvents, nodeId(s.node), { kind: "slash", t: timeOf(s.block) });

  const fold = (events: SubjectEvent[]) => {
    let state = emptyState();
    for (const e of eventsAsOf(events, T0)) state = addEvent(state, e.kind, e.t);
    return stateToRow(state);
  };
  for (let node = 0; node < NODE_COUNT; node++) {
    const id = nodeId(node);
    const mine = inferences.filter((x) => x.node === node);
    const rep = fold(nodeEvents.get(id) ?? []);
    const mySlashes = slashes.filter((s) => s.node === node);
    const mySettlements = settlements.filter((s) => s.node === node);
    await db.query(
      `UPDATE node SET committed = $2, revealed = $3, verified = $4, failed = $5, expired = $6, challenged = $7,
              disputes_lost = $8, slashes = $9, settlements = $10, settlement_signature_failures = $11,
              discrepancies = $12, total_slashed = $13, rep_ref_time = $14, rep_s = $15, rep_n = $16, rep_d = $17
        WHERE id = $1`,
      [
        id,
        mine.length,
        mine.filter((x) => x.revealedBlock !== null).length,
        mine.filter((x) => x.status === "VERIFIED").length,
        mine.filter((x) => x.status === "FAILED").length,
        mine.filter((x) => x.status === "EXPIRED").length,
        challenges.filter((c) => c.node === node).length,
        challenges.filter((c) => c.node === node && c.atFault).length,
        mySlashes.length,
        mySettlements.length,
        mySettlements.filter((s) => s.signature === "FAIL").length,
        mine.filter((x) => x.discrepancy).length,
        mySlashes.reduce((a, s) => a + s.amount, 0n).toString(),
        rep.ref_time,
        rep.s,
        rep.n,
        rep.d,
      ],
    );
  }
  for (let model = 0; model < MODEL_COUNT; model++) {
    const id = modelId(model);
    const mine = inferences.filter((x) => x.model === model);
    const rep = fold((modelEvents.get(id) ?? []).filter((e) => e.kind !== "slash"));
    await db.query(
      `UPDATE model SET inferences = $2, verified = $3, failed = $4, expired = $5, discrepancies = $6,
              rep_ref_time = $7, rep_s = $8, rep_n = $9 WHERE id = $1`,
      [
        id,
        mine.length,
        mine.filter((x) => x.status === "VERIFIED").length,
        mine.filter((x) => x.status === "FAILED").length,
        mine.filter((x) => x.status === "EXPIRED").length,
        mine.filter((x) => x.discrepancy).length,
        rep.ref_time,
        rep.s,
        rep.n,
      ],
    );
  }

  // model_node, buckets and totals, derived with SQL from the rows above (as the indexer keeps them).
  await db.query(`
    INSERT INTO model_node (id, model_id, node_id, inferences, first_commit_at, last_commit_at)
    SELECT model_id || '-' || node_id, model_id, node_id, count(*), min(committed_at), max(committed_at)
      FROM inference GROUP BY model_id, node_id`);
  for (const [interval, size] of [
    ["HOUR", 3600],
    ["DAY", 86400],
  ] as const) {
    const start = (col: string) => `to_timestamp(floor(extract(epoch FROM ${col}) / ${size}) * ${size})`;
    await db.query(`
      INSERT INTO node_bucket (id, node_id, interval, start, committed, verified, failed, expired, slashes, slashed_amount)
      SELECT node_id || '-${interval}-' || extract(epoch FROM s)::bigint, node_id, '${interval}', s,
             sum(c)::int, sum(v)::int, sum(f)::int, sum(e)::int, sum(sl)::int, sum(amt)
        FROM (
          SELECT node_id, ${start("committed_at")} s, 1 c, 0 v, 0 f, 0 e, 0 sl, 0 amt FROM inference
          UNION ALL
          SELECT node_id, ${start("settled_at")}, 0, (outcome = 'VERIFIED')::int, (outcome = 'FAILED')::int, (outcome = 'EXPIRED')::int, 0, 0
            FROM inference WHERE settled_at IS NOT NULL
          UNION ALL
          SELECT node_id, ${start("at")}, 0, 0, 0, 0, 1, amount FROM slash
        ) x GROUP BY node_id, s`);
    await db.query(`
      INSERT INTO model_bucket (id, model_id, interval, start, inferences, verified, failed, expired, distinct_nodes)
      SELECT model_id || '-${interval}-' || extract(epoch FROM s)::bigint, model_id, '${interval}', s,
             sum(c)::int, sum(v)::int, sum(f)::int, sum(e)::int, count(DISTINCT node_id) FILTER (WHERE c = 1)::int
        FROM (
          SELECT model_id, node_id, ${start("committed_at")} s, 1 c, 0 v, 0 f, 0 e FROM inference
          UNION ALL
          SELECT model_id, node_id, ${start("settled_at")}, 0, (outcome = 'VERIFIED')::int, (outcome = 'FAILED')::int, (outcome = 'EXPIRED')::int
            FROM inference WHERE settled_at IS NOT NULL
        ) x GROUP BY model_id, s`);
    await db.query(`
      INSERT INTO network_bucket (id, interval, start, committed, verified, failed, expired, slashes, slashed_amount,
                                  settlements, committed_vanilla, committed_zkml, committed_tee)
      SELECT '${interval}-' || extract(epoch FROM s)::bigint, '${interval}', s, sum(c)::int, sum(v)::int, sum(f)::int,
             sum(e)::int, sum(sl)::int, sum(amt), sum(st)::int, sum(cv)::int, sum(cz)::int, sum(ct)::int
        FROM (
          SELECT ${start("committed_at")} s, 1 c, 0 v, 0 f, 0 e, 0 sl, 0 amt, 0 st,
                 (mode = 'VANILLA')::int cv, (mode = 'ZKML')::int cz, (mode = 'TEE')::int ct FROM inference
          UNION ALL
          SELECT ${start("settled_at")}, 0, (outcome = 'VERIFIED')::int, (outcome = 'FAILED')::int, (outcome = 'EXPIRED')::int,
                 0, 0, 0, 0, 0, 0 FROM inference WHERE settled_at IS NOT NULL
          UNION ALL
          SELECT ${start("at")}, 0, 0, 0, 0, 1, amount, 0, 0, 0, 0 FROM slash
          UNION ALL
          SELECT ${start("at")}, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 FROM settlement
        ) x GROUP BY s`);
  }
  await db.query(`
    INSERT INTO network_stats (id, nodes, enabled_nodes, models, inferences, verified, failed, expired, pending, slashes,
                               total_stake, total_slashed, settlements, settlement_signature_failures, discrepancies,
                               inferences_vanilla, inferences_zkml, inferences_tee)
    SELECT 'network', (SELECT count(*) FROM node), (SELECT count(*) FROM node WHERE enabled), (SELECT count(*) FROM model),
           count(*), count(*) FILTER (WHERE status = 'VERIFIED'), count(*) FILTER (WHERE status = 'FAILED'),
           count(*) FILTER (WHERE status = 'EXPIRED'), count(*) FILTER (WHERE status IN ('COMMITTED', 'REVEALED')),
           (SELECT count(*) FROM slash), (SELECT sum(stake) FROM node), (SELECT sum(amount) FROM slash),
           (SELECT count(*) FROM settlement), (SELECT count(*) FROM settlement WHERE signature_check = 'FAIL'),
           count(*) FILTER (WHERE discrepancy), count(*) FILTER (WHERE mode = 'VANILLA'),
           count(*) FILTER (WHERE mode = 'ZKML'), count(*) FILTER (WHERE mode = 'TEE')
      FROM inference`);

  await insertRows(db, "reorg", [
    { id: "700-1", detected_at: new Date((T0 - 7200) * 1000), from_block: 700, to_block: 701, depth: 2 },
    { id: "950-2", detected_at: new Date((T0 - 600) * 1000), from_block: 950, to_block: 950, depth: 1 },
  ]);
  await insertRows(db, "indexer_state", [
    {
      id: "indexer",
      height: HEIGHT,
      hash: blockHash(HEIGHT),
      timestamp: new Date(T0 * 1000),
      chain_height: HEIGHT + 5,
      finalized_height: FINALIZED,
      reorged_blocks: 3,
      updated_at: new Date(),
    },
  ]);
  return { inferences, slashes, challenges, settlements, nodeEvents, modelEvents, heartbeats };
}
