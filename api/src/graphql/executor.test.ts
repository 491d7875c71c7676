import { buildSchema, execute, GraphQLError, parse } from "graphql";
import { describe, expect, it } from "vitest";
import type { Context } from "./context.ts";
import { CompiledOperations } from "./executor.ts";

// A small schema with the shapes the API's answers have: nested lists, nullable and non-null fields, arguments,
// custom errors from resolvers, promises.
const schema = buildSchema(`
  type Query { items(first: Int!): [Item!]! item(id: ID!): Item broken: Item! }
  type Item { id: ID! name: String tags: [String!]! child: Item fails: String mustHave: String! }
`);
const item = (id: number) => ({
  id: String(id),
  name: id % 2 ? `item ${id}` : null,
  tags: ["a", String(id)],
  child: async () => (id < 3 ? item(id + 1) : null),
  fails: () => {
    throw new GraphQLError("Got a bad thing, expected a good one", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  },
  mustHave: () => null,
});
const fields = schema.getQueryType()?.getFields();
if (fields) {
  fields.items.resolve = (_root, args: { first: number }) =>
    Promise.resolve(Array.from({ length: args.first }, (_, i) => item(i)));
  fields.item.resolve = (_root, args: { id: string }, ctx: { seen: string[] }) => {
    ctx.seen.push(args.id);
    return Number(args.id) >= 0 ? item(Number(args.id)) : null;
  };
  fields.broken.resolve = () => null;
}

const context = () => ({ seen: [] as string[] }) as unknown as Context & { seen: string[] };

async function both(query: string, variables?: Record<string, unknown>, operationName?: string) {
  const document = parse(query);
  const operations = new CompiledOperations(schema);
  const compiled = await operations.execute(document, operationName, variables, context());
  const reference = await execute({
    schema,
    document,
    variableValues: variables,
    operationName,
    contextValue: context(),
  });
  return { operations, document, compiled: JSON.stringify(compiled), reference: JSON.stringify(reference) };
}

describe("CompiledOperations", () => {
  it("compiles an operation once per document and operation name, and answers as graphql-js does", async () => {
    const query = `query A($n: Int!) { items(first: $n) { id name tags child { id child { id name } } } }
      query B { item(id: "1") { ...F } } fragment F on Item { id renamed: name }`;
    const { operations, document, compiled, reference } = await both(query, { n: 3 }, "A");
    expect(compiled).toBe(reference);
    expect(compiled).toContain('"child":{"id":"1","child":{"id":"2","name":null}}');
    const a = operations.get(document, "A");
    expect(a).not.toBeNull();
    expect(operations.get(document, "A")).toBe(a);
    expect(operations.get(document, "B")).not.toBe(a);
    const b = await both(query, undefined, "B");
    expect(b.compiled).toBe(b.reference);
    expect(b.compiled).toBe('{"data":{"item":{"id":"1","renamed":"item 1"}}}');
  });

  it("passes the context to resolvers", async () => {
    const operations = new CompiledOperations(schema);
    const ctx = context();
    await operations.execute(
      parse(`{ a: item(id: "4") { id } b: item(id: "5") { id } }`),
      undefined,
      {},
      ctx,
    );
    expect(ctx.seen).toEqual(["4", "5"]);
  });

  it("answers errors, null bubbling and bad variables exactly as graphql-js (it runs them there)", async () => {
    for (const [query, variables] of [
      [`{ item(id: "1") { id fails } }`, undefined],
      [`{ item(id: "1") { id mustHave } items(first: 1) { id } }`, undefined],
      [`{ broken { id } }`, undefined],
      [`query($n: Int!) { items(first: $n) { id } }`, { n: "three" }],
      [`query($n: Int!) { items(first: $n) { id } }`, {}],
    ] as const) {
      const { compiled, reference } = await both(query, variables);
      expect(compiled).toBe(reference);
      expect(compiled).toContain('"errors"');
    }
  });

  it("leaves introspection to graphql-js", async () => {
    const query = `{ __schema { queryType { name } } __type(name: "Item") { fields { name } } }`;
    const { operations, document, compiled, reference } = await both(query);
    expect(operations.get(document, undefined)).toBeNull();
    expect(compiled).toBe(reference);
    expect(operations.get(parse(`{ item(id: "1") { __typename id } }`), undefined)).not.toBeNull();
  });
});
