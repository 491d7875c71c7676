import { type Address, encodeDeployData, type Hex } from "viem";
import { loadArtifact } from "./artifacts.ts";
import { waitForReceipts } from "./receipts.ts";
import type { JsonRpc } from "./rpc.ts";

export interface Deployment {
  chainId: number;
  rpcUrl: string;
  deployer: Address;
  /** Block of the first contract creation: where an indexer of this devnet starts. */
  deploymentBlock: number;
  startBlock: number;
  addresses: { teeRegistry: Address; settlementRelay: Address; attestationRegistry: Address };
}

/**
 * Deploys the three contracts from `deployer` (an unlocked dev account, which then holds every role).
 * With `mine`, mines a block after each creation (for a chain started with --no-mining). With `fixedTimes`, each of
 * those blocks is one second after its parent instead of at anvil's clock, so a chain started at a fixed genesis
 * time is the same on every run however long the deployment takes (reproducible bulk runs).
 */
export async function deployContracts(
  rpc: JsonRpc,
  deployer: Address,
  mine: boolean,
  options: { fixedTimes?: boolean } = {},
): Promise<Deployment> {
  const mineBlock = async () => {
    if (!options.fixedTimes) return rpc.call("evm_mine", []);
    const parent = await rpc.call<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
    return rpc.call("evm_mine", [Number(parent.timestamp) + 1]);
  };
  const create = async (data: Hex) => {
    const hash = await rpc.call<Hex>("eth_sendTransaction", [{ from: deployer, data, gas: "0x1c9c380" }]);
    if (mine) await mineBlock();
    const [receipt] = await waitForReceipts(rpc, [hash]);
    if (!receipt.contractAddress) throw new Error(`contract creation ${hash} produced no address`);
    return { address: receipt.contractAddress, block: Number(receipt.blockNumber) };
  };
  const registry = loadArtifact("TEERegistry");
  const relay = loadArtifact("InferenceSettlementRelay");
  const attestation = loadArtifact("AttestationRegistry");
  const tee = await create(encodeDeployData({ abi: registry.abi, bytecode: registry.bytecode }));
  const rel = await create(
    encodeDeployData({ abi: relay.abi, bytecode: relay.bytecode, args: [tee.address] }),
  );
  const att = await create(encodeDeployData({ abi: attestation.abi, bytecode: attestation.bytecode }));
  const chainId = Number(await rpc.call<Hex>("eth_chainId"));
  return {
    chainId,
    rpcUrl: rpc.url,
    deployer,
    deploymentBlock: tee.block,
    startBlock: tee.block,
    addresses: { teeRegistry: tee.address, settlementRelay: rel.address, attestationRegistry: att.address },
  };
}
