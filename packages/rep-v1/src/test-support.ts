/** Shared by the *.test.ts files of this folder: the spec's vectors, a seeded shuffle, float comparison. */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { EventKind, ReputationEvent, Subject } from "./events.ts";
import type { Reputation } from "./wilson.ts";

export interface VectorCase {
  name: string;
  subject: Subject;
  asOf: number;
  events: { kind: EventKind; t: number; count: number }[];
  expected: Omit<Reputation, "formulaVersion">;
}

export interface VectorFile {
  formulaVersion: string;
  halfLifeSeconds: number;
  z: number;
  slashBase: number;
  provisionalBelow: number;
  cases: VectorCase[];
}

/** A verbatim copy of spec/reputation-vectors.json (re-indented by the formatter). */
export const vectors: VectorFile = JSON.parse(
  // The spec folder sits beside the repository (../shared/spec); the vectors are read from it, never copied.
  readFileSync(new URL("../../../../shared/spec/reputation-vectors.json", import.meta.url), "utf8"),
);

/** Deterministic PRNG (mulberry32) so shuffled tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Each event of count c as c events of count 1. */
export function unitEvents(events: readonly ReputationEvent[]): ReputationEvent[] {
  return events.flatMap((e) =>
    Array.from({ length: e.count ?? 1 }, () => ({ kind: e.kind, t: e.t, count: 1 })),
  );
}

/** |actual - expected| <= rel · |expected| (exact equality when expected is 0). */
export function expectClose(actual: number | null, expected: number | null, rel: number, what = ""): void {
  if (expected === null || actual === null) {
    expect(actual, what).toBe(expected);
    return;
  }
  const tolerance = rel * Math.abs(expected);
  if (Math.abs(actual - expected) > tolerance) {
    expect.fail(`${what}: ${actual} differs from ${expected} by more than ${rel} relative`);
  }
}

/** Every field of a reputation: score and provisional exactly, floats within rel. */
export function expectReputation(
  actual: Reputation,
  expected: Omit<Reputation, "formulaVersion">,
  rel: number,
  label = "",
): void {
  expect(actual.score, `${label} score`).toBe(expected.score);
  expect(actual.provisional, `${label} provisional`).toBe(expected.provisional);
  expect(actual.formulaVersion, `${label} formulaVersion`).toBe("rep-v1");
  expect(Number.isInteger(actual.score), `${label} integer score`).toBe(true);
  for (const key of [
    "lowerBound",
    "upperBound",
    "successRate",
    "effectiveSamples",
    "decayedSlashes",
    "slashFactor",
  ] as const) {
    expectClose(actual[key], expected[key], rel, `${label} ${key}`);
  }
}
