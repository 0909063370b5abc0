#!/usr/bin/env bash
# Property-based API testing with schemathesis against a running `benchside serve`:
#
#   scripts/schemathesis.sh [SUMMARY]
#
# Makes a virtualenv under target/schemathesis (tests/schemathesis/requirements.txt, pinned),
# starts the debug build (`cargo build` first) on a free port against a scratch database
# (created on BENCHSIDE_TEST_DATABASE_URL's server and dropped at the end, or a private cluster
# under target/schemathesis when that is unset), with rate limits off and mail to files; the
# demo courses are imported at start. tests/schemathesis/setup.py then makes real data through
# the API (an admin from `benchside create-admin`, a verified learner enrolled with a lesson
# open and a quiz attempt started, a cohort with a code and a member, an externship site and
# placement), and schemathesis runs every phase (examples, coverage, fuzzing, and the stateful
# phase, which follows the OpenAPI links of the main flows) with every check, the learner's
# token (the admin's on /api/v1/admin) and the real IDs (tests/schemathesis/schemathesis.toml).
# It fails on any failed check (a 5xx, a response not matching its schema, an undocumented
# status, ...) or when fewer than ST_MIN_REQUESTS (5000) requests were made. With SUMMARY,
# appends one result line to that file.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
summary=${1:-}
min_requests=${ST_MIN_REQUESTS:-5000}
work=$root/target/schemathesis
venv=$work/venv
req=tests/schemathesis/requirements.txt
mkdir -p "$work"

note() {
  echo "schemathesis: $1"
  if [[ -n $summary ]]; then echo "schemathesis: $1" >>"$summary"; fi
}

# The virtualenv, made again when the requirements change.
if [[ ! -x $venv/bin/schemathesis || $req -nt $venv/.installed ]]; then
  echo "== schemathesis: installing $(grep -E '^schemathesis==' "$req") into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" || ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"; then
    note "NOT RUN (pip install -r $req failed)"
    exit 1
  fi
  touch "$venv/.installed"
fi

bin=${BENCHSIDE_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/benchside}
if [[ -z ${BENCHSIDE_BIN:-} ]]; then
  cargo build --locked -q || { note "NOT RUN (cargo build failed)"; exit 1; }
fi

run=$(mktemp -d "$work/run.XXXXXX")
data=$run/data
mkdir -p "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BASE=http://127.0.0.1:$port
export BENCHSIDE_ENV=development BENCHSIDE_LISTEN=127.0.0.1:$port BENCHSIDE_PUBLIC_URL=$BASE
export BENCHSIDE_DATA_DIR=$data BENCHSIDE_COURSES_DIR=$root/courses BENCHSIDE_IMPORT_COURSES_ON_START=true
export BENCHSIDE_MAIL_TRANSPORT=file BENCHSIDE_JOBS_POLL_MS=100 BENCHSIDE_RATE_LIMITS=false
export BENCHSIDE_JWT_SECRET=schemathesis-secret-schemathesis-secret-0001
export BENCHSIDE_ACCESS_TOKEN_TTL_SECS=7200 BENCHSIDE_WORKERS=2 BENCHSIDE_HASH_CONCURRENCY=2
export BENCHSIDE_METRICS_TOKEN=schemathesis-metrics-token-schemathesis-0001
export RUST_LOG=${RUST_LOG:-warn}
unset BENCHSIDE_SMTP_URL
export MAIL_DIR=$data/mail PASSWORD=schemathesis-Pass-2024 ADMIN_EMAIL=st-admin@example.org

db_name=""
pid=""
cleanup() {
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
  fi
  if [[ -n $db_name ]]; then
    psql -X -q "$BENCHSIDE_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1
  else
    "$bin" cluster stop --dir "$data/pg" >/dev/null 2>&1
  fi
  if [[ -z ${ST_KEEP:-} ]]; then rm -rf "$run"; fi
}
trap cleanup EXIT

if [[ -n ${BENCHSIDE_TEST_DATABASE_URL:-} ]]; then
  db_name=benchside_st_$(date +%s)_$$
  psql -X -q "$BENCHSIDE_TEST_DATABASE_URL" -c "CREATE DATABASE \"$db_name\"" >/dev/null ||
    { note "NOT RUN (could not create a database on BENCHSIDE_TEST_DATABASE_URL)"; exit 1; }
  export DATABASE_URL=$(python3 -c 'import sys, urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$BENCHSIDE_TEST_DATABASE_URL" "$db_name")
else
  # A private cluster (it runs as `postgres` when we are root, so it must enter the folder).
  chmod 755 "$run" "$data"
  export DATABASE_URL=$("$bin" cluster start --dir "$data/pg" | grep -Eo 'postgres://[^ ]+' | head -n1)
  [[ -n $DATABASE_URL ]] || { note "NOT RUN (could not start a private cluster)"; exit 1; }
fi

start=$(date +%s)
"$bin" serve >"$run/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if ! curl -fsS "$BASE/readyz" >/dev/null 2>&1; then
  tail -n 30 "$run/serve.log"
  note "NOT RUN (benchside serve did not become ready)"
  exit 1
fi

printf '%s\n' "$PASSWORD" | "$bin" create-admin --email "$ADMIN_EMAIL" --name "Schemathesis Admin" >/dev/null ||
  { note "NOT RUN (create-admin failed)"; exit 1; }
ids=$("$venv/bin/python" tests/schemathesis/setup.py 2>"$run/setup.json") ||
  { cat "$run/setup.json"; note "NOT RUN (setting up the data failed)"; exit 1; }
set -a
eval "$ids"
set +a

echo "== schemathesis: $($venv/bin/schemathesis --version) against $BASE"
report=$run/report
# From the run's folder, so schemathesis's own cache (.schemathesis/) stays out of the checkout.
(cd "$run" && "$venv/bin/schemathesis" --no-color --config-file "$root/tests/schemathesis/schemathesis.toml" \
  run "$BASE/api/openapi.json" --report junit --report-dir "$report" 2>&1) | tee "$run/st.log"
rc=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))

# Requests made: the server's own count (every response it logged in its metrics).
requests=$(curl -fsS -H "Authorization: Bearer $BENCHSIDE_METRICS_TOKEN" "$BASE/metrics" |
  awk '/^http_request_duration_seconds_count/ {s+=$NF} END {print s+0}')
fives=$(curl -fsS -H "Authorization: Bearer $BENCHSIDE_METRICS_TOKEN" "$BASE/metrics" |
  awk '/^http_request_duration_seconds_count/ && /status="5[0-9][0-9]"/ {s+=$NF} END {print s+0}')
failures=$(grep -Eo '[0-9]+ (failure|failures)' "$run/st.log" | tail -n1 | grep -Eo '^[0-9]+' || echo 0)

status=0
result="$requests requests in ${elapsed}s, $fives 5xx"
if [[ $rc != 0 ]]; then
  status=1
  result="FAILED ($result, ${failures:-?} failed checks; see the schemathesis output above)"
  grep -E 'ERROR' "$run/serve.log" | tail -n 10
elif ((requests < min_requests)); then
  status=1
  result="FAILED (only $result, fewer than $min_requests)"
elif ((fives > 0)); then
  status=1
  result="FAILED ($result)"
else
  result="passed, $result, no failed check"
fi
note "$result"
exit $status
