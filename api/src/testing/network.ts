import type { EncodedLog } from "../../../bench/api/encode.ts";

export { CONTRACTS } from "../../../bench/api/action-logs.ts";

import type { SubjectEvent } from "@attestation-explorer/rep-history";
import {
  heartbeatMessage,
  inferenceCommitment,
  settlementMessage,
} from "../../../devnet/src/crypto/messages.ts";
import { forgeSignature, signPss } from "../../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey, type TeeSigningKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import type { Action, SlashEffect } from "../../../devnet/src/simulator/policy/actions.ts";
import type { FlightPlan } from "../../../devnet/src/simulator/state.ts";
import { pcrSet, type SimModel, type SimNode, type World } from "../../../devnet/src/simulator/world.ts";
import type { CheckValue, ModeValue, SlashReasonValue, StatusValue } from "../data/models.ts";

// The API tests' network, as a chain: which TEEs register with which keys, PCRs and types, stakes, models,
// inferences with their outcomes, settlements (one forged signature in three), challenges, slashes, heartbeats,
// a disabled TEE, a staker that never registers, a revoked PCR. Every event is an action of the devnet's traffic
// policy (devnet/src/simulator/policy/actions.ts) at a block; seed-through-handler.ts encodes them as the logs
// the contracts emit and runs them through the indexer's own batch handler. The expectations the tests compare
// the API's answers with (`Fixture`) are read from this description, never from the database.

/** Latest indexed block and its time: block b was mined at T0 - (HEIGHT - b) * BLOCK_SECONDS. */
export const HEIGHT = 1000;
export const T0 = Date.parse("2026-11-26T04:00:00.000Z") / 1000;
export const BLOCK_SECONDS = 600;
/** The chain head the indexer saw, and its finality: the finalized height is CHAIN_HEAD - FINALITY. */
export const CHAIN_HEAD = HEIGHT + 5;
export const FINALITY = 15;
export const FINALIZED = CHAIN_HEAD - FINALITY;
export const timeOf = (block: number) => T0 - (HEIGHT - block) * BLOCK_SECONDS;
export const dateOf = (block: number) => new Date(timeOf(block) * 1000);

export const hex = (prefix: string, i: number, bytes = 32) =>
  `0x${prefix}${i.toString(16).padStart(bytes * 2 - prefix.length, "0")}` as `0x${string}`;
export const modelId = (i: number) => hex("b2", i);
export const inferenceId = (i: number) => hex("c3", i);
/** The chain's transactions are numbered: the n-th has hash txHash(n). */
export const txHash = (i: number) => hex("d4", i);
export const blockHash = (b: number) => hex("e5", b);
export const address = (i: number) => hex("f6", i, 20);

export const NODE_COUNT = 12;
/** Node 11 never registered a TEE (it only staked): no registration, type or PCR. */
export const UNREGISTERED_NODE = 11;
/** Disabled in the last block, after every settlement it made. */
export const DISABLED_NODE = 5;
/** Node 2 asked to withdraw this much (still pending). */
export const PENDING_WITHDRAWAL = 5000n;
const ETH = 10n ** 18n;

// The world: deterministic RSA keys (one stream per node), two PCR sets, twelve nodes, five models.
const rng = createRng("api-fixture-network");
const TEE_TYPES = [
  { id: 1, name: "AWS Nitro Enclaves" },
  { id: 2, name: "Intel TDX" },
];
const pcrOk = pcrSet(rng.fork("pcr-ok"), "nitro-v1", 1, "v1");
const pcrRevoked = pcrSet(rng.fork("pcr-revoked"), "tdx-v0", 2, "v0");
export const PCR_OK = pcrOk.hash;
export const PCR_REVOKED = pcrRevoked.hash;
const PCR_OK_APPROVED_BLOCK = 2;
const PCR_REVOKED_APPROVED_BLOCK = 1;
export const PCR_REVOKED_BLOCK = 900;

/** A node whose index % 4 is 3 runs the PCR revoked at block 900 (TEE type 2); the others the approved one. */
const onRevokedPcr = (node: number) => node % 4 === 3;
const keys: (TeeSigningKey | undefined)[] = Array.from({ length: NODE_COUNT }, (_, i) =>
  i === UNREGISTERED_NODE ? undefined : generateTeeKey(rng.fork(`key:${i}`)),
);
/** A TEE that settles but never registers. */
const stranger = generateTeeKey(rng.fork("stranger"));

/** Node i: owner address(i % 3), operator (its first depositor) address(100 + i), payment address(200 + i). */
function simNode(i: number, key: TeeSigningKey | undefined): SimNode {
  return {
    index: i,
    profile: "honest",
    id: key ? key.teeId : hex("a1", i),
    key,
    owner: address(i % 3),
    operator: address(100 + i),
    paymentAddress: address(200 + i),
    endpoint: key ? `https://node-${i}.example` : "",
    pcr: key ? (onRevokedPcr(i) ? pcrRevoked : pcrOk) : undefined,
  };
}
const NODES: SimNode[] = keys.map((key, i) => simNode(i, key));

/** A TEE beyond the network's NODE_COUNT, for a test's extension (its key made as the others'). */
export function extraNode(i: number): SimNode {
  if (i < NODE_COUNT) throw new Error(`node ${i} is one of the network's`);
  return simNode(i, generateTeeKey(rng.fork(`key:${i}`)));
}
export const nodeId = (i: number) => NODES[i].id;
export const registeredBlock = (node: number) => 10 + node;

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
export const MODEL_DEPRECATED_BLOCK = 500;
const SIM_MODELS: SimModel[] = MODELS.map((m, i) => ({
  index: i,
  id: modelId(i),
  owner: address(50 + (i % 2)),
  name: m.name,
  version: m.version,
  mode: m.mode,
  modeId: ["VANILLA", "ZKML", "TEE"].indexOf(m.mode),
  contentHash: hex("c0", i),
  blobId: `blob-${i}`,
  weight: 1,
}));

export const WORLD: World = {
  roles: { deployer: address(900), keeper: address(901), challengers: [address(500)], modelOwners: [] },
  teeTypes: TEE_TYPES,
  pcrs: [pcrOk, pcrRevoked],
  revokedPcr: pcrRevoked,
  nodes: NODES,
  models: SIM_MODELS,
  latecomer: NODES[0],
  stranger,
  impostor: stranger,
};

/**
 * The reorgs: the indexer first indexes these blocks on another branch (each with a batch settlement that the
 * chain then drops), and the chain replaces them. Both happen while the indexer follows the head.
 */
export const REORGS = [
  { fromBlock: 700, toBlock: 701, depth: 2 },
  { fromBlock: 950, toBlock: 950, depth: 1 },
];
/** The replaced branch's block at `height`. */
export const orphanHash = (height: number) => hex("0e", height);
export const orphanAction = (height: number): Action => ({
  kind: "batchSettle",
  root: hex("0b", height),
  count: 1,
  data: "0x",
});

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
    freshness: CheckValue;
    timestampSeconds: string;
  }[];
  batchSettlements: { id: string; block: number }[];
  /** Reputation events per node and model, as the API replays them. */
  nodeEvents: Map<string, SubjectEvent[]>;
  modelEvents: Map<string, SubjectEvent[]>;
  /** `block`: the block it is in, `at` its time; `timestamp`: the signed one (unix seconds). */
  heartbeats: { node: number; block: number; at: number; timestamp: number; counts: boolean }[];
  /** Each node's stake after every deposit and slash (wei). */
  stakes: bigint[];
  reorgs: typeof REORGS;
}

/** The network: the actions of each block (in order) and what the indexer must conclude from them. */
export interface Network {
  /** Actions by block, blocks ascending. */
  blocks: Map<number, Action[]>;
  /** A test's raw logs by block (after the block's actions). */
  rawLogs: Map<number, RawLog[]>;
  fixture: Fixture;
  /** The transaction number and first log index each action gets (ids of the rows it makes: `${tx}-${log}`). */
  positionOf(a: Action): { tx: number; logIndex: number; block: number };
}

/**
 * More of a test's own on the network's chain: `at(block, action)` adds an action after the network's own in that
 * block. The test's expectations about them are its own.
 */
export type Extension = (
  at: (block: number, a: Action) => void,
  log: (block: number, l: RawLog) => void,
) => void;

/**
 * A log no action of the traffic policy makes (e.g. an earlier registry's event), with its transaction's calldata
 * if the indexer reads it; its transaction comes after the block's actions.
 */
export interface RawLog {
  address: string;
  log: EncodedLog;
  from: `0x${string}`;
  input?: string;
}

/** A VANILLA model beyond the network's, with id modelId(index), registered by address(52), blob id "@blob". */
export function extraModel(index: number, name: string, version: string): SimModel {
  return {
    index,
    id: modelId(index),
    owner: address(52),
    name,
    version,
    mode: "VANILLA",
    modeId: 0,
    contentHash: hex("c1", index),
    blobId: "@blob",
    weight: 1,
  };
}

/** The plan of a commit that is never revealed (what the simulator would have decided). */
export const NEVER_REVEALED: FlightPlan = {
  reveal: "never",
  wrongSalt: false,
  verdict: "VERIFIED",
  settle: "none",
  forged: false,
  stale: false,
  challenge: false,
  atFault: false,
};

/**
 * `count` more commits of node 1 on model 0, never revealed, spread over blocks 30..989 (request ids
 * inferenceId(from + g)): bulk rows for the exports' tests.
 */
export function extraCommits(at: (block: number, a: Action) => void, count: number, from: number): void {
  const [node, model] = [NODES[1], SIM_MODELS[0]];
  for (let g = 1; g <= count; g++) {
    const block = 30 + (g % 960);
    at(block, {
      kind: "commit",
      requestId: inferenceId(from + g),
      node,
      model,
      inputHash: hex("11", from + g),
      commitment: hex("44", from + g),
      revealDeadline: timeOf(block) + 3600,
      plan: NEVER_REVEALED,
    });
  }
}

/**
 * The network's chain. Deterministic: the same actions, hashes and signatures every time (the devnet's
 * deterministic RSA-PSS signer).
 */
export function buildNetwork(extend?: Extension): Network {
  const blocks = new Map<number, Action[]>();
  const at = (block: number, a: Action): Action => {
    if (block < 1 || block > HEIGHT) throw new Error(`block ${block} is outside the chain (1..${HEIGHT})`);
    const list = blocks.get(block) ?? [];
    list.push(a);
    blocks.set(block, list);
    return a;
  };
  const stakes = NODES.map(() => 0n);
  const slashEffect = (node: number, reason: SlashReasonValue, amount: bigint): SlashEffect => {
    const taken = amount < stakes[node] ? amount : stakes[node];
    stakes[node] -= taken;
    return { reason, amount, taken, remaining: stakes[node] };
  };

  // Registries: TEE types, the two PCRs, the models.
  // Type 2 is added under an earlier name first: the latest TEETypeAdded names it.
  at(1, { kind: "addTEEType", teeType: 2, name: "TDX (old name)" });
  for (const t of TEE_TYPES) at(1, { kind: "addTEEType", teeType: t.id, name: t.name });
  at(PCR_REVOKED_APPROVED_BLOCK, { kind: "approvePCR", pcr: pcrRevoked, version: pcrRevoked.version });
  at(PCR_OK_APPROVED_BLOCK, { kind: "approvePCR", pcr: pcrOk, version: pcrOk.version });
  SIM_MODELS.forEach((model, i) => {
    if (MODELS[i].registered) at(5 + i, { kind: "registerModel", model });
    if (MODELS[i].deprecated) at(MODEL_DEPRECATED_BLOCK, { kind: "deprecateModel", model });
  });
  // Nodes: each registers its TEE and stakes (node 11 only stakes).
  for (const node of NODES) {
    const i = node.index;
    if (node.key) at(registeredBlock(i), { kind: "registerTEE", node });
    const amount = (BigInt(i) + 1n) * ETH + 123n;
    stakes[i] += amount;
    // From the operator: the node's first depositor is its operator.
    at(registeredBlock(i), { kind: "deposit", node, from: node.operator, amount, total: stakes[i] });
  }
  at(40, {
    kind: "requestWithdrawal",
    node: NODES[2],
    withdrawalId: 1,
    amount: PENDING_WITHDRAWAL,
    unlockAt: T0 + 86_400,
  });

  // Inferences: node i commits 3 + (i % 4) * 2 times, spread over the blocks, cycling through the outcomes.
  const inferences: InferenceFixture[] = [];
  const settlements: Fixture["settlements"] = [];
  const settlementActions = new Map<Fixture["settlements"][number], Action>();
  const settlementByInference = new Map<InferenceFixture, Fixture["settlements"][number]>();
  let n = 0;
  for (const node of NODES) {
    if (!node.key) continue;
    const count = 3 + (node.index % 4) * 2;
    for (let k = 0; k < count; k++) {
      const i = n++;
      const model = (node.index + k) % MODEL_COUNT;
      const simModel = SIM_MODELS[model];
      const mode = MODELS[model].mode;
      const id = inferenceId(i);
      const committedBlock = 30 + ((i * 37) % 900);
      const kind = (node.index + k) % 7; // 0-2 verified, 3 failed, 4 expired, 5 revealed, 6 committed
      const revealed = kind <= 3 || kind === 5;
      const late = revealed && i % 11 === 4; // revealed after the deadline (6 blocks after the commit)
      const revealedBlock = revealed ? committedBlock + (late ? 7 : 2) : null;
      const wrongSalt = revealed && i % 13 === 6;
      const inputHash = hex("11", i);
      const outputHash = hex("22", i);
      const salt = hex("55", i);
      const revealDeadline = timeOf(committedBlock) + 3600;
      at(committedBlock, {
        kind: "commit",
        requestId: id,
        node,
        model: simModel,
        inputHash,
        commitment: inferenceCommitment(outputHash, wrongSalt ? hex("56", i) : salt),
        revealDeadline,
        plan: {
          reveal: !revealed ? "never" : late ? "late" : "onTime",
          wrongSalt,
          verdict: kind === 3 ? "FAILED" : "VERIFIED",
          settle: mode === "TEE" && revealed ? "after" : "none",
          forged: i % 3 === 1,
          stale: false,
          challenge: false,
          atFault: false,
        },
      });
      if (revealedBlock !== null)
        at(revealedBlock, {
          kind: "reveal",
          requestId: id,
          node,
          outputHash,
          salt,
          proofRef: mode === "ZKML" ? hex("66", i) : "0x",
          late,
        });
      // Verdicts: two blocks after the reveal; a few were first FAILED and VERIFIED forty blocks later (the
      // latest verdict counts). An expiry: the block after the deadline, with its REVEAL_TIMEOUT slash.
      const verdicts: InferenceFixture["verdicts"] = [];
      const verify = (block: number, outcome: "VERIFIED" | "FAILED") => {
        verdicts.push({ block, outcome });
        at(block, { kind: "verify", requestId: id, node, model: simModel, outcome });
      };
      if (kind <= 2) {
        const first = (revealedBlock as number) + 1;
        if (i % 5 === 0) verify(first, "FAILED");
        verify(first + 1 + (i % 5 === 0 ? 40 : 0), "VERIFIED");
      } else if (kind === 3) verify((revealedBlock as number) + 2, "FAILED");
      else if (kind === 4) {
        const block = committedBlock + 7;
        verdicts.push({ block, outcome: "EXPIRED" });
        at(block, {
          kind: "expire",
          requestId: id,
          node,
          model: simModel,
          slash: slashEffect(node.index, "REVEAL_TIMEOUT", ETH / 100n),
        });
      }
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
      const pcrFails = onRevokedPcr(node.index);
      // TEE mode: a settlement links once revealed; every third one has a forged signature.
      let settlementBlock: number | null = null;
      let teeSignature: CheckValue = "NOT_APPLICABLE";
      let settlement: Fixture["settlements"][number] | undefined;
      if (mode === "TEE" && revealed) {
        settlementBlock = (revealedBlock as number) + (i % 3 === 0 ? 60 : 1);
        const forged = i % 3 === 1;
        const signedAt = timeOf(settlementBlock);
        const message = settlementMessage(inputHash, outputHash, BigInt(signedAt));
        const key = node.key;
        const signature = forged
          ? forgeSignature("otherMessage", {
              privateKey: key.privateKey,
              message32: message,
              rng: rng.fork(id),
            })
          : signPss(key.privateKey, message);
        teeSignature = forged ? "FAIL" : "PASS";
        settlement = {
          id: "",
          teeId: node.id,
          node: node.index,
          block: settlementBlock,
          signature: teeSignature,
          freshness: "PASS",
          timestampSeconds: String(signedAt),
        };
        settlements.push(settlement);
        settlementActions.set(
          settlement,
          at(settlementBlock, {
            kind: "settleIndividual",
            teeId: node.id,
            inputHash,
            outputHash,
            signedAt,
            user: address(300 + node.index),
            blob: hex("33", i),
            signature,
            requestId: id,
            registered: true,
            forged,
            stale: false,
          }),
        );
      }
      const checks = {
        commitment: revealed ? (wrongSalt ? "FAIL" : "PASS") : "NOT_APPLICABLE",
        revealOnTime: revealed ? (late ? "FAIL" : "PASS") : kind === 4 ? "FAIL" : "NOT_APPLICABLE",
        teeSignature: mode === "TEE" && revealed ? teeSignature : "NOT_APPLICABLE",
        pcrValid: mode === "TEE" ? (pcrFails ? "FAIL" : "PASS") : "NOT_APPLICABLE",
      } satisfies InferenceFixture["checks"];
      const inference: InferenceFixture = {
        id,
        node: node.index,
        model,
        mode,
        status,
        committedBlock,
        revealedBlock,
        verdicts,
        checks,
        discrepancy: status === "VERIFIED" && Object.values(checks).includes("FAIL"),
        settlementId: null,
        settlementBlock,
      };
      inferences.push(inference);
      if (settlement) settlementByInference.set(inference, settlement);
    }
  }

  // Settlements by a TEE that never registered (no node): one fresh, one signed "at" a time beyond 9999-12-31.
  const strangerSettlements: Fixture["settlements"] = [];
  for (const [j, ts] of [timeOf(950), 1e20].entries()) {
    const block = 950 + j;
    const s: Fixture["settlements"][number] = {
      id: "",
      teeId: stranger.teeId,
      node: null,
      block,
      signature: "UNKNOWN",
      freshness: j === 0 ? "PASS" : "FAIL",
      timestampSeconds: j === 0 ? String(ts) : "100000000000000000000",
    };
    strangerSettlements.push(s);
    settlements.push(s);
    settlementActions.set(
      s,
      at(block, {
        kind: "settleIndividual",
        teeId: stranger.teeId,
        inputHash: hex("77", j),
        outputHash: hex("88", j),
        signedAt: ts,
        user: address(399),
        blob: "0x",
        signature: "0x00",
        requestId: null,
        registered: false,
        forged: false,
        stale: j === 1,
      }),
    );
  }

  const batchSettlements: Fixture["batchSettlements"] = [];
  const batchActions = new Map<Fixture["batchSettlements"][number], Action>();
  for (const j of [0, 1, 2]) {
    const b = { id: "", block: 100 + j * 300 };
    batchSettlements.push(b);
    batchActions.set(
      b,
      at(b.block, { kind: "batchSettle", root: hex("ba", j), count: 10 + j, data: hex("bb", j) }),
    );
  }

  // Challenges: two on the same inference (the later one is the inference's challenge), one at fault, one open.
  const challenged = inferences.filter((x) => x.status === "VERIFIED" && x.verdicts.length === 1).slice(0, 3);
  /** Challenge `id` on challenged[k], opened and resolved these many blocks after its verdict. */
  const challenge = (
    id: string,
    k: number,
    opened: number,
    resolved: number | null,
    atFault: boolean | null,
  ) => {
    const x = challenged[k];
    const verdict = x.verdicts[x.verdicts.length - 1].block;
    return {
      id,
      inference: x.id,
      node: x.node,
      openedBlock: verdict + opened,
      resolvedBlock: resolved === null ? null : verdict + resolved,
      atFault,
    };
  };
  const challenges: Fixture["challenges"] = [
    challenge("1", 0, 1, 4, false),
    challenge("2", 0, 5, 8, true),
    challenge("3", 1, 1, null, null),
    challenge("4", 2, 1, 3, true),
  ];
  const slashes: Fixture["slashes"] = [];
  const slashActions = new Map<Fixture["slashes"][number], Action>();
  for (const c of challenges) {
    at(c.openedBlock, {
      kind: "openChallenge",
      requestId: c.inference as `0x${string}`,
      challengeId: Number(c.id),
      challenger: address(500),
      bond: ETH,
      deadline: timeOf(c.openedBlock + 10),
    });
    if (c.resolvedBlock === null) continue;
    const slash = c.atFault ? slashEffect(c.node, "LOST_DISPUTE", ETH / 10n) : undefined;
    const a = at(c.resolvedBlock, {
      kind: "resolveChallenge",
      requestId: c.inference as `0x${string}`,
      challengeId: Number(c.id),
      node: NODES[c.node],
      nodeAtFault: c.atFault === true,
      evidence: hex("ee", Number(c.id)),
      slash,
    });
    if (slash) {
      const s = {
        id: "",
        node: c.node,
        inference: c.inference,
        reason: "LOST_DISPUTE" as const,
        block: c.resolvedBlock,
        amount: slash.taken,
      };
      slashes.push(s);
      slashActions.set(s, a);
    }
  }
  // Expiries' slashes (in the expire() transaction).
  for (const x of inferences.filter((y) => y.status === "EXPIRED")) {
    const a = blocks
      .get(x.verdicts[0].block)
      ?.find((y) => y.kind === "expire" && y.requestId === x.id) as Action;
    const s = {
      id: "",
      node: x.node,
      inference: x.id,
      reason: "REVEAL_TIMEOUT" as const,
      block: x.verdicts[0].block,
      amount: ETH / 100n,
    };
    slashes.push(s);
    slashActions.set(s, a);
  }
  // The slasher: for two failures, and one with no inference (request id 0) after the PCR's revocation.
  const slashBy = (
    node: number,
    inference: string | null,
    reason: SlashReasonValue,
    block: number,
    amount: bigint,
  ) => {
    const effect = slashEffect(node, reason, amount);
    const s = { id: "", node, inference, reason, block, amount: effect.taken };
    slashes.push(s);
    slashActions.set(
      s,
      at(block, {
        kind: "slash",
        node: NODES[node],
        requestId: (inference ?? hex("", 0)) as `0x${string}`,
        slash: effect,
      }),
    );
  };
  for (const x of inferences.filter((y) => y.status === "FAILED").slice(0, 2))
    slashBy(x.node, x.id, "REVEAL_MISMATCH", x.verdicts[0].block + 1, 5n * 10n ** 16n);
  at(PCR_REVOKED_BLOCK, { kind: "revokePCR", pcr: pcrRevoked });
  slashBy(3, null, "PCR_REVOKED", PCR_REVOKED_BLOCK + 1, 2n * 10n ** 17n);
  at(HEIGHT, { kind: "disableTEE", node: NODES[DISABLED_NODE] });

  // Heartbeats, each signed a minute before its block's time: node 0 every third block (every half hour) since it
  // registered, node 1 every twelfth block (every other hour) of the last day, node 2 only with forged signatures
  // (they do not count). uptime7d counts them at their blocks' times.
  const heartbeats: Fixture["heartbeats"] = [];
  const beat = (node: number, block: number, counts: boolean) => {
    if (block <= registeredBlock(node)) return;
    const n = NODES[node];
    const key = n.key as TeeSigningKey;
    const timestamp = timeOf(block) - 60;
    const message = heartbeatMessage(n.id, BigInt(timestamp));
    const signature = counts
      ? signPss(key.privateKey, message)
      : forgeSignature("otherMessage", {
          privateKey: key.privateKey,
          message32: message,
          rng: rng.fork(`hb:${node}:${block}`),
        });
    heartbeats.push({ node, block, at: timeOf(block), timestamp, counts });
    at(block, { kind: "heartbeat", node: n, timestamp, signature, bad: !counts });
  };
  for (let k = 0; k < 336; k++) beat(0, HEIGHT - 3 * k, true);
  for (let k = 0; k < 12; k++) beat(1, HEIGHT - 12 * k, true);
  for (let k = 0; k < 5; k++) beat(2, HEIGHT - 3 * k, false);

  const rawLogs = new Map<number, RawLog[]>();
  extend?.(
    (block, a) => {
      at(block, a);
    },
    (block, l) => {
      if (!blocks.has(block)) blocks.set(block, []);
      rawLogs.set(block, [...(rawLogs.get(block) ?? []), l]);
    },
  );

  // Where each action lands: transactions numbered in chain order, logs numbered within their block.
  const positions = new Map<Action, { tx: number; logIndex: number; block: number }>();
  const sorted = new Map([...blocks.entries()].sort(([a], [b]) => a - b));
  let tx = 1;
  for (const [block, actions] of sorted) {
    let logIndex = 0;
    for (const a of actions) {
      if (logsOf(a) === 0) continue;
      positions.set(a, { tx: tx++, logIndex, block });
      logIndex += logsOf(a);
    }
  }
  const rowId = (a: Action, extra = 0) => {
    const p = positions.get(a) as { tx: number; logIndex: number };
    return `${txHash(p.tx)}-${p.logIndex + extra}`;
  };
  for (const [s, a] of settlementActions) s.id = rowId(a);
  for (const [b, a] of batchActions) b.id = rowId(a);
  // The slash is the transaction's second log after an expiry's or a resolution's verdict.
  for (const [s, a] of slashActions) s.id = rowId(a, a.kind === "slash" ? 0 : 1);
  for (const [x, s] of settlementByInference) x.settlementId = s.id;
  slashes.sort((a, b) => a.block - b.block);

  // Reputation events, as the API replays them.
  const nodeEvents = new Map<string, SubjectEvent[]>();
  const modelEvents = new Map<string, SubjectEvent[]>();
  const push = (map: Map<string, SubjectEvent[]>, key: string, e: SubjectEvent) => {
    const list = map.get(key) ?? [];
    list.push(e);
    map.set(key, list);
  };
  for (const x of inferences) {
    x.verdicts.forEach((verdict) => {
      const e: SubjectEvent = {
        kind: "verdict",
        inferenceId: x.id,
        t: timeOf(verdict.block),
        block: verdict.block,
        logIndex: 0,
        outcome: verdict.outcome,
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

  return {
    blocks: sorted,
    rawLogs,
    fixture: {
      inferences,
      slashes,
      challenges,
      settlements,
      batchSettlements,
      nodeEvents,
      modelEvents,
      heartbeats,
      stakes,
      reorgs: REORGS,
    },
    positionOf: (a) => positions.get(a) as { tx: number; logIndex: number; block: number },
  };
}

/** How many logs an action's transaction emits (action-logs.ts). */
function logsOf(a: Action): number {
  if (a.kind === "grantRole" || a.kind === "setParameters") return 0;
  if (a.kind === "expire" || (a.kind === "resolveChallenge" && a.slash)) return 2;
  return 1;
}
