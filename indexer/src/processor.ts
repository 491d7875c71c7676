import {
  type Log as _Log,
  type Transaction as _Transaction,
  type BlockHeader,
  type DataHandlerContext,
  EvmBatchProcessor,
  type EvmBatchProcessorFields,
} from "@subsquid/evm-processor";
import * as attestationRegistry from "./abi/AttestationRegistry";
import * as settlementRelay from "./abi/InferenceSettlementRelay";
import * as legacyTeeRegistry from "./abi/LegacyTEERegistry";
import * as graceTeeRegistry from "./abi/LegacyTEERegistry758e149";
import * as teeRegistry from "./abi/TEERegistry";
import { rpcWithoutLogTransactions } from "./calldata/hot-requests.ts";
import type { ContractAddresses, IndexerConfig } from "./config.ts";

// The squid's data source: which logs of which contracts, with which fields (squid-evm-template layout).

/**
 * What the processor fetches. Over RPC no log asks for its transaction (`transaction: true` makes the RPC data source
 * fetch every block of the range whole); the calldata the mapping decodes is read by hash instead
 * (calldata/transaction-inputs.ts). A gateway serves those logs' transactions with them (calldata/hot-requests.ts,
 * docs/decisions/007-calldata-by-transaction-hash.md).
 */
export const FIELDS = {
  block: { timestamp: true, hash: true },
  log: { transactionHash: true, logIndex: true, data: true, topics: true, address: true },
  transaction: { input: true, hash: true, from: true, to: true },
} as const;

/** The events of each contract (spec/contracts.sol). Role events of the devnet's access control are not read. */
export const TOPICS = {
  teeRegistry: [
    teeRegistry.events.TEETypeAdded.topic,
    teeRegistry.events.PCRApproved.topic,
    teeRegistry.events.PCRRevoked.topic,
    teeRegistry.events.TEEDisabled.topic,
    teeRegistry.events.TEEEnabled.topic,
    // OpenGradient's earlier registries (og-evm 6030478 and 758e149, docs/decisions/005): other topic0s for the
    // same facts, indexed as their current equivalents.
    legacyTeeRegistry.events.PCRRevoked.topic,
    legacyTeeRegistry.events.TEEDeactivated.topic,
    legacyTeeRegistry.events.TEEActivated.topic,
    legacyTeeRegistry.events.TEETypeDeactivated.topic,
    graceTeeRegistry.events.TEERemoved.topic,
  ],
  /**
   * The mapping decodes registerTEEWithAttestation and heartbeat calldata, so the batch handler reads these logs'
   * transactions (by hash); 758e149's revokePCR calldata, whose TEE type its PCRRevoked(pcrHash, gracePeriod) does
   * not carry; and 6030478's approvePCR calldata, whose previousPcrHash and gracePeriod set the previous PCR's
   * expiry (no event).
   */
  teeRegistryWithTransaction: [
    teeRegistry.events.TEERegistered.topic,
    teeRegistry.events.HeartbeatReceived.topic,
    graceTeeRegistry.events.PCRRevoked.topic,
    legacyTeeRegistry.events.PCRApproved.topic,
  ],
  settlementRelay: [
    settlementRelay.events.IndividualSettlement.topic,
    settlementRelay.events.BatchSettlement.topic,
  ],
  attestationRegistry: [
    attestationRegistry.events.StakeDeposited.topic,
    attestationRegistry.events.WithdrawalRequested.topic,
    attestationRegistry.events.WithdrawalCompleted.topic,
    attestationRegistry.events.ModelRegistered.topic,
    attestationRegistry.events.ModelDeprecated.topic,
    attestationRegistry.events.InferenceCommitted.topic,
    attestationRegistry.events.InferenceRevealed.topic,
    attestationRegistry.events.InferenceVerified.topic,
    attestationRegistry.events.ChallengeOpened.topic,
    attestationRegistry.events.ChallengeResolved.topic,
    attestationRegistry.events.NodeSlashed.topic,
  ],
};

/** The settings a processor was built with (addresses lowercased), for the mapping and the logs. */
export interface ProcessorSettings {
  rpcUrl: string;
  rpcRateLimit: number | undefined;
  gatewayUrl: string | undefined;
  addresses: ContractAddresses;
  startBlock: number;
  finalityConfirmations: number;
  headPollIntervalMs: number;
  prometheusPort: number | undefined;
  /** A request that has not answered after this long is abandoned and retried (a stalled endpoint). */
  rpcRequestTimeoutMs: number;
}

export function processorSettings(config: IndexerConfig): ProcessorSettings {
  return {
    rpcUrl: config.rpcUrl,
    rpcRateLimit: config.rpcRateLimit,
    gatewayUrl: config.gatewayUrl,
    addresses: {
      teeRegistry: config.addresses.teeRegistry.toLowerCase(),
      settlementRelay: config.addresses.settlementRelay.toLowerCase(),
      attestationRegistry: config.addresses.attestationRegistry?.toLowerCase(),
    },
    startBlock: config.startBlock,
    finalityConfirmations: config.finalityConfirmations,
    headPollIntervalMs: config.headPollIntervalMs,
    prometheusPort: config.prometheusPort,
    rpcRequestTimeoutMs: config.rpcRequestTimeoutMs,
  };
}

/** The processor without its log requests: data source, finality, range and fields (shared with the bench). */
export function baseProcessor(settings: ProcessorSettings) {
  const processor = new EvmBatchProcessor()
    // The SDK's RPC client retries connection errors `retryAttempts` times (here: until MAX_OUTAGE_SECONDS, see
    // faults/rpc-client.ts, which also widens what counts as retryable) and abandons a request after requestTimeout.
    .setRpcEndpoint({
      url: settings.rpcUrl,
      rateLimit: settings.rpcRateLimit,
      requestTimeout: settings.rpcRequestTimeoutMs,
      retryAttempts: Number.MAX_SAFE_INTEGER,
    })
    // Blocks closer than this to the head are hot: indexed at once, rolled back on a reorg.
    .setFinalityConfirmation(settings.finalityConfirmations)
    // The default head poll (5 s) would add seconds of latency on a devnet that mines every second.
    .setRpcDataIngestionSettings({ headPollInterval: settings.headPollIntervalMs })
    .setBlockRange({ from: settings.startBlock })
    .setFields(FIELDS);
  if (settings.gatewayUrl) processor.setGateway(settings.gatewayUrl);
  if (settings.prometheusPort !== undefined) processor.setPrometheusPort(settings.prometheusPort);
  return processor;
}

export function createProcessor(settings: ProcessorSettings) {
  const { teeRegistry: tee, settlementRelay: relay, attestationRegistry: att } = settings.addresses;
  const gateway = settings.gatewayUrl !== undefined;
  const processor = baseProcessor(settings)
    .addLog({ address: [tee], topic0: TOPICS.teeRegistry })
    .addLog({ address: [tee], topic0: TOPICS.teeRegistryWithTransaction, transaction: gateway })
    .addLog({ address: [relay], topic0: TOPICS.settlementRelay });
  // The gateway answers `transaction: true` with only these logs' transactions; the RPC data source would fetch
  // whole blocks for it, so it gets the requests without (its logs' calldata is then read by hash).
  if (gateway) rpcWithoutLogTransactions(processor);
  // Without an attestation registry (OpenGradient's network) only the TEE registry and the relay are read.
  if (att) processor.addLog({ address: [att], topic0: TOPICS.attestationRegistry });
  return processor;
}

export type Fields = EvmBatchProcessorFields<ReturnType<typeof createProcessor>>;
export type Block = BlockHeader<Fields>;
export type Log = _Log<Fields>;
export type Transaction = _Transaction<Fields>;
export type ProcessorContext<Store> = DataHandlerContext<Store, Fields>;
