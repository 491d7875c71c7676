// `COPY … FROM STDIN` through node-postgres without a stream library: pg's Client runs any object with `submit`
// as a query and hands it the protocol messages (pg 8: lib/client.js; the COPY sub-protocol:
// https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY).

/** The parts of pg's Connection a COPY FROM needs. */
interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/** The part of pg's Client used here. */
export interface PgClient {
  query(submittable: object): unknown;
}

/** COPY data is sent in messages of about this many bytes. */
const MESSAGE_BYTES = 1 << 20;

/**
 * Runs `sql` (a `COPY … FROM STDIN`) on `client`, sending `data` (in COPY's text format) as its input. Resolves
 * once the server has stored the rows; rejects with the server's error (a pg DatabaseError, with its SQLSTATE in
 * `code`) or the connection's.
 */
export function copyFrom(client: PgClient, sql: string, data: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    client.query({
      submit(connection: PgConnection) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: PgConnection) {
        const bytes = Buffer.from(data, "utf8");
        for (let from = 0; from < bytes.length; from += MESSAGE_BYTES) {
          connection.sendCopyFromChunk(bytes.subarray(from, from + MESSAGE_BYTES));
        }
        connection.endCopyFrom();
      },
      // Messages a COPY FROM does not get; pg's Client calls them on whatever query is active.
      handleRowDescription() {},
      handleDataRow() {},
      handleCopyData() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCommandComplete() {},
      handleError(err: unknown) {
        settle(err);
      },
      handleReadyForQuery() {
        settle();
      },
    });
  });
}

/** A value as COPY's text format writes it: `\N` for null, backslash escapes for the four special characters. */
export function copyField(text: string | null): string {
  if (text === null) return "\\N";
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : text;
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
