# Sourced by scripts/bench-instr.sh and scripts/bench-rate.sh: the data both measure.
#
# bench_prepare LEARNERS: generates the bench-only course `bench-submit` (scripts/bench_submit.py)
# beside a copy of courses/phlebotomy-technician in $DATA/courses, builds the release binary
# (unless BENCH_BIN names one), creates the database $DB on $SERVER, starts `benchside serve`
# and prepares through the API (scripts/bench_instr.py prepare) the reader's enrolments and
# open attempt and LEARNERS more learners, each enrolled with an open 50-question attempt
# with every answer saved; writes the plan to $DATA/plan.json and stops the server.
# Expects DATA, DB, SERVER, PORT; sets DB_URL, BASE, BIN, PID; serve LOGFILE [WRAPPER...]
# starts the server again (BENCH_WORKERS HTTP workers, if set).

DB_URL="$SERVER/$DB"
BASE="http://127.0.0.1:$PORT"
BIN=${BENCH_BIN:-$PWD/target/release/benchside}
REPO=$PWD
PID=""
PASSWORD=calibrate-the-analyzer
PREFIX=bench-learner

bench_cleanup() {
  if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "kept $DATA"; else rm -rf "$DATA"; fi
}
log() { echo "$(basename "$0"): $*" >&2; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DB_URL" -c "$1"; }

serve() {
  local logfile=$1
  shift
  env DATABASE_URL="$DB_URL" BENCHSIDE_LISTEN=127.0.0.1:$PORT BENCHSIDE_DATA_DIR=$DATA/data \
    BENCHSIDE_COURSES_DIR=$DATA/courses BENCHSIDE_RATE_LIMITS=false BENCHSIDE_MAIL_WORKER=false \
    BENCHSIDE_JOBS_WORKER=false ${BENCH_WORKERS:+BENCHSIDE_WORKERS=$BENCH_WORKERS} \
    BENCHSIDE_ACCESS_TOKEN_TTL_SECS=86400 RUST_LOG=${RUST_LOG:-info,actix_server=warn} \
    "$@" "$BIN" serve >>"$logfile" 2>&1 &
  PID=$!
}

wait_ready() {
  for _ in $(seq 600); do
    curl -fs "$BASE/readyz" >/dev/null && return
    kill -0 "$PID" 2>/dev/null || { cat "$1" >&2; exit 1; }
    sleep 0.2
  done
  cat "$1" >&2
  exit 1
}

bench_prepare() {
  local learners=$1
  mkdir -p "$DATA/courses" "$DATA/data"
  python3 scripts/bench_submit.py course "$DATA/courses"
  cp -r courses/phlebotomy-technician "$DATA/courses/"
  if [[ -z ${BENCH_BIN:-} ]]; then
    log "building release"
    cargo build --release --locked -q
  fi
  psql -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  log "preparing $learners learners"
  serve "$DATA/server.log"
  wait_ready "$DATA/server.log"
  curl -fs -X POST "$BASE/api/v1/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$PREFIX-0@example.org\",\"name\":\"Bench Learner\",\"password\":\"$PASSWORD\"}" >/dev/null
  sql "UPDATE users SET email_verified_at = now() WHERE email = '$PREFIX-0@example.org';
       INSERT INTO users (email, name, password_hash, email_verified_at)
         SELECT '$PREFIX-' || i || '@example.org', 'Bench Learner ' || i, password_hash, now()
         FROM users, generate_series(1, $learners) AS i WHERE email = '$PREFIX-0@example.org'"
  python3 scripts/bench_instr.py prepare "$BASE" "$PREFIX" "$learners" "$PASSWORD" "$DATA/plan.json"
  sql "VACUUM ANALYZE"
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=""
}
