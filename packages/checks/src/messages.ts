import { type Hex, keccak256 } from "viem";
import { write32 } from "./hex.ts";

// The hashes spec/contracts.sol builds with abi.encodePacked. Every field is 32 bytes wide (bytes32, or uint256
// as a big-endian word), so encodePacked is plain concatenation: the fields are written into one preallocated
// buffer and hashed with viem's keccak256 (about 25% faster than encodePacked + keccak256, which matters at
// hundreds of thousands of settlements; keccak itself is most of the cost). Malformed input is a bug in the
// caller (event and calldata decoders only produce bytes32 and uint256) and throws.

const UINT256_MAX = (1n << 256n) - 1n;
// Single-threaded JS: the scratch buffers are never used by two calls at once. keccak256 reads them before
// returning and keeps no reference.
const scratch96 = Buffer.alloc(96);
const scratch64 = Buffer.alloc(64);

/** keccak256(abi.encodePacked(bytes32 inputHash, bytes32 outputHash, uint256 timestamp)): what a TEE signs for a settlement. */
export function settlementMessage(inputHash: Hex, outputHash: Hex, timestamp: bigint): Hex {
  put32(scratch96, 0, inputHash, "inputHash");
  put32(scratch96, 32, outputHash, "outputHash");
  putUint256(scratch96, 64, timestamp);
  return keccak256(scratch96);
}

/** keccak256(abi.encodePacked(bytes32 teeId, uint256 timestamp)): what a TEE signs for a heartbeat. */
export function heartbeatMessage(teeId: Hex, timestamp: bigint): Hex {
  put32(scratch64, 0, teeId, "teeId");
  putUint256(scratch64, 32, timestamp);
  return keccak256(scratch64);
}

/**
 * The commitments computed last, by outputHash and salt as given. The indexer judges an inference again at each of
 * its later events (verdict, settlement link, re-check) with the same reveal: keccak was a tenth of its CPU time
 * during a catch-up, mostly recomputing these. Emptied whole when full (about 6 MB).
 */
const recentCommitments = new Map<string, Hex>();
const RECENT_COMMITMENTS = 20_000;

/** keccak256(abi.encodePacked(bytes32 outputHash, bytes32 salt)): an inference's commitment, opened by its reveal. */
export function commitmentOf(outputHash: Hex, salt: Hex): Hex {
  const key = outputHash + salt;
  const known = recentCommitments.get(key);
  if (known !== undefined) return known;
  put32(scratch64, 0, outputHash, "outputHash");
  put32(scratch64, 32, salt, "salt");
  const commitment = keccak256(scratch64);
  if (recentCommitments.size >= RECENT_COMMITMENTS) recentCommitments.clear();
  recentCommitments.set(key, commitment);
  return commitment;
}

function put32(target: Buffer, offset: number, value: Hex, name: string): void {
  if (!write32(target, offset, value)) {
    throw new TypeError(`Got ${name}=${String(value)}, expected 32 bytes of 0x hex`);
  }
}

function putUint256(target: Buffer, offset: number, value: bigint): void {
  if (typeof value !== "bigint" || value < 0n || value > UINT256_MAX) {
    throw new RangeError(`Got timestamp=${String(value)}, expected a uint256 bigint`);
  }
  target.write(value.toString(16).padStart(64, "0"), offset, 32, "hex");
}
