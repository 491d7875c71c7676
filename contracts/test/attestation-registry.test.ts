// AttestationRegistry on a real anvil: stake, models, the commit-reveal lifecycle, challenges and slashing.
// Every event's fields are decoded and compared; every revert is checked by its custom error name in a mined block.
import { randomBytes } from "node:crypto";
import { type Address, concat, type Hex, keccak256, parseEther, toHex, zeroHash } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Chain, type Deployed, only, type Sent, startChain } from "./support/chain.ts";

const ADMIN_ROLE = keccak256(toHex("ADMIN_ROLE"));
const VERIFIER_ROLE = keccak256(toHex("VERIFIER_ROLE"));
const ARBITER_ROLE = keccak256(toHex("ARBITER_ROLE"));
const SLASHER_ROLE = keccak256(toHex("SLASHER_ROLE"));

const Mode = { VANILLA: 0, ZKML: 1, TEE: 2 } as const;
const Outcome = { VERIFIED: 0, FAILED: 1, EXPIRED: 2 } as const;
const SlashReason = {
  INVALID_PROOF: 0,
  REVEAL_MISMATCH: 1,
  REVEAL_TIMEOUT: 2,
  LOST_DISPUTE: 3,
  PCR_REVOKED: 4,
  EQUIVOCATION: 5,
} as const;

// The deployed defaults (read and checked in "parameters" below).
const REVEAL_WINDOW = 300n;
const CHALLENGE_WINDOW = 3600n;
const WITHDRAWAL_DELAY = 3600n;
const MIN_BOND = parseEther("0.01");
const TIMEOUT_SLASH = parseEther("0.1");
const DISPUTE_SLASH = parseEther("0.5");

const DEFAULT_PARAMETERS = [
  REVEAL_WINDOW,
  CHALLENGE_WINDOW,
  WITHDRAWAL_DELAY,
  MIN_BOND,
  TIMEOUT_SLASH,
  DISPUTE_SLASH,
] as const;

const id = (): Hex => toHex(randomBytes(32));

let chain: Chain;
let reg: Deployed;
let deployer: Address; // holds every role
let operator: Address; // first depositor of the nodes below, and their committer
let other: Address; // a second depositor
let stranger: Address; // holds no role
let modelOwner: Address;
let challenger: Address;

beforeAll(async () => {
  chain = await startChain();
  reg = chain.attestationRegistry;
  [deployer, operator, other, stranger, modelOwner, challenger] = chain.accounts;
});

afterAll(async () => {
  await chain?.stop();
});

// ---- fixtures (each call uses fresh ids, so tests do not depend on one another's state) ----

async function stakedNode(amount = parseEther("1"), from = operator): Promise<Hex> {
  const nodeId = id();
  await chain.send(reg, "deposit", [nodeId], { from, value: amount });
  return nodeId;
}

async function newModel(mode: number = Mode.VANILLA): Promise<Hex> {
  const modelId = id();
  await chain.send(reg, "registerModel", [modelId, mode, id(), "blob", "model", "1"], { from: modelOwner });
  return modelId;
}

interface Committed {
  requestId: Hex;
  nodeId: Hex;
  modelId: Hex;
  outputHash: Hex;
  salt: Hex;
  revealDeadline: bigint;
}

async function committed(opts: { stake?: bigint; nodeId?: Hex; mode?: number } = {}): Promise<Committed> {
  const nodeId = opts.nodeId ?? (await stakedNode(opts.stake));
  const modelId = await newModel(opts.mode);
  const requestId = id();
  const outputHash = id();
  const salt = id();
  const commitment = keccak256(concat([outputHash, salt]));
  const sent = await chain.send(reg, "commit", [requestId, nodeId, modelId, id(), commitment], {
    from: operator,
  });
  const revealDeadline = only(sent, "InferenceCommitted").revealDeadline as bigint;
  return { requestId, nodeId, modelId, outputHash, salt, revealDeadline };
}

async function revealed(opts: { stake?: bigint } = {}): Promise<Committed> {
  const c = await committed(opts);
  await chain.send(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], { from: operator });
  return c;
}

const stakeOf = (nodeId: Hex) => chain.read<bigint>(reg, "stakeOf", [nodeId]);
const pendingOf = (nodeId: Hex) => chain.read<bigint>(reg, "pendingWithdrawalsOf", [nodeId]);
const names = (sent: Sent) => sent.events.map((e) => e.eventName);

async function expectNotSlashed(sent: Sent) {
  expect(sent.events.some((e) => e.eventName === "NodeSlashed")).toBe(false);
}

// ---- tests ----

describe("roles and parameters", () => {
  test("the deployer holds ADMIN, VERIFIER, ARBITER and SLASHER roles; a stranger holds none", async () => {
    expect(await chain.read(reg, "VERIFIER_ROLE")).toBe(VERIFIER_ROLE);
    expect(await chain.read(reg, "ARBITER_ROLE")).toBe(ARBITER_ROLE);
    expect(await chain.read(reg, "SLASHER_ROLE")).toBe(SLASHER_ROLE);
    for (const role of [ADMIN_ROLE, VERIFIER_ROLE, ARBITER_ROLE, SLASHER_ROLE]) {
      expect(await chain.read(reg, "hasRole", [role, deployer])).toBe(true);
      expect(await chain.read(reg, "hasRole", [role, stranger])).toBe(false);
    }
  });

  test("verify, resolveChallenge, slash and setParameters by a stranger revert MissingRole(role, caller)", async () => {
    const from = { from: stranger };
    const cases: [string, unknown[], Hex][] = [
      ["verify", [id(), Outcome.VERIFIED], VERIFIER_ROLE],
      ["resolveChallenge", [1n, true, id()], ARBITER_ROLE],
      ["slash", [id(), zeroHash, SlashReason.EQUIVOCATION, 1n], SLASHER_ROLE],
      ["setParameters", [1n, 1n, 1n, 1n, 1n, 1n], ADMIN_ROLE],
      ["grantRole", [VERIFIER_ROLE, stranger], ADMIN_ROLE],
    ];
    for (const [fn, args, role] of cases) {
      expect(await chain.expectRevert(reg, fn, args, "MissingRole", from), fn).toEqual([role, stranger]);
    }
  });

  test("the deployed windows keep the unlock delay at least the challenge window", async () => {
    expect(await chain.read(reg, "revealWindow")).toBe(REVEAL_WINDOW);
    expect(await chain.read(reg, "challengeWindow")).toBe(CHALLENGE_WINDOW);
    expect(await chain.read(reg, "withdrawalDelay")).toBe(WITHDRAWAL_DELAY);
    expect(await chain.read(reg, "minChallengeBond")).toBe(MIN_BOND);
    expect(await chain.read(reg, "timeoutSlashAmount")).toBe(TIMEOUT_SLASH);
    expect(await chain.read(reg, "disputeSlashAmount")).toBe(DISPUTE_SLASH);
    expect(WITHDRAWAL_DELAY >= CHALLENGE_WINDOW).toBe(true);
  });

  test("setParameters with withdrawalDelay < challengeWindow reverts WindowTooShort; equal is accepted", async () => {
    const short = [REVEAL_WINDOW, 3600n, 3599n, MIN_BOND, TIMEOUT_SLASH, DISPUTE_SLASH];
    expect(await chain.expectRevert(reg, "setParameters", short, "WindowTooShort")).toEqual([3599n, 3600n]);
    expect(await chain.read(reg, "withdrawalDelay")).toBe(WITHDRAWAL_DELAY);
    // Equal windows are accepted (the deployed defaults are equal; later tests rely on them).
    expect(WITHDRAWAL_DELAY).toBe(CHALLENGE_WINDOW);
    await chain.send(reg, "setParameters", DEFAULT_PARAMETERS);
    expect(await chain.read(reg, "withdrawalDelay")).toBe(CHALLENGE_WINDOW);
  });
});

describe("stake", () => {
  test("deposit emits StakeDeposited(nodeId, from, amount, newTotal); the first depositor becomes the operator", async () => {
    const nodeId = id();
    const first = await chain.send(reg, "deposit", [nodeId], { from: operator, value: parseEther("1") });
    expect(first.events).toHaveLength(1);
    expect(only(first, "StakeDeposited")).toEqual({
      nodeId,
      from: operator,
      amount: parseEther("1"),
      newTotal: parseEther("1"),
    });
    const second = await chain.send(reg, "deposit", [nodeId], { from: other, value: parseEther("0.5") });
    expect(only(second, "StakeDeposited")).toEqual({
      nodeId,
      from: other,
      amount: parseEther("0.5"),
      newTotal: parseEther("1.5"),
    });
    expect(await chain.read(reg, "operatorOf", [nodeId])).toBe(operator);
    expect(await stakeOf(nodeId)).toBe(parseEther("1.5"));
  });

  test("deposit of 0 reverts ZeroAmount", async () => {
    await chain.expectRevert(reg, "deposit", [id()], "ZeroAmount", { from: operator, value: 0n });
  });

  test("requestWithdrawal returns and emits withdrawalId and unlockAt = block timestamp + withdrawalDelay", async () => {
    const nodeId = await stakedNode(parseEther("2"));
    const expectedId = await chain.simulate<bigint>(reg, "requestWithdrawal", [nodeId, parseEther("0.5")], {
      from: operator,
    });
    // A withdrawal delay longer than the challenge window, so the two cannot be confused.
    const longDelay = CHALLENGE_WINDOW + 1800n;
    await chain.send(reg, "setParameters", [
      REVEAL_WINDOW,
      CHALLENGE_WINDOW,
      longDelay,
      MIN_BOND,
      TIMEOUT_SLASH,
      DISPUTE_SLASH,
    ]);
    let sent: Sent;
    try {
      sent = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.5")], { from: operator });
    } finally {
      await chain.send(reg, "setParameters", DEFAULT_PARAMETERS);
    }
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "WithdrawalRequested")).toEqual({
      nodeId,
      withdrawalId: expectedId,
      amount: parseEther("0.5"),
      unlockAt: sent.timestamp + longDelay,
    });
    const next = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.25")], { from: operator });
    expect(only(next, "WithdrawalRequested").withdrawalId).toBe(expectedId + 1n);
    // A requested withdrawal stays part of the stake until it completes.
    expect(await stakeOf(nodeId)).toBe(parseEther("2"));
    expect(await pendingOf(nodeId)).toBe(parseEther("0.75"));
  });

  test("requestWithdrawal by anyone but the operator (even another depositor) reverts NotOperator", async () => {
    const nodeId = await stakedNode();
    await chain.send(reg, "deposit", [nodeId], { from: other, value: parseEther("1") });
    expect(
      await chain.expectRevert(reg, "requestWithdrawal", [nodeId, 1n], "NotOperator", { from: other }),
    ).toEqual([nodeId, other]);
    await chain.expectRevert(reg, "requestWithdrawal", [nodeId, 1n], "NotOperator", { from: deployer });
  });

  test("requestWithdrawal above stake minus pending withdrawals reverts WithdrawalExceedsAvailable", async () => {
    const nodeId = await stakedNode(parseEther("1"));
    const from = { from: operator };
    await chain.expectRevert(
      reg,
      "requestWithdrawal",
      [nodeId, parseEther("1") + 1n],
      "WithdrawalExceedsAvailable",
      from,
    );
    await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.7")], from);
    expect(
      await chain.expectRevert(
        reg,
        "requestWithdrawal",
        [nodeId, parseEther("0.3") + 1n],
        "WithdrawalExceedsAvailable",
        from,
      ),
    ).toEqual([nodeId, parseEther("0.3") + 1n, parseEther("0.3")]);
    // Exactly what is left is fine, and then nothing is left.
    await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.3")], from);
    await chain.expectRevert(reg, "requestWithdrawal", [nodeId, 1n], "WithdrawalExceedsAvailable", from);
  });

  test("completeWithdrawal: locked before unlockAt, operator only, pays the amount at unlockAt, not twice", async () => {
    const nodeId = await stakedNode(parseEther("1"));
    const req = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.4")], { from: operator });
    const { withdrawalId, unlockAt } = only(req, "WithdrawalRequested") as {
      withdrawalId: bigint;
      unlockAt: bigint;
    };

    await chain.setNextTimestamp(unlockAt - 1n);
    expect(
      await chain.expectRevert(reg, "completeWithdrawal", [nodeId, withdrawalId], "WithdrawalLocked", {
        from: operator,
      }),
    ).toEqual([withdrawalId, unlockAt]);

    await chain.expectRevert(reg, "completeWithdrawal", [nodeId, withdrawalId], "NotOperator", {
      from: other,
    });

    await chain.setNextTimestamp(unlockAt);
    const balanceBefore = await chain.balance(operator);
    const registryBefore = await chain.balance(reg.address);
    const done = await chain.send(reg, "completeWithdrawal", [nodeId, withdrawalId], { from: operator });
    expect(done.events).toHaveLength(1);
    expect(only(done, "WithdrawalCompleted")).toEqual({ nodeId, withdrawalId, amount: parseEther("0.4") });
    expect((await chain.balance(operator)) - balanceBefore + done.gasCost).toBe(parseEther("0.4"));
    expect(registryBefore - (await chain.balance(reg.address))).toBe(parseEther("0.4"));
    expect(await stakeOf(nodeId)).toBe(parseEther("0.6"));
    expect(await pendingOf(nodeId)).toBe(0n);

    await chain.expectRevert(
      reg,
      "completeWithdrawal",
      [nodeId, withdrawalId],
      "WithdrawalAlreadyCompleted",
      {
        from: operator,
      },
    );
  });

  test("completeWithdrawal waits while a challenge against the node is open, and succeeds once it is resolved", async () => {
    const c = await revealed();
    const req = await chain.send(reg, "requestWithdrawal", [c.nodeId, parseEther("0.1")], { from: operator });
    const { withdrawalId, unlockAt } = only(req, "WithdrawalRequested") as {
      withdrawalId: bigint;
      unlockAt: bigint;
    };
    const opened = await chain.send(reg, "openChallenge", [c.requestId], {
      from: challenger,
      value: MIN_BOND,
    });
    const { challengeId } = only(opened, "ChallengeOpened") as { challengeId: bigint };
    expect(await chain.read<bigint>(reg, "openChallengesOf", [c.nodeId])).toBe(1n);
    await chain.setNextTimestamp(unlockAt + 10n);
    expect(
      await chain.expectRevert(reg, "completeWithdrawal", [c.nodeId, withdrawalId], "ChallengePending", {
        from: operator,
      }),
    ).toEqual([c.nodeId, 1n]);
    await chain.send(reg, "resolveChallenge", [challengeId, false, id()]);
    expect(await chain.read<bigint>(reg, "openChallengesOf", [c.nodeId])).toBe(0n);
    const done = await chain.send(reg, "completeWithdrawal", [c.nodeId, withdrawalId], { from: operator });
    expect(only(done, "WithdrawalCompleted")).toEqual({
      nodeId: c.nodeId,
      withdrawalId,
      amount: parseEther("0.1"),
    });
  });

  test("completeWithdrawal of an unknown withdrawal, or one of another node, reverts UnknownWithdrawal", async () => {
    const nodeA = await stakedNode();
    const nodeB = await stakedNode();
    const req = await chain.send(reg, "requestWithdrawal", [nodeA, 1n], { from: operator });
    const { withdrawalId } = only(req, "WithdrawalRequested") as { withdrawalId: bigint };
    await chain.expectRevert(reg, "completeWithdrawal", [nodeB, withdrawalId], "UnknownWithdrawal", {
      from: operator,
    });
    await chain.expectRevert(reg, "completeWithdrawal", [nodeA, 10n ** 9n], "UnknownWithdrawal", {
      from: operator,
    });
  });
});

describe("models", () => {
  test("registerModel emits ModelRegistered with every field, in each mode, with a non-ASCII name", async () => {
    for (const mode of [Mode.VANILLA, Mode.ZKML, Mode.TEE]) {
      const modelId = keccak256(toHex(`og/llama-3-${mode}-${Math.random()}`));
      const contentHash = id();
      const name = "Llama‑3 🦙 Übersetzer 日本語 «8B»";
      const sent = await chain.send(
        reg,
        "registerModel",
        [modelId, mode, contentHash, "walrus:Zx9_Q3-blob", name, "v2.0.1-β"],
        { from: modelOwner },
      );
      expect(sent.events).toHaveLength(1);
      expect(only(sent, "ModelRegistered")).toEqual({
        modelId,
        owner: modelOwner,
        mode,
        contentHash,
        blobId: "walrus:Zx9_Q3-blob",
        name,
        version: "v2.0.1-β",
      });
    }
  });

  test("registering an existing model id reverts ModelAlreadyRegistered, whoever asks", async () => {
    const modelId = await newModel();
    const args = [modelId, Mode.ZKML, id(), "", "", ""];
    expect(
      await chain.expectRevert(reg, "registerModel", args, "ModelAlreadyRegistered", { from: other }),
    ).toEqual([modelId]);
    await chain.expectRevert(reg, "registerModel", args, "ModelAlreadyRegistered", { from: modelOwner });
  });

  test("deprecateModel: only the model owner (not even an admin); emits ModelDeprecated; twice reverts", async () => {
    const modelId = await newModel();
    expect(
      await chain.expectRevert(reg, "deprecateModel", [modelId], "NotModelOwner", { from: deployer }),
    ).toEqual([modelId, deployer]);
    await chain.expectRevert(reg, "deprecateModel", [modelId], "NotModelOwner", { from: stranger });
    const sent = await chain.send(reg, "deprecateModel", [modelId], { from: modelOwner });
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "ModelDeprecated")).toEqual({ modelId });
    await chain.expectRevert(reg, "deprecateModel", [modelId], "ModelIsDeprecated", { from: modelOwner });
  });

  test("deprecateModel of an unknown model reverts UnknownModel", async () => {
    await chain.expectRevert(reg, "deprecateModel", [id()], "UnknownModel", { from: modelOwner });
  });
});

describe("commit", () => {
  test("commit emits InferenceCommitted with the model's mode and revealDeadline = block timestamp + revealWindow", async () => {
    const nodeId = await stakedNode();
    for (const mode of [Mode.VANILLA, Mode.ZKML, Mode.TEE]) {
      const modelId = await newModel(mode);
      const requestId = id();
      const inputHash = id();
      const commitment = keccak256(concat([id(), id()]));
      const sent = await chain.send(reg, "commit", [requestId, nodeId, modelId, inputHash, commitment], {
        from: operator,
      });
      expect(sent.events).toHaveLength(1);
      expect(only(sent, "InferenceCommitted")).toEqual({
        requestId,
        nodeId,
        modelId,
        mode,
        inputHash,
        commitment,
        revealDeadline: sent.timestamp + REVEAL_WINDOW,
      });
    }
  });

  test("commit for an unknown model reverts UnknownModel", async () => {
    const nodeId = await stakedNode();
    const modelId = id();
    expect(
      await chain.expectRevert(reg, "commit", [id(), nodeId, modelId, id(), id()], "UnknownModel", {
        from: operator,
      }),
    ).toEqual([modelId]);
  });

  test("commit for a deprecated model reverts ModelIsDeprecated", async () => {
    const nodeId = await stakedNode();
    const modelId = await newModel();
    await chain.send(reg, "deprecateModel", [modelId], { from: modelOwner });
    await chain.expectRevert(reg, "commit", [id(), nodeId, modelId, id(), id()], "ModelIsDeprecated", {
      from: operator,
    });
  });

  test("commit for a node with zero stake (never staked, or slashed to zero) reverts NoStake", async () => {
    const modelId = await newModel();
    const never = id();
    expect(
      await chain.expectRevert(reg, "commit", [id(), never, modelId, id(), id()], "NoStake", {
        from: operator,
      }),
    ).toEqual([never]);
    const emptied = await stakedNode(parseEther("0.2"));
    await chain.send(reg, "slash", [emptied, zeroHash, SlashReason.EQUIVOCATION, parseEther("1")]);
    await chain.expectRevert(reg, "commit", [id(), emptied, modelId, id(), id()], "NoStake", {
      from: operator,
    });
  });

  test("commit with a reused requestId reverts RequestIdUsed (even for another node)", async () => {
    const c = await committed();
    const otherNode = await stakedNode();
    expect(
      await chain.expectRevert(
        reg,
        "commit",
        [c.requestId, otherNode, c.modelId, id(), id()],
        "RequestIdUsed",
        {
          from: operator,
        },
      ),
    ).toEqual([c.requestId]);
  });

  test("commit in a node's name by anyone but its operator reverts NotNodeOperator", async () => {
    const nodeId = await stakedNode();
    const modelId = await newModel();
    expect(
      await chain.expectRevert(reg, "commit", [id(), nodeId, modelId, id(), id()], "NotNodeOperator", {
        from: other,
      }),
    ).toEqual([nodeId, other]);
  });
});

describe("reveal", () => {
  test("reveal emits InferenceRevealed(requestId, nodeId, outputHash, salt, proofRef), empty proofRef as 0x", async () => {
    const c = await committed();
    const sent = await chain.send(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], {
      from: operator,
    });
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "InferenceRevealed")).toEqual({
      requestId: c.requestId,
      nodeId: c.nodeId,
      outputHash: c.outputHash,
      salt: c.salt,
      proofRef: "0x",
    });
  });

  test("reveal does not check the commitment on chain and passes a proofRef through", async () => {
    const c = await committed({ mode: Mode.ZKML });
    const wrongOutput = id();
    const proofRef = toHex("walrus://proof/0xabc");
    const sent = await chain.send(reg, "reveal", [c.requestId, wrongOutput, c.salt, proofRef], {
      from: operator,
    });
    expect(only(sent, "InferenceRevealed")).toEqual({
      requestId: c.requestId,
      nodeId: c.nodeId,
      outputHash: wrongOutput,
      salt: c.salt,
      proofRef,
    });
  });

  test("reveal by anyone but the committer reverts NotCommitter", async () => {
    const c = await committed();
    expect(
      await chain.expectRevert(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], "NotCommitter", {
        from: stranger,
      }),
    ).toEqual([c.requestId, stranger]);
  });

  test("revealing twice reverts AlreadyRevealed", async () => {
    const c = await revealed();
    await chain.expectRevert(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], "AlreadyRevealed", {
      from: operator,
    });
  });

  test("reveal of an unknown requestId reverts UnknownInference", async () => {
    await chain.expectRevert(reg, "reveal", [id(), id(), id(), "0x"], "UnknownInference", { from: operator });
  });

  test("reveal after revealDeadline is allowed while the inference has not been expired", async () => {
    const c = await committed();
    await chain.setNextTimestamp(c.revealDeadline + 100n);
    const sent = await chain.send(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], {
      from: operator,
    });
    expect(sent.timestamp).toBe(c.revealDeadline + 100n);
    expect(only(sent, "InferenceRevealed").requestId).toBe(c.requestId);
    // Revealed late: it can no longer be expired.
    await chain.expectRevert(reg, "expire", [c.requestId], "AlreadyRevealed");
  });

  test("reveal after expire reverts InferenceExpired", async () => {
    const c = await committed();
    await chain.setNextTimestamp(c.revealDeadline + 1n);
    await chain.send(reg, "expire", [c.requestId]);
    expect(
      await chain.expectRevert(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], "InferenceExpired", {
        from: operator,
      }),
    ).toEqual([c.requestId]);
  });
});

describe("verify", () => {
  test("verify emits InferenceVerified VERIFIED, and a later verify (FAILED) emits the replacing verdict", async () => {
    const c = await revealed();
    const ok = await chain.send(reg, "verify", [c.requestId, Outcome.VERIFIED]);
    expect(ok.events).toHaveLength(1);
    expect(only(ok, "InferenceVerified")).toEqual({
      requestId: c.requestId,
      nodeId: c.nodeId,
      modelId: c.modelId,
      outcome: Outcome.VERIFIED,
      verifier: deployer,
    });
    const failed = await chain.send(reg, "verify", [c.requestId, Outcome.FAILED]);
    expect(only(failed, "InferenceVerified")).toEqual({
      requestId: c.requestId,
      nodeId: c.nodeId,
      modelId: c.modelId,
      outcome: Outcome.FAILED,
      verifier: deployer,
    });
    await expectNotSlashed(failed); // FAILED alone slashes nothing
    expect(await stakeOf(c.nodeId)).toBe(parseEther("1"));
  });

  test("verify with EXPIRED reverts InvalidOutcome", async () => {
    const c = await revealed();
    expect(await chain.expectRevert(reg, "verify", [c.requestId, Outcome.EXPIRED], "InvalidOutcome")).toEqual(
      [Outcome.EXPIRED],
    );
  });

  test("verify before reveal reverts NotRevealed, and of an unknown request UnknownInference", async () => {
    const c = await committed();
    expect(await chain.expectRevert(reg, "verify", [c.requestId, Outcome.VERIFIED], "NotRevealed")).toEqual([
      c.requestId,
    ]);
    await chain.expectRevert(reg, "verify", [id(), Outcome.VERIFIED], "UnknownInference");
  });

  test("grantRole(VERIFIER_ROLE) lets another account verify, named as the verifier", async () => {
    const c = await revealed();
    await chain.expectRevert(reg, "verify", [c.requestId, Outcome.FAILED], "MissingRole", { from: other });
    const granted = await chain.send(reg, "grantRole", [VERIFIER_ROLE, other]);
    expect(only(granted, "RoleGranted")).toEqual({ role: VERIFIER_ROLE, account: other, sender: deployer });
    expect(await chain.read(reg, "hasRole", [VERIFIER_ROLE, other])).toBe(true);
    const sent = await chain.send(reg, "verify", [c.requestId, Outcome.FAILED], { from: other });
    expect(only(sent, "InferenceVerified")).toMatchObject({ outcome: Outcome.FAILED, verifier: other });
  });
});

describe("expire", () => {
  test("expire before and at revealDeadline reverts DeadlineNotPassed", async () => {
    const c = await committed();
    expect(await chain.expectRevert(reg, "expire", [c.requestId], "DeadlineNotPassed")).toEqual([
      c.requestId,
      c.revealDeadline,
    ]);
    await chain.setNextTimestamp(c.revealDeadline);
    await chain.expectRevert(reg, "expire", [c.requestId], "DeadlineNotPassed");
  });

  test("expire after revealDeadline (by anyone) emits InferenceVerified EXPIRED then NodeSlashed REVEAL_TIMEOUT", async () => {
    const c = await committed({ stake: parseEther("1") });
    await chain.setNextTimestamp(c.revealDeadline + 1n);
    const sent = await chain.send(reg, "expire", [c.requestId], { from: stranger });
    expect(names(sent)).toEqual(["InferenceVerified", "NodeSlashed"]);
    expect(only(sent, "InferenceVerified")).toEqual({
      requestId: c.requestId,
      nodeId: c.nodeId,
      modelId: c.modelId,
      outcome: Outcome.EXPIRED,
      verifier: stranger,
    });
    expect(only(sent, "NodeSlashed")).toEqual({
      nodeId: c.nodeId,
      requestId: c.requestId,
      reason: SlashReason.REVEAL_TIMEOUT,
      amount: TIMEOUT_SLASH,
      remainingStake: parseEther("1") - TIMEOUT_SLASH,
    });
    expect(await stakeOf(c.nodeId)).toBe(parseEther("1") - TIMEOUT_SLASH);
  });

  test("expire takes min(timeoutSlashAmount, stake): a smaller stake is taken whole", async () => {
    const c = await committed({ stake: parseEther("0.04") });
    await chain.setNextTimestamp(c.revealDeadline + 1n);
    const sent = await chain.send(reg, "expire", [c.requestId]);
    expect(only(sent, "NodeSlashed")).toEqual({
      nodeId: c.nodeId,
      requestId: c.requestId,
      reason: SlashReason.REVEAL_TIMEOUT,
      amount: parseEther("0.04"),
      remainingStake: 0n,
    });
    expect(await stakeOf(c.nodeId)).toBe(0n);
  });

  test("expire after reveal reverts AlreadyRevealed; expiring twice reverts InferenceExpired", async () => {
    const r = await revealed();
    await chain.setNextTimestamp(r.revealDeadline + 1n);
    await chain.expectRevert(reg, "expire", [r.requestId], "AlreadyRevealed");

    const c = await committed();
    await chain.setNextTimestamp(c.revealDeadline + 1n);
    await chain.send(reg, "expire", [c.requestId]);
    expect(await chain.expectRevert(reg, "expire", [c.requestId], "InferenceExpired")).toEqual([c.requestId]);
    // An expired inference cannot be verified afterwards either.
    await chain.expectRevert(reg, "verify", [c.requestId, Outcome.VERIFIED], "NotRevealed");
  });
});

describe("challenges", () => {
  test("openChallenge below the minimum bond reverts BondTooLow; before reveal NotRevealed", async () => {
    const c = await committed();
    await chain.expectRevert(reg, "openChallenge", [c.requestId], "NotRevealed", {
      from: challenger,
      value: MIN_BOND,
    });
    await chain.send(reg, "reveal", [c.requestId, c.outputHash, c.salt, "0x"], { from: operator });
    expect(
      await chain.expectRevert(reg, "openChallenge", [c.requestId], "BondTooLow", {
        from: challenger,
        value: MIN_BOND - 1n,
      }),
    ).toEqual([MIN_BOND - 1n, MIN_BOND]);
    await chain.expectRevert(reg, "openChallenge", [id()], "UnknownInference", {
      from: challenger,
      value: MIN_BOND,
    });
  });

  test("openChallenge returns and emits ChallengeOpened(challengeId, requestId, challenger, bond, deadline); a second one while open reverts", async () => {
    const c = await revealed();
    const bond = parseEther("0.02");
    const expectedId = await chain.simulate<bigint>(reg, "openChallenge", [c.requestId], {
      from: challenger,
      value: bond,
    });
    const sent = await chain.send(reg, "openChallenge", [c.requestId], { from: challenger, value: bond });
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "ChallengeOpened")).toEqual({
      challengeId: expectedId,
      requestId: c.requestId,
      challenger,
      bond,
      deadline: sent.timestamp + CHALLENGE_WINDOW,
    });
    expect(
      await chain.expectRevert(reg, "openChallenge", [c.requestId], "ChallengeAlreadyOpen", {
        from: other,
        value: bond,
      }),
    ).toEqual([c.requestId, expectedId]);
  });

  test("resolveChallenge not at fault emits ChallengeResolved(false), slashes nothing and keeps the bond; twice reverts", async () => {
    const c = await revealed();
    const opened = await chain.send(reg, "openChallenge", [c.requestId], {
      from: challenger,
      value: MIN_BOND,
    });
    const { challengeId } = only(opened, "ChallengeOpened") as { challengeId: bigint };
    const challengerBefore = await chain.balance(challenger);
    const registryBefore = await chain.balance(reg.address);
    const evidenceHash = id();

    const sent = await chain.send(reg, "resolveChallenge", [challengeId, false, evidenceHash]);
    expect(sent.events).toHaveLength(1);
    expect(only(sent, "ChallengeResolved")).toEqual({
      challengeId,
      requestId: c.requestId,
      nodeAtFault: false,
      resolver: deployer,
      evidenceHash,
    });
    await expectNotSlashed(sent);
    expect(await stakeOf(c.nodeId)).toBe(parseEther("1"));
    expect(await chain.balance(challenger)).toBe(challengerBefore);
    expect(await chain.balance(reg.address)).toBe(registryBefore);

    expect(
      await chain.expectRevert(
        reg,
        "resolveChallenge",
        [challengeId, true, evidenceHash],
        "ChallengeAlreadyResolved",
      ),
    ).toEqual([challengeId]);
    // Once resolved, the inference can be challenged again.
    const again = await chain.send(reg, "openChallenge", [c.requestId], { from: other, value: MIN_BOND });
    expect(only(again, "ChallengeOpened").challengeId).toBe(challengeId + 1n);
  });

  test("resolveChallenge at fault emits ChallengeResolved(true) and NodeSlashed LOST_DISPUTE, and returns the bond", async () => {
    const c = await revealed({ stake: parseEther("2") });
    const bond = parseEther("0.03");
    const opened = await chain.send(reg, "openChallenge", [c.requestId], { from: challenger, value: bond });
    const { challengeId } = only(opened, "ChallengeOpened") as { challengeId: bigint };
    const challengerBefore = await chain.balance(challenger);
    const registryBefore = await chain.balance(reg.address);
    const evidenceHash = id();

    const sent = await chain.send(reg, "resolveChallenge", [challengeId, true, evidenceHash]);
    expect(names(sent)).toEqual(["ChallengeResolved", "NodeSlashed"]);
    expect(only(sent, "ChallengeResolved")).toEqual({
      challengeId,
      requestId: c.requestId,
      nodeAtFault: true,
      resolver: deployer,
      evidenceHash,
    });
    expect(only(sent, "NodeSlashed")).toEqual({
      nodeId: c.nodeId,
      requestId: c.requestId,
      reason: SlashReason.LOST_DISPUTE,
      amount: DISPUTE_SLASH,
      remainingStake: parseEther("2") - DISPUTE_SLASH,
    });
    expect(await stakeOf(c.nodeId)).toBe(parseEther("2") - DISPUTE_SLASH);
    expect((await chain.balance(challenger)) - challengerBefore).toBe(bond);
    expect(registryBefore - (await chain.balance(reg.address))).toBe(bond);
    await chain.expectRevert(
      reg,
      "resolveChallenge",
      [challengeId, true, evidenceHash],
      "ChallengeAlreadyResolved",
    );
  });

  test("resolveChallenge of an unknown challenge reverts UnknownChallenge; by a non-arbiter MissingRole", async () => {
    await chain.expectRevert(reg, "resolveChallenge", [10n ** 9n, true, id()], "UnknownChallenge");
    const c = await revealed();
    const opened = await chain.send(reg, "openChallenge", [c.requestId], {
      from: challenger,
      value: MIN_BOND,
    });
    const { challengeId } = only(opened, "ChallengeOpened") as { challengeId: bigint };
    expect(
      await chain.expectRevert(reg, "resolveChallenge", [challengeId, true, id()], "MissingRole", {
        from: challenger,
      }),
    ).toEqual([ARBITER_ROLE, challenger]);
  });
});

describe("slash", () => {
  test("slash emits NodeSlashed(nodeId, requestId, reason, amount, remainingStake) for each reason", async () => {
    const nodeId = await stakedNode(parseEther("1"));
    let stake = parseEther("1");
    for (const reason of Object.values(SlashReason)) {
      const requestId = reason % 2 === 0 ? zeroHash : id();
      const amount = parseEther("0.01") * BigInt(reason + 1);
      const sent = await chain.send(reg, "slash", [nodeId, requestId, reason, amount]);
      stake -= amount;
      expect(sent.events).toHaveLength(1);
      expect(only(sent, "NodeSlashed")).toEqual({ nodeId, requestId, reason, amount, remainingStake: stake });
    }
    expect(await stakeOf(nodeId)).toBe(stake);
  });

  test("a slash above the stake takes all of it (remainingStake 0); a second slash takes 0", async () => {
    const nodeId = await stakedNode(parseEther("0.3"));
    const first = await chain.send(reg, "slash", [
      nodeId,
      zeroHash,
      SlashReason.EQUIVOCATION,
      parseEther("5"),
    ]);
    expect(only(first, "NodeSlashed")).toEqual({
      nodeId,
      requestId: zeroHash,
      reason: SlashReason.EQUIVOCATION,
      amount: parseEther("0.3"),
      remainingStake: 0n,
    });
    const second = await chain.send(reg, "slash", [
      nodeId,
      zeroHash,
      SlashReason.PCR_REVOKED,
      parseEther("1"),
    ]);
    expect(only(second, "NodeSlashed")).toEqual({
      nodeId,
      requestId: zeroHash,
      reason: SlashReason.PCR_REVOKED,
      amount: 0n,
      remainingStake: 0n,
    });
    expect(await stakeOf(nodeId)).toBe(0n);
  });

  test("slash of a node that never had stake reverts NeverStaked; one that withdrew everything is slashed 0", async () => {
    const never = id();
    expect(
      await chain.expectRevert(reg, "slash", [never, zeroHash, SlashReason.INVALID_PROOF, 1n], "NeverStaked"),
    ).toEqual([never]);

    const nodeId = await stakedNode(parseEther("0.1"));
    const req = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.1")], { from: operator });
    const { withdrawalId, unlockAt } = only(req, "WithdrawalRequested") as {
      withdrawalId: bigint;
      unlockAt: bigint;
    };
    await chain.setNextTimestamp(unlockAt);
    await chain.send(reg, "completeWithdrawal", [nodeId, withdrawalId], { from: operator });
    const sent = await chain.send(reg, "slash", [nodeId, zeroHash, SlashReason.INVALID_PROOF, 1n]);
    expect(only(sent, "NodeSlashed")).toMatchObject({ amount: 0n, remainingStake: 0n });
  });
});

describe("stake never goes below zero", () => {
  test("a slash while a withdrawal is pending; completion then pays min(requested, what is left)", async () => {
    const nodeId = await stakedNode(parseEther("1"));
    const req = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.8")], { from: operator });
    const { withdrawalId, unlockAt } = only(req, "WithdrawalRequested") as {
      withdrawalId: bigint;
      unlockAt: bigint;
    };

    const slashed = await chain.send(reg, "slash", [
      nodeId,
      zeroHash,
      SlashReason.INVALID_PROOF,
      parseEther("0.5"),
    ]);
    expect(only(slashed, "NodeSlashed")).toMatchObject({
      amount: parseEther("0.5"),
      remainingStake: parseEther("0.5"),
    });
    // The pending amount is kept as requested even though the stake is now below it.
    expect(await pendingOf(nodeId)).toBe(parseEther("0.8"));
    await chain.expectRevert(reg, "requestWithdrawal", [nodeId, 1n], "WithdrawalExceedsAvailable", {
      from: operator,
    });

    await chain.setNextTimestamp(unlockAt);
    const before = await chain.balance(operator);
    const done = await chain.send(reg, "completeWithdrawal", [nodeId, withdrawalId], { from: operator });
    expect(only(done, "WithdrawalCompleted")).toEqual({ nodeId, withdrawalId, amount: parseEther("0.5") });
    expect((await chain.balance(operator)) - before + done.gasCost).toBe(parseEther("0.5"));
    expect(await stakeOf(nodeId)).toBe(0n);
    expect(await pendingOf(nodeId)).toBe(0n);
  });

  test("a slash above the stake with a withdrawal pending takes all; completion pays 0", async () => {
    const nodeId = await stakedNode(parseEther("1"));
    const req = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("1")], { from: operator });
    const { withdrawalId, unlockAt } = only(req, "WithdrawalRequested") as {
      withdrawalId: bigint;
      unlockAt: bigint;
    };
    const slashed = await chain.send(reg, "slash", [
      nodeId,
      id(),
      SlashReason.REVEAL_MISMATCH,
      parseEther("3"),
    ]);
    expect(only(slashed, "NodeSlashed")).toMatchObject({ amount: parseEther("1"), remainingStake: 0n });

    await chain.setNextTimestamp(unlockAt);
    const before = await chain.balance(operator);
    const done = await chain.send(reg, "completeWithdrawal", [nodeId, withdrawalId], { from: operator });
    expect(only(done, "WithdrawalCompleted")).toEqual({ nodeId, withdrawalId, amount: 0n });
    expect((await chain.balance(operator)) - before + done.gasCost).toBe(0n);
    expect(await stakeOf(nodeId)).toBe(0n);
    expect(await pendingOf(nodeId)).toBe(0n);
  });

  test("two pending withdrawals after a slash: the first is paid in full, the second gets the rest", async () => {
    const nodeId = await stakedNode(parseEther("1"));
    const from = { from: operator };
    const r1 = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.4")], from);
    const r2 = await chain.send(reg, "requestWithdrawal", [nodeId, parseEther("0.6")], from);
    const w1 = only(r1, "WithdrawalRequested") as { withdrawalId: bigint; unlockAt: bigint };
    const w2 = only(r2, "WithdrawalRequested") as { withdrawalId: bigint; unlockAt: bigint };
    await chain.send(reg, "slash", [nodeId, zeroHash, SlashReason.EQUIVOCATION, parseEther("0.3")]);

    await chain.setNextTimestamp(w2.unlockAt);
    const first = await chain.send(reg, "completeWithdrawal", [nodeId, w1.withdrawalId], from);
    expect(only(first, "WithdrawalCompleted").amount).toBe(parseEther("0.4"));
    expect(await stakeOf(nodeId)).toBe(parseEther("0.3"));
    const second = await chain.send(reg, "completeWithdrawal", [nodeId, w2.withdrawalId], from);
    expect(only(second, "WithdrawalCompleted").amount).toBe(parseEther("0.3"));
    expect(await stakeOf(nodeId)).toBe(0n);
    expect(await pendingOf(nodeId)).toBe(0n);
  });

  test("expire and a lost dispute take only what is left while a withdrawal is pending", async () => {
    // Timeout: stake 0.05 < timeoutSlashAmount, all of it requested for withdrawal.
    const c = await committed({ stake: parseEther("0.05") });
    const req = await chain.send(reg, "requestWithdrawal", [c.nodeId, parseEther("0.05")], {
      from: operator,
    });
    const w = only(req, "WithdrawalRequested") as { withdrawalId: bigint; unlockAt: bigint };
    await chain.setNextTimestamp(c.revealDeadline + 1n);
    const expired = await chain.send(reg, "expire", [c.requestId]);
    expect(only(expired, "NodeSlashed")).toMatchObject({ amount: parseEther("0.05"), remainingStake: 0n });
    await chain.setNextTimestamp(w.unlockAt);
    const done = await chain.send(reg, "completeWithdrawal", [c.nodeId, w.withdrawalId], { from: operator });
    expect(only(done, "WithdrawalCompleted").amount).toBe(0n);

    // Dispute: stake 0.3 < disputeSlashAmount.
    const r = await revealed({ stake: parseEther("0.3") });
    await chain.send(reg, "requestWithdrawal", [r.nodeId, parseEther("0.2")], { from: operator });
    const opened = await chain.send(reg, "openChallenge", [r.requestId], {
      from: challenger,
      value: MIN_BOND,
    });
    const { challengeId } = only(opened, "ChallengeOpened") as { challengeId: bigint };
    const resolved = await chain.send(reg, "resolveChallenge", [challengeId, true, id()]);
    expect(only(resolved, "NodeSlashed")).toEqual({
      nodeId: r.nodeId,
      requestId: r.requestId,
      reason: SlashReason.LOST_DISPUTE,
      amount: parseEther("0.3"),
      remainingStake: 0n,
    });
    expect(await stakeOf(r.nodeId)).toBe(0n);
  });
});
