// TEERegistry on a real anvil: events and their fields, stored TEE records, and every access rule and revert.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import {
  type Address,
  concat,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseAbi,
  toEventSelector,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Chain, type Deployed, only, startChain } from "./support/chain.ts";

const ADMIN_ROLE = keccak256(toHex("ADMIN_ROLE"));
const TEE_OPERATOR_ROLE = keccak256(toHex("TEE_OPERATOR_ROLE"));

// getTEE as the spec declares it (ITEERegistry.TEEInfo), independent of the artifact's ABI.
const specGetTEE = parseAbi([
  "struct TEEInfo { address owner; address paymentAddress; string endpoint; bytes publicKey; bytes tlsCertificate; bytes32 pcrHash; uint8 teeType; bool enabled; uint256 registeredAt; uint256 lastHeartbeatAt; }",
  "function getTEE(bytes32 teeId) view returns (TEEInfo)",
]);

interface TEEInfo {
  owner: Address;
  paymentAddress: Address;
  endpoint: string;
  publicKey: Hex;
  tlsCertificate: Hex;
  pcrHash: Hex;
  teeType: number;
  enabled: boolean;
  registeredAt: bigint;
  lastHeartbeatAt: bigint;
}

const bytes = (n: number): Hex => toHex(randomBytes(n));
/** A DER SubjectPublicKeyInfo RSA key, as the spec's signingPublicKey. */
const rsaKey = (): Hex =>
  toHex(
    generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }),
  );
const attestation = (pcr0: Hex, pcr1: Hex, pcr2: Hex): Hex =>
  encodeAbiParameters([{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }], [pcr0, pcr1, pcr2]);

let chain: Chain;
let tee: Deployed;
let deployer: Address;
let operator: Address; // granted TEE_OPERATOR_ROLE in a test below
let stranger: Address; // holds no role
let payment: Address;

const TYPE = 1;
const OTHER_TYPE = 2;
const pcrs = { pcr0: bytes(48), pcr1: bytes(48), pcr2: bytes(48) };
const pcrHash = keccak256(concat([pcrs.pcr0, pcrs.pcr1, pcrs.pcr2]));
const doc = attestation(pcrs.pcr0, pcrs.pcr1, pcrs.pcr2);

/** Registers a new TEE (fresh key) by `from` with the approved PCRs; returns its id and key. */
async function registerTEE(from: Address = deployer): Promise<{ teeId: Hex; key: Hex }> {
  const key = rsaKey();
  await chain.send(tee, "registerTEEWithAttestation", [doc, key, "0x", payment, "https://x", TYPE], { from });
  return { teeId: keccak256(key), key };
}

beforeAll(async () => {
  chain = await startChain();
  tee = chain.teeRegistry;
  [deployer, operator, stranger, payment] = chain.accounts;
});

afterAll(async () => {
  await chain?.stop();
});

describe("roles", () => {
  test("the deployer holds ADMIN_ROLE and TEE_OPERATOR_ROLE; other accounts hold neither", async () => {
    expect(await chain.read(tee, "ADMIN_ROLE")).toBe(ADMIN_ROLE);
    expect(await chain.read(tee, "TEE_OPERATOR_ROLE")).toBe(TEE_OPERATOR_ROLE);
    expect(await chain.read(tee, "hasRole", [ADMIN_ROLE, deployer])).toBe(true);
    expect(await chain.read(tee, "hasRole", [TEE_OPERATOR_ROLE, deployer])).toBe(true);
    expect(await chain.read(tee, "hasRole", [ADMIN_ROLE, stranger])).toBe(false);
    expect(await chain.read(tee, "hasRole", [TEE_OPERATOR_ROLE, stranger])).toBe(false);
  });

  test("addTEEType, approvePCR and revokePCR by a non-admin revert MissingRole(ADMIN_ROLE, caller)", async () => {
    const expected = [ADMIN_ROLE, stranger];
    expect(await chain.expectRevert(tee, "addTEEType", [9, "x"], "MissingRole", { from: stranger })).toEqual(
      expected,
    );
    expect(
      await chain.expectRevert(tee, "approvePCR", [pcrs, "v", TYPE], "MissingRole", { from: stranger }),
    ).toEqual(expected);
    expect(
      await chain.expectRevert(tee, "revokePCR", [pcrHash, TYPE], "MissingRole", { from: stranger }),
    ).toEqual(expected);
  });

  test("grantRole by a non-admin reverts MissingRole", async () => {
    await chain.expectRevert(tee, "grantRole", [TEE_OPERATOR_ROLE, stranger], "MissingRole", {
      from: stranger,
    });
    expect(await chain.read(tee, "hasRole", [TEE_OPERATOR_ROLE, stranger])).toBe(false);
  });
});

describe("TEE types and PCRs", () => {
  test("addTEEType emits TEETypeAdded(typeId, name)", async () => {
    const sent = await chain.send(tee, "addTEEType", [TYPE, "AWS Nitro"]);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "TEETypeAdded")).toEqual({ typeId: TYPE, name: "AWS Nitro" });
    expect(sent.events[0].address.toLowerCase()).toBe(tee.address.toLowerCase());
    await chain.send(tee, "addTEEType", [OTHER_TYPE, "Intel TDX"]);
  });

  test("addTEEType with an existing typeId reverts TEETypeExists", async () => {
    expect(await chain.expectRevert(tee, "addTEEType", [TYPE, "again"], "TEETypeExists")).toEqual([TYPE]);
  });

  test("approvePCR emits PCRApproved(pcrHash = keccak256(pcr0 ++ pcr1 ++ pcr2), teeType, version)", async () => {
    const sent = await chain.send(tee, "approvePCR", [pcrs, "v1.2.3", TYPE]);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "PCRApproved")).toEqual({ pcrHash, teeType: TYPE, version: "v1.2.3" });
    expect(await chain.read(tee, "pcrApproved", [pcrHash, TYPE])).toBe(true);
  });

  test("approving the same PCRs again for the same type reverts PCRAlreadyApproved", async () => {
    expect(await chain.expectRevert(tee, "approvePCR", [pcrs, "v1.2.4", TYPE], "PCRAlreadyApproved")).toEqual(
      [pcrHash, TYPE],
    );
  });

  test("approvePCR for an unknown TEE type reverts UnknownTEEType", async () => {
    await chain.expectRevert(tee, "approvePCR", [pcrs, "v", 77], "UnknownTEEType");
  });

  test("revokePCR emits the two-argument PCRRevoked(pcrHash, teeType)", async () => {
    const other = { pcr0: bytes(48), pcr1: bytes(48), pcr2: bytes(48) };
    const otherHash = keccak256(concat([other.pcr0, other.pcr1, other.pcr2]));
    await chain.send(tee, "approvePCR", [other, "old", TYPE]);
    const sent = await chain.send(tee, "revokePCR", [otherHash, TYPE]);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "PCRRevoked")).toEqual({ pcrHash: otherHash, teeType: TYPE });
    expect(sent.events[0].topics[0]).toBe(toEventSelector("PCRRevoked(bytes32,uint8)"));
    expect(await chain.read(tee, "pcrApproved", [otherHash, TYPE])).toBe(false);
    // A revoked PCR can no longer register a TEE.
    const key = rsaKey();
    const revokedDoc = attestation(other.pcr0, other.pcr1, other.pcr2);
    await chain.expectRevert(
      tee,
      "registerTEEWithAttestation",
      [revokedDoc, key, "0x", payment, "https://x", TYPE],
      "PCRNotApproved",
    );
  });

  test("revokePCR of a PCR that is not approved reverts PCRNotApproved", async () => {
    await chain.expectRevert(tee, "revokePCR", [pcrHash, OTHER_TYPE], "PCRNotApproved");
  });
});

describe("registration", () => {
  test("registerTEEWithAttestation returns and emits teeId = keccak256(key) and getTEE stores every field", async () => {
    const key = rsaKey();
    const tls = bytes(300);
    const teeId = keccak256(key);
    const args = [doc, key, tls, payment, "https://tee-1.example:8443/v1", TYPE] as const;
    expect(await chain.simulate(tee, "registerTEEWithAttestation", args)).toBe(teeId);

    const sent = await chain.send(tee, "registerTEEWithAttestation", args);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "TEERegistered")).toEqual({ teeId, owner: deployer, teeType: TYPE });

    const expected: TEEInfo = {
      owner: deployer,
      paymentAddress: payment,
      endpoint: "https://tee-1.example:8443/v1",
      publicKey: key,
      tlsCertificate: tls,
      pcrHash,
      teeType: TYPE,
      enabled: true,
      registeredAt: sent.timestamp,
      lastHeartbeatAt: 0n,
    };
    expect(await chain.read<TEEInfo>(tee, "getTEE", [teeId])).toEqual(expected);
    // The raw return data decodes with the spec's TEEInfo layout (what the indexer and OpenGradient's ABI use).
    const { data } = await chain.publicClient.call({
      to: tee.address,
      data: encodeFunctionData({ abi: specGetTEE, functionName: "getTEE", args: [teeId] }),
    });
    expect(decodeFunctionResult({ abi: specGetTEE, functionName: "getTEE", data: data ?? "0x" })).toEqual(
      expected,
    );
    expect(await chain.read(tee, "getTEEPublicKey", [teeId])).toBe(key);
  });

  test("registering the same signing key again reverts TEEAlreadyRegistered", async () => {
    const { teeId, key } = await registerTEE();
    const args = [doc, key, "0x", payment, "https://y", TYPE];
    expect(await chain.expectRevert(tee, "registerTEEWithAttestation", args, "TEEAlreadyRegistered")).toEqual(
      [teeId],
    );
  });

  test("registering with PCRs that were never approved (for that type) reverts PCRNotApproved", async () => {
    const unapproved = attestation(bytes(48), bytes(48), bytes(48));
    await chain.expectRevert(
      tee,
      "registerTEEWithAttestation",
      [unapproved, rsaKey(), "0x", payment, "https://x", TYPE],
      "PCRNotApproved",
    );
    // Approved for TYPE only: registering as OTHER_TYPE is refused.
    const args = [doc, rsaKey(), "0x", payment, "https://x", OTHER_TYPE];
    expect(await chain.expectRevert(tee, "registerTEEWithAttestation", args, "PCRNotApproved")).toEqual([
      pcrHash,
      OTHER_TYPE,
    ]);
  });

  test("registerTEEWithAttestation without TEE_OPERATOR_ROLE reverts; after grantRole the caller registers and owns the TEE", async () => {
    const key = rsaKey();
    const args = [doc, key, "0x", payment, "https://op", TYPE];
    expect(
      await chain.expectRevert(tee, "registerTEEWithAttestation", args, "MissingRole", { from: operator }),
    ).toEqual([TEE_OPERATOR_ROLE, operator]);

    const granted = await chain.send(tee, "grantRole", [TEE_OPERATOR_ROLE, operator]);
    expect(only(granted, "RoleGranted")).toEqual({
      role: TEE_OPERATOR_ROLE,
      account: operator,
      sender: deployer,
    });
    expect(await chain.read(tee, "hasRole", [TEE_OPERATOR_ROLE, operator])).toBe(true);

    const sent = await chain.send(tee, "registerTEEWithAttestation", args, { from: operator });
    expect(only(sent, "TEERegistered")).toEqual({ teeId: keccak256(key), owner: operator, teeType: TYPE });
    expect((await chain.read<TEEInfo>(tee, "getTEE", [keccak256(key)])).owner).toBe(operator);
  });

  test("getTEE and getTEEPublicKey revert UnknownTEE for an unknown id", async () => {
    const unknown = keccak256(bytes(32));
    expect(await chain.expectCallRevert(tee, "getTEE", [unknown], "UnknownTEE")).toEqual([unknown]);
    expect(await chain.expectCallRevert(tee, "getTEEPublicKey", [unknown], "UnknownTEE")).toEqual([unknown]);
  });
});

describe("enable, disable, heartbeat", () => {
  test("heartbeat (relayed by anyone) emits HeartbeatReceived(teeId, timestamp) and updates lastHeartbeatAt", async () => {
    const { teeId } = await registerTEE();
    const now = await chain.latestTimestamp();
    const sent = await chain.send(tee, "heartbeat", [teeId, now, bytes(256)], { from: stranger });
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "HeartbeatReceived")).toEqual({ teeId, timestamp: now });
    expect((await chain.read<TEEInfo>(tee, "getTEE", [teeId])).lastHeartbeatAt).toBe(now);

    const later = now + 60n;
    const again = await chain.send(tee, "heartbeat", [teeId, later, "0x"]);
    expect(only(again, "HeartbeatReceived")).toEqual({ teeId, timestamp: later });
    expect((await chain.read<TEEInfo>(tee, "getTEE", [teeId])).lastHeartbeatAt).toBe(later);
  });

  test("heartbeat for an unknown TEE reverts UnknownTEE", async () => {
    const unknown = keccak256(bytes(32));
    await chain.expectRevert(tee, "heartbeat", [unknown, 1n, "0x"], "UnknownTEE");
  });

  test("disableTEE by the owner emits TEEDisabled; heartbeat then reverts TEEIsDisabled; enableTEE emits TEEEnabled", async () => {
    const { teeId } = await registerTEE(operator);
    const disabled = await chain.send(tee, "disableTEE", [teeId], { from: operator });
    expect(disabled.events).toHaveLength(1);
    expect(only(disabled, "TEEDisabled")).toEqual({ teeId });
    expect((await chain.read<TEEInfo>(tee, "getTEE", [teeId])).enabled).toBe(false);

    expect(await chain.expectRevert(tee, "heartbeat", [teeId, 1n, "0x"], "TEEIsDisabled")).toEqual([teeId]);
    await chain.expectRevert(tee, "disableTEE", [teeId], "TEEAlreadyDisabled", { from: operator });

    const enabled = await chain.send(tee, "enableTEE", [teeId], { from: operator });
    expect(enabled.events).toHaveLength(1);
    expect(only(enabled, "TEEEnabled")).toEqual({ teeId });
    expect((await chain.read<TEEInfo>(tee, "getTEE", [teeId])).enabled).toBe(true);
    await chain.expectRevert(tee, "enableTEE", [teeId], "TEEAlreadyEnabled", { from: operator });
    await chain.send(tee, "heartbeat", [teeId, 5n, "0x"]);
  });

  test("an admin may disable and enable a TEE it does not own", async () => {
    const { teeId } = await registerTEE(operator);
    expect(only(await chain.send(tee, "disableTEE", [teeId], { from: deployer }), "TEEDisabled")).toEqual({
      teeId,
    });
    expect(only(await chain.send(tee, "enableTEE", [teeId], { from: deployer }), "TEEEnabled")).toEqual({
      teeId,
    });
  });

  test("disableTEE and enableTEE by a stranger (neither owner nor admin) revert NotTEEOwner", async () => {
    const { teeId } = await registerTEE(operator);
    expect(await chain.expectRevert(tee, "disableTEE", [teeId], "NotTEEOwner", { from: stranger })).toEqual([
      teeId,
      stranger,
    ]);
    await chain.send(tee, "disableTEE", [teeId], { from: operator });
    await chain.expectRevert(tee, "enableTEE", [teeId], "NotTEEOwner", { from: stranger });
    expect((await chain.read<TEEInfo>(tee, "getTEE", [teeId])).enabled).toBe(false);
  });

  test("disableTEE and enableTEE of an unknown TEE revert UnknownTEE", async () => {
    const unknown = keccak256(bytes(32));
    await chain.expectRevert(tee, "disableTEE", [unknown], "UnknownTEE");
    await chain.expectRevert(tee, "enableTEE", [unknown], "UnknownTEE");
  });
});
