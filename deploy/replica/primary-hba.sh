#!/bin/sh
# docker-compose.yml, service postgres: run once by the image's entrypoint when it initialises the data directory.
# Lets the role `replicator` (created by db-init when POSTGRES_REPLICATION_PASSWORD is set) open streaming
# replication connections with its password; without that role the line matches nobody. An existing data
# directory does not run this: docs/deploy.md ("Replicas") gives the line to add by hand.
set -e
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
