import { type Address, encodeAbiParameters, type Hex, keccak256, toHex } from "viem";
import type { Rng } from "../crypto/rng.ts";
import { generateTeeKey, type TeeSigningKey } from "../crypto/rsa-keygen.ts";
import { MODE, MODEL_CATALOGUE, type ModeName } from "./models.ts";
import { defaultProfiles, type NodeProfile } from "./profiles.ts";

/** A PCR set a TEE image measures to; its hash is keccak256(pcr0 ++ pcr1 ++ pcr2). */
export interface PcrSet {
  label: string;
  teeType: number;
  version: string;
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
  hash: Hex;
}

export interface SimNode {
  index: number;
  profile: NodeProfile;
  /** TEE id = keccak256(publicKeyDer); for a ghost, a random id that no TEE has. */
  id: Hex;
  key?: TeeSigningKey;
  owner: Address;
  operator: Address;
  paymentAddress: Address;
  endpoint: string;
  pcr?: PcrSet;
}

export interface SimModel {
  index: number;
  id: Hex;
  owner: Address;
  name: string;
  version: string;
  mode: ModeName;
  modeId: number;
  contentHash: Hex;
  blobId: string;
  weight: number;
}

export interface Roles {
  deployer: Address;
  keeper: Address;
  challengers: Address[];
  modelOwners: Address[];
}

export interface World {
  roles: Roles;
  teeTypes: { id: number; name: string }[];
  pcrs: PcrSet[];
  /** The PCR that gets revoked during the run (and later re-approved). */
  revokedPcr: PcrSet;
  nodes: SimNode[];
  models: SimModel[];
  /** Settles before it registers, then registers halfway through. */
  latecomer: SimNode;
  /** Settles but never registers (its settlements stay UNKNOWN). */
  stranger: TeeSigningKey;
  /** A key that is not the node's, for forged signatures. */
  impostor: TeeSigningKey;
}

export const FIRST_NODE_ACCOUNT = 8;

export function accountsNeeded(nodes: number): number {
  return FIRST_NODE_ACCOUNT + nodes + 1;
}

/** A PCR set of random measurements. */
export function pcrSet(rng: Rng, label: string, teeType: number, version: string): PcrSet {
  const pcr0 = toHex(rng.bytes(48));
  const pcr1 = toHex(rng.bytes(48));
  const pcr2 = toHex(rng.bytes(48));
  return {
    label,
    teeType,
    version,
    pcr0,
    pcr1,
    pcr2,
    hash: keccak256(`0x${pcr0.slice(2)}${pcr1.slice(2)}${pcr2.slice(2)}`),
  };
}

/** The attestation document the devnet registry takes: abi.encode(bytes pcr0, bytes pcr1, bytes pcr2). */
export function attestationDocument(pcr: PcrSet): Hex {
  return encodeAbiParameters(
    [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
    [pcr.pcr0, pcr.pcr1, pcr.pcr2],
  );
}

/** Everything fixed by the seed: accounts' roles, nodes with their RSA keys and profiles, models, PCRs. */
export function buildWorld(rng: Rng, accounts: Address[], nodeCount: number): World {
  if (nodeCount < 4) throw new Error(`Got nodes=${nodeCount}, expected at least 4 (one of each profile)`);
  if (accounts.length < accountsNeeded(nodeCount)) {
    throw new Error(
      `the chain has ${accounts.length} unlocked accounts, expected at least ${accountsNeeded(nodeCount)} for ${nodeCount} nodes (start anvil with --accounts ${accountsNeeded(nodeCount)})`,
    );
  }
  const roles: Roles = {
    deployer: accounts[0],
    modelOwners: [accounts[1], accounts[2]],
    keeper: accounts[3],
    challengers: [accounts[4], accounts[5]],
  };
  const teeTypes = [
    { id: 1, name: "AWS Nitro Enclaves" },
    { id: 2, name: "Intel TDX" },
  ];
  const pcrRng = rng.fork("pcrs");
  const pcrs = [
    pcrSet(pcrRng, "nitro-v1", 1, "og-tee-1.0.0"),
    pcrSet(pcrRng, "nitro-v2", 1, "og-tee-1.1.0"),
    pcrSet(pcrRng, "tdx-v1", 2, "og-tdx-2026.1"),
  ];
  const profiles = defaultProfiles(nodeCount);
  const nodes: SimNode[] = profiles.map((profile, index) => {
    const nodeRng = rng.fork(`node:${index}`);
    const owner = accounts[FIRST_NODE_ACCOUNT + index];
    // Node 0 stakes through a separate staking account, so owner and operator differ somewhere.
    const operator = index === 0 ? accounts[6] : owner;
    const paymentAddress = toHex(nodeRng.bytes(20));
    if (profile === "ghost") {
      return { index, profile, id: nodeRng.bytes32(), owner, operator, paymentAddress, endpoint: "" };
    }
    const key = generateTeeKey(nodeRng.fork("key"));
    return {
      index,
      profile,
      id: key.teeId,
      key,
      owner,
      operator,
      paymentAddress,
      endpoint: `https://node-${index}.tee.devnet.example:8443`,
      // Node 4 runs the image whose PCRs get revoked; the rest spread over the others.
      pcr: index === 4 || (index > 4 && index % 6 === 4) ? pcrs[0] : pcrs[1 + (index % 2)],
    };
  });
  const modelRng = rng.fork("models");
  const models: SimModel[] = MODEL_CATALOGUE.map((spec, index) => ({
    index,
    id: keccak256(toHex(`${spec.name}@${spec.version}`)),
    owner: roles.modelOwners[index % 2],
    name: spec.name,
    version: spec.version,
    mode: spec.mode,
    modeId: MODE[spec.mode],
    contentHash: modelRng.bytes32(),
    blobId: `walrus:${toHex(modelRng.bytes(16)).slice(2)}`,
    weight: spec.weight,
  }));
  const lateRng = rng.fork("latecomer");
  const lateKey = generateTeeKey(lateRng.fork("key"));
  const latecomer: SimNode = {
    index: nodeCount,
    profile: "honest",
    id: lateKey.teeId,
    key: lateKey,
    owner: accounts[FIRST_NODE_ACCOUNT + nodeCount],
    operator: accounts[FIRST_NODE_ACCOUNT + nodeCount],
    paymentAddress: toHex(lateRng.bytes(20)),
    endpoint: "https://latecomer.tee.devnet.example",
    pcr: pcrs[1],
  };
  return {
    roles,
    teeTypes,
    pcrs,
    revokedPcr: pcrs[0],
    nodes,
    models,
    latecomer,
    stranger: generateTeeKey(rng.fork("stranger")),
    impostor: generateTeeKey(rng.fork("impostor")),
  };
}
