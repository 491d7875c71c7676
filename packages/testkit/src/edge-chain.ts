/**
 * A hand-written devnet chain for the corners of the spec the simulator does not reach: a TEE registered through
 * another contract (calldata not decodable: getTEE), a heartbeat through it (UNKNOWN, still counts), a settlement
 * timestamp beyond year 9999, empty bytes, two settlements matching one inference (the earliest counts), a
 * re-verification (the latest verdict wins), slashes naming no inference or taking less than asked, a withdrawal
 * completed after a slash emptied the stake, and the one-argument PCRRevoked of older registries (emitted by
 * swapping the registry's code for a moment with anvil_setCode), which revokes a PCR for every TEE type; and
 * settlements signed exactly at the freshness window's bounds and one second past them.
 */
import { constants, generateKeyPairSync, sign } from "node:crypto";
import {
  type Abi,
  type Address,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseEther,
  toHex,
} from "viem";
import { BlockWriter, type PlannedTx } from "../../../devnet/src/chain/block-writer.ts";
import { waitForReceipts } from "../../../devnet/src/chain/receipts.ts";
import { signPss } from "../../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey, type TeeSigningKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import type { Devnet } from "./devnet.ts";
import { commitmentOf, heartbeatMessage, settlementMessage } from "./reference/crypto.ts";
import { contractAbi } from "./reference/read-chain.ts";

const TEE_OPERATOR_ROLE = keccak256(toHex("TEE_OPERATOR_ROLE"));
const JUNK = "0xdeadbeef" as Hex;

/**
 * Runtime code of a forwarder: calls `target` with its calldata minus the first 4 bytes (so no decoder of the
 * transaction's input recognises the inner call), passing value and bubbling up the result or revert.
 */
function forwarderRuntime(target: Address): Hex {
  const body = ["60043603806004600037600060008260003473", target.slice(2), "5af13d600060003e3d9060"].join("");
  const jumpdest = (body.length + 2 + 10) / 2; // after "XX" (the jumpdest byte), 57 3d 60 00 fd
  return `0x${body}${jumpdest.toString(16).padStart(2, "0")}573d6000fd5b3d6000f3` as Hex;
}

function initcode(runtime: Hex): Hex {
  const len = (runtime.length - 2) / 2;
  if (len > 255) throw new Error("runtime too long for this initcode");
  return `0x60${len.toString(16).padStart(2, "0")}80600b6000396000f3${runtime.slice(2)}` as Hex;
}

/** Runtime code that emits the one-argument PCRRevoked(bytes32 indexed pcrHash) with the hash from calldata. */
function legacyRevokerRuntime(): Hex {
  const topic0 = keccak256(toHex("PCRRevoked(bytes32)"));
  return `0x6000357f${topic0.slice(2)}60006000a200` as Hex;
}

export interface Pcr {
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
  hash: Hex;
}

function pcrSet(tag: string): Pcr {
  const pcr0 = keccak256(toHex(`${tag}:0`));
  const pcr1 = keccak256(toHex(`${tag}:1`));
  const pcr2 = keccak256(toHex(`${tag}:2`));
  return { pcr0, pcr1, pcr2, hash: keccak256(concat([pcr0, pcr1, pcr2])) };
}

/** The devnet registry's attestation document: abi.encode(bytes pcr0, bytes pcr1, bytes pcr2). */
export function attestationDocument(p: Pcr): Hex {
  return encodeAbiParameters(
    [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
    [p.pcr0, p.pcr1, p.pcr2],
  );
}

export interface EdgeChain {
  forwarder: Address;
  tees: { X: TeeSigningKey; Y: TeeSigningKey; W: TeeSigningKey; V: TeeSigningKey; U: TeeSigningKey };
  /** TEE ids registered with a key the indexer must not accept. */
  badKeys: { malformed: Hex; short: Hex };
  /** A node id that only ever stakes. */
  Z: Hex;
  pcrs: { P1: Pcr; P2: Pcr; P3: Pcr };
  requests: Record<"r1" | "r2" | "r3" | "r4" | "r5" | "r6" | "r7", Hex>;
  /** Settlement transactions by name. */
  settlementTx: Record<string, Hex>;
  heartbeatTx: Record<string, Hex>;
  slashTx: Record<string, Hex>;
  blocks: Record<string, number>;
  huge: bigint;
}

export async function buildEdgeChain(devnet: Devnet): Promise<EdgeChain> {
  const rpc = devnet.rpc;
  const { teeRegistry, settlementRelay, attestationRegistry } = devnet.deployment.addresses;
  const accounts = await rpc.call<Address[]>("eth_accounts");
  const [deployer, staker, zOperator, modelOwner, keeper, vOperator] = accounts;
  const writer = new BlockWriter(rpc);
  const rng = createRng("edge-chain");
  const tees = {
    X: generateTeeKey(rng.fork("X")),
    Y: generateTeeKey(rng.fork("Y")),
    W: generateTeeKey(rng.fork("W")),
    V: generateTeeKey(rng.fork("V")),
    U: generateTeeKey(rng.fork("U")),
  };
  const Z = keccak256(toHex("node Z: stakes, never a TEE"));
  const malformedDer = concat(["0x3082010a", keccak256(toHex("not a key")), keccak256(toHex("still not"))]);
  const malformed = { publicKeyDer: malformedDer, teeId: keccak256(malformedDer) } as TeeSigningKey;
  const shortPair = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const shortDer = toHex(shortPair.publicKey.export({ type: "spki", format: "der" }));
  const short = {
    publicKeyDer: shortDer,
    teeId: keccak256(shortDer),
    privateKey: shortPair.privateKey,
  } as TeeSigningKey;
  const pss1024 = (message32: Hex) =>
    toHex(
      sign("sha256", Buffer.from(message32.slice(2), "hex"), {
        key: shortPair.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }),
    );
  const P1 = pcrSet("edge-P1");
  const P2 = pcrSet("edge-P2");
  /** Approved for U only, and never revoked here: left for a test to revoke. */
  const P3 = pcrSet("edge-P3");
  const tx = (
    from: Address,
    to: Address,
    abi: Abi,
    functionName: string,
    args: unknown[],
    value?: bigint,
  ): PlannedTx => ({
    from,
    to,
    data: encodeFunctionData({ abi, functionName, args }),
    value,
  });
  const teeAbi = contractAbi("TEERegistry");
  const relayAbi = contractAbi("InferenceSettlementRelay");
  const attAbi = contractAbi("AttestationRegistry");
  const tee = (from: Address, fn: string, args: unknown[]) => tx(from, teeRegistry, teeAbi, fn, args);
  const relay = (fn: string, args: unknown[]) => tx(deployer, settlementRelay, relayAbi, fn, args);
  const att = (from: Address, fn: string, args: unknown[], value?: bigint) =>
    tx(from, attestationRegistry, attAbi, fn, args, value);
  const doc = (p: Pcr) =>
    encodeAbiParameters([{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }], [p.pcr0, p.pcr1, p.pcr2]);
  const user = "0x00000000000000000000000000000000000000aa" as Address;
  const blocks: Record<string, number> = {};
  const settlementTx: Record<string, Hex> = {};
  const heartbeatTx: Record<string, Hex> = {};
  const slashTx: Record<string, Hex> = {};
  const head = await rpc.call<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
  const t0 = Number(head.timestamp) + 100;
  const mine = async (name: string, ts: number, named: [Record<string, Hex>, string][] = []) => {
    const block = await writer.mine(ts);
    blocks[name] = block.number;
    named.forEach(([map, key], i) => {
      map[key] = block.txHashes[i];
    });
  };

  // The forwarder, deployed on its own.
  const created = await rpc.call<Hex>("eth_sendTransaction", [
    { from: deployer, data: initcode(forwarderRuntime(teeRegistry)), gas: "0x100000" },
  ]);
  await rpc.call("evm_mine", [t0 - 10]);
  const [receipt] = await waitForReceipts(rpc, [created]);
  const forwarder = (receipt.contractAddress as Address).toLowerCase() as Address;
  const viaForwarder = (inner: PlannedTx): PlannedTx => ({
    from: deployer,
    to: forwarder,
    data: concat([JUNK, inner.data]),
  });

  // B1: TEE types, PCRs (P2 for both types), the forwarder may register TEEs.
  writer.add(tee(deployer, "addTEEType", [1, "AWS Nitro Enclaves"]));
  writer.add(tee(deployer, "addTEEType", [2, "Intel TDX"]));
  writer.add(tee(deployer, "approvePCR", [{ pcr0: P1.pcr0, pcr1: P1.pcr1, pcr2: P1.pcr2 }, "edge-1", 1]));
  writer.add(tee(deployer, "approvePCR", [{ pcr0: P2.pcr0, pcr1: P2.pcr1, pcr2: P2.pcr2 }, "edge-2", 1]));
  writer.add(tee(deployer, "approvePCR", [{ pcr0: P2.pcr0, pcr1: P2.pcr1, pcr2: P2.pcr2 }, "edge-2-tdx", 2]));
  writer.add(tee(deployer, "approvePCR", [{ pcr0: P3.pcr0, pcr1: P3.pcr1, pcr2: P3.pcr2 }, "edge-3", 1]));
  writer.add(tee(deployer, "grantRole", [TEE_OPERATOR_ROLE, forwarder]));
  await mine("B1", t0);

  // B2: X registers through the forwarder, Y and W directly; stake; models.
  const register = (k: TeeSigningKey, p: Pcr, type: number, name: string) =>
    tee(deployer, "registerTEEWithAttestation", [
      doc(p),
      k.publicKeyDer,
      toHex(`tls:${name}`),
      keccak256(toHex(`pay:${name}`)).slice(0, 42),
      `https://${name}.edge.example`,
      type,
    ]);
  writer.add(viaForwarder(register(tees.X, P1, 1, "x")));
  writer.add(register(tees.Y, P1, 1, "y"));
  writer.add(register(tees.W, P2, 2, "w"));
  // Keys the indexer must not accept: not an RSA SubjectPublicKeyInfo, and RSA of 1024 bits.
  writer.add(register(malformed, P1, 1, "m"));
  writer.add(register(short, P1, 1, "s"));
  writer.add(att(staker, "deposit", [tees.X.teeId], parseEther("10")));
  writer.add(att(deployer, "deposit", [tees.Y.teeId], parseEther("10")));
  writer.add(att(deployer, "deposit", [tees.W.teeId], parseEther("10")));
  writer.add(register(tees.U, P3, 1, "u"));
  writer.add(att(deployer, "deposit", [tees.U.teeId], parseEther("10")));
  writer.add(att(zOperator, "deposit", [Z], parseEther("1")));
  writer.add(att(vOperator, "deposit", [tees.V.teeId], parseEther("1")));
  const mT = keccak256(toHex("edge/tee-model@1"));
  const mV = keccak256(toHex("edge/vanilla-model@1"));
  writer.add(
    att(modelOwner, "registerModel", [mT, 2, keccak256(toHex("ct")), "walrus:edge-t", "edge/tee-model", "1"]),
  );
  writer.add(
    att(modelOwner, "registerModel", [mV, 0, keccak256(toHex("cv")), "", "edge/vanilla-model", "1"]),
  );
  await mine("B2", t0 + 10);

  // B3: heartbeats (through the forwarder: UNKNOWN; a bad one: FAIL; a good one: PASS), commits, early
  // settlements (a far-future timestamp; a forged one for r1, which comes before r1's good one), a withdrawal.
  const io = (name: string) => ({
    input: keccak256(toHex(`in:${name}`)),
    output: keccak256(toHex(`out:${name}`)),
    salt: keccak256(toHex(`salt:${name}`)),
  });
  const reqs = {
    r1: io("r1"),
    r2: io("r2"),
    r3: io("r3"),
    r4: io("r4"),
    r5: io("r5"),
    r6: io("r6"),
    r7: io("r7"),
  };
  const requests = Object.fromEntries(
    Object.keys(reqs).map((k) => [k, keccak256(toHex(`request:${k}`))]),
  ) as EdgeChain["requests"];
  const hb = (k: TeeSigningKey, ts: bigint, good: boolean) =>
    tee(deployer, "heartbeat", [
      k.teeId,
      ts,
      signPss(k.privateKey, good ? heartbeatMessage(k.teeId, ts) : heartbeatMessage(k.teeId, ts + 1n)),
    ]);
  const settle = (
    k: TeeSigningKey,
    input: Hex,
    output: Hex,
    ts: bigint,
    blob: Hex,
    sig: "good" | "forged" | "empty",
  ) =>
    relay("settleIndividual", [
      k.teeId,
      input,
      output,
      ts,
      user,
      blob,
      sig === "empty"
        ? "0x"
        : signPss(k.privateKey, settlementMessage(input, output, sig === "good" ? ts : ts + 1n)),
    ]);
  const t3 = BigInt(t0 + 20);
  const huge = 2n ** 200n;
  writer.add(viaForwarder(hb(tees.X, t3, true)));
  writer.add(hb(tees.Y, t3, false));
  writer.add(hb(tees.Y, t3 + 1n, true));
  writer.add(
    att(deployer, "commit", [
      requests.r1,
      tees.Y.teeId,
      mT,
      reqs.r1.input,
      commitmentOf(reqs.r1.output, reqs.r1.salt),
    ]),
  );
  writer.add(
    att(deployer, "commit", [
      requests.r2,
      tees.Y.teeId,
      mT,
      reqs.r2.input,
      commitmentOf(reqs.r2.output, reqs.r2.salt),
    ]),
  );
  writer.add(
    att(deployer, "commit", [
      requests.r4,
      tees.Y.teeId,
      mT,
      reqs.r4.input,
      commitmentOf(reqs.r4.output, reqs.r4.salt),
    ]),
  );
  writer.add(
    att(deployer, "commit", [
      requests.r5,
      tees.W.teeId,
      mT,
      reqs.r5.input,
      commitmentOf(reqs.r5.output, reqs.r5.salt),
    ]),
  );
  writer.add(
    att(zOperator, "commit", [requests.r3, Z, mV, reqs.r3.input, commitmentOf(reqs.r3.output, reqs.r3.salt)]),
  );
  writer.add(
    settle(
      tees.X,
      keccak256(toHex("in:huge")),
      keccak256(toHex("out:huge")),
      huge,
      toHex("walrus:huge"),
      "good",
    ),
  );
  writer.add(settle(tees.Y, reqs.r1.input, reqs.r1.output, t3, "0x", "forged"));
  writer.add(att(deployer, "requestWithdrawal", [tees.Y.teeId, parseEther("5")]));
  writer.add(
    tee(deployer, "heartbeat", [malformed.teeId, t3, pss1024(heartbeatMessage(malformed.teeId, t3))]),
  );
  writer.add(tee(deployer, "heartbeat", [short.teeId, t3, pss1024(heartbeatMessage(short.teeId, t3))]));
  const inS = keccak256(toHex("in:short"));
  const outS = keccak256(toHex("out:short"));
  writer.add(
    relay("settleIndividual", [
      short.teeId,
      inS,
      outS,
      t3,
      user,
      "0x",
      pss1024(settlementMessage(inS, outS, t3)),
    ]),
  );
  // V stakes and commits in TEE mode before it is a registered TEE.
  writer.add(
    att(vOperator, "commit", [
      requests.r6,
      tees.V.teeId,
      mT,
      reqs.r6.input,
      commitmentOf(reqs.r6.output, reqs.r6.salt),
    ]),
  );
  writer.add(
    att(deployer, "commit", [
      requests.r7,
      tees.U.teeId,
      mT,
      reqs.r7.input,
      commitmentOf(reqs.r7.output, reqs.r7.salt),
    ]),
  );
  await mine("B3", Number(t3), [
    [heartbeatTx, "viaForwarder"],
    [heartbeatTx, "bad"],
    [heartbeatTx, "good"],
    [{}, "c1"],
    [{}, "c2"],
    [{}, "c4"],
    [{}, "c5"],
    [{}, "c3"],
    [settlementTx, "huge"],
    [settlementTx, "r1Forged"],
    [{}, "withdrawal"],
    [heartbeatTx, "malformedKey"],
    [heartbeatTx, "shortKey"],
    [settlementTx, "shortKey"],
  ]);

  // B4: reveals; r1's good settlement (later: does not count), r2's and r5's; an empty signature.
  for (const k of ["r1", "r2", "r5"] as const)
    writer.add(att(deployer, "reveal", [requests[k], reqs[k].output, reqs[k].salt, toHex(`quote:${k}`)]));
  writer.add(att(zOperator, "reveal", [requests.r3, reqs.r3.output, reqs.r3.salt, "0x"]));
  const t4 = BigInt(t0 + 30);
  writer.add(settle(tees.Y, reqs.r1.input, reqs.r1.output, t4, toHex("walrus:r1"), "good"));
  writer.add(settle(tees.Y, reqs.r2.input, reqs.r2.output, t4, toHex("walrus:r2"), "good"));
  writer.add(settle(tees.W, reqs.r5.input, reqs.r5.output, t4, toHex("walrus:r5"), "good"));
  writer.add(settle(tees.Y, keccak256(toHex("in:empty")), keccak256(toHex("out:empty")), t4, "0x", "empty"));
  writer.add(att(vOperator, "reveal", [requests.r6, reqs.r6.output, reqs.r6.salt, toHex("quote:r6")]));
  writer.add(settle(tees.V, reqs.r6.input, reqs.r6.output, t4, toHex("walrus:r6"), "good"));
  writer.add(att(deployer, "reveal", [requests.r7, reqs.r7.output, reqs.r7.salt, toHex("quote:r7")]));
  writer.add(settle(tees.U, reqs.r7.input, reqs.r7.output, t4, toHex("walrus:r7"), "good"));
  await mine("B4", Number(t4), [
    [{}, "v1"],
    [{}, "v2"],
    [{}, "v5"],
    [{}, "v3"],
    [settlementTx, "r1Good"],
    [settlementTx, "r2"],
    [settlementTx, "r5"],
    [settlementTx, "empty"],
    [{}, "v6"],
    [settlementTx, "r6BeforeRegistration"],
  ]);

  // B5: verdicts.
  for (const k of ["r1", "r2", "r3", "r5", "r6", "r7"] as const)
    writer.add(att(deployer, "verify", [requests[k], 0]));
  await mine("B5", t0 + 40);

  // B6: a slash with no request id; one naming no inference that asks more than the stake; Y disabled.
  writer.add(att(deployer, "slash", [Z, `0x${"0".repeat(64)}`, 0, parseEther("0.5")]));
  writer.add(
    att(deployer, "slash", [tees.Y.teeId, keccak256(toHex("no such request")), 5, parseEther("1000")]),
  );
  writer.add(tee(deployer, "disableTEE", [tees.Y.teeId]));
  await mine("B6", t0 + 50, [
    [slashTx, "zeroRequest"],
    [slashTx, "unknownRequest"],
  ]);

  // B7: a settlement while Y is disabled; P1 revoked for type 1 (X and Y).
  writer.add(
    settle(
      tees.Y,
      keccak256(toHex("in:disabled")),
      keccak256(toHex("out:disabled")),
      BigInt(t0 + 60),
      toHex("w"),
      "good",
    ),
  );
  writer.add(tee(deployer, "revokePCR", [P1.hash, 1]));
  await mine("B7", t0 + 60, [[settlementTx, "whileDisabled"]]);

  // B8: r4 expired (Y has no stake left: the timeout slash takes 0); Y enabled again.
  writer.add(att(keeper, "expire", [requests.r4]));
  writer.add(tee(deployer, "enableTEE", [tees.Y.teeId]));
  await mine("B8", t0 + 400);

  // B9, an hour later: Y's withdrawal completes after the slash emptied its stake: it pays 0, and stops being
  // pending; r2 is re-verified FAILED (another hour bucket); V registers, so its earlier settlement is re-checked.
  writer.add(att(deployer, "completeWithdrawal", [tees.Y.teeId, 1n]));
  writer.add(att(deployer, "verify", [requests.r2, 1]));
  writer.add(register(tees.V, P2, 1, "v"));
  await mine("B9", t0 + 4_000);

  // B10: the one-argument PCRRevoked(P2) of an older registry, from the registry's address.
  const code = await rpc.call<Hex>("eth_getCode", [teeRegistry, "latest"]);
  await rpc.call("anvil_setCode", [teeRegistry, legacyRevokerRuntime()]);
  writer.add({ from: deployer, to: teeRegistry, data: P2.hash });
  await mine("B10", t0 + 4_010);
  await rpc.call("anvil_setCode", [teeRegistry, code]);

  // B11: the registry works as before.
  writer.add(hb(tees.W, BigInt(t0 + 4_020), true));
  await mine("B11", t0 + 4_020, [[heartbeatTx, "afterLegacyRevoke"]]);

  // B12: freshness at its bounds (spec rule 2: signed at most an hour before the block and at most 5 minutes
  // after it): W's good signatures on timestamps 3600 and 3601 s before the block, 300 and 301 s after it.
  const t12 = t0 + 8_000;
  const edges = { freshPast: -3600, stalePast: -3601, freshFuture: 300, staleFuture: 301 } as const;
  for (const [name, offset] of Object.entries(edges)) {
    writer.add(
      settle(
        tees.W,
        keccak256(toHex(`in:${name}`)),
        keccak256(toHex(`out:${name}`)),
        BigInt(t12 + offset),
        "0x",
        "good",
      ),
    );
  }
  await mine(
    "B12",
    t12,
    Object.keys(edges).map((name): [Record<string, Hex>, string] => [settlementTx, name]),
  );

  return {
    forwarder,
    tees,
    badKeys: { malformed: malformed.teeId, short: short.teeId },
    Z,
    pcrs: { P1, P2, P3 },
    requests,
    settlementTx,
    heartbeatTx,
    slashTx,
    blocks,
    huge,
  };
}
