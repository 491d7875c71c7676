import { badInput, shown } from "../graphql/errors.ts";

// Opaque cursors: base64url of JSON [list, ...sort key]. The list tag (e.g. "nodes:SCORE_DESC") makes a cursor
// from one list or ordering unusable in another instead of silently skipping rows.

export type CursorValue = string | number;
export type CursorField = "int" | "number" | "string";

export function encodeCursor(list: string, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([list, ...values]), "utf8").toString("base64url");
}

/** Decodes a cursor of `list` whose sort key has the given field types; BAD_USER_INPUT naming `arg` otherwise. */
export function decodeCursor(
  list: string,
  cursor: string,
  fields: readonly CursorField[],
  arg = "after",
): CursorValue[] {
  const fail = () =>
    badInput(`Got ${arg}=${shown(cursor)}, expected a cursor returned by this list (${list})`);
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw fail();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw fail();
  }
  if (!Array.isArray(decoded) || decoded.length !== fields.length + 1 || decoded[0] !== list) throw fail();
  const values = decoded.slice(1) as unknown[];
  fields.forEach((field, i) => {
    const v = values[i];
    const ok =
      field === "int"
        ? Number.isSafeInteger(v)
        : field === "number"
          ? typeof v === "number" && Number.isFinite(v)
          : typeof v === "string" && v.length <= 512;
    if (!ok) throw fail();
  });
  return values as CursorValue[];
}
