/**
 * Throughput of the checks, for the report and regressions (no test, no assertions):
 *   npm run bench -- checks
 */
import { constants, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import {
  clearTeeKeyCache,
  commitmentOf,
  decodeHeartbeat,
  heartbeatMessage,
  parseTeeKey,
  settlementMessage,
  signatureCheck,
  usableKey,
  verifyPssSignature,
} from "@attestation-explorer/checks";
import { encodeFunctionData, encodePacked, type Hex, keccak256, parseAbi } from "viem";

function measure(name: string, count: number, run: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(count, 5_000); i++) run(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) run(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = Math.round(count / seconds);
  console.log(
    `${name.padEnd(48)} ${String(perSecond).padStart(9)} /s  (${((seconds / count) * 1e6).toFixed(2)} µs each, n=${count})`,
  );
}

const hex32 = (): Hex => `0x${randomBytes(32).toString("hex")}`;
const N = 300_000;
const inputs = Array.from({ length: 1_000 }, () => [hex32(), hex32()] as const);

console.log(`node ${process.version}, ${process.arch}`);
measure("settlementMessage (buffer + viem keccak256)", N, (i) => {
  const [a, b] = inputs[i % inputs.length];
  return settlementMessage(a, b, 1_764_000_000n + BigInt(i));
});
measure("  same with viem encodePacked + keccak256", N, (i) => {
  const [a, b] = inputs[i % inputs.length];
  return keccak256(encodePacked(["bytes32", "bytes32", "uint256"], [a, b, 1_764_000_000n + BigInt(i)]));
});
measure("heartbeatMessage", N, (i) => heartbeatMessage(inputs[i % inputs.length][0], BigInt(i)));
measure("commitmentOf", N, (i) => commitmentOf(...inputs[i % inputs.length]));

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const der: Hex = `0x${publicKey.export({ type: "spki", format: "der" }).toString("hex")}`;
const teeId = keccak256(der);
const SIGNED = 2_000;
const settlements = Array.from({ length: SIGNED }, (_, i) => {
  const [inputHash, outputHash] = inputs[i % inputs.length];
  const timestamp = 1_764_000_000n + BigInt(i);
  const message = settlementMessage(inputHash, outputHash, timestamp);
  const signature: Hex = `0x${sign("sha256", Buffer.from(message.slice(2), "hex"), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  }).toString("hex")}`;
  return { inputHash, outputHash, timestamp, message, signature };
});
const parsed = parseTeeKey(der, teeId);
if (parsed.status !== "VALID") throw new Error(parsed.status);
const key = parsed.key;

const V = 50_000;
measure("verifyPssSignature (RSA-2048, valid)", V, (i) => {
  const s = settlements[i % SIGNED];
  return verifyPssSignature(key, s.message, s.signature);
});
measure("verifyPssSignature (RSA-2048, invalid)", V, (i) => {
  const s = settlements[i % SIGNED];
  return verifyPssSignature(key, settlements[(i + 1) % SIGNED].message, s.signature);
});
measure("verifyPssSignature (wrong length: rejected early)", N, (i) => {
  const s = settlements[i % SIGNED];
  return verifyPssSignature(key, s.message, s.signature.slice(0, -2) as Hex);
});
measure("signatureCheck (message + parse-free verify)", V, (i) => {
  const s = settlements[i % SIGNED];
  return signatureCheck(key, s.inputHash, s.outputHash, s.timestamp, s.signature);
});
measure("signatureCheck incl. parseTeeKey cache hit", V, (i) => {
  const s = settlements[i % SIGNED];
  return signatureCheck(
    usableKey(parseTeeKey(der, teeId)),
    s.inputHash,
    s.outputHash,
    s.timestamp,
    s.signature,
  );
});
measure("parseTeeKey (cache hit)", N, () => parseTeeKey(der, teeId));
measure("parseTeeKey (uncached: keccak + DER parse + re-export)", 20_000, () => {
  clearTeeKeyCache();
  return parseTeeKey(der, teeId);
});

const abi = parseAbi(["function heartbeat(bytes32 teeId, uint256 timestamp, bytes signature)"]);
const heartbeatCall = encodeFunctionData({
  abi,
  functionName: "heartbeat",
  args: [teeId, 1_764_000_000n, settlements[0].signature],
});
measure("decodeHeartbeat", 100_000, () => decodeHeartbeat(heartbeatCall));
