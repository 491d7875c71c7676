import { buildSchema, getOperationAST, parse, specifiedRules, validate } from "graphql";
import { describe, expect, test } from "vitest";
import { aliasLimitRule, depthLimitRule, listCost } from "./guards.ts";
import { RateLimiter } from "./rate-limit.ts";

const schema = buildSchema(`
  type Query { a: A nodes(first: Int): [A] search: [A] }
  type A { id: ID b: A list(first: Int): [A] history: [A] }
`);

const errorsOf = (query: string, rules = [depthLimitRule(3), aliasLimitRule(2)]) =>
  validate(schema, parse(query), [...specifiedRules, ...rules]).map((e) => e.message);

describe("depth limit", () => {
  test("a query as deep as the limit passes, one level more fails saying both depths", () => {
    expect(errorsOf("{ a { b { id } } }")).toEqual([]);
    expect(errorsOf("query Deep { a { b { b { id } } } }")).toEqual([
      "Got a query of depth 4 (operation Deep), expected at most 3",
    ]);
  });

  test("depth counts through fragments and inline fragments", () => {
    expect(errorsOf("{ a { ...F } } fragment F on A { b { ... on A { b { id } } } }")).toEqual([
      "Got a query of depth 4, expected at most 3",
    ]);
  });

  test("introspection does not count (IDEs send deep introspection queries)", () => {
    expect(
      errorsOf("{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }"),
    ).toEqual([]);
  });
});

describe("alias limit", () => {
  test("more aliases than allowed fail once", () => {
    expect(errorsOf("{ x: a { id } y: a { id } }")).toEqual([]);
    expect(errorsOf("{ x: a { id } y: a { id } z: a { id } w: a { id } }")).toEqual([
      "Got more than 2 aliases in one document, expected at most 2",
    ]);
  });
});

describe("list cost", () => {
  const cost = (query: string, variables = {}) => {
    const doc = parse(query);
    return listCost(doc, getOperationAST(doc) as never, variables);
  };

  test("lists multiply by their first, from literals and variables", () => {
    expect(cost("{ nodes(first: 10) { id } }")).toBe(1 + 10);
    expect(cost("query Q($n: Int) { nodes(first: $n) { list(first: 100) { id } } }", { n: 1000 })).toBe(
      1 + 1000 + 1000 * 100,
    );
  });

  test("a list without first counts its default (50); unpaged lists count their bound", () => {
    expect(cost("{ nodes { id } }")).toBe(1 + 50);
    expect(cost("{ search { history { id } } }")).toBe(1 + 20 + 20 * 1000);
  });

  test("first is capped at 1000 in the estimate (more is rejected by the resolver)", () => {
    expect(cost("{ nodes(first: 99999) { id } }")).toBe(1 + 1000);
  });
});

describe("rate limit", () => {
  test("allows the limit per address per minute, then refuses until the next minute", () => {
    let now = 60_000 * 1000 + 5_000;
    const limiter = new RateLimiter(2, new Set(["127.0.0.1"]), () => now);
    expect(limiter.take("10.0.0.1").allowed).toBe(true);
    expect(limiter.take("10.0.0.1").allowed).toBe(true);
    const third = limiter.take("10.0.0.1");
    expect(third).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 55 });
    expect(limiter.take("10.0.0.2").allowed).toBe(true);
    for (let i = 0; i < 10; i++) expect(limiter.take("127.0.0.1").allowed).toBe(true);
    now += 55_000;
    expect(limiter.take("10.0.0.1").allowed).toBe(true);
  });

  test("0 turns it off", () => {
    const limiter = new RateLimiter(0);
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 100; i++) expect(limiter.take("10.0.0.1").allowed).toBe(true);
  });
});
