import type { Interval } from "../history/buckets.ts";
import type { ExportName } from "./format.ts";

// The exports' query parameters, checked before anything is read or streamed. Each problem is one line naming
// the parameter (HTTP 400). asOf's block bound (at most the latest indexed block) is checked later, in the
// export's snapshot.

export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`Bad parameter ${parameter}: ${message}`);
  }
}

export type ExportFormat = "csv" | "ndjson" | "parquet";

export type AsOf = { kind: "latest" } | { kind: "block"; block: number } | { kind: "time"; time: Date };

export interface ExportRequest {
  name: ExportName;
  format: ExportFormat;
  asOf: AsOf;
  node?: string;
  model?: string;
  status?: string[];
  from?: Date;
  to?: Date;
  /** settlements: the signature check's result. */
  signature?: string;
  /** reputation-history's bucket size (default DAY). */
  interval?: Interval;
  provenance: boolean;
}

export const STATUSES = ["COMMITTED", "REVEALED", "VERIFIED", "FAILED", "EXPIRED"] as const;
export const CHECKS = ["PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE"] as const;
const MAX_INT4 = 2_147_483_647;

const ALLOWED: Record<ExportName, readonly string[]> = {
  nodes: ["asOf", "provenance"],
  models: ["asOf", "provenance"],
  inferences: ["asOf", "provenance", "node", "model", "status", "from", "to"],
  slashes: ["asOf", "provenance", "node", "from", "to"],
  settlements: ["asOf", "provenance", "node", "signature", "from", "to"],
  // The indexer's own history (when it detected each reorg): no asOf; from and to bound detected_at.
  reorgs: ["provenance", "from", "to"],
  "reputation-history": ["provenance", "node", "from", "to", "interval"],
};

const INTERVALS: readonly Interval[] = ["HOUR", "DAY", "WEEK"];

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

const show = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

export function parseTime(parameter: string, text: string): Date {
  const ms = ISO.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new BadParameter(
      parameter,
      `got ${show(text)}, expected an ISO-8601 date or time with a zone such as 2026-11-26T04:00:00Z`,
    );
  }
  return new Date(ms);
}

function parseBytes32(parameter: string, text: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) {
    throw new BadParameter(parameter, `got ${show(text)}, expected 0x and 64 hex digits`);
  }
  return text.toLowerCase();
}

function parseAsOf(text: string): AsOf {
  if (/^\d+$/.test(text)) {
    const block = Number(text);
    if (block > MAX_INT4) {
      throw new BadParameter("asOf", `got block ${text}, expected a block number at most ${MAX_INT4}`);
    }
    return { kind: "block", block };
  }
  try {
    return { kind: "time", time: parseTime("asOf", text) };
  } catch {
    throw new BadParameter(
      "asOf",
      `got ${show(text)}, expected a block number or an ISO-8601 time with a zone such as 2026-11-26T04:00:00Z`,
    );
  }
}

/** Parses /export/<name>.<format>'s query; throws BadParameter. */
export function parseExportRequest(
  name: ExportName,
  format: ExportFormat,
  query: URLSearchParams,
): ExportRequest {
  for (const key of new Set(query.keys())) {
    if (!ALLOWED[name].includes(key)) {
      throw new BadParameter(
        key,
        `unknown for /export/${name}.${format}, expected one of ${ALLOWED[name].join(", ")}`,
      );
    }
    if (query.getAll(key).length > 1)
      throw new BadParameter(key, "given more than once, expected at most once");
  }
  const get = (key: string) => query.get(key) ?? undefined;
  const request: ExportRequest = { name, format, asOf: { kind: "latest" }, provenance: false };
  const asOf = get("asOf");
  if (asOf !== undefined) request.asOf = parseAsOf(asOf);
  const provenance = get("provenance");
  if (provenance !== undefined) {
    if (format === "parquet") {
      throw new BadParameter(
        "provenance",
        `got ${show(provenance)}, expected none for parquet (its provenance is always in the file's key-value metadata)`,
      );
    }
    const expected = format === "csv" ? "comment" : "line";
    if (provenance !== expected) {
      throw new BadParameter("provenance", `got ${show(provenance)}, expected ${expected} for ${format}`);
    }
    request.provenance = true;
  }
  const node = get("node");
  if (node !== undefined) request.node = parseBytes32("node", node);
  const model = get("model");
  if (model !== undefined) request.model = parseBytes32("model", model);
  const status = get("status");
  if (status !== undefined) {
    const list = status.split(",").map((s) => s.trim().toUpperCase());
    const bad = list.find((s) => !(STATUSES as readonly string[]).includes(s));
    if (bad !== undefined) {
      throw new BadParameter(
        "status",
        `got ${show(bad)}, expected one of ${STATUSES.join(", ")} (comma-separated)`,
      );
    }
    request.status = list;
  }
  const signature = get("signature");
  if (signature !== undefined) {
    const upper = signature.toUpperCase();
    if (!(CHECKS as readonly string[]).includes(upper)) {
      throw new BadParameter("signature", `got ${show(signature)}, expected one of ${CHECKS.join(", ")}`);
    }
    request.signature = upper;
  }
  const interval = get("interval");
  if (interval !== undefined) {
    const upper = interval.toUpperCase() as Interval;
    if (!INTERVALS.includes(upper)) {
      throw new BadParameter("interval", `got ${show(interval)}, expected one of ${INTERVALS.join(", ")}`);
    }
    request.interval = upper;
  }
  const from = get("from");
  if (from !== undefined) request.from = parseTime("from", from);
  const to = get("to");
  if (to !== undefined) request.to = parseTime("to", to);
  if (request.from && request.to && request.from.getTime() > request.to.getTime()) {
    throw new BadParameter(
      "from",
      `got ${request.from.toISOString()}, after to (${request.to.toISOString()}); expected from <= to`,
    );
  }
  return request;
}
