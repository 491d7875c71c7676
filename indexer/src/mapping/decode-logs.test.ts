import { readFileSync } from "node:fs";
import { type Abi, encodeAbiParameters, encodeEventTopics, type Hex, keccak256, parseAbi, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { decodeLog, type RawLog } from "./decode-logs";

const artifact = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../contracts/out/${name}.json`, import.meta.url), "utf8"))
    .abi as Abi;
const addresses = {
  teeRegistry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  settlementRelay: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  attestationRegistry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
};

/** A log as the chain would emit it: topics from the indexed args, data from the rest. */
function log(abi: Abi, address: string, eventName: string, args: Record<string, unknown>): RawLog {
  const ev = abi.find((x) => x.type === "event" && x.name === eventName) as Extract<
    Abi[number],
    { type: "event" }
  >;
  const topics = encodeEventTopics({ abi: [ev], eventName, args } as never) as Hex[];
  const data = ev.inputs.filter((i) => !i.indexed);
  return {
    address,
    topics,
    data: encodeAbiParameters(data, data.map((i) => args[i.name as string]) as never),
    logIndex: 0,
    transactionHash: keccak256("0x01"),
  };
}

const id = (n: number) => keccak256(toHex(n));

describe("decodeLog", () => {
  it("decodes an inference commit with its mode name and lowercases ids", () => {
    const e = decodeLog(
      log(artifact("AttestationRegistry"), addresses.attestationRegistry, "InferenceCommitted", {
        requestId: id(1),
        nodeId: id(2),
        modelId: id(3),
        mode: 2,
        inputHash: id(4),
        commitment: id(5),
        revealDeadline: 1_800_000_000n,
      }),
      addresses,
    );
    expect(e).toEqual({
      kind: "InferenceCommitted",
      requestId: id(1),
      nodeId: id(2),
      modelId: id(3),
      mode: "TEE",
      inputHash: id(4),
      commitment: id(5),
      revealDeadline: 1_800_000_000n,
    });
  });

  it("accepts both forms of PCRRevoked; the one-argument form has no TEE type", () => {
    const two = decodeLog(
      log(artifact("TEERegistry"), addresses.teeRegistry, "PCRRevoked", { pcrHash: id(7), teeType: 1 }),
      addresses,
    );
    expect(two).toEqual({ kind: "PCRRevoked", pcrHash: id(7), teeType: 1 });
    const legacyAbi = (
      JSON.parse(readFileSync(new URL("../../abi/LegacyTEERegistry.json", import.meta.url), "utf8")) as {
        abi: Abi;
      }
    ).abi;
    const one = decodeLog(log(legacyAbi, addresses.teeRegistry, "PCRRevoked", { pcrHash: id(7) }), addresses);
    expect(one).toEqual({ kind: "PCRRevoked", pcrHash: id(7), teeType: undefined });
  });

  it("decodes a settlement with empty bytes as 0x and a uint256 timestamp beyond any date", () => {
    const e = decodeLog(
      log(artifact("InferenceSettlementRelay"), addresses.settlementRelay, "IndividualSettlement", {
        teeId: id(1),
        ethAddress: "0x00000000000000000000000000000000000000AB",
        inputHash: id(2),
        outputHash: id(3),
        timestamp: 2n ** 256n - 1n,
        walrusBlobId: "0x",
        signature: "0xABCD",
      }),
      addresses,
    );
    expect(e).toMatchObject({
      walrusBlobId: "0x",
      signature: "0xabcd",
      timestamp: 2n ** 256n - 1n,
      ethAddress: "0x00000000000000000000000000000000000000ab",
    });
  });

  it("names the contract and topic of a log it does not know", () => {
    const l = log(artifact("TEERegistry"), addresses.teeRegistry, "TEEDisabled", { teeId: id(1) });
    expect(() =>
      decodeLog({ ...l, address: "0x0000000000000000000000000000000000000001" }, addresses),
    ).toThrowError(/no event of contract 0x0000000000000000000000000000000000000001 has topic0 0x/);
  });

  it("rejects an out-of-range enum instead of inventing a mode", () => {
    const l = log(artifact("AttestationRegistry"), addresses.attestationRegistry, "ModelRegistered", {
      modelId: id(1),
      owner: "0x00000000000000000000000000000000000000ab",
      mode: 0,
      contentHash: id(2),
      blobId: "b",
      name: "n",
      version: "v",
    });
    // mode is an indexed topic: replace it with 7.
    const topics = [...l.topics];
    topics[3] = toHex(7, { size: 32 });
    expect(() => decodeLog({ ...l, topics }, addresses)).toThrowError(
      /mode 7 is not one of VANILLA, ZKML, TEE/,
    );
  });

  it("fails on truncated data rather than reading garbage", () => {
    const l = log(artifact("AttestationRegistry"), addresses.attestationRegistry, "NodeSlashed", {
      nodeId: id(1),
      requestId: id(2),
      reason: 1,
      amount: 5n,
      remainingStake: 6n,
    });
    expect(() => decodeLog({ ...l, data: l.data.slice(0, 40) }, addresses)).toThrow();
  });

  // The event declarations as written in og-evm's sources (/work/shared/fixtures/og-evm/<commit>/TEERegistry.sol),
  // independent of abi/*.json: one test per signature the current registry does not emit.
  describe("earlier OpenGradient registries (og-evm 6030478, 758e149)", () => {
    const v6030478 = parseAbi([
      "event PCRApproved(bytes32 indexed pcrHash, string version)",
      "event PCRRevoked(bytes32 indexed pcrHash)",
      "event TEEDeactivated(bytes32 indexed teeId)",
      "event TEEActivated(bytes32 indexed teeId)",
      "event TEETypeDeactivated(uint8 indexed typeId)",
    ]) as Abi;
    const v758e149 = parseAbi([
      "event PCRRevoked(bytes32 indexed pcrHash, uint256 gracePeriod)",
      "event TEERemoved(bytes32 indexed teeId)",
    ]) as Abi;
    const upper = (h: string) => `0x${h.slice(2).toUpperCase()}`;
    const tee = (abi: Abi, name: string, args: Record<string, unknown>) =>
      decodeLog(log(abi, upper(addresses.teeRegistry), name, args), addresses);

    it("PCRApproved(bytes32 indexed, string): an approval with no TEE type (every type)", () => {
      expect(tee(v6030478, "PCRApproved", { pcrHash: upper(id(7)), version: "v0.3.1" })).toEqual({
        kind: "PCRApproved",
        pcrHash: id(7),
        teeType: undefined,
        version: "v0.3.1",
      });
    });

    it("PCRRevoked(bytes32 indexed): a revocation with no TEE type and no grace period", () => {
      expect(tee(v6030478, "PCRRevoked", { pcrHash: id(7) })).toEqual({
        kind: "PCRRevoked",
        pcrHash: id(7),
        teeType: undefined,
      });
    });

    it("PCRRevoked(bytes32 indexed, uint256): a revocation with its grace period, even one beyond any date", () => {
      expect(tee(v758e149, "PCRRevoked", { pcrHash: id(7), gracePeriod: 86_400n })).toEqual({
        kind: "PCRRevoked",
        pcrHash: id(7),
        teeType: undefined,
        gracePeriod: 86_400n,
      });
      expect(tee(v758e149, "PCRRevoked", { pcrHash: id(7), gracePeriod: 2n ** 256n - 1n })).toMatchObject({
        gracePeriod: 2n ** 256n - 1n,
      });
    });

    it("TEEDeactivated(bytes32 indexed) is a TEEDisabled", () => {
      expect(tee(v6030478, "TEEDeactivated", { teeId: upper(id(3)) })).toEqual({
        kind: "TEEDisabled",
        teeId: id(3),
      });
    });

    it("TEEActivated(bytes32 indexed) is a TEEEnabled", () => {
      expect(tee(v6030478, "TEEActivated", { teeId: id(3) })).toEqual({ kind: "TEEEnabled", teeId: id(3) });
    });

    it("TEERemoved(bytes32 indexed) is a TEEDisabled", () => {
      expect(tee(v758e149, "TEERemoved", { teeId: id(3) })).toEqual({ kind: "TEEDisabled", teeId: id(3) });
    });

    it("TEETypeDeactivated(uint8 indexed) names the type", () => {
      expect(tee(v6030478, "TEETypeDeactivated", { typeId: 255 })).toEqual({
        kind: "TEETypeDeactivated",
        typeId: 255,
      });
    });

    it("each signature is a topic0 of its own (none collides with the current registry's)", () => {
      const topics = [...v6030478, ...v758e149, ...artifact("TEERegistry")]
        .filter((x) => x.type === "event")
        .map((x) => encodeEventTopics({ abi: [x], eventName: (x as { name: string }).name } as never)[0]);
      expect(new Set(topics).size).toBe(topics.length);
    });
  });
});
