import { readFileSync } from "node:fs";
import {
  type Abi,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  parseAbi,
  toFunctionSelector,
} from "viem";
import { describe, expect, test } from "vitest";
import {
  decodeHeartbeat,
  decodeRegisterTee,
  devnetPcrHash,
  HEARTBEAT_SELECTOR,
  REGISTER_TEE_SELECTOR,
} from "./calldata.ts";

// The full ABI of the devnet registry, as compiled: the decoders' hand-written fragment must agree with it.
const { abi } = JSON.parse(
  readFileSync(new URL("../../../contracts/out/TEERegistry.json", import.meta.url), "utf8"),
) as { abi: Abi };

const pcr0: Hex = `0x${"a0".repeat(48)}`;
const pcr1: Hex = `0x${"a1".repeat(48)}`;
const pcr2: Hex = `0x${"a2".repeat(48)}`;
const document = encodeAbiParameters(
  [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
  [pcr0, pcr1, pcr2],
);
const expectedPcrHash = keccak256(`0x${pcr0.slice(2)}${pcr1.slice(2)}${pcr2.slice(2)}`);
const signingPublicKey: Hex = `0x30820122${"5a".repeat(290)}`;
const tlsCertificate: Hex = "0x3082beef";
const paymentAddress = getAddress("0x00000000000000000000000000000000000000aa");
const endpoint = "https://tee-3.example:8443/v1 ✓";
const teeType = 3;

function registerInput(attestationDocument: Hex = document, type = teeType): Hex {
  return encodeFunctionData({
    abi,
    functionName: "registerTEEWithAttestation",
    args: [attestationDocument, signingPublicKey, tlsCertificate, paymentAddress, endpoint, type],
  });
}

const teeId = keccak256("0x01");
const timestamp = 1_764_000_000n;
const signature: Hex = `0x${"5e".repeat(256)}`;
const heartbeatInput = encodeFunctionData({
  abi,
  functionName: "heartbeat",
  args: [teeId, timestamp, signature],
});

const garbage: Hex[] = [
  "0x",
  "0x12",
  "0x12345678",
  `0x${"ff".repeat(400)}`,
  `0x${"00".repeat(400)}`,
  "0xnothexatall",
  "registerTEE" as Hex,
];

describe("selectors", () => {
  test("match the compiled registry's ABI", () => {
    const fn = (name: string) => abi.find((item) => item.type === "function" && item.name === name);
    expect(REGISTER_TEE_SELECTOR).toBe(toFunctionSelector(fn("registerTEEWithAttestation") as never));
    expect(HEARTBEAT_SELECTOR).toBe(toFunctionSelector(fn("heartbeat") as never));
  });
});

describe("decodeRegisterTee", () => {
  test("decodes a real registerTEEWithAttestation encoding, with the devnet document's PCR hash", () => {
    expect(decodeRegisterTee(registerInput())).toEqual({
      attestationDocument: document,
      signingPublicKey,
      tlsCertificate,
      paymentAddress,
      endpoint,
      teeType,
      pcrHash: expectedPcrHash,
    });
  });

  test("decodes input with an upper-case selector and digits", () => {
    const input = `0x${registerInput().slice(2).toUpperCase()}` as Hex;
    expect(decodeRegisterTee(input)?.pcrHash).toBe(expectedPcrHash);
  });

  test("decodes empty PCRs, TLS certificate and endpoint", () => {
    const emptyDoc = encodeAbiParameters(
      [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
      ["0x", "0x", "0x"],
    );
    const decoded = decodeRegisterTee(registerInput(emptyDoc));
    expect(decoded?.pcrHash).toBe(keccak256("0x"));
  });

  test("leaves pcrHash undefined for a document that is not abi.encode(bytes, bytes, bytes), e.g. a Nitro CBOR one", () => {
    // COSE_Sign1 as AWS Nitro emits it starts with a CBOR array header (0x84) and a protected header.
    const nitroLike: Hex = `0x8444a101382240591100${"a5".repeat(200)}`;
    const decoded = decodeRegisterTee(registerInput(nitroLike));
    expect(decoded?.attestationDocument).toBe(nitroLike);
    expect(decoded?.signingPublicKey).toBe(signingPublicKey);
    expect(decoded?.pcrHash).toBeUndefined();
    expect(decodeRegisterTee(registerInput("0x"))?.pcrHash).toBeUndefined();
  });

  test("is undefined for another registry call: heartbeat, approvePCR, and the like", () => {
    expect(decodeRegisterTee(heartbeatInput)).toBeUndefined();
    const approve = encodeFunctionData({
      abi,
      functionName: "approvePCR",
      args: [{ pcr0, pcr1, pcr2 }, "v1", teeType],
    });
    expect(decodeRegisterTee(approve)).toBeUndefined();
  });

  test("is undefined for a call made through another contract (the transaction's input is the wrapper's)", () => {
    const wrapper = parseAbi(["function execute(address target, bytes data)"]);
    const wrapped = encodeFunctionData({
      abi: wrapper,
      functionName: "execute",
      args: [paymentAddress, registerInput()],
    });
    expect(decodeRegisterTee(wrapped)).toBeUndefined();
  });

  test("is undefined for garbage, never an exception", () => {
    for (const input of garbage) expect(decodeRegisterTee(input)).toBeUndefined();
    expect(decodeRegisterTee(`${REGISTER_TEE_SELECTOR}${"ff".repeat(400)}` as Hex)).toBeUndefined();
    expect(decodeRegisterTee(`${REGISTER_TEE_SELECTOR}zz` as Hex)).toBeUndefined();
    expect(decodeRegisterTee(`${registerInput()}0` as Hex)).toBeUndefined(); // odd length
    expect(decodeRegisterTee(undefined as unknown as Hex)).toBeUndefined();
  });

  test("truncated input is undefined or, when only padding was cut, the same call; never an exception", () => {
    const full = registerInput();
    const original = decodeRegisterTee(full);
    let undecodable = 0;
    for (let end = 10; end < full.length; end += 2) {
      const decoded = decodeRegisterTee(full.slice(0, end) as Hex);
      if (decoded === undefined) undecodable++;
      else expect(decoded).toEqual(original);
    }
    expect(undecodable).toBeGreaterThan((full.length - 10) / 2 - 64);
  });

  test("is undefined for a teeType word above 255 (Solidity's decoder reverts such a call)", () => {
    const input = registerInput();
    // The sixth head word (teeType) sits at bytes 4 + 5*32 .. 4 + 6*32.
    const start = 2 + 2 * (4 + 5 * 32);
    const dirty = `${input.slice(0, start)}${"00".repeat(30)}0103${input.slice(start + 64)}` as Hex;
    expect(decodeRegisterTee(dirty)).toBeUndefined();
  });
});

describe("devnetPcrHash", () => {
  test("reads all-zero words as three empty PCRs (offsets 0 point at a zero length), as abi.decode does", () => {
    expect(devnetPcrHash(`0x${"00".repeat(96)}`)).toBe(keccak256("0x"));
  });

  test("is keccak256(pcr0 ++ pcr1 ++ pcr2) of a devnet document", () => {
    expect(devnetPcrHash(document)).toBe(expectedPcrHash);
  });

  test("is undefined for garbage", () => {
    for (const input of garbage.filter((g) => !/^0x(00)+$/.test(g)))
      expect(devnetPcrHash(input)).toBeUndefined();
    expect(devnetPcrHash(document.slice(0, -64) as Hex)).toBeUndefined();
  });
});

describe("decodeHeartbeat", () => {
  test("decodes a real heartbeat encoding", () => {
    expect(decodeHeartbeat(heartbeatInput)).toEqual({ teeId, timestamp, signature });
  });

  test("decodes the maximal uint256 timestamp and an empty signature", () => {
    const max = 2n ** 256n - 1n;
    const input = encodeFunctionData({ abi, functionName: "heartbeat", args: [teeId, max, "0x"] });
    expect(decodeHeartbeat(input)).toEqual({ teeId, timestamp: max, signature: "0x" });
  });

  test("is undefined for another call, garbage or truncated input, never an exception", () => {
    expect(decodeHeartbeat(registerInput())).toBeUndefined();
    for (const input of garbage) expect(decodeHeartbeat(input)).toBeUndefined();
    expect(decodeHeartbeat(HEARTBEAT_SELECTOR)).toBeUndefined();
    const original = decodeHeartbeat(heartbeatInput);
    for (let end = 10; end < heartbeatInput.length; end += 2) {
      const decoded = decodeHeartbeat(heartbeatInput.slice(0, end) as Hex);
      if (decoded !== undefined) expect(decoded).toEqual(original);
    }
    expect(decodeHeartbeat(heartbeatInput.slice(0, 10 + 64 * 3) as Hex)).toBeUndefined();
  });
});
