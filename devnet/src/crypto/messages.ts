import { encodePacked, type Hex, hexToBytes, isHex, keccak256 } from "viem";

// The hashes the spec builds with abi.encodePacked (shared/spec/contracts.sol). Each is 32 bytes; the first two
// are what a TEE signs with RSA-PSS.

/** keccak256(abi.encodePacked(bytes32 inputHash, bytes32 outputHash, uint256 timestamp)): signed by the TEE. */
export function settlementMessage(inputHash: Hex, outputHash: Hex, timestamp: bigint): Hex {
  return keccak256(encodePacked(["bytes32", "bytes32", "uint256"], [inputHash, outputHash, timestamp]));
}

/** keccak256(abi.encodePacked(bytes32 teeId, uint256 timestamp)): signed by the TEE. */
export function heartbeatMessage(teeId: Hex, timestamp: bigint): Hex {
  return keccak256(encodePacked(["bytes32", "uint256"], [teeId, timestamp]));
}

/** keccak256(abi.encodePacked(bytes32 outputHash, bytes32 salt)): an inference's commit, opened by its reveal. */
export function inferenceCommitment(outputHash: Hex, salt: Hex): Hex {
  return keccak256(encodePacked(["bytes32", "bytes32"], [outputHash, salt]));
}

/** The bytes of a 32-byte message; throws for anything else, which would be a bug in the caller. */
export function message32ToBytes(message32: Hex): Uint8Array {
  if (!isHex(message32, { strict: true }) || message32.length !== 66) {
    throw new TypeError(`Got message ${message32}, expected 32 bytes of 0x hex (a keccak256 hash)`);
  }
  return hexToBytes(message32);
}
