#!/bin/sh
# Sets up or upgrades both Temporal schemas (temporal, temporal_visibility), then runs the server with the
# mounted config. Reads the auto-setup variables the Docker provider passes: POSTGRES_SEEDS, DB_PORT,
# POSTGRES_USER, POSTGRES_PWD.
set -eu
: "${POSTGRES_SEEDS:?}" "${DB_PORT:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
export SQL_PASSWORD="$POSTGRES_PWD"
# The generated config is a template that reads the password from this variable.
export OPS_TEMPORAL_DB_PASSWORD="$POSTGRES_PWD"
tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}
for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  versioned="/etc/temporal/schema/postgresql/v12/${pair##*:}/versioned"
  # update-schema fails on an empty database (no schema_version table yet): set up first, then update.
  if ! tool --db "$db" update-schema -d "$versioned" >/dev/null 2>&1; then
    tool --db "$db" setup-schema -v 0.0
    tool --db "$db" update-schema -d "$versioned"
  fi
  echo "schema of $db is current"
done
exec temporal-server --root /etc/temporal --config config --env development --allow-no-auth start
