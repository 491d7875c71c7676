/**
 * The reference's own cryptography (spec/README.md, spec/contracts.sol), with node:crypto and viem only:
 * RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over a 32-byte keccak message, the three abi.encodePacked messages,
 * and the TEE key rule (keccak256(key) == teeId, an RSA SubjectPublicKeyInfo of 2048..8192 bits).
 */
import { constants, createPublicKey, type KeyObject, verify } from "node:crypto";
import { encodePacked, type Hex, keccak256 } from "viem";

export type KeyStatus = "VALID" | "MISMATCH" | "MALFORMED" | "UNKNOWN";

function bytes(hex: Hex): Buffer {
  return Buffer.from(hex.slice(2), "hex");
}

/** keccak256(abi.encodePacked(bytes32 inputHash, bytes32 outputHash, uint256 timestamp)). */
export function settlementMessage(inputHash: Hex, outputHash: Hex, timestamp: bigint): Hex {
  return keccak256(encodePacked(["bytes32", "bytes32", "uint256"], [inputHash, outputHash, timestamp]));
}

/** keccak256(abi.encodePacked(bytes32 teeId, uint256 timestamp)). */
export function heartbeatMessage(teeId: Hex, timestamp: bigint): Hex {
  return keccak256(encodePacked(["bytes32", "uint256"], [teeId, timestamp]));
}

/** keccak256(abi.encodePacked(bytes32 outputHash, bytes32 salt)). */
export function commitmentOf(outputHash: Hex, salt: Hex): Hex {
  return keccak256(encodePacked(["bytes32", "bytes32"], [outputHash, salt]));
}

/** The key's status for this TEE id, and the parsed key when VALID. */
export function teeKey(publicKeyDer: Hex, teeId: Hex): { status: KeyStatus; key?: KeyObject } {
  if (keccak256(publicKeyDer).toLowerCase() !== teeId.toLowerCase()) return { status: "MISMATCH" };
  try {
    const key = createPublicKey({ key: bytes(publicKeyDer), format: "der", type: "spki" });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== "rsa" || bits < 2048 || bits > 8192) return { status: "MALFORMED" };
    return { status: "VALID", key };
  } catch {
    return { status: "MALFORMED" };
  }
}

/** RSA-PSS verification of a signature over the 32-byte message (RSA digest = sha256(message)). */
export function pssVerifies(key: KeyObject, message32: Hex, signature: Hex): boolean {
  try {
    return verify(
      "sha256",
      bytes(message32),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      bytes(signature),
    );
  } catch {
    return false;
  }
}
