import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  astFromValue,
  buildASTSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  parse,
  print,
} from "graphql";
import { describe, expect, test } from "vitest";
import { buildSchema, readTypeDefs } from "./schema.ts";

// The contract (shared/spec/api.graphql) may be added to, never changed: every type, field, argument, default
// and enum value of it must be in api/schema.graphql with the same type.

const SPEC = new URL("../../../../shared/spec/api.graphql", import.meta.url);

function kindOf(type: GraphQLNamedType): string {
  if (isScalarType(type)) return "scalar";
  if (isObjectType(type)) return "object";
  if (isInterfaceType(type)) return "interface";
  if (isUnionType(type)) return "union";
  if (isEnumType(type)) return "enum";
  if (isInputObjectType(type)) return "input";
  return "unknown";
}

function defaultOf(arg: GraphQLArgument | GraphQLInputField): string | undefined {
  if (arg.defaultValue === undefined) return undefined;
  const ast = astFromValue(arg.defaultValue, arg.type);
  return ast ? print(ast) : String(arg.defaultValue);
}

/** Every element of `spec` as "path: signature"; missing or changed ones in `api`. */
function differences(spec: GraphQLSchema, api: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(spec.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    const mine = api.getType(type.name);
    if (!mine) {
      problems.push(`type ${type.name} is missing`);
      continue;
    }
    if (kindOf(mine) !== kindOf(type)) {
      problems.push(`type ${type.name} is a ${kindOf(mine)}, the spec has a ${kindOf(type)}`);
      continue;
    }
    if (isEnumType(type) && isEnumType(mine)) {
      const values = new Set(mine.getValues().map((v) => v.name));
      for (const v of type.getValues())
        if (!values.has(v.name)) problems.push(`enum value ${type.name}.${v.name} is missing`);
    }
    if (isUnionType(type) && isUnionType(mine)) {
      const members = new Set(mine.getTypes().map((t) => t.name));
      for (const t of type.getTypes())
        if (!members.has(t.name)) problems.push(`union ${type.name} lacks ${t.name}`);
    }
    if ((isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) && "getFields" in mine) {
      const fields = mine.getFields() as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>;
      for (const field of Object.values(type.getFields()) as (
        | GraphQLField<unknown, unknown>
        | GraphQLInputField
      )[]) {
        const at = `${type.name}.${field.name}`;
        const other = fields[field.name];
        if (!other) {
          problems.push(`field ${at} is missing`);
          continue;
        }
        if (String(other.type) !== String(field.type))
          problems.push(`field ${at} is ${other.type}, the spec says ${field.type}`);
        if ("args" in field && "args" in other) {
          for (const arg of field.args) {
            const mineArg = other.args.find((a) => a.name === arg.name);
            if (!mineArg) problems.push(`argument ${at}(${arg.name}) is missing`);
            else if (String(mineArg.type) !== String(arg.type)) {
              problems.push(`argument ${at}(${arg.name}) is ${mineArg.type}, the spec says ${arg.type}`);
            } else if (defaultOf(mineArg) !== defaultOf(arg)) {
              problems.push(
                `argument ${at}(${arg.name}) defaults to ${defaultOf(mineArg)}, the spec says ${defaultOf(arg)}`,
              );
            }
          }
          // An added argument must be optional, or existing queries would break.
          for (const arg of other.args) {
            if (
              !field.args.some((a) => a.name === arg.name) &&
              String(arg.type).endsWith("!") &&
              arg.defaultValue === undefined
            ) {
              problems.push(`added argument ${at}(${arg.name}) is required`);
            }
          }
        } else if (
          isInputObjectType(type) &&
          defaultOf(other as GraphQLInputField) !== defaultOf(field as GraphQLInputField)
        ) {
          problems.push(`input field ${at} changed its default`);
        }
      }
    }
  }
  return problems;
}

describe("schema contract", () => {
  test("the spec is found relative to the repository (shared/ beside the main checkout)", () => {
    expect(existsSync(SPEC)).toBe(true);
    expect(fileURLToPath(SPEC)).toMatch(/shared\/spec\/api\.graphql$/);
  });

  test("every type, field, argument, default and enum value of the spec is in api/schema.graphql unchanged", () => {
    const spec = buildASTSchema(parse(readFileSync(SPEC, "utf8")));
    const api = buildASTSchema(parse(readTypeDefs()));
    expect(differences(spec, api)).toEqual([]);
  });

  test("the check notices a removed field, a retyped argument and a lost enum value", () => {
    const spec = buildASTSchema(parse("type Query { a(x: Int = 1): Int b: String } enum E { X Y }"));
    const api = buildASTSchema(parse("type Query { a(x: String = 1): Int c(y: Int!): Int } enum E { X }"));
    expect(differences(spec, api)).toEqual([
      "argument Query.a(x) is String, the spec says Int",
      "field Query.b is missing",
      "enum value E.Y is missing",
    ]);
  });

  test("the executable schema attaches every resolver to a field of the schema", () => {
    const schema = buildSchema();
    expect(schema.getQueryType()?.getFields().nodes.resolve).toBeTypeOf("function");
    expect(schema.getSubscriptionType()?.getFields().inferenceUpdated.subscribe).toBeTypeOf("function");
  });
});
