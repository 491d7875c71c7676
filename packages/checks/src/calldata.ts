import {
  type Address,
  decodeAbiParameters,
  decodeFunctionData,
  type Hex,
  keccak256,
  parseAbi,
  toFunctionSelector,
} from "viem";
import { hexToBuffer } from "./hex.ts";

// Decoders for the TEE registry calls the indexer reads (spec/contracts.sol, ITEERegistry). Transaction input
// comes from anyone: anything that is not exactly such a call (another selector, garbage, truncated data, a
// call made through another contract, so the transaction's input is that contract's) gives undefined, never an
// exception. The caller should only decode the input of transactions sent to the registry itself, and match
// the result against the event (keccak256(signingPublicKey) == teeId via parseTeeKey; heartbeat teeId and
// timestamp equal to the HeartbeatReceived's).

const teeRegistryCalls = parseAbi([
  "function registerTEEWithAttestation(bytes attestationDocument, bytes signingPublicKey, bytes tlsCertificate, address paymentAddress, string endpoint, uint8 teeType) returns (bytes32 teeId)",
  "function heartbeat(bytes32 teeId, uint256 timestamp, bytes signature)",
]);

export const REGISTER_TEE_SELECTOR: Hex = toFunctionSelector(teeRegistryCalls[0]);
export const HEARTBEAT_SELECTOR: Hex = toFunctionSelector(teeRegistryCalls[1]);

export interface RegisterTeeCall {
  attestationDocument: Hex;
  signingPublicKey: Hex;
  tlsCertificate: Hex;
  paymentAddress: Address;
  endpoint: string;
  teeType: number;
  /**
   * keccak256(pcr0 ++ pcr1 ++ pcr2) when the attestation document is the devnet's abi.encode(bytes pcr0, bytes
   * pcr1, bytes pcr2); undefined for any other document. On OpenGradient's chain the document is an AWS Nitro
   * attestation (COSE_Sign1 / CBOR) with the PCRs inside it, which this does not parse: there the indexer falls
   * back to getTEE(teeId).pcrHash (spec/README.md, "TEE keys").
   */
  pcrHash: Hex | undefined;
}

export interface HeartbeatCall {
  teeId: Hex;
  timestamp: bigint;
  signature: Hex;
}

/** registerTEEWithAttestation's arguments from a transaction input, or undefined when it is not that call. */
export function decodeRegisterTee(input: Hex): RegisterTeeCall | undefined {
  const args = decodeCall(input, REGISTER_TEE_SELECTOR, "registerTEEWithAttestation");
  if (args === undefined) return undefined;
  const [attestationDocument, signingPublicKey, tlsCertificate, paymentAddress, endpoint, teeType] =
    args as readonly [Hex, Hex, Hex, Address, string, number];
  // Solidity's decoder reverts for a uint8 word above 255; such a call never registered anything.
  if (!Number.isInteger(teeType) || teeType < 0 || teeType > 255) return undefined;
  return {
    attestationDocument,
    signingPublicKey,
    tlsCertificate,
    paymentAddress,
    endpoint,
    teeType,
    pcrHash: devnetPcrHash(attestationDocument),
  };
}

/** heartbeat's arguments from a transaction input, or undefined when it is not that call. */
export function decodeHeartbeat(input: Hex): HeartbeatCall | undefined {
  const args = decodeCall(input, HEARTBEAT_SELECTOR, "heartbeat");
  if (args === undefined) return undefined;
  const [teeId, timestamp, signature] = args as readonly [Hex, bigint, Hex];
  return { teeId, timestamp, signature };
}

/**
 * keccak256(abi.encodePacked(pcr0, pcr1, pcr2)) of a devnet attestation document (abi.encode(bytes, bytes,
 * bytes), as the devnet registry decodes it), or undefined when the document is not that shape.
 */
export function devnetPcrHash(attestationDocument: Hex): Hex | undefined {
  if (hexToBuffer(attestationDocument) === undefined) return undefined;
  try {
    const [pcr0, pcr1, pcr2] = decodeAbiParameters(
      [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
      attestationDocument,
    );
    return keccak256(`0x${pcr0.slice(2)}${pcr1.slice(2)}${pcr2.slice(2)}`);
  } catch {
    return undefined; // e.g. a Nitro CBOR document: its first word is no sane offset
  }
}

function decodeCall(input: Hex, selector: Hex, name: string): readonly unknown[] | undefined {
  // Selector first: most inputs are other calls, and the text check is free.
  if (typeof input !== "string" || input.length < 10 || input.slice(0, 10).toLowerCase() !== selector) {
    return undefined;
  }
  if (hexToBuffer(input) === undefined) return undefined;
  try {
    // viem matches the selector case-sensitively, in lower case.
    const decoded = decodeFunctionData({ abi: teeRegistryCalls, data: input.toLowerCase() as Hex });
    return decoded.functionName === name ? decoded.args : undefined;
  } catch {
    return undefined;
  }
}
