#!/usr/bin/env bash
# Load benchmark of quiz submission: POST /api/v1/attempts/{id}/submit grading a fresh open
# 50-question attempt per request, next to the bare actix-web + diesel reference's GET /db
# measured in the same run.
#
#   scripts/bench-submit.sh RUN_SH
#
# RUN_SH is the reference harness's `run.sh` (not part of this repository); it runs the
# reference /db (and Benchside's /readyz) in each round. Submit is loaded with wrk directly
# (scripts/bench-once.lua), because every request needs its own learner token and attempt:
# same settings as the harness (THREADS, CONNECTIONS, WARMUP, DURATION; wrk on CPU 0).
#
# What it does: generates the bench-only course `bench-submit` (scripts/bench_submit.py: one
# lesson, 66 questions of all six types, the untimed course-level quiz `bench-exam` drawing 50)
# into a temporary BENCHSIDE_COURSES_DIR, builds the release binary, starts `benchside serve` on
# a fresh database (BENCH_DB, default benchside_bench_submit) with rate limits and the mail
# worker off, creates ATTEMPTS verified learners (one registered through the API, the rest
# copies of its row with the same password hash), and for each one logs in, enrols, starts an
# attempt and saves all 50 answers. Then it restarts the server pinned to CPU 1 (like the
# reference server) and runs ROUNDS rounds of: reference /db + /readyz (run.sh), then a wrk
# warm-up and a measured run of submit, each on its own unused slice of the attempts. Graded
# attempts are counted in the database around each run. Finally (COUNT=N, default 10, 0 = skip)
# a second server goes through a counting proxy to PostgreSQL to count statements per request.
#
# Sizing: a fresh submit grades at about 580/s on the 2-core VM (one server core), so a round of
# 2 s + 10 s needs about 7000 attempts; the default 9000 per round leaves about 30 % headroom.
# If a thread runs out of its slice it starts over, and the report counts those requests
# (already-submitted attempts: the cheaper idempotent path). Preparation runs at about 80
# attempts/s, so the default takes about 4 minutes.
#
# Env (defaults): ATTEMPTS=9000*ROUNDS ROUNDS=2 WARMUP=2 DURATION=10 THREADS=2 CONNECTIONS=30 COUNT=10
#   BENCH_SERVER_URL=postgres://postgres@127.0.0.1:5432 BENCH_DB=benchside_bench_submit
#   BENCH_PORT=18081 BENCH_COUNT_PORT=18082 BENCH_PROXY_PORT=15499 PREP_THREADS=8
#   REF_BIND=127.0.0.1:8091 (the reference server's address, passed to run.sh as BIND)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_SH=${1:?usage: scripts/bench-submit.sh path/to/run.sh}
[[ -x $RUN_SH ]] || { echo "not executable: $RUN_SH" >&2; exit 2; }
RUN_SH=$(cd "$(dirname "$RUN_SH")" && pwd)/$(basename "$RUN_SH")

ROUNDS=${ROUNDS:-2}
ATTEMPTS=${ATTEMPTS:-$((9000 * ROUNDS))} WARMUP=${WARMUP:-2} DURATION=${DURATION:-10}
THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-30} COUNT=${COUNT:-10}
SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-benchside_bench_submit}
DB_URL="$SERVER/$DB"
PORT=${BENCH_PORT:-18081} COUNT_PORT=${BENCH_COUNT_PORT:-18082} PROXY_PORT=${BENCH_PROXY_PORT:-15499}
BASE="http://127.0.0.1:$PORT"
PASSWORD=calibrate-the-analyzer
PREFIX=bench-submit
HELPER=scripts/bench_submit.py
LUA=scripts/bench-once.lua

DATA=$(mktemp -d)
PID="" COUNT_PID="" PROXY_PID=""
stop() { # stop PID-variable's process if running
  local pid=${!1}
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  printf -v "$1" '%s' ""
}
cleanup() { stop PID; stop COUNT_PID; stop PROXY_PID; rm -rf "$DATA"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench-submit: $*" >&2; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DB_URL" -c "$1"; }

# serve LOGFILE PORT DATABASE_URL [taskset args...]: start `benchside serve`, set SERVE_PID
serve() {
  local logfile=$1 port=$2 url=$3
  shift 3
  DATABASE_URL=$url BENCHSIDE_LISTEN=127.0.0.1:$port BENCHSIDE_DATA_DIR=$DATA/data \
    BENCHSIDE_COURSES_DIR=$DATA/courses BENCHSIDE_RATE_LIMITS=false BENCHSIDE_MAIL_WORKER=false \
    BENCHSIDE_ACCESS_TOKEN_TTL_SECS=86400 RUST_LOG=${RUST_LOG:-info,actix_server=warn} \
    "$@" target/release/benchside serve >>"$logfile" 2>&1 &
  SERVE_PID=$!
}
wait_ready() { # wait_ready BASE PID LOGFILE
  for _ in $(seq 300); do
    curl -fs "$1/readyz" >/dev/null && return
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.2
  done
  cat "$3" >&2
  exit 1
}

# ---- course, build, database ------------------------------------------------------------------
python3 "$HELPER" course "$DATA/courses"
log "building release"
cargo build --release --locked -q
target/release/benchside courses validate "$DATA/courses" >&2
psql -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"

# ---- learners and open attempts (server unpinned: password hashing dominates) -----------------
serve "$DATA/server.log" "$PORT" "$DB_URL"
PID=$SERVE_PID
wait_ready "$BASE" "$PID" "$DATA/server.log"
curl -fs -X POST "$BASE/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$PREFIX-0@example.org\",\"name\":\"Bench Learner\",\"password\":\"$PASSWORD\"}" >/dev/null
TOTAL=$((ATTEMPTS + COUNT))
sql "UPDATE users SET email_verified_at = now() WHERE email = '$PREFIX-0@example.org';
     INSERT INTO users (email, name, password_hash, email_verified_at)
       SELECT '$PREFIX-' || i || '@example.org', 'Bench Learner ' || i, password_hash, now()
       FROM users, generate_series(1, $TOTAL) AS i WHERE email = '$PREFIX-0@example.org'"
log "preparing $ATTEMPTS open attempts (login, enrol, start, save 50 answers)"
python3 "$HELPER" prepare "$BASE" "$PREFIX" 1 "$ATTEMPTS" "$PASSWORD" "$DATA/attempts" "${PREP_THREADS:-8}"
[[ $(sql "SELECT count(*) FROM quiz_attempts WHERE state = 'open'") == "$ATTEMPTS" ]] ||
  { log "expected $ATTEMPTS open attempts"; exit 1; }
sql "VACUUM ANALYZE"

# ---- the measured server: pinned to CPU 1 like the reference server ---------------------------
stop PID
serve "$DATA/server.log" "$PORT" "$DB_URL" taskset -c 1
PID=$SERVE_PID
wait_ready "$BASE" "$PID" "$DATA/server.log"

# Slices: per round a warm-up part and a measured part, in proportion to WARMUP : DURATION.
PER_ROUND=$((ATTEMPTS / ROUNDS))
WARM_N=$((PER_ROUND * WARMUP / (WARMUP + DURATION)))
for ((r = 1; r <= ROUNDS; r++)); do
  off=$(((r - 1) * PER_ROUND))
  sed -n "$((off + 1)),$((off + WARM_N))p" "$DATA/attempts" >"$DATA/warm.$r"
  sed -n "$((off + WARM_N + 1)),$((off + PER_ROUND))p" "$DATA/attempts" >"$DATA/run.$r"
done

submitted() { sql "SELECT count(*) FROM quiz_attempts WHERE state = 'submitted'"; }
wrk_submit() { # wrk_submit FILE SECONDS -> output ("token attempt_id" lines -> requests)
  awk '{print "POST /api/v1/attempts/" $2 "/submit " $1}' "$1" >"$1.once"
  BENCH_ONCE=$1.once BENCH_THREADS=$THREADS taskset -c 0 \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2s" -s "$LUA" "$BASE"
}

RESULTS=()
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS: reference /db and /readyz through run.sh"
  out=$(BIND=${REF_BIND:-127.0.0.1:8091} ROUNDS=1 WARMUP=$WARMUP DURATION=$DURATION THREADS=$THREADS CONNECTIONS=$CONNECTIONS \
    HEADERS="" DATABASE_URL=$DB_URL "$RUN_SH" url --vs-baseline "$BASE/readyz")
  echo "$out" >&2
  read -r _ b_rps b_p50 b_p99 b_err _ <<<"$(grep '^baseline:' <<<"$out")"
  read -r _ y_rps y_p50 y_p99 y_err _ <<<"$(grep "^$BASE/readyz" <<<"$out")"
  log "round $r/$ROUNDS: submit (warm-up ${WARMUP}s on $(wc -l <"$DATA/warm.$r") attempts, then ${DURATION}s on $(wc -l <"$DATA/run.$r"))"
  if [[ $WARMUP != 0 ]]; then wrk_submit "$DATA/warm.$r" "$WARMUP" >/dev/null; fi
  sleep 0.5
  before=$(submitted)
  out=$(wrk_submit "$DATA/run.$r" "$DURATION")
  sleep 0.5
  graded=$(($(submitted) - before))
  echo "$out" >&2
  read -r _ s_rps s_p50 s_p99 s_err s_req _ <<<"$(grep '^BENCH_RESULT' <<<"$out")"
  read -r _ _ s_fresh s_rep _ <<<"$(grep '^BENCH_ONCE' <<<"$out")"
  RESULTS+=("$r $b_rps $b_p50 $b_p99 $b_err $y_rps $y_p50 $y_p99 $y_err $s_rps $s_p50 $s_p99 $s_err $s_req $graded $s_fresh $s_rep")
done

# ---- statements per request through a counting proxy ------------------------------------------
COUNTS=""
if [[ $COUNT -gt 0 ]]; then
  log "counting statements per request ($COUNT learners, second server through a proxy)"
  python3 "$HELPER" count "http://127.0.0.1:$COUNT_PORT" "$PROXY_PORT" "${SERVER##*@}" \
    "$PREFIX" "$((ATTEMPTS + 1))" "$COUNT" "$PASSWORD" >"$DATA/counts" &
  PROXY_PID=$!
  sleep 0.5
  PROXY_URL="postgres://${SERVER#postgres://}"
  PROXY_URL="${PROXY_URL%@*}@127.0.0.1:$PROXY_PORT/$DB"
  serve "$DATA/count-server.log" "$COUNT_PORT" "$PROXY_URL"
  # shellcheck disable=SC2034 # read through ${!1} in stop()
  COUNT_PID=$SERVE_PID
  if wait "$PROXY_PID"; then COUNTS=$(cat "$DATA/counts"); else COUNTS="(statement count failed)"; cat "$DATA/count-server.log" >&2; fi
  PROXY_PID=""
fi

# ---- report -------------------------------------------------------------------------------------
echo
echo "Submit of a 50-question attempt vs the reference GET /db, same run: wrk -t$THREADS -c$CONNECTIONS," \
  "${WARMUP}s warm-up + ${DURATION}s, wrk on CPU 0, servers on CPU 1, $(nproc) CPUs; $ATTEMPTS attempts prepared"
fmt='%-6s %-22s %10s %9s %9s %7s %s\n'
# shellcheck disable=SC2059
printf "$fmt" round endpoint rps p50_ms p99_ms errors ""
for row in "${RESULTS[@]}"; do
  read -r r b_rps b_p50 b_p99 b_err y_rps y_p50 y_p99 y_err s_rps s_p50 s_p99 s_err s_req graded s_fresh s_rep <<<"$row"
  # shellcheck disable=SC2059
  {
    printf "$fmt" "$r" "reference GET /db" "$b_rps" "$b_p50" "$b_p99" "$b_err" ""
    printf "$fmt" "$r" "GET /readyz" "$y_rps" "$y_p50" "$y_p99" "$y_err" ""
    printf "$fmt" "$r" "POST submit" "$s_rps" "$s_p50" "$s_p99" "$s_err" \
      "ratio $(awk "BEGIN{printf \"%.3f\", $s_rps / $b_rps}"); $s_req responses, $graded attempts graded, $s_rep requests sent to already-submitted attempts"
  }
done
[[ -z $COUNTS ]] || { echo; echo "$COUNTS"; }
