/**
 * A real Postgres streaming replica, built from the embedded Postgres binaries the project already runs (its
 * platform package ships initdb, pg_ctl and postgres, no pg_basebackup): a primary started as the indexer starts
 * its embedded server, then a base backup taken with Postgres' low-level backup API (pg_backup_start, a copy of
 * the data directory, pg_backup_stop's backup_label) while a physical replication slot keeps the WAL from the
 * backup's start, then the copy started as a hot standby (standby.signal, primary_conninfo, primary_slot_name)
 * that streams from the primary. See https://www.postgresql.org/docs/current/continuous-archiving.html#BACKUP-LOWLEVEL-BASE-BACKUP
 * As root, both servers run as the `postgres` user (embedded-postgres.ts), and the copy is handed to that user.
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ensureEmbeddedPostgres, type PostgresHandle } from "@attestation-explorer/embedded-postgres";
import { freePort } from "@attestation-explorer/testkit/net";
import pg from "pg";

export const DATABASE = "explorer";
const SLOT = "api_replica_test";

export interface StreamingReplica {
  primary: PostgresHandle;
  standby: PostgresHandle;
  /** Superuser pools on the explorer database of each server (the tests' own reads and replay control). */
  primaryPool: pg.Pool;
  standbyPool: pg.Pool;
  /** Waits until the standby has replayed everything the primary had written when called. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops (pg_wal_replay_pause) and restarts (pg_wal_replay_resume) the standby's replay: a replica that lags. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stop(): Promise<void>;
}

/** Files a base backup leaves out (the documentation's list, as far as a fresh cluster has them). */
function copied(source: string, path: string): boolean {
  const rel = relative(source, path);
  if (["postmaster.pid", "postmaster.opts", "server.log", "standby.signal"].includes(rel)) return false;
  // The folders stay, their contents do not: WAL comes by streaming, slots and temporary files are the primary's.
  return !/^(pg_wal|pg_replslot|pg_dynshmem|pg_notify|pg_serial|pg_snapshots|pg_stat_tmp|pg_subtrans)\/./.test(
    rel,
  );
}

export async function startStreamingReplica(): Promise<StreamingReplica> {
  // Under /tmp, open to the postgres user (as root the servers run as that user).
  const root = mkdtempSync(join(tmpdir(), "api-replica-"));
  chmodSync(root, 0o755);
  const primaryDir = join(root, "primary");
  const standbyDir = join(root, "standby");
  const log = () => {};
  const stops: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const primary = await ensureEmbeddedPostgres({
      dataDir: primaryDir,
      port: await freePort(),
      database: DATABASE,
      log,
    });
    stops.push(() => primary.stop());
    if (!existsSync(join(primaryDir, "PG_VERSION")))
      throw new Error(`the primary's data is not in ${primaryDir}`);

    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    try {
      // The slot holds the WAL from now on, so the standby can stream from the backup's start.
      await admin.query("SELECT pg_create_physical_replication_slot($1, true)", [SLOT]);
      await admin.query("SELECT pg_backup_start('api-replica-test', true)");
      cpSync(primaryDir, standbyDir, { recursive: true, filter: (p) => copied(primaryDir, p) });
      const { rows } = await admin.query<{ labelfile: string; spcmapfile: string }>(
        "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)",
      );
      writeFileSync(join(standbyDir, "backup_label"), rows[0].labelfile);
      if (rows[0].spcmapfile) writeFileSync(join(standbyDir, "tablespace_map"), rows[0].spcmapfile);
    } finally {
      await admin.end();
    }
    writeFileSync(join(standbyDir, "standby.signal"), "");
    const primaryPort = new URL(primary.url).port;
    appendFileSync(
      join(standbyDir, "postgresql.auto.conf"),
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres password=postgres application_name=${SLOT}'\n` +
        `primary_slot_name = '${SLOT}'\nhot_standby = on\n`,
    );
    // The copy belongs to whoever owns the primary's data (the postgres user when we are root), mode 0700.
    const owner = statSync(primaryDir);
    if (owner.uid !== process.getuid?.()) {
      const r = spawnSync("chown", ["-R", `${owner.uid}:${owner.gid}`, standbyDir]);
      if (r.status !== 0) throw new Error(`chown of the standby's data failed: ${r.stderr}`);
    }
    chmodSync(standbyDir, 0o700);

    const standby = await ensureEmbeddedPostgres({
      dataDir: standbyDir,
      port: await freePort(),
      database: DATABASE,
      log,
    });
    stops.push(() => standby.stop());
    const primaryPool = new pg.Pool({ connectionString: primary.url, max: 3 });
    const standbyPool = new pg.Pool({ connectionString: standby.url, max: 3 });
    primaryPool.on("error", () => {});
    standbyPool.on("error", () => {});
    stops.push(() => standbyPool.end());
    stops.push(() => primaryPool.end());

    const [{ standby: inRecovery }] = (
      await standbyPool.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby")
    ).rows;
    if (!inRecovery) throw new Error("the copy did not start as a standby");

    const caughtUp = async (timeoutMs = 30_000) => {
      const [{ lsn }] = (await primaryPool.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn"))
        .rows;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [{ done }] = (
          await standbyPool.query<{ done: boolean }>(
            "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done",
            [lsn],
          )
        ).rows;
        if (done) return;
        if (Date.now() > deadline)
          throw new Error(`the standby did not replay up to ${lsn} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await caughtUp();
    const [{ state }] = (
      await primaryPool.query<{ state: string }>(
        "SELECT state FROM pg_stat_replication WHERE application_name = $1",
        [SLOT],
      )
    ).rows;
    if (state !== "streaming") throw new Error(`the standby's replication is ${state}, not streaming`);

    return {
      primary,
      standby,
      primaryPool,
      standbyPool,
      caughtUp,
      async pauseReplay() {
        await standbyPool.query("SELECT pg_wal_replay_pause()");
      },
      async resumeReplay() {
        await standbyPool.query("SELECT pg_wal_replay_resume()");
      },
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
