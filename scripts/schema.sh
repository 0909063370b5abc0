#!/usr/bin/env bash
# Regenerates src/db/schema.rs: migrates a scratch database in the test cluster (or
# BENCHSIDE_TEST_DATABASE_URL's server) and runs `diesel print-schema` on it.
set -euo pipefail
cd "$(dirname "$0")/.."
DIESEL=$(./scripts/ensure-diesel-cli.sh)
if [[ -n ${BENCHSIDE_TEST_DATABASE_URL:-} ]]; then
  base=${BENCHSIDE_TEST_DATABASE_URL%/*}
else
  url=$(cargo run -q -- cluster start --dir target/tmp/benchside-test-pg)
  base=${url%/*}
fi
db=benchside_schema_$$
psql -q -X "$base/postgres" -c "CREATE DATABASE $db"
trap 'psql -q -X "$base/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
DATABASE_URL="$base/$db" cargo run -q -- migrate >/dev/null
"$DIESEL" print-schema --database-url "$base/$db" > src/db/schema.rs
echo "wrote src/db/schema.rs"
