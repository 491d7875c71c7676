import { describe, expect, test } from "vitest";
import { NO_COMMIT_REVEAL, networkModeOf, pageExists } from "./network-mode";

const A = "0x1111111111111111111111111111111111111111";

describe("what the explorer shows on a two-contract network", () => {
  test("a null attestationRegistry means no commit-reveal data; three contracts or no answer, all of it", () => {
    expect(networkModeOf({ teeRegistry: A, settlementRelay: A, attestationRegistry: null })).toEqual({
      commitReveal: false,
    });
    expect(networkModeOf({ teeRegistry: A, settlementRelay: A, attestationRegistry: A })).toEqual({
      commitReveal: true,
    });
    // An older API (no contracts field) or an indexer that has not written its position yet.
    expect(networkModeOf(undefined)).toEqual({ commitReveal: true });
    expect(networkModeOf(null)).toEqual({ commitReveal: true });
  });

  test("models, inferences and slashes pages are left out of a two-contract network's navigation", () => {
    const two = { commitReveal: false };
    for (const path of ["/models", "/inferences", "/slashes", "/inferences/0x12", "/models/0x34"]) {
      expect(pageExists(path, two)).toBe(false);
      expect(pageExists(path, { commitReveal: true })).toBe(true);
    }
    for (const path of ["/", "/nodes", "/nodes/0x12", "/settlements", "/reorgs", "/modelsx"]) {
      expect(pageExists(path, two)).toBe(true);
    }
  });

  test("the explanation is one sentence naming what does exist", () => {
    expect(NO_COMMIT_REVEAL).toMatch(/^This network has no commit-reveal registry: .*\.$/);
    expect(NO_COMMIT_REVEAL.split(". ").length).toBe(1);
  });
});
