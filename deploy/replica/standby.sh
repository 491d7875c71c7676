#!/bin/bash
# docker-compose.yml, service postgres-standby (profile replica): a hot standby of the service postgres. On its first
# start (an empty volume) it clones the primary with pg_basebackup -R (standby.signal and primary_conninfo written
# for it), through the replication slot `standby_1`, which makes the primary keep the WAL this standby has not
# received yet. Then the image's entrypoint starts Postgres on the copy, which streams from the primary from then on.
# PGPASSWORD is POSTGRES_REPLICATION_PASSWORD, the role replicator's (created by db-init).
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
if [ -z "${PGPASSWORD:-}" ]; then
  echo "postgres-standby: set POSTGRES_REPLICATION_PASSWORD (the role replicator's password) to use the profile replica" >&2
  exit 1
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  until
    # A slot left by an earlier, removed standby (or a failed try) is dropped first: -C creates it anew.
    gosu postgres psql -h postgres -U replicator -d postgres -v ON_ERROR_STOP=1 -qAt \
      -c "SELECT pg_drop_replication_slot('standby_1') FROM pg_replication_slots WHERE slot_name = 'standby_1' AND NOT active" >/dev/null &&
      gosu postgres pg_basebackup -h postgres -p 5432 -U replicator -D "$PGDATA" -R -X stream -C -S standby_1 --checkpoint=fast
  do
    echo "postgres-standby: the base backup from postgres failed; retrying in 5 s" >&2
    find "$PGDATA" -mindepth 1 -delete
    sleep 5
  done
  echo "postgres-standby: cloned postgres; starting as its hot standby"
fi
exec docker-entrypoint.sh postgres
