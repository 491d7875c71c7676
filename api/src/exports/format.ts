// Cell and line encoding of the exports (spec/exports.md "Formats" and "Safety"): one column list per export,
// each column with a kind that decides how a value is written in CSV and in NDJSON.

/**
 * hex: Bytes and ids as lowercase text; wei: base-10 amount (a JSON string); int: count or block number (a JSON
 * number); float: String(x) (a JSON number); time: ISO-8601 UTC; bool; enum: by name; text: chain-supplied
 * text (CSV-injection guarded); const: our own text (formula version).
 */
export type Kind = "hex" | "wei" | "int" | "float" | "time" | "bool" | "enum" | "text" | "const";

export interface Column {
  name: string;
  kind: Kind;
}

export type Row = Record<string, unknown>;

const cols = (spec: string): Column[] =>
  spec
    .trim()
    .split(/\s+/)
    .map((entry) => {
      const [name, kind] = entry.split(":");
      return { name, kind: kind as Kind };
    });

const REP_NODE =
  "uptime_7d:float success_rate:float effective_samples:float lower_bound:float upper_bound:float slash_factor:float score:int provisional:bool";
const REP_MODEL =
  "success_rate:float effective_samples:float lower_bound:float upper_bound:float score:int provisional:bool";
const AS_OF = "as_of:time as_of_block:int formula_version:const";

export const COLUMNS = {
  nodes: cols(`
    id:hex owner:hex operator:hex tee_type:int enabled:bool pcr_approved:bool stake_wei:wei
    pending_withdrawals_wei:wei total_slashed_wei:wei committed:int verified:int failed:int expired:int
    disputes_lost:int slashes:int settlements:int signature_failures:int discrepancies:int ${REP_NODE} ${AS_OF}`),
  models: cols(`
    id:hex owner:hex name:text version:text mode:enum content_hash:hex blob_id:text deprecated:bool
    inferences:int verified:int failed:int expired:int discrepancies:int distinct_nodes_30d:int ${REP_MODEL} ${AS_OF}`),
  inferences: cols(`
    id:hex node:hex model:hex mode:enum status:enum input_hash:hex commitment:hex output_hash:hex
    committed_block:int committed_at:time committed_tx:hex revealed_block:int revealed_at:time settled_block:int
    settled_at:time verifier:hex commitment_check:enum reveal_on_time_check:enum tee_signature_check:enum
    pcr_valid_check:enum discrepancy:bool finalized:bool`),
  slashes: cols(`
    id:hex node:hex inference:hex reason:enum amount_wei:wei remaining_stake_wei:wei block:int timestamp:time
    tx_hash:hex finalized:bool`),
  // timestamp_seconds is the signed uint256 as a base-10 string (it can exceed any integer type): the wei kind.
  settlements: cols(`
    id:hex tee_id:hex node:hex eth_address:hex input_hash:hex output_hash:hex timestamp_seconds:wei timestamp:time
    walrus_blob_id:hex signature:hex signature_check:enum freshness_check:enum tee_enabled_check:enum
    pcr_valid_check:enum block:int block_time:time tx_hash:hex finalized:bool`),
  reorgs: cols("detected_at:time from_block:int to_block:int depth:int"),
  "reputation-history": cols(`
    node:hex bucket_start:time bucket_end:time block:int score:int lower_bound:float upper_bound:float s:float f:float
    n:float d:float slash_factor:float provisional:bool uptime_7d:float stake_wei:wei committed:int verified:int
    failed:int expired:int slashes:int slashed_wei:wei formula_version:const`),
} as const satisfies Record<string, Column[]>;

export type ExportName = keyof typeof COLUMNS;

const INJECTION_START = /^[=+\-@\t\r]/;
/** What Date.prototype.toISOString gives for years 1000..9999 (and a string of this shape round-trips). */
const ISO_UTC = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isoTime(value: unknown): string {
  if (typeof value === "string" && ISO_UTC.test(value)) return value;
  return (value instanceof Date ? value : new Date(value as string)).toISOString();
}

/** Postgres's text of a timestamptz in a UTC session, years 1000..9999: `2026-11-26 04:00:00[.ffffff]+00`. */
const PG_TIMESTAMPTZ_UTC = /^([1-9]\d{3}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?\+00$/;

/**
 * A timestamptz as the ISO text that pg's parser (postgres-date) and toISOString make of it, without the Date:
 * milliseconds as Date.UTC truncates them (trunc(1000 × fraction)). Anything else goes to `fallback`.
 */
export function timestamptzIso(text: string, fallback: (text: string) => unknown): unknown {
  const m = PG_TIMESTAMPTZ_UTC.exec(text);
  if (!m) return fallback(text);
  const ms = m[3] ? Math.trunc(1000 * Number.parseFloat(m[3])) : 0;
  return `${m[1]}T${m[2]}.${String(ms).padStart(3, "0")}Z`;
}

/** A value's text in a CSV cell, before RFC 4180 quoting; null for an empty cell. */
function csvText(kind: Kind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "hex":
      return String(value).toLowerCase();
    case "float":
      return Number.isFinite(value as number) ? String(value) : null;
    case "time":
      return isoTime(value);
    case "bool":
      return value ? "true" : "false";
    case "text": {
      const text = String(value);
      return INJECTION_START.test(text) ? `'${text}` : text;
    }
    default:
      return String(value);
  }
}

/** Kinds whose text never holds a comma, a quote, CR or LF (numbers, ISO times, true/false). */
const NEVER_QUOTED: ReadonlySet<Kind> = new Set(["int", "float", "time", "bool"]);

/** RFC 4180: a cell with a comma, a double quote, CR or LF is quoted, its quotes doubled. */
export function csvCell(kind: Kind, value: unknown): string {
  const text = csvText(kind, value);
  if (text === null) return "";
  if (NEVER_QUOTED.has(kind) && typeof value !== "string") return text;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_EOL = "\r\n";

export function csvHeader(columns: readonly Column[]): string {
  return columns.map((c) => c.name).join(",") + CSV_EOL;
}

export function csvLine(columns: readonly Column[], row: Row): string {
  return columns.map((c) => csvCell(c.kind, row[c.name])).join(",") + CSV_EOL;
}

function jsonValue(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "hex":
      return String(value).toLowerCase();
    case "int":
      return Number(value);
    case "float":
      return Number.isFinite(value as number) ? value : null;
    case "time":
      return isoTime(value);
    case "bool":
      return Boolean(value);
    default:
      return String(value);
  }
}

export function ndjsonLine(columns: readonly Column[], row: Row): string {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.name] = jsonValue(c.kind, row[c.name]);
  return `${JSON.stringify(out)}\n`;
}

/**
 * csvLine or ndjsonLine over rows fetched as arrays (pg's rowMode "array", `fields` their column names): the
 * same text, without an object per row. NDJSON is written key by key: JSON.stringify of an object with these
 * (non-numeric) keys is exactly its keys and values' JSON in insertion order.
 */
export function arrayLineWriter(
  format: "csv" | "ndjson",
  columns: readonly Column[],
  fields: readonly string[],
): (values: readonly unknown[]) => string {
  const at = columns.map((c) => {
    const i = fields.indexOf(c.name);
    if (i < 0) throw new Error(`the export query has no column ${c.name}`);
    return i;
  });
  if (format === "csv") {
    return (values) => {
      let line = "";
      for (let k = 0; k < columns.length; k++) {
        if (k > 0) line += ",";
        line += csvCell(columns[k].kind, values[at[k]]);
      }
      return line + CSV_EOL;
    };
  }
  const keys = columns.map((c, k) => `${k === 0 ? "{" : ","}${JSON.stringify(c.name)}:`);
  return (values) => {
    let line = "";
    for (let k = 0; k < columns.length; k++) {
      line += keys[k] + jsonText(jsonValue(columns[k].kind, values[at[k]]));
    }
    return `${line}}\n`;
  };
}

/** Printable ASCII but `"` and `\`: JSON.stringify only adds the quotes. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** JSON.stringify(value) of a jsonValue result, without the native call for the common plain strings. */
function jsonText(value: unknown): string {
  if (typeof value === "string") return JSON_PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  return JSON.stringify(value);
}

export interface Provenance {
  asOfBlock: number;
  asOf: Date;
  finalizedBlock: number;
  formula: string;
}

export function provenanceHeaders(p: Provenance): Record<string, string> {
  return {
    "X-As-Of-Block": String(p.asOfBlock),
    "X-As-Of": p.asOf.toISOString(),
    "X-Finalized-Block": String(p.finalizedBlock),
    "X-Formula-Version": p.formula,
  };
}

export function provenanceComment(p: Provenance): string {
  return `# as_of_block=${p.asOfBlock}, as_of=${p.asOf.toISOString()}, finalized_block=${p.finalizedBlock}, formula=${p.formula}${CSV_EOL}`;
}

export function provenanceLine(p: Provenance): string {
  return `${JSON.stringify({
    _provenance: {
      as_of_block: p.asOfBlock,
      as_of: p.asOf.toISOString(),
      finalized_block: p.finalizedBlock,
      formula: p.formula,
    },
  })}\n`;
}
