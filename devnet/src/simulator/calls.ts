import { type Abi, type Address, encodeFunctionData, keccak256, toHex } from "viem";
import { loadArtifact } from "../chain/artifacts.ts";
import type { PlannedTx } from "../chain/block-writer.ts";

export interface ContractAddresses {
  teeRegistry: Address;
  settlementRelay: Address;
  attestationRegistry: Address;
}

/** Encodes the three contracts' calls into planned transactions. */
export class Calls {
  private readonly teeAbi: Abi = loadArtifact("TEERegistry").abi;
  private readonly relayAbi: Abi = loadArtifact("InferenceSettlementRelay").abi;
  private readonly attAbi: Abi = loadArtifact("AttestationRegistry").abi;

  constructor(readonly addresses: ContractAddresses) {}

  private call(
    to: Address,
    abi: Abi,
    from: Address,
    functionName: string,
    args: unknown[],
    value?: bigint,
  ): PlannedTx {
    return { from, to, data: encodeFunctionData({ abi, functionName, args }), value };
  }

  teeRegistry(from: Address, fn: string, args: unknown[]): PlannedTx {
    return this.call(this.addresses.teeRegistry, this.teeAbi, from, fn, args);
  }

  relay(from: Address, fn: string, args: unknown[]): PlannedTx {
    return this.call(this.addresses.settlementRelay, this.relayAbi, from, fn, args);
  }

  registry(from: Address, fn: string, args: unknown[], value?: bigint): PlannedTx {
    return this.call(this.addresses.attestationRegistry, this.attAbi, from, fn, args, value);
  }
}

/** Role ids of the devnet contracts (keccak256 of the role name, as in contracts/src). */
export const TEE_OPERATOR_ROLE = keccak256(toHex("TEE_OPERATOR_ROLE"));
