import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { Column, ExportName, Kind, Provenance, Row } from "./format.ts";

// The exports as Parquet (README "For analysts"): the CSV's columns, in its order, typed. Rows are gathered into row
// groups of ROW_GROUP_ROWS, each encoded and handed to `sink` as soon as it is complete, and the next row group
// waits for the sink (the response's backpressure): memory is one row group whatever the row count. Provenance is
// in the footer's key-value metadata (and, as for CSV and NDJSON, in the response headers).
//
// Compression: SNAPPY, except for ids, hashes and addresses (hex kind), which are written UNCOMPRESSED: they are
// random hex digits, in which Snappy (no entropy coding) finds almost no repeats (about 10% of the inferences
// file), yet compressing them was half of the time spent writing it (hyparquet-writer's Snappy is JavaScript).

/** Rows per row group: about 10-30 MB of column values for the widest export (inferences). */
export const ROW_GROUP_ROWS = 10_000;

/** hyparquet's SchemaElement, as hyparquet-writer takes it (hyparquet itself is only its dependency). */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number];

const OPTIONAL = "OPTIONAL" as const;
const STATISTICS: ReadonlySet<Kind> = new Set(["int", "float", "bool", "time"]);
const STRING = { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } } as const;

/**
 * Parquet type of each kind. Wei amounts are UTF8 strings of base-10 integers (uint256 does not fit DuckDB's,
 * Arrow's or pandas' widest decimal, 38 digits); times are TIMESTAMP(MILLIS, UTC); counts and block numbers INT32 (as Postgres keeps them: int4).
 */
function element(name: string, kind: Kind): SchemaElement {
  switch (kind) {
    case "int":
      return { name, type: "INT32", repetition_type: OPTIONAL };
    case "float":
      return { name, type: "DOUBLE", repetition_type: OPTIONAL };
    case "bool":
      return { name, type: "BOOLEAN", repetition_type: OPTIONAL };
    case "time":
      return {
        name,
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
        repetition_type: OPTIONAL,
      };
    default:
      return { name, ...STRING, repetition_type: OPTIONAL };
  }
}

export function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  return [
    { name: "root", num_children: columns.length },
    ...columns.map((c) => element(c.name, c.kind)),
  ] as SchemaElement[];
}

/** A cell as the writer takes it for its kind (null for SQL NULL and non-finite floats); times as epoch ms. */
function parquetValue(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "int":
      return typeof value === "number" ? value : Number(value);
    case "float":
      return Number.isFinite(value as number) ? value : null;
    case "bool":
      return Boolean(value);
    case "time":
      // Epoch milliseconds (rows fetched as arrays for Parquet), ISO text (history rows) or a Date.
      if (typeof value === "number") return Number.isFinite(value) ? value : null;
      return typeof value === "string" ? Date.parse(value) : (value as Date).getTime();
    case "hex":
      return String(value).toLowerCase();
    default:
      return String(value);
  }
}

/** The provenance as the file's key-value metadata (the keys of NDJSON's provenance line). */
export function provenanceMetadata(name: ExportName, p: Provenance): { key: string; value: string }[] {
  return [
    { key: "export", value: name },
    { key: "as_of_block", value: String(p.asOfBlock) },
    { key: "as_of", value: p.asOf.toISOString() },
    { key: "finalized_block", value: String(p.finalizedBlock) },
    { key: "formula", value: p.formula },
  ];
}

/** Writes rows as one Parquet file through `sink`; `sink` returns a promise when it wants the writer to wait. */
export class ParquetStream {
  private readonly writer: ByteWriter & { flush?: () => Promise<void> | undefined } = new ByteWriter(1 << 20);
  private readonly parquet: ParquetWriter;
  private data: unknown[][];
  private count = 0;
  /** Row groups completed by arrayRows, not written yet. */
  private readonly full: { data: unknown[][]; size: number }[] = [];

  constructor(
    private readonly columns: readonly Column[],
    name: ExportName,
    provenance: Provenance,
    sink: (bytes: Uint8Array) => Promise<void> | undefined,
  ) {
    const writer = this.writer;
    // Each flush (after a row group, and at the end) hands what was written so far to the sink.
    writer.flush = () => {
      if (writer.index === 0) return undefined;
      const bytes = new Uint8Array(writer.buffer.slice(0, writer.index));
      writer.index = 0;
      return sink(bytes);
    };
    writer.finish = () => (writer.flush as () => Promise<void> | undefined)();
    this.parquet = new ParquetWriter({
      writer,
      schema: parquetSchema(columns),
      codec: "SNAPPY",
      kvMetadata: provenanceMetadata(name, provenance),
      createdBy: "attestation-explorer",
    });
    this.data = columns.map(() => []);
  }

  /** Adds rows (objects keyed by column name); resolves once a completed row group has been taken by the sink. */
  async add(rows: readonly Row[]): Promise<void> {
    for (const row of rows) {
      for (let k = 0; k < this.columns.length; k++) {
        const c = this.columns[k];
        this.data[k].push(parquetValue(c.kind, row[c.name]));
      }
      if (++this.count === ROW_GROUP_ROWS) {
        this.completeGroup();
        await this.flushFull();
      }
    }
  }

  /**
   * A function that adds one row fetched as an array (pg's rowMode "array", `fields` its column names), without
   * an object per row, for callers that cannot wait per row (pg's row events): call `flushFull` between batches.
   */
  arrayRows(fields: readonly string[]): (values: readonly unknown[]) => void {
    const at = this.columns.map((c) => {
      const i = fields.indexOf(c.name);
      if (i < 0) throw new Error(`the export query has no column ${c.name}`);
      return i;
    });
    const kinds = this.columns.map((c) => c.kind);
    return (values) => {
      for (let k = 0; k < kinds.length; k++) this.data[k].push(parquetValue(kinds[k], values[at[k]]));
      if (++this.count === ROW_GROUP_ROWS) this.completeGroup();
    };
  }

  /** Writes the row groups completed by arrayRows' rows; resolves once the sink has taken them. */
  async flushFull(): Promise<void> {
    for (let group = this.full.shift(); group; group = this.full.shift()) await this.writeGroup(group);
  }

  /** Moves the current rows into a completed row group (written by flushFull). */
  private completeGroup(): void {
    this.full.push({ data: this.data, size: this.count });
    this.data = this.columns.map(() => []);
    this.count = 0;
  }

  private async writeGroup(group: { data: unknown[][]; size: number }): Promise<void> {
    // Min/max statistics for numbers, booleans and times (what readers prune row groups on); comparing every
    // string of a row group costs more than it saves for ids and hashes.
    const columnData = this.columns.map((c, k) => ({
      name: c.name,
      data: group.data[k],
      statistics: STATISTICS.has(c.kind),
      ...(c.kind === "hex" ? { codec: "UNCOMPRESSED" as const } : {}),
    }));
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet-writer's DecodedArray is any[] of the column's values
    await this.parquet.write({ columnData: columnData as any, rowGroupSize: group.size });
  }

  /** Writes the last row group and the footer. */
  async end(): Promise<void> {
    if (this.count > 0) this.completeGroup();
    await this.flushFull();
    await this.parquet.finish();
  }
}
