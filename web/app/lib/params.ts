import type { Interval } from "~/generated/graphql";

/** A query-string value the explorer could not use: the loader answers 400 with this message. */
export class BadParamError extends Error {}

export const INTERVALS: Interval[] = ["MINUTE", "HOUR", "DAY", "WEEK"];

export function intervalParam(params: URLSearchParams, fallback: Interval = "DAY"): Interval {
  const raw = params.get("interval");
  if (!raw) return fallback;
  if ((INTERVALS as string[]).includes(raw)) return raw as Interval;
  throw new BadParamError(`Got interval=${raw}, expected one of ${INTERVALS.join(", ")}`);
}

/**
 * A date from a form's date input (YYYY-MM-DD) or a full ISO-8601 time; `endOfDay` makes a bare date include that
 * whole day (for "to"). Returns the ISO string the API expects, or undefined when absent.
 */
export function dateParam(params: URLSearchParams, name: string, endOfDay = false): string | undefined {
  const raw = params.get(name);
  if (!raw) return undefined;
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const date = new Date(bare ? `${raw}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z` : raw);
  if (Number.isNaN(date.getTime())) {
    throw new BadParamError(`Got ${name}=${raw}, expected a date (YYYY-MM-DD) or an ISO-8601 time`);
  }
  return date.toISOString();
}

export function intParam(
  params: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BadParamError(`Got ${name}=${raw}, expected a whole number from ${min} to ${max}`);
  }
  return n;
}

/** "true" / "false" / absent (any). */
export function boolParam(params: URLSearchParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "" || raw === "any") return undefined;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new BadParamError(`Got ${name}=${raw}, expected true or false`);
}

export function enumParam<T extends string>(
  params: URLSearchParams,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new BadParamError(`Got ${name}=${raw}, expected one of ${values.join(", ")}`);
}

/** A 0x-hex id filter (node, model, TEE). */
export function hexParam(params: URLSearchParams, name: string, bytes: number): string | undefined {
  const raw = params.get(name)?.trim();
  if (!raw) return undefined;
  if (!new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(raw)) {
    throw new BadParamError(`Got ${name}=${raw}, expected 0x followed by ${bytes * 2} hex digits`);
  }
  return raw.toLowerCase();
}

export function cursorParam(params: URLSearchParams): string | undefined {
  return params.get("after") || undefined;
}

/** Rows per page a list offers (the API allows up to 1000). */
export const PAGE_SIZES = [10, 25, 50, 100] as const;

/** Where a list page starts: its size, its number (1-based) and, when known, the cursor it starts after. */
export interface PageRequest {
  size: number;
  page: number;
  after?: string;
}

/** The page a list shows: its size, its number and the rows before it (its first row is number offset + 1). */
export interface Paging {
  size: number;
  page: number;
  offset: number;
}

/** ?size=, ?page= and ?after= of a list page. */
export function pageParams(params: URLSearchParams, defaultSize: number): PageRequest {
  const size = intParam(params, "size", 1, 1000) ?? defaultSize;
  if (!(PAGE_SIZES as readonly number[]).includes(size)) {
    throw new BadParamError(`Got size=${size}, expected one of ${PAGE_SIZES.join(", ")}`);
  }
  const page = intParam(params, "page", 1, 1_000_000) ?? 1;
  return { size, page, after: cursorParam(params) };
}
