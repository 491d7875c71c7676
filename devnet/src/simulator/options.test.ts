import { describe, expect, it } from "vitest";
import { parseSimulatorOptions } from "./options.ts";

const addresses = {
  teeRegistry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  settlementRelay: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  attestationRegistry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
};

describe("simulator options", () => {
  it("fills defaults for a minimal live run", () => {
    const o = parseSimulatorOptions({ rpcUrl: "http://127.0.0.1:8545", addresses });
    expect(o).toMatchObject({
      nodes: 12,
      rate: 2,
      blockTime: 1,
      perBlock: 250,
      blockInterval: 300,
      reorgDepth: 3,
    });
    expect(o.inferences).toBeUndefined();
  });

  it("reports every bad field at once, naming each", () => {
    expect(() =>
      parseSimulatorOptions({
        rpcUrl: "not a url",
        addresses: { ...addresses, teeRegistry: "0x1234" },
        nodes: 2,
        rate: -1,
      }),
    ).toThrowError(
      /rpcUrl[\s\S]*addresses\.teeRegistry: expected a 0x-prefixed 20-byte hex address[\s\S]*nodes[\s\S]*rate/,
    );
  });

  it("refuses reorgs so frequent that a new branch cannot outgrow the old head", () => {
    expect(() =>
      parseSimulatorOptions({ rpcUrl: "http://127.0.0.1:8545", addresses, reorgEvery: 4, reorgDepth: 3 }),
    ).toThrowError(/reorgEvery: Got reorgEvery=4, expected more than reorgDepth \+ 1 = 4/);
    expect(
      parseSimulatorOptions({ rpcUrl: "http://127.0.0.1:8545", addresses, reorgEvery: 5, reorgDepth: 3 })
        .reorgEvery,
    ).toBe(5);
  });
});
