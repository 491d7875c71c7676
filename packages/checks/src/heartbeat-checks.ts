import type { KeyObject } from "node:crypto";
import type { Hex } from "viem";
import type { HeartbeatCall } from "./calldata.ts";
import { type Check, passIf } from "./check-result.ts";
import { sameHex } from "./hex.ts";
import { heartbeatMessage } from "./messages.ts";
import { verifyPssSignature } from "./rsa-pss.ts";

// spec/README.md, "Heartbeats": the signature is read from the heartbeat call's calldata and verified with the
// settlement scheme over keccak256(abi.encodePacked(teeId, uint256 timestamp)).

/**
 * A HeartbeatReceived's signature check:
 * - UNKNOWN when the calldata did not decode as heartbeat (`call` undefined: e.g. a call through another
 *   contract), when it is not this heartbeat (another teeId or timestamp), or when the TEE's key is unknown;
 * - otherwise PASS or FAIL by RSA-PSS.
 */
export function heartbeatSignatureCheck(input: {
  key: KeyObject | undefined;
  event: { teeId: Hex; timestamp: bigint };
  call: HeartbeatCall | undefined;
}): Check {
  const { key, event, call } = input;
  if (call === undefined || key === undefined) return "UNKNOWN";
  if (!sameHex(call.teeId, event.teeId) || call.timestamp !== event.timestamp) return "UNKNOWN";
  return passIf(verifyPssSignature(key, heartbeatMessage(event.teeId, event.timestamp), call.signature));
}

/** Whether a heartbeat counts toward uptime and lastHeartbeatAt: PASS and UNKNOWN do, FAIL does not. */
export function heartbeatCounts(check: Check): boolean {
  return check !== "FAIL";
}
