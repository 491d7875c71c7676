import { constants, type KeyObject, sign } from "node:crypto";
import { encodeFunctionData, keccak256, parseAbi } from "viem";
import type { TeeSigningKey } from "../../devnet/src/crypto/rsa-keygen.ts";
import { MODEL_CATALOGUE } from "../../devnet/src/simulator/models.ts";
import { type NodeProfile, PROFILE_SHARES } from "../../devnet/src/simulator/profiles.ts";
import { attestationDocument, type PcrSet } from "../../devnet/src/simulator/world.ts";
import { type EncodedLog, events, type Hex, type ModeName, type ReasonName, w } from "./encode.ts";
import { FastRng } from "./rng.ts";

// A synthetic chain of the three contracts' logs, block by block, in the shape Subsquid's evm-processor hands the
// indexer's batch handler (header { height, hash, timestamp in ms }, logs with transactionHash, logIndex and, for
// registrations and heartbeats, the transaction's calldata). The traffic follows the devnet simulator's rules and
// node profiles (devnet/src/simulator): commit → reveal (on time, late or never → expire + REVEAL_TIMEOUT slash) →
// verdict (FAILED with REVEAL_MISMATCH / INVALID_PROOF slashes, wrongly VERIFIED wrong salts = discrepancies) →
// challenges resolved either way (LOST_DISPUTE slashes); TEE-mode inferences settled before or after the verdict
// with real RSA-PSS signatures (some forged, some stale), stake deposits and top-ups, withdrawals, heartbeats, a TEE
// set disabled and re-enabled, a PCR revoked (PCR_REVOKED slashes, retroactive taint) and re-approved, a deprecated
// model, settlements by a TEE that never registers, batch settlements. Deterministic for a seed except the RSA
// keys and PSS salts (random; they change no row count or status).
//
// Scaled-down parts, to bound the signing cost: a heartbeat per node every ~2 days (the devnet: every 10 minutes).

export const CONTRACTS = {
  teeRegistry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  settlementRelay: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  attestationRegistry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
} as const;

export interface SynthTransaction {
  hash: string;
  input: string;
  from: string;
  to: string;
}

export interface SynthLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: number;
  transactionIndex: number;
  transactionHash: string;
  transaction?: SynthTransaction;
}

export interface SynthBlock {
  header: { height: number; hash: string; parentHash: string; timestamp: number };
  logs: SynthLog[];
}

export interface ChainOptions {
  seed: string;
  nodes: number;
  inferences: number;
  /** Commits per block. */
  perBlock: number;
  /** Seconds between blocks. */
  blockSeconds: number;
  /** Unix seconds of the first block. */
  startTime: number;
}

const ETH = 10n ** 18n;
const INITIAL_STAKE = 100n * ETH;
const TOP_UP_BELOW = 50n * ETH;
const SLASH_AMOUNT: Record<ReasonName, bigint> = {
  INVALID_PROOF: ETH / 50n,
  REVEAL_MISMATCH: ETH / 20n,
  REVEAL_TIMEOUT: ETH / 100n,
  LOST_DISPUTE: ETH / 2n,
  PCR_REVOKED: 2n * ETH,
  EQUIVOCATION: 10n ** 30n,
};
const CHALLENGE_BOND = ETH / 100n;
const HEARTBEAT_SECONDS = 2 * 86_400;
const REGISTRATIONS_PER_BLOCK = 500;
const ZERO_ID = `0x${"0".repeat(64)}` as Hex;

const teeCalls = parseAbi([
  "function registerTEEWithAttestation(bytes attestationDocument, bytes signingPublicKey, bytes tlsCertificate, address paymentAddress, string endpoint, uint8 teeType) returns (bytes32 teeId)",
  "function heartbeat(bytes32 teeId, uint256 timestamp, bytes signature)",
]);

interface Node {
  index: number;
  id: Hex;
  key?: TeeSigningKey;
  profile: NodeProfile;
  owner: Hex;
  operator: Hex;
  paymentAddress: Hex;
  endpoint: string;
  pcr?: PcrSet;
  stake: bigint;
  pending: bigint;
  enabled: boolean;
  openChallenges: number;
  heartbeatOffset: number;
}

interface Model {
  id: Hex;
  owner: Hex;
  name: string;
  version: string;
  mode: ModeName;
  contentHash: Hex;
  blobId: string;
  weight: number;
  deprecated: boolean;
}

interface Plan {
  reveal: "onTime" | "late" | "never";
  wrongSalt: boolean;
  verdict: "VERIFIED" | "FAILED";
  slash?: ReasonName;
  settle: "none" | "before" | "after";
  forged: boolean;
  stale: boolean;
  challenge: boolean;
  atFault: boolean;
}

interface Flight {
  requestId: Hex;
  node: Node;
  model: Model;
  inputHash: Hex;
  outputHash: Hex;
  salt: Hex;
  commitStep: number;
  deadline: number;
  plan: Plan;
  revealedStep?: number;
  verifiedStep?: number;
  challengeId?: number;
  challengeStep?: number;
}

interface Withdrawal {
  node: Node;
  id: number;
  amount: bigint;
  unlockAt: number;
}

/** Weighted choice by binary search over cumulative weights. */
class Weighted<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;
  constructor(
    private readonly items: T[],
    weight: (item: T) => number,
  ) {
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    items.forEach((item, i) => {
      sum += weight(item);
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }
  pick(rng: FastRng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

/** Builds one block: transactions in order, logs numbered within the block. */
class BlockBuilder {
  readonly logs: SynthLog[] = [];
  private txIndex = -1;
  private tx: SynthTransaction = { hash: "", input: "0x", from: "", to: "" };
  constructor(private readonly rng: FastRng) {}

  /** Starts a transaction; its logs follow. */
  begin(from: Hex, to: string, input = "0x"): this {
    this.txIndex++;
    this.tx = { hash: this.rng.bytes32(), input, from, to };
    return this;
  }

  log(address: string, e: EncodedLog, withTransaction = false): this {
    this.logs.push({
      address,
      topics: e.topics,
      data: e.data,
      logIndex: this.logs.length,
      transactionIndex: this.txIndex,
      transactionHash: this.tx.hash,
      ...(withTransaction ? { transaction: this.tx } : {}),
    });
    return this;
  }
}

/** Per-kind event counts and other figures of the generated chain. */
export interface ChainStats {
  blocks: number;
  events: number;
  byKind: Record<string, number>;
  signatures: number;
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

function pssSign(key: KeyObject, message32: Hex): Hex {
  return `0x${sign("sha256", Buffer.from(message32.slice(2), "hex"), { key, ...PSS }).toString("hex")}`;
}

/** Nodes that stake and commit (VANILLA and ZKML only) but never register a TEE: 2%. */
export const isGhost = (i: number) => i % 50 === 3;

function profileOf(i: number): NodeProfile {
  if (isGhost(i)) return "ghost";
  if (i % 20 === 2) return "malicious";
  if (i % 12 === 1) return "flaky";
  return "honest";
}

export class SyntheticChain {
  readonly stats: ChainStats = { blocks: 0, events: 0, byKind: {}, signatures: 0 };
  private readonly rng: FastRng;
  private readonly nodes: Node[];
  private readonly models: Model[];
  private readonly pcrs: PcrSet[];
  private readonly revokedPcr: PcrSet;
  private readonly stranger: TeeSigningKey;
  private readonly impostor: TeeSigningKey;
  private readonly roles: { deployer: Hex; keeper: Hex; challengers: Hex[] };
  private readonly pickNode: Weighted<Node>;
  private readonly pickModel: Weighted<Model>;
  private readonly pickNonTeeModel: Weighted<Model>;
  private readonly flights = new Map<Hex, Flight>();
  private withdrawalQueue: Withdrawal[] = [];
  private readonly touched = new Set<Node>();
  private withdrawalCount = 0;
  private challengeCount = 0;
  private committed = 0;
  private height = 0;
  private parentHash = ZERO_ID as string;
  private readonly commitSteps: number;
  private readonly heartbeatEvery: number;

  /** `keys`: one RSA key per non-ghost node, plus two (a TEE that never registers, an impostor). */
  constructor(
    private readonly options: ChainOptions,
    keys: TeeSigningKey[],
  ) {
    const rng = new FastRng(options.seed);
    this.rng = rng;
    this.roles = {
      deployer: rng.address(),
      keeper: rng.address(),
      challengers: [rng.address(), rng.address()],
    };
    const pcr = (teeType: number, version: string): PcrSet => {
      const [pcr0, pcr1, pcr2] = [0, 1, 2].map(() => `0x${rng.hex(48)}` as Hex);
      return {
        label: version,
        teeType,
        version,
        pcr0,
        pcr1,
        pcr2,
        hash: keccak256(`0x${pcr0.slice(2)}${pcr1.slice(2)}${pcr2.slice(2)}`),
      };
    };
    this.pcrs = [pcr(1, "og-tee-1.0.0"), pcr(1, "og-tee-1.1.0"), pcr(2, "og-tdx-2026.1")];
    this.revokedPcr = this.pcrs[0];
    let nextKey = 0;
    this.nodes = Array.from({ length: options.nodes }, (_, index): Node => {
      const profile = profileOf(index);
      const owner = rng.address();
      const key = profile === "ghost" ? undefined : keys[nextKey++];
      if (profile !== "ghost" && !key) throw new Error(`got ${keys.length} RSA keys, too few for the nodes`);
      return {
        index,
        id: key ? key.teeId : rng.bytes32(),
        key,
        profile,
        owner,
        operator: index % 10 === 0 ? rng.address() : owner,
        paymentAddress: rng.address(),
        endpoint: key ? `https://node-${index}.tee.example:8443` : "",
        pcr: key ? (index % 40 === 4 ? this.pcrs[0] : this.pcrs[1 + (index % 2)]) : undefined,
        stake: 0n,
        pending: 0n,
        enabled: key !== undefined,
        openChallenges: 0,
        heartbeatOffset: 0,
      };
    });
    this.stranger = keys[nextKey++];
    this.impostor = keys[nextKey++];
    if (!this.stranger || !this.impostor)
      throw new Error("too few RSA keys for the stranger and the impostor");

    // Models: the devnet's catalogue (hostile and non-ASCII names included) and 32 more; about 29% of the traffic
    // is TEE mode (each TEE inference brings a settlement with an RSA signature).
    const catalogue = MODEL_CATALOGUE.map((m) => ({ ...m, weight: m.weight * 2 }));
    const extra = Array.from({ length: 32 }, (_, k) => {
      const mode: ModeName = k % 4 === 3 ? "TEE" : k % 2 ? "ZKML" : "VANILLA";
      return {
        name: `og/model-${k}`,
        version: `${1 + (k % 3)}.${k % 7}`,
        mode,
        weight: mode === "TEE" ? 2 : 3,
      };
    });
    this.models = [...catalogue, ...extra].map((spec, k) => ({
      id: keccak256(Buffer.from(`${spec.name}@${spec.version}`)),
      owner: this.roles.challengers[k % 2],
      name: spec.name,
      version: spec.version,
      mode: spec.mode,
      contentHash: rng.bytes32(),
      blobId: `walrus:${rng.hex(16)}`,
      weight: spec.weight,
      deprecated: false,
    }));

    // Node activity is heavy-tailed: weight 1/(rank + 5) over a random ranking, so the busiest node commits ~2,000x
    // more than the quietest (tens of thousands of inferences against a dozen).
    const ranks = this.nodes.map((_, i) => i);
    for (let i = ranks.length - 1; i > 0; i--) {
      const j = Math.floor(rng.float() * (i + 1));
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    this.pickNode = new Weighted(this.nodes, (n) => 1 / (ranks[n.index] + 5));
    this.pickModel = new Weighted(this.models, (m) => m.weight);
    this.pickNonTeeModel = new Weighted(
      this.models.filter((m) => m.mode !== "TEE"),
      (m) => m.weight,
    );
    this.commitSteps = Math.ceil(options.inferences / options.perBlock);
    this.heartbeatEvery = Math.max(1, Math.round(HEARTBEAT_SECONDS / options.blockSeconds));
    for (const n of this.nodes) n.heartbeatOffset = n.index % this.heartbeatEvery;
  }

  /** Every block of the chain, in order. */
  *blocks(): Generator<SynthBlock> {
    yield this.setupBlock();
    for (let from = 0; from < this.nodes.length; from += REGISTRATIONS_PER_BLOCK) {
      yield this.registrationBlock(this.nodes.slice(from, from + REGISTRATIONS_PER_BLOCK));
    }
    yield this.modelBlock();
    for (let step = 0; ; step++) {
      if (step >= this.commitSteps && this.flights.size === 0 && this.withdrawalQueue.length === 0) break;
      yield this.trafficBlock(step);
    }
  }

  // ---------------------------------------------------------------- blocks

  private finish(b: BlockBuilder, ts: number): SynthBlock {
    this.height++;
    const hash = this.rng.bytes32();
    const block = {
      header: { height: this.height, hash, parentHash: this.parentHash, timestamp: ts * 1000 },
      logs: b.logs,
    };
    this.parentHash = hash;
    this.stats.blocks++;
    this.stats.events += b.logs.length;
    return block;
  }

  private count(kind: string, n = 1): void {
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + n;
  }

  private timeOf(height: number): number {
    return this.options.startTime + (height - 1) * this.options.blockSeconds;
  }

  private setupBlock(): SynthBlock {
    const b = new BlockBuilder(this.rng);
    const d = this.roles.deployer;
    for (const [id, name] of [
      [1, "AWS Nitro Enclaves"],
      [2, "Intel TDX"],
    ] as const) {
      b.begin(d, CONTRACTS.teeRegistry).log(CONTRACTS.teeRegistry, events.teeTypeAdded(id, name));
      this.count("TEETypeAdded");
    }
    for (const p of this.pcrs) {
      b.begin(d, CONTRACTS.teeRegistry).log(
        CONTRACTS.teeRegistry,
        events.pcrApproved(p.hash, p.teeType, p.version),
      );
      this.count("PCRApproved");
    }
    return this.finish(b, this.timeOf(this.height + 1));
  }

  private registrationBlock(nodes: Node[]): SynthBlock {
    const b = new BlockBuilder(this.rng);
    for (const n of nodes) {
      if (n.key && n.pcr) {
        const input = encodeFunctionData({
          abi: teeCalls,
          functionName: "registerTEEWithAttestation",
          args: [
            attestationDocument(n.pcr),
            n.key.publicKeyDer,
            `0x${Buffer.from(`tls-cert:${n.index}`).toString("hex")}`,
            n.paymentAddress,
            n.endpoint,
            n.pcr.teeType,
          ],
        });
        b.begin(n.owner, CONTRACTS.teeRegistry, input).log(
          CONTRACTS.teeRegistry,
          events.teeRegistered(n.id, n.owner, n.pcr.teeType),
          true,
        );
        this.count("TEERegistered");
      }
      // 100..150 ETH, in whole ETH.
      this.deposit(b, n, n.operator, INITIAL_STAKE + BigInt(this.rng.int(0, 50)) * ETH);
    }
    return this.finish(b, this.timeOf(this.height + 1));
  }

  private modelBlock(): SynthBlock {
    const b = new BlockBuilder(this.rng);
    for (const m of this.models) {
      b.begin(m.owner, CONTRACTS.attestationRegistry).log(
        CONTRACTS.attestationRegistry,
        events.modelRegistered(m),
      );
      this.count("ModelRegistered");
    }
    return this.finish(b, this.timeOf(this.height + 1));
  }

  private trafficBlock(step: number): SynthBlock {
    const ts = this.timeOf(this.height + 1);
    const b = new BlockBuilder(this.rng);
    this.touched.clear();
    this.scenario(b, step, ts);
    this.heartbeats(b, step, ts);
    this.advanceFlights(b, step, ts);
    if (step < this.commitSteps) {
      this.commits(b, step, ts, Math.min(this.options.perBlock, this.options.inferences - this.committed));
    }
    this.topUps(b);
    this.completeWithdrawals(b, ts);
    if (b.logs.length === 0) this.batchSettle(b);
    return this.finish(b, ts);
  }

  // ---------------------------------------------------------------- traffic

  private scenario(b: BlockBuilder, step: number, ts: number): void {
    const d = this.roles.deployer;
    const at = (share: number) => step === Math.floor(this.commitSteps * share);
    // About 1% of the TEEs disabled for a while.
    if (at(0.3) || at(0.45)) {
      const enable = at(0.45);
      for (const n of this.nodes) {
        if (!n.key || n.index % 97 !== 0) continue;
        n.enabled = enable;
        b.begin(n.owner, CONTRACTS.teeRegistry).log(
          CONTRACTS.teeRegistry,
          enable ? events.teeEnabled(n.id) : events.teeDisabled(n.id),
        );
        this.count(enable ? "TEEEnabled" : "TEEDisabled");
      }
    }
    // One PCR (2.5% of the TEEs) revoked, its TEEs slashed, then approved again.
    if (at(0.6)) {
      const p = this.revokedPcr;
      b.begin(d, CONTRACTS.teeRegistry).log(CONTRACTS.teeRegistry, events.pcrRevoked(p.hash, p.teeType));
      this.count("PCRRevoked");
      for (const n of this.nodes) if (n.pcr === p) this.slash(b, n, ZERO_ID, "PCR_REVOKED");
    }
    if (at(0.75)) {
      const p = this.revokedPcr;
      b.begin(d, CONTRACTS.teeRegistry).log(
        CONTRACTS.teeRegistry,
        events.pcrApproved(p.hash, p.teeType, `${p.version}-reapproved`),
      );
      this.count("PCRApproved");
    }
    if (at(0.8)) {
      const m = this.models[this.models.length - 1];
      m.deprecated = true;
      b.begin(m.owner, CONTRACTS.attestationRegistry).log(
        CONTRACTS.attestationRegistry,
        events.modelDeprecated(m.id),
      );
      this.count("ModelDeprecated");
    }
    // A few withdrawals every 20 blocks.
    if (step % 20 === 10 && step < this.commitSteps) {
      for (let k = 0; k < 10; k++) {
        const n = this.nodes[this.rng.int(0, this.nodes.length - 1)];
        const amount = (n.stake - n.pending) / 10n;
        if (amount <= 0n) continue;
        const id = ++this.withdrawalCount;
        const unlockAt = ts + 6 * this.options.blockSeconds;
        n.pending += amount;
        this.withdrawalQueue.push({ node: n, id, amount, unlockAt });
        b.begin(n.operator, CONTRACTS.attestationRegistry).log(
          CONTRACTS.attestationRegistry,
          events.withdrawalRequested(n.id, id, amount, unlockAt),
        );
        this.count("WithdrawalRequested");
      }
    }
    // Settlements by a TEE that never registers (signature UNKNOWN), and batch settlements.
    if (step % 11 === 5) {
      this.settle(b, this.stranger, this.rng.bytes32(), this.rng.bytes32(), ts, false, false);
    }
    if (step % 25 === 12) this.batchSettle(b);
  }

  private batchSettle(b: BlockBuilder): void {
    b.begin(this.roles.deployer, CONTRACTS.settlementRelay).log(
      CONTRACTS.settlementRelay,
      events.batchSettlement(this.rng.bytes32(), this.rng.int(2, 1000), `0x${this.rng.hex(32)}`),
    );
    this.count("BatchSettlement");
  }

  private heartbeats(b: BlockBuilder, step: number, ts: number): void {
    for (let i = step % this.heartbeatEvery; i < this.nodes.length; i += this.heartbeatEvery) {
      const n = this.nodes[i];
      if (!n.key || !n.enabled) continue;
      const shares = PROFILE_SHARES[n.profile];
      if (this.rng.chance(shares.skipHeartbeat)) continue;
      const message = keccak256(`0x${n.id.slice(2)}${w.uint(ts)}`);
      const bad = this.rng.chance(shares.badHeartbeat);
      const signature = pssSign((bad ? this.impostor : n.key).privateKey, message);
      this.stats.signatures++;
      const input = encodeFunctionData({
        abi: teeCalls,
        functionName: "heartbeat",
        args: [n.id, BigInt(ts), signature],
      });
      b.begin(n.owner, CONTRACTS.teeRegistry, input).log(
        CONTRACTS.teeRegistry,
        events.heartbeat(n.id, ts),
        true,
      );
      this.count("HeartbeatReceived");
    }
  }

  private plan(n: Node, tee: boolean): Plan {
    const rng = this.rng;
    const sh = PROFILE_SHARES[n.profile];
    let reveal: Plan["reveal"] = "onTime";
    if (rng.chance(sh.noReveal)) reveal = "never";
    else if (rng.chance(sh.lateReveal)) reveal = "late";
    const wrongSalt = reveal !== "never" && rng.chance(sh.wrongSalt);
    let verdict: Plan["verdict"] = "VERIFIED";
    if (wrongSalt) verdict = rng.chance(sh.wrongSaltVerified) ? "VERIFIED" : "FAILED";
    else if (rng.chance(sh.verifierFails)) verdict = "FAILED";
    let slash: ReasonName | undefined;
    if (verdict === "FAILED")
      slash = wrongSalt ? "REVEAL_MISMATCH" : rng.chance(0.5) ? "INVALID_PROOF" : undefined;
    const settle: Plan["settle"] = !tee ? "none" : rng.chance(0.5) ? "before" : "after";
    const forged = tee && rng.chance(sh.forgedSignature);
    const stale = tee && !forged && rng.chance(sh.staleTimestamp);
    const challenge = reveal !== "never" && rng.chance(sh.challenged);
    const atFault = rng.chance(sh.atFault);
    return { reveal, wrongSalt, verdict, slash, settle, forged, stale, challenge, atFault };
  }

  private commits(b: BlockBuilder, step: number, ts: number, count: number): void {
    const rng = this.rng;
    for (let i = 0; i < count; i++) {
      let node = this.pickNode.pick(rng);
      for (let tries = 0; node.stake === 0n && tries < 10; tries++) node = this.pickNode.pick(rng);
      let model = this.pickModel.pick(rng);
      while (model.deprecated || (model.mode === "TEE" && !node.key)) {
        model = node.key ? this.pickModel.pick(rng) : this.pickNonTeeModel.pick(rng);
      }
      const f: Flight = {
        requestId: rng.bytes32(),
        node,
        model,
        inputHash: rng.bytes32(),
        outputHash: rng.bytes32(),
        salt: rng.bytes32(),
        commitStep: step,
        deadline: ts + 3 * this.options.blockSeconds,
        plan: this.plan(node, model.mode === "TEE"),
      };
      this.flights.set(f.requestId, f);
      this.committed++;
      b.begin(node.operator, CONTRACTS.attestationRegistry).log(
        CONTRACTS.attestationRegistry,
        events.inferenceCommitted({
          requestId: f.requestId,
          nodeId: node.id,
          modelId: model.id,
          mode: model.mode,
          inputHash: f.inputHash,
          commitment: keccak256(`0x${f.outputHash.slice(2)}${f.salt.slice(2)}`),
          revealDeadline: f.deadline,
        }),
      );
      this.count("InferenceCommitted");
      if (f.plan.settle === "before") this.settleFlight(b, f, ts);
    }
  }

  private advanceFlights(b: BlockBuilder, step: number, ts: number): void {
    const rng = this.rng;
    const att = CONTRACTS.attestationRegistry;
    for (const f of this.flights.values()) {
      const { node, plan: p } = f;
      if (f.revealedStep === undefined) {
        const onTimeDue = p.reveal === "onTime" && step >= f.commitStep + 1;
        const lateDue = p.reveal === "late" && ts > f.deadline;
        if (onTimeDue || lateDue) {
          const salt = p.wrongSalt ? rng.bytes32() : f.salt;
          const mode = f.model.mode;
          const proofRef: Hex =
            mode === "ZKML"
              ? rng.bytes32()
              : mode === "TEE"
                ? `0x${Buffer.from(`tee-quote:${f.requestId.slice(2, 18)}`).toString("hex")}`
                : "0x";
          b.begin(node.operator, att).log(
            att,
            events.inferenceRevealed(f.requestId, node.id, f.outputHash, salt, proofRef),
          );
          this.count("InferenceRevealed");
          f.revealedStep = step;
        } else if (p.reveal === "never" && ts > f.deadline + this.options.blockSeconds) {
          // expire(): the verdict EXPIRED and the timeout slash in one transaction.
          b.begin(this.roles.keeper, att).log(
            att,
            events.inferenceVerified(f.requestId, node.id, f.model.id, "EXPIRED", this.roles.keeper),
          );
          this.count("InferenceVerified");
          this.slashLog(b, node, f.requestId, "REVEAL_TIMEOUT");
          this.flights.delete(f.requestId);
        }
        continue;
      }
      if (f.verifiedStep === undefined) {
        if (step < f.revealedStep + 1) continue;
        b.begin(this.roles.deployer, att).log(
          att,
          events.inferenceVerified(f.requestId, node.id, f.model.id, p.verdict, this.roles.deployer),
        );
        this.count("InferenceVerified");
        if (p.slash) this.slash(b, node, f.requestId, p.slash);
        if (p.settle === "after") this.settleFlight(b, f, ts);
        f.verifiedStep = step;
        if (!p.challenge) this.flights.delete(f.requestId);
        continue;
      }
      if (f.challengeId === undefined) {
        if (step < f.verifiedStep + 1) continue;
        const challenger = this.roles.challengers[this.challengeCount % 2];
        f.challengeId = ++this.challengeCount;
        f.challengeStep = step;
        node.openChallenges++;
        b.begin(challenger, att).log(
          att,
          events.challengeOpened(
            f.challengeId,
            f.requestId,
            challenger,
            CHALLENGE_BOND,
            ts + 4 * this.options.blockSeconds,
          ),
        );
        this.count("ChallengeOpened");
        continue;
      }
      if (step >= (f.challengeStep as number) + 2) {
        b.begin(this.roles.deployer, att).log(
          att,
          events.challengeResolved(f.challengeId, f.requestId, p.atFault, this.roles.deployer, rng.bytes32()),
        );
        this.count("ChallengeResolved");
        if (p.atFault) this.slashLog(b, node, f.requestId, "LOST_DISPUTE");
        node.openChallenges--;
        this.flights.delete(f.requestId);
      }
    }
  }

  private settleFlight(b: BlockBuilder, f: Flight, ts: number): void {
    this.settle(b, f.node.key as TeeSigningKey, f.inputHash, f.outputHash, ts, f.plan.forged, f.plan.stale);
  }

  /** An IndividualSettlement signed by `key` (by the impostor's key when forged). */
  private settle(
    b: BlockBuilder,
    key: TeeSigningKey,
    inputHash: Hex,
    outputHash: Hex,
    ts: number,
    forged: boolean,
    stale: boolean,
  ): void {
    const signedAt = stale ? ts - 7200 : ts - this.rng.int(0, 30);
    const message = keccak256(`0x${inputHash.slice(2)}${outputHash.slice(2)}${w.uint(signedAt)}`);
    const signature = pssSign((forged ? this.impostor : key).privateKey, message);
    this.stats.signatures++;
    const blob: Hex = this.rng.chance(0.1)
      ? "0x"
      : `0x${Buffer.from(`walrus:${this.rng.hex(12)}`).toString("hex")}`;
    b.begin(this.roles.deployer, CONTRACTS.settlementRelay).log(
      CONTRACTS.settlementRelay,
      events.individualSettlement({
        teeId: key.teeId,
        ethAddress: this.rng.address(),
        inputHash,
        outputHash,
        timestamp: signedAt,
        walrusBlobId: blob,
        signature,
      }),
    );
    this.count("IndividualSettlement");
  }

  /** A slash() transaction. */
  private slash(b: BlockBuilder, n: Node, requestId: Hex, reason: ReasonName): void {
    b.begin(this.roles.deployer, CONTRACTS.attestationRegistry);
    this.slashLog(b, n, requestId, reason);
  }

  /** NodeSlashed in the current transaction: the contract takes at most the stake. */
  private slashLog(b: BlockBuilder, n: Node, requestId: Hex, reason: ReasonName): void {
    const amount = SLASH_AMOUNT[reason];
    const taken = amount < n.stake ? amount : n.stake;
    n.stake -= taken;
    this.touched.add(n);
    b.log(CONTRACTS.attestationRegistry, events.nodeSlashed(n.id, requestId, reason, taken, n.stake));
    this.count("NodeSlashed");
  }

  private deposit(b: BlockBuilder, n: Node, from: Hex, amount: bigint): void {
    n.stake += amount;
    b.begin(from, CONTRACTS.attestationRegistry).log(
      CONTRACTS.attestationRegistry,
      events.stakeDeposited(n.id, from, amount, n.stake),
    );
    this.count("StakeDeposited");
  }

  private topUps(b: BlockBuilder): void {
    for (const n of this.touched)
      if (n.stake - n.pending < TOP_UP_BELOW) this.deposit(b, n, n.operator, INITIAL_STAKE);
  }

  private completeWithdrawals(b: BlockBuilder, ts: number): void {
    this.withdrawalQueue = this.withdrawalQueue.filter((wd) => {
      // The registry refuses while a challenge against the node is open.
      if (ts < wd.unlockAt || wd.node.openChallenges > 0) return true;
      const n = wd.node;
      const paid = wd.amount < n.stake ? wd.amount : n.stake;
      n.stake -= paid;
      n.pending -= wd.amount;
      b.begin(n.operator, CONTRACTS.attestationRegistry).log(
        CONTRACTS.attestationRegistry,
        events.withdrawalCompleted(n.id, wd.id, paid),
      );
      this.count("WithdrawalCompleted");
      return false;
    });
  }
}
