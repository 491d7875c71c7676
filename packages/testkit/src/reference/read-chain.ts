/**
 * Reads what the reference fold needs straight from the chain with viem: every log of the three contracts over a
 * block range (decoded with the ABIs in contracts/out), the hash and timestamp of each block that holds one, and the
 * calldata of the transactions whose logs need it (TEE registrations, heartbeats). Independent of the indexer's code.
 */
import { readFileSync } from "node:fs";
import {
  type Abi,
  type Address,
  createPublicClient,
  decodeEventLog,
  type Hex,
  http,
  numberToHex,
  type PublicClient,
  parseAbi,
} from "viem";

export interface ContractAddresses {
  teeRegistry: Address;
  settlementRelay: Address;
  /** Absent: the chain is read as a network without it (OpenGradient's two contracts). */
  attestationRegistry?: Address;
}

export type ContractName = "TEERegistry" | "InferenceSettlementRelay" | "AttestationRegistry";

/** Where a log sits on the chain. */
export interface LogPosition {
  block: number;
  blockHash: Hex;
  /** Block timestamp, unix seconds. */
  ts: number;
  tx: Hex;
  txIndex: number;
  logIndex: number;
}

/** A decoded log: event name and arguments with every hex string and address lowercased. */
export interface DecodedLog {
  contract: ContractName;
  address: Address;
  name: string;
  args: Record<string, unknown>;
  pos: LogPosition;
}

export interface UndecodableLog {
  address: Address;
  topic0: Hex | null;
  data: Hex;
  error: string;
  pos: LogPosition;
}

export interface TxInput {
  to: Address | null;
  input: Hex;
}

export interface ChainData {
  addresses: ContractAddresses;
  fromBlock: number;
  toBlock: number;
  /** Hash and timestamp of toBlock: the reputation time T. */
  head: { number: number; hash: Hex; timestamp: number };
  logs: DecodedLog[];
  undecodable: UndecodableLog[];
  /** Calldata of the transactions that emitted TEERegistered or HeartbeatReceived, by lowercase hash. */
  txInputs: Map<string, TxInput>;
  /** getTEE(teeId) answers for registrations whose calldata did not decode (filled by the caller), by TEE id. */
  getTee: Map<string, TeeInfo | null>;
}

/** What getTEE says about a TEE (lowercase hex). */
export interface TeeInfo {
  publicKey: string;
  pcrHash: string;
  endpoint: string;
  paymentAddress: string;
}

/**
 * getTEE(teeId) at `block`, or at the latest block when the node keeps no state that old (spec/README.md, "TEE
 * keys"); null when neither answers.
 */
export async function readGetTee(
  rpcUrl: string,
  registry: Address,
  teeId: Hex,
  block: number,
): Promise<TeeInfo | null> {
  const client = referenceClient(rpcUrl);
  for (const blockNumber of [BigInt(block), undefined]) {
    try {
      const info = (await client.readContract({
        address: registry,
        abi: contractAbi("TEERegistry"),
        functionName: "getTEE",
        args: [teeId],
        blockNumber,
      })) as { publicKey: Hex; pcrHash: Hex; endpoint: string; paymentAddress: Address };
      return {
        publicKey: info.publicKey.toLowerCase(),
        pcrHash: info.pcrHash.toLowerCase(),
        endpoint: info.endpoint,
        paymentAddress: info.paymentAddress.toLowerCase(),
      };
    } catch {
      // no state at that block (or an unknown TEE): try the latest block
    }
  }
  return null;
}

const artifactCache = new Map<ContractName, Abi>();

/** The ABI of contracts/out/<name>.json. */
export function contractAbi(name: ContractName): Abi {
  const hit = artifactCache.get(name);
  if (hit) return hit;
  const url = new URL(`../../../../contracts/out/${name}.json`, import.meta.url);
  const abi = (JSON.parse(readFileSync(url, "utf8")) as { abi: Abi }).abi;
  artifactCache.set(name, abi);
  return abi;
}

/** Older OpenGradient registries emit a one-argument PCRRevoked (spec/contracts.sol). */
const LEGACY_TEE_EVENTS = parseAbi(["event PCRRevoked(bytes32 indexed pcrHash)"]);

interface RawLog {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: Hex;
  logIndex: Hex;
  removed?: boolean;
}

export function lowerDeep(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(lowerDeep);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = lowerDeep(v);
    return out;
  }
  return value;
}

export function referenceClient(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl, { batch: { batchSize: 200 }, timeout: 60_000 }) });
}

/**
 * Reads blocks [fromBlock, toBlock] (toBlock defaults to the head) of the three contracts. Throws if the chain
 * moved underneath (a log's block hash differs from the block read for it).
 */
export async function readChain(opts: {
  rpcUrl: string;
  addresses: ContractAddresses;
  fromBlock: number;
  toBlock?: number;
}): Promise<ChainData> {
  const client = referenceClient(opts.rpcUrl);
  const addresses = lowerDeep(opts.addresses) as ContractAddresses;
  const toBlock = opts.toBlock ?? Number(await client.getBlockNumber({ cacheTime: 0 }));
  const byAddress = new Map<string, ContractName>([
    [addresses.teeRegistry, "TEERegistry"],
    [addresses.settlementRelay, "InferenceSettlementRelay"],
  ]);
  if (addresses.attestationRegistry) byAddress.set(addresses.attestationRegistry, "AttestationRegistry");

  const raw: RawLog[] = [];
  const CHUNK = 2_000;
  for (let from = opts.fromBlock; from <= toBlock; from += CHUNK) {
    const to = Math.min(toBlock, from + CHUNK - 1);
    const logs = (await client.request({
      method: "eth_getLogs",
      params: [
        {
          address: [...byAddress.keys()] as Address[],
          fromBlock: numberToHex(from),
          toBlock: numberToHex(to),
        },
      ],
    })) as unknown as RawLog[];
    raw.push(...logs);
  }

  // Blocks: every block holding a log, and the head.
  const blockNumbers = [...new Set([...raw.map((l) => Number(l.blockNumber)), toBlock])].sort(
    (a, b) => a - b,
  );
  const blocks = new Map<number, { hash: Hex; timestamp: number }>();
  const fetched = await Promise.all(
    blockNumbers.map((n) => client.getBlock({ blockNumber: BigInt(n), includeTransactions: false })),
  );
  fetched.forEach((b, i) => {
    blocks.set(blockNumbers[i], { hash: b.hash.toLowerCase() as Hex, timestamp: Number(b.timestamp) });
  });

  const logs: DecodedLog[] = [];
  const undecodable: UndecodableLog[] = [];
  for (const l of raw) {
    if (l.removed) throw new Error(`eth_getLogs returned a removed log in block ${Number(l.blockNumber)}`);
    const block = blocks.get(Number(l.blockNumber));
    if (!block || block.hash !== l.blockHash.toLowerCase()) {
      throw new Error(
        `the chain moved while it was read: log in block ${Number(l.blockNumber)} has hash ${l.blockHash}, the block read has ${block?.hash}`,
      );
    }
    const pos: LogPosition = {
      block: Number(l.blockNumber),
      blockHash: block.hash,
      ts: block.timestamp,
      tx: l.transactionHash.toLowerCase() as Hex,
      txIndex: Number(l.transactionIndex),
      logIndex: Number(l.logIndex),
    };
    const address = l.address.toLowerCase() as Address;
    const contract = byAddress.get(address);
    if (!contract) throw new Error(`eth_getLogs returned a log of ${address}, which was not asked for`);
    const abis: Abi[] = [contractAbi(contract)];
    if (contract === "TEERegistry") abis.push(LEGACY_TEE_EVENTS as Abi);
    let decoded: { eventName: string; args: unknown } | undefined;
    let error = "";
    for (const abi of abis) {
      try {
        decoded = decodeEventLog({
          abi,
          data: l.data,
          topics: l.topics as [Hex, ...Hex[]],
          strict: true,
        }) as {
          eventName: string;
          args: unknown;
        };
        break;
      } catch (e) {
        error = (e as Error).message.split("\n")[0];
      }
    }
    if (!decoded) {
      undecodable.push({
        address,
        topic0: (l.topics[0]?.toLowerCase() as Hex) ?? null,
        data: l.data,
        error,
        pos,
      });
      continue;
    }
    logs.push({
      contract,
      address,
      name: decoded.eventName,
      args: lowerDeep(decoded.args) as Record<string, unknown>,
      pos,
    });
  }
  logs.sort((a, b) => a.pos.block - b.pos.block || a.pos.logIndex - b.pos.logIndex);

  const needInput = [
    ...new Set(
      logs.filter((l) => l.name === "TEERegistered" || l.name === "HeartbeatReceived").map((l) => l.pos.tx),
    ),
  ];
  const txInputs = new Map<string, TxInput>();
  const txs = await Promise.all(needInput.map((hash) => client.getTransaction({ hash })));
  txs.forEach((t, i) => {
    txInputs.set(needInput[i], {
      to: (t.to?.toLowerCase() as Address) ?? null,
      input: t.input.toLowerCase() as Hex,
    });
  });

  const head = blocks.get(toBlock) as { hash: Hex; timestamp: number };
  return {
    addresses,
    fromBlock: opts.fromBlock,
    toBlock,
    head: { number: toBlock, hash: head.hash, timestamp: head.timestamp },
    logs,
    undecodable,
    txInputs,
    getTee: new Map(),
  };
}
