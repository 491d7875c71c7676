import { readFileSync } from "node:fs";
import {
  buildASTSchema,
  type GraphQLFieldResolver,
  GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLSchema,
  parse,
} from "graphql";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { entityResolvers } from "../resolvers/entities.ts";
import { queryResolvers } from "../resolvers/query.ts";
import { subscriptionResolvers } from "../resolvers/subscription.ts";
import { BigIntScalar, BytesScalar, DateTimeScalar } from "./scalars.ts";

// The executable schema: api/schema.graphql with the resolvers attached. Attached directly (no
// @graphql-tools): the workspace root holds another major version of graphql for the Subsquid tooling, and a
// helper resolving that copy would mix two realms of graphql-js.

/** Defined (true) by api/bundle.mjs in the built API, api/dist/main.js; absent when the sources run. */
declare const API_BUNDLED: boolean | undefined;

/**
 * api/schema.graphql: the contract (../shared/spec/api.graphql) plus this API's additions. Two levels up from
 * this file (api/src/graphql/), one from the built API (api/dist/main.js).
 */
export const SCHEMA_FILE = new URL(
  typeof API_BUNDLED !== "undefined" && API_BUNDLED ? "../schema.graphql" : "../../schema.graphql",
  import.meta.url,
);

export function readTypeDefs(): string {
  return readFileSync(SCHEMA_FILE, "utf8");
}

const SCALARS = [BytesScalar, BigIntScalar, DateTimeScalar];

export const resolvers: Resolvers = {
  ...queryResolvers,
  ...subscriptionResolvers,
  ...entityResolvers,
};

type FieldResolver = GraphQLFieldResolver<unknown, unknown>;
type FieldConfig = FieldResolver | { subscribe: FieldResolver; resolve?: FieldResolver };

export function buildSchema(): GraphQLSchema {
  const schema = buildASTSchema(parse(readTypeDefs()));
  for (const scalar of SCALARS) {
    const type = schema.getType(scalar.name);
    if (!(type instanceof GraphQLScalarType)) throw new Error(`schema.graphql has no scalar ${scalar.name}`);
    Object.assign(type, {
      description: type.description ?? scalar.description,
      serialize: scalar.serialize,
      parseValue: scalar.parseValue,
      parseLiteral: scalar.parseLiteral,
    });
  }
  // Every resolver must name a field of the schema: a typo fails at start-up, not at the first query.
  for (const [typeName, fieldResolvers] of Object.entries(
    resolvers as Record<string, Record<string, FieldConfig>>,
  )) {
    const type = schema.getType(typeName);
    if (!(type instanceof GraphQLObjectType))
      throw new Error(`resolvers for ${typeName}, which is not an object type`);
    const fields = type.getFields();
    for (const [fieldName, config] of Object.entries(fieldResolvers)) {
      const field = fields[fieldName];
      if (!field) throw new Error(`resolver for ${typeName}.${fieldName}, which the schema does not have`);
      if (typeof config === "function") field.resolve = config;
      else {
        field.subscribe = config.subscribe;
        if (config.resolve) field.resolve = config.resolve;
      }
    }
  }
  return schema;
}
