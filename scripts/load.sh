#!/usr/bin/env bash
# The load run: realistic seeded data, the hot learner routes' capacity, then ten minutes at
# 80 % of it at a fixed rate; throughput, p50/p99, errors and the serve process's peak RSS.
#
#   scripts/load.sh [SECONDS]                 (default 600)
#
# Env: LOAD_SERVER      the PostgreSQL server (default postgres://postgres@127.0.0.1:5432); the
#                       database `benchside_load` on it is dropped and created
#      LOAD_SEED        learners seeded by `benchside seed` (default 2000)
#      LOAD_LEARNERS    of them, how many the load signs in and drives (default 200)
#      LOAD_FRACTION    the fixed rate as a fraction of the measured capacity (default 0.8)
#      LOAD_RATE        a fixed rate instead (requests per second; skips the capacity phase)
#      LOAD_CONNECTIONS connections of the capacity phase (default 32)
#      LOAD_CAPACITY_SECONDS  length of the capacity phase (default 30, after 5 s of warm-up)
#      LOAD_OUT         where the figures go as JSON (default target/load/result.json)
#      LOAD_KEEP        keep the database afterwards (for scripts/backup-restore.sh)
#      BENCHSIDE_BIN    a built binary to run instead of building the release one here
#
# A release build of `serve` (built here) with rate limits off, on both cores, logging JSON at
# the default level to a file, the job runner on; the driver (scripts/load_driver.py, Python
# standard library only) runs on the same machine, so its CPU is taken from the server's: the
# figures are this machine's, driver included. Everything is on loopback and bounded in time.
# Exits 1 when any request of the fixed-rate run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LOAD=${1:-600}
SERVER=${LOAD_SERVER:-postgres://postgres@127.0.0.1:5432}
DB_URL="$SERVER/benchside_load"
PORT=${LOAD_PORT:-18090}
BASE="http://127.0.0.1:$PORT"
OUT=${LOAD_OUT:-target/load/result.json}
mkdir -p "$(dirname "$OUT")"
DATA=$(mktemp -d /tmp/benchside-load.XXXXXX)
PID=
cleanup() {
  [[ -n $PID ]] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  rm -rf "$DATA"
  [[ -n ${LOAD_KEEP:-} ]] || psql -X -q "$SERVER/postgres" -c 'DROP DATABASE IF EXISTS benchside_load' >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [[ -n ${BENCHSIDE_BIN:-} ]]; then
  BIN=$BENCHSIDE_BIN
else
  cargo build --release --locked -q
  BIN=target/release/benchside
fi
export BENCHSIDE_JWT_SECRET=load-run-secret-0123456789abcdef0123456789
export DATABASE_URL=$DB_URL BENCHSIDE_DATA_DIR=$DATA

psql -X -q "$SERVER/postgres" -c 'DROP DATABASE IF EXISTS benchside_load' -c 'CREATE DATABASE benchside_load'
$BIN migrate >/dev/null
$BIN courses import courses >/dev/null
echo "load: seeding ${LOAD_SEED:-2000} learners"
$BIN seed --learners "${LOAD_SEED:-2000}" | sed 's/^/load:   /'
psql -X -q "$DB_URL" -c 'VACUUM ANALYZE'
psql -X -q -At "$DB_URL" -c "SELECT 'load:   database ' || pg_size_pretty(pg_database_size(current_database()))"

BENCHSIDE_LISTEN=127.0.0.1:$PORT BENCHSIDE_RATE_LIMITS=false BENCHSIDE_MAIL_TRANSPORT=file \
  BENCHSIDE_LOG_FORMAT=json RUST_LOG=${RUST_LOG:-info,actix_server=warn} \
  $BIN serve --no-migrate >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 150); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.2; done
curl -fs "$BASE/readyz" >/dev/null || { tail -n 30 "$DATA/serve.log"; exit 1; }
echo "load: serve (pid $PID) on $BASE; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

args=(--base "$BASE" --pid "$PID" --database "$DB_URL" --learners "${LOAD_LEARNERS:-200}"
      --seconds "$SECONDS_LOAD" --fraction "${LOAD_FRACTION:-0.8}"
      --connections "${LOAD_CONNECTIONS:-32}" --capacity-seconds "${LOAD_CAPACITY_SECONDS:-30}"
      --out "$OUT")
[[ -n ${LOAD_RATE:-} ]] && args+=(--rate "$LOAD_RATE")
python3 scripts/load_driver.py "${args[@]}"
echo "load: figures in $OUT"
