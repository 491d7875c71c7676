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
 * With `mine`, mines a block after each creation (for a chain started with --no-mining).
 */
export async function deployContracts(rpc: JsonRpc, deployer: Address, mine: boolean): Promise<Deployment> {
  const create = async (data: Hex) => {
    const hash = await rpc.call<Hex>("eth_sendTransaction", [{ from: deployer, data, gas: "0x1c9c380" }]);
    if (mine) await rpc.call("evm_mine", []);
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
