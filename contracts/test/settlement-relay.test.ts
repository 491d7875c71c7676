// InferenceSettlementRelay on a real anvil: IndividualSettlement / BatchSettlement fields and the SETTLER role.
import { randomBytes } from "node:crypto";
import { type Address, getAddress, type Hex, keccak256, maxUint256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Chain, type Deployed, only, startChain } from "./support/chain.ts";

const SETTLER_ROLE = keccak256(toHex("SETTLER_ROLE"));
const bytes = (n: number): Hex => toHex(randomBytes(n));

let chain: Chain;
let relay: Deployed;
let deployer: Address;
let settler: Address;
let stranger: Address;
let user: Address;

beforeAll(async () => {
  chain = await startChain();
  relay = chain.settlementRelay;
  [deployer, settler, stranger, user] = chain.accounts;
});

afterAll(async () => {
  await chain?.stop();
});

describe("roles", () => {
  test("the deployer holds SETTLER_ROLE and the relay points at the TEE registry", async () => {
    expect(await chain.read(relay, "SETTLER_ROLE")).toBe(SETTLER_ROLE);
    expect(await chain.read(relay, "hasRole", [SETTLER_ROLE, deployer])).toBe(true);
    expect(await chain.read(relay, "hasRole", [SETTLER_ROLE, stranger])).toBe(false);
    expect(getAddress(await chain.read<Address>(relay, "teeRegistry"))).toBe(
      getAddress(chain.teeRegistry.address),
    );
  });

  test("settleIndividual and batchSettle without SETTLER_ROLE revert MissingRole(SETTLER_ROLE, caller)", async () => {
    const args = [bytes(32), bytes(32), bytes(32), 1n, user, "0x", bytes(256)];
    expect(
      await chain.expectRevert(relay, "settleIndividual", args, "MissingRole", { from: stranger }),
    ).toEqual([SETTLER_ROLE, stranger]);
    expect(
      await chain.expectRevert(relay, "batchSettle", [bytes(32), 3n, "0x"], "MissingRole", {
        from: stranger,
      }),
    ).toEqual([SETTLER_ROLE, stranger]);
  });

  test("grantRole(SETTLER_ROLE) lets another account settle", async () => {
    const args = [bytes(32), bytes(32), bytes(32), 1n, user, "0x", "0x"];
    await chain.expectRevert(relay, "settleIndividual", args, "MissingRole", { from: settler });
    const granted = await chain.send(relay, "grantRole", [SETTLER_ROLE, settler]);
    expect(only(granted, "RoleGranted")).toEqual({ role: SETTLER_ROLE, account: settler, sender: deployer });
    const sent = await chain.send(relay, "settleIndividual", args, { from: settler });
    expect(sent.events.map((e) => e.eventName)).toEqual(["IndividualSettlement"]);
  });
});

describe("settlements", () => {
  test("settleIndividual emits IndividualSettlement with every field, empty walrusBlobId as 0x", async () => {
    const teeId = keccak256(bytes(300)); // not registered: the devnet relay accepts it (the indexer judges it)
    const inputHash = bytes(32);
    const outputHash = bytes(32);
    const timestamp = await chain.latestTimestamp();
    const signature = bytes(256);
    const sent = await chain.send(relay, "settleIndividual", [
      teeId,
      inputHash,
      outputHash,
      timestamp,
      user,
      "0x",
      signature,
    ]);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "IndividualSettlement")).toEqual({
      teeId,
      ethAddress: user,
      inputHash,
      outputHash,
      timestamp,
      walrusBlobId: "0x",
      signature,
    });
    expect(sent.events[0].address.toLowerCase()).toBe(relay.address.toLowerCase());
  });

  test("settleIndividual passes through a walrusBlobId, an empty signature and any uint256 timestamp", async () => {
    const teeId = bytes(32);
    const inputHash = bytes(32);
    const outputHash = bytes(32);
    const walrusBlobId = toHex("walrus-blob-Zx9_Q3");
    const sent = await chain.send(relay, "settleIndividual", [
      teeId,
      inputHash,
      outputHash,
      maxUint256,
      user,
      walrusBlobId,
      "0x",
    ]);
    expect(only(sent, "IndividualSettlement")).toEqual({
      teeId,
      ethAddress: user,
      inputHash,
      outputHash,
      timestamp: maxUint256,
      walrusBlobId,
      signature: "0x",
    });
  });

  test("batchSettle emits BatchSettlement(merkleRoot, batchSize, walrusBlobId)", async () => {
    const merkleRoot = bytes(32);
    const walrusBlobId = bytes(44);
    const sent = await chain.send(relay, "batchSettle", [merkleRoot, 128n, walrusBlobId]);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "BatchSettlement")).toEqual({ merkleRoot, batchSize: 128n, walrusBlobId });

    const empty = await chain.send(relay, "batchSettle", [merkleRoot, 1n, "0x"]);
    expect(only(empty, "BatchSettlement")).toEqual({ merkleRoot, batchSize: 1n, walrusBlobId: "0x" });
  });

  test("batchSettle with batchSize 0 reverts EmptyBatch", async () => {
    await chain.expectRevert(relay, "batchSettle", [bytes(32), 0n, "0x"], "EmptyBatch");
  });
});
