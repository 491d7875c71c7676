import { describe, expect, it } from "vitest";
import {
  FORMULA_VERSION,
  HALF_LIFE_SECONDS,
  PROVISIONAL_BELOW,
  SLASH_BASE,
  UPTIME_PERIOD_SECONDS,
  UPTIME_WINDOW_SECONDS,
  UPTIME_WINDOWS,
  Z,
} from "./constants.ts";
import { vectors } from "./test-support.ts";

describe("constants", () => {
  it("match the parameters published with the vectors", () => {
    expect(FORMULA_VERSION).toBe(vectors.formulaVersion);
    expect(HALF_LIFE_SECONDS).toBe(vectors.halfLifeSeconds);
    expect(Z).toBe(vectors.z);
    expect(SLASH_BASE).toBe(vectors.slashBase);
    expect(PROVISIONAL_BELOW).toBe(vectors.provisionalBelow);
  });

  it("have the values of spec/reputation.md", () => {
    expect(HALF_LIFE_SECONDS).toBe(14 * 24 * 3600);
    expect(FORMULA_VERSION).toBe("rep-v1");
    expect(UPTIME_PERIOD_SECONDS).toBe(7 * 24 * 3600);
    expect(UPTIME_WINDOW_SECONDS).toBe(1800);
    expect(UPTIME_WINDOWS * UPTIME_WINDOW_SECONDS).toBe(UPTIME_PERIOD_SECONDS);
    expect(UPTIME_WINDOWS).toBe(336);
  });
});
