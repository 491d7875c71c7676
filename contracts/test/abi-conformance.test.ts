// The built artifacts (contracts/out) must expose exactly the events and selectors of the product spec
// (/work/shared/spec/contracts.sol): the indexer reads OpenGradient's deployments with the same ABI.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type AbiParameter,
  toEventSelector,
  toEventSignature,
  toFunctionSelector,
  toFunctionSignature,
} from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import { compile } from "../scripts/compile.ts";
import { type ContractName, loadArtifact } from "./support/chain.ts";

const specUrl = new URL("../../../shared/spec/contracts.sol", import.meta.url);
const specPath = fileURLToPath(specUrl);
const specSolUrl = new URL("../src/interfaces/Spec.sol", import.meta.url);

const PAIRS: { iface: string; impl: ContractName; events: string[]; functions: string[] }[] = [
  {
    iface: "ITEERegistry",
    impl: "TEERegistry",
    events: [
      "TEETypeAdded",
      "PCRApproved",
      "PCRRevoked",
      "TEERegistered",
      "TEEDisabled",
      "TEEEnabled",
      "HeartbeatReceived",
    ],
    functions: [
      "addTEEType",
      "approvePCR",
      "revokePCR",
      "registerTEEWithAttestation",
      "disableTEE",
      "enableTEE",
      "heartbeat",
      "getTEEPublicKey",
      "getTEE",
    ],
  },
  {
    iface: "IInferenceSettlementRelay",
    impl: "InferenceSettlementRelay",
    events: ["IndividualSettlement", "BatchSettlement"],
    functions: ["settleIndividual", "batchSettle"],
  },
  {
    iface: "IAttestationRegistry",
    impl: "AttestationRegistry",
    events: [
      "StakeDeposited",
      "WithdrawalRequested",
      "WithdrawalCompleted",
      "ModelRegistered",
      "ModelDeprecated",
      "InferenceCommitted",
      "InferenceRevealed",
      "InferenceVerified",
      "ChallengeOpened",
      "ChallengeResolved",
      "NodeSlashed",
    ],
    functions: [
      "deposit",
      "requestWithdrawal",
      "completeWithdrawal",
      "registerModel",
      "deprecateModel",
      "commit",
      "reveal",
      "verify",
      "expire",
      "openChallenge",
      "resolveChallenge",
      "slash",
    ],
  },
];

/** A parameter with everything that matters to a decoder: type, name, indexed flag and tuple components. */
function describeParam(p: AbiParameter & { indexed?: boolean }): string {
  const components =
    "components" in p && p.components ? `{${p.components.map((c) => describeParam(c)).join(", ")}}` : "";
  return `${p.type}${components}${p.indexed ? " indexed" : ""} ${p.name ?? ""}`.trim();
}

function describeEvent(e: AbiEvent): string {
  return `event ${e.name}(${e.inputs.map(describeParam).join(", ")})${e.anonymous ? " anonymous" : ""}`;
}

function describeFunction(f: AbiFunction): string {
  return `function ${f.name}(${f.inputs.map(describeParam).join(", ")}) ${f.stateMutability} returns (${f.outputs
    .map(describeParam)
    .join(", ")})`;
}

const events = (abi: Abi): AbiEvent[] => abi.filter((i): i is AbiEvent => i.type === "event");
const functions = (abi: Abi): AbiFunction[] => abi.filter((i): i is AbiFunction => i.type === "function");

let specAbis: Map<string, Abi>;

beforeAll(() => {
  const compiled = compile({ "contracts.sol": { content: readFileSync(specUrl, "utf8") } });
  specAbis = new Map([...compiled].map(([name, c]) => [name, c.abi as Abi]));
});

describe("spec file", () => {
  test("the spec path resolves to shared/spec/contracts.sol next to the repository (/work/shared/... here)", () => {
    const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
    expect(specPath).toBe(join(repoRoot, "..", "shared", "spec", "contracts.sol"));
    expect(existsSync(specPath)).toBe(true);
  });

  test("contracts/src/interfaces/Spec.sol equals the spec file apart from its second (comment) line", () => {
    const spec = readFileSync(specUrl, "utf8").split("\n");
    const copy = readFileSync(specSolUrl, "utf8").split("\n");
    expect(copy[1]).toMatch(/^\/\//);
    expect(copy.length).toBe(spec.length + 1);
    expect([copy[0], ...copy.slice(2)].join("\n")).toBe(spec.join("\n"));
  });

  test("the spec compiles to the three interfaces with every event and function the spec lists", () => {
    for (const { iface, events: eventNames, functions: functionNames } of PAIRS) {
      const abi = specAbis.get(iface);
      expect(abi, iface).toBeDefined();
      expect(events(abi ?? []).map((e) => e.name)).toEqual(expect.arrayContaining(eventNames));
      expect(events(abi ?? []).length).toBe(eventNames.length);
      expect(functions(abi ?? []).map((f) => f.name)).toEqual(expect.arrayContaining(functionNames));
      expect(functions(abi ?? []).length).toBe(functionNames.length);
    }
  });
});

describe.each(PAIRS)("$impl implements $iface", ({ iface, impl }) => {
  const artifactAbi = (): Abi => loadArtifact(impl).abi;

  test("every event has the spec's signature, indexed flags and topic0", () => {
    const built = events(artifactAbi());
    for (const specEvent of events(specAbis.get(iface) ?? [])) {
      const topic0 = toEventSelector(specEvent);
      const match = built.filter((e) => toEventSelector(e) === topic0);
      expect(match, `${describeEvent(specEvent)} missing from ${impl}`).toHaveLength(1);
      expect(toEventSignature(match[0])).toBe(toEventSignature(specEvent));
      expect(describeEvent(match[0])).toBe(describeEvent(specEvent));
      // The indexed flags decide which fields are topics: they must match one by one.
      expect(match[0].inputs.map((i) => Boolean(i.indexed))).toEqual(
        specEvent.inputs.map((i) => Boolean(i.indexed)),
      );
      // No other event of the artifact reuses the name with a different signature.
      expect(built.filter((e) => e.name === specEvent.name)).toHaveLength(1);
    }
  });

  test("every function has the spec's selector, parameters, outputs and mutability", () => {
    const built = functions(artifactAbi());
    for (const specFn of functions(specAbis.get(iface) ?? [])) {
      const selector = toFunctionSelector(specFn);
      const match = built.filter((f) => toFunctionSelector(f) === selector);
      expect(match, `${toFunctionSignature(specFn)} missing from ${impl}`).toHaveLength(1);
      expect(toFunctionSignature(match[0])).toBe(toFunctionSignature(specFn));
      expect(describeFunction(match[0])).toBe(describeFunction(specFn));
    }
  });
});

describe("view outputs", () => {
  test("getTEE returns the TEEInfo tuple in OpenGradient's field order and getTEEPublicKey returns bytes", () => {
    const getTEE = functions(loadArtifact("TEERegistry").abi).find((f) => f.name === "getTEE");
    const getKey = functions(loadArtifact("TEERegistry").abi).find((f) => f.name === "getTEEPublicKey");
    expect(getTEE && toFunctionSignature(getTEE)).toBe("getTEE(bytes32)");
    expect(getTEE?.stateMutability).toBe("view");
    expect(getTEE?.outputs.map(describeParam)).toEqual([
      "tuple{address owner, address paymentAddress, string endpoint, bytes publicKey, bytes tlsCertificate, " +
        "bytes32 pcrHash, uint8 teeType, bool enabled, uint256 registeredAt, uint256 lastHeartbeatAt}",
    ]);
    expect(getKey && toFunctionSignature(getKey)).toBe("getTEEPublicKey(bytes32)");
    expect(getKey?.stateMutability).toBe("view");
    expect(getKey?.outputs.map((o) => o.type)).toEqual(["bytes"]);
  });
});

describe("PCRRevoked forms", () => {
  test("the older one-argument PCRRevoked(bytes32) has a different topic0: the indexer must accept both", () => {
    const oneArg = toEventSelector("PCRRevoked(bytes32)");
    const twoArg = toEventSelector("PCRRevoked(bytes32,uint8)");
    expect(oneArg).not.toBe(twoArg);
    const specRevoked = events(specAbis.get("ITEERegistry") ?? []).find((e) => e.name === "PCRRevoked");
    expect(specRevoked && toEventSelector(specRevoked)).toBe(twoArg);
    // The devnet emits only the two-argument form.
    const builtTopics = events(loadArtifact("TEERegistry").abi).map((e) => toEventSelector(e));
    expect(builtTopics).toContain(twoArg);
    expect(builtTopics).not.toContain(oneArg);
  });
});
