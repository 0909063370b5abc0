#!/usr/bin/env bash
# Measures the cohort reports at size: the dashboard page (every sort, at_risk), the charts,
# the outcomes and the CSV exports of one cohort of LEARNERS learners in a generated course of
# MODULES x LESSONS_PER_MODULE lessons (default 10,000 learners, 6 x 10 = 60 lessons).
#
#   scripts/bench-reports.sh
#
# What it does: generates the bench-only course `bench-reports` (scripts/bench_reports.py) into
# a temporary BENCHSIDE_COURSES_DIR (never under courses/), builds the release binary, creates a
# fresh database BENCH_DB, migrates, imports the course, runs `benchside seed`, VACUUM ANALYZE,
# creates an admin and starts `benchside serve` (rate limits and the mail worker off). Then it
# requests every route REPEAT times (default 5) and prints the server time of each request
# (`request finished elapsed_ms` from the server log) with its status. With PG_LOG set to the
# PostgreSQL server's log file it then restarts the server with auto_explain on for BENCH_DB
# (every statement's EXPLAIN (ANALYZE, BUFFERS) logged) and prints the dashboard's plan.
#
# Env (defaults): LEARNERS=10000 MODULES=6 LESSONS_PER_MODULE=10 REPEAT=5
#   BENCH_SERVER_URL=postgres://postgres@127.0.0.1:5432 BENCH_DB=benchside_bench_reports
#   BENCH_PORT=18083 PG_LOG= (unset: no plans) BENCH_PROFILE=release (or debug: a debug build,
#   for comparing SQL changes without a release build; the server times include debug overhead)
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNERS=${LEARNERS:-10000} MODULES=${MODULES:-6} LESSONS_PER_MODULE=${LESSONS_PER_MODULE:-10}
REPEAT=${REPEAT:-5}
SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-benchside_bench_reports}
DB_URL="$SERVER/$DB"
PORT=${BENCH_PORT:-18083}
BASE="http://127.0.0.1:$PORT"
ADMIN=bench-reports-admin@example.org
PASSWORD=calibrate-the-analyzer
DATA=$(mktemp -d)
PID=""
stop() { if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap 'stop; rm -rf "$DATA"' EXIT
trap 'exit 130' INT TERM
log() { echo "bench-reports: $*" >&2; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DB_URL" -c "$1"; }
PROFILE=${BENCH_PROFILE:-release}
bin=target/$PROFILE/benchside
export DATABASE_URL=$DB_URL BENCHSIDE_DATA_DIR=$DATA/data BENCHSIDE_COURSES_DIR=$DATA/courses

serve() {
  BENCHSIDE_LISTEN=127.0.0.1:$PORT BENCHSIDE_RATE_LIMITS=false BENCHSIDE_MAIL_WORKER=false \
    BENCHSIDE_ACCESS_TOKEN_TTL_SECS=86400 RUST_LOG=info,actix_server=warn \
    "$bin" serve --no-migrate >>"$DATA/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 300); do
    curl -fs "$BASE/readyz" >/dev/null && return
    kill -0 "$PID" 2>/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
    sleep 0.2
  done
  cat "$DATA/server.log" >&2
  exit 1
}

python3 scripts/bench_reports.py course "$DATA/courses" "$MODULES" "$LESSONS_PER_MODULE"
log "building $PROFILE"
if [[ $PROFILE == release ]]; then cargo build --release --locked -q; else cargo build --locked -q; fi
psql -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"$bin" migrate >&2
"$bin" courses import "$DATA/courses" >/dev/null
log "seeding $LEARNERS learners"
"$bin" seed --learners "$LEARNERS" --course bench-reports --cohort "Bench $LEARNERS" >&2
sql "VACUUM ANALYZE"
echo "$PASSWORD" | "$bin" create-admin --email "$ADMIN" >/dev/null
COHORT=$(sql "SELECT id FROM cohorts WHERE name = 'Bench $LEARNERS'")

serve
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN\",\"password\":\"$PASSWORD\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
C="/api/v1/admin/cohorts/$COHORT"
ROUTES=(
  "$C/dashboard?sort=risk&per_page=50"
  "$C/dashboard?sort=risk&per_page=50&page=100"
  "$C/dashboard?sort=name&per_page=50"
  "$C/dashboard?sort=progress&per_page=50"
  "$C/dashboard?sort=last_activity&order=desc&per_page=50"
  "$C/dashboard?at_risk=true&per_page=50"
  "$C/dashboard?q=silva&per_page=50"
  "$C/charts"
  "$C/outcomes"
  "$C/exports/progress.csv"
  "$C/exports/attempts.csv"
  "$C/exports/externship.csv"
  "$C/exports/certificates.csv"
)
elapsed() { # the server time of the last finished request, ms
  grep 'request finished' "$DATA/server.log" | tail -1 | sed 's/\x1b\[[0-9;]*m//g' |
    grep -o 'elapsed_ms=[0-9.]*' | cut -d= -f2
}
echo "Server time (ms, request finished elapsed_ms) of each of $REPEAT requests; $LEARNERS learners," \
  "$((MODULES * LESSONS_PER_MODULE)) lessons; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for route in "${ROUTES[@]}"; do
  times=()
  for _ in $(seq "$REPEAT"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$route")
    sleep 0.1
    times+=("$(printf '%.1f' "$(elapsed)")")
    [[ $code == 200 ]] || times+=("(HTTP $code)")
  done
  printf '%-60s %s\n' "${route#"$C/"}" "${times[*]}"
done

if [[ -n ${PG_LOG:-} ]]; then
  log "plans: restarting with auto_explain on $DB (written to $PG_LOG)"
  stop
  sql "ALTER DATABASE $DB SET session_preload_libraries = 'auto_explain'"
  sql "ALTER DATABASE $DB SET auto_explain.log_min_duration = '5ms'"
  sql "ALTER DATABASE $DB SET auto_explain.log_analyze = on"
  sql "ALTER DATABASE $DB SET auto_explain.log_buffers = on"
  serve
  lines=$(wc -l <"$PG_LOG")
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE$C/dashboard?sort=risk&per_page=50"
  sleep 0.5
  tail -n +"$((lines + 1))" "$PG_LOG" | sed -n '/WITH retired AS/,$p'
  sql "ALTER DATABASE $DB RESET ALL"
fi
