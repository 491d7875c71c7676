import { GraphQLError } from "graphql";
import { parseBytes, parseOptionalBytes, toSeconds } from "../graphql/scalars.ts";

// Argument checks shared by the resolvers. Ids, hashes and TEE ids are 32 bytes; owners and operators are
// addresses (20 bytes). Errors name the argument as the client wrote it (where.node, model, ...).

export const bytes32 = (name: string, value: string) => parseBytes(name, value, 32);
export const optionalBytes32 = (name: string, value: string | null | undefined) =>
  parseOptionalBytes(name, value, 32);
export const optionalAddress = (name: string, value: string | null | undefined) =>
  parseOptionalBytes(name, value, 20);

/** null and undefined both mean "not given". */
export const given = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** The time an asOf argument names, or the latest indexed block's time when it is not given. */
export function asOfSeconds(asOf: Date | null | undefined, latest: number): number {
  return asOf ? toSeconds(asOf) : latest;
}

/** A row that a non-null reference points to is missing: the database is inconsistent (a bug, not bad input). */
export function missing(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${id} is referenced but not in the database`);
}
