#!/bin/sh
# Run by compose.yaml's temporal-schema service (temporalio/admin-tools): creates Temporal's two databases if they
# are missing and updates both schemas to the versions this admin-tools release ships. Safe to run on every `up`.
# `npm run cluster` (scripts/cluster/) runs it too, with TEMPORAL_SCHEMA_DIR pointing at the schemas of its build.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port="${DB_PORT:-5432}"
schemas="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

if command -v nc >/dev/null 2>&1; then nc -z -w 10 "$POSTGRES_SEEDS" "$port"; fi
for db in temporal temporal_visibility; do
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$db" "$@"; }
  dir="$schemas/temporal/versioned"
  [ "$db" = temporal_visibility ] && dir="$schemas/visibility/versioned"
  # `create` fails when the database exists: that is the restart case, not an error.
  sql create 2>/dev/null || echo "database $db exists"
  # setup-schema -v 0.0 only records a baseline when none exists; update-schema then applies what is missing.
  sql setup-schema -v 0.0 2>/dev/null || true
  sql update-schema -d "$dir"
done
echo "Temporal schemas are up to date"
