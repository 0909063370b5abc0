#!/usr/bin/env bash
# Instructions per request of the learner's hot routes, counted by valgrind's callgrind in the
# release binary: stable on a shared, noisy machine where seconds are not, so a change's cost
# shows in review.
#
#   scripts/bench-instr.sh [ROUTE...]
#
# ROUTE is any of lesson (a re-read of an opened lesson), completion (a lesson completed
# again: writes nothing), dashboard (`/me/enrolments`, two enrolments), enrolment (the
# enrolment detail), autosave (one answer saved into an open 50-question attempt),
# first-completion (a learner's first completion of a lesson they opened, a different learner
# each request), submit (grading a 50-question attempt with every answer saved, a different
# attempt each request); default: all of them.
#
# What it does: prepares the data through the API with a normal server (scripts/bench-prepare.sh:
# the bench-only course `bench-submit` beside phlebotomy-technician, a reader with two
# enrolments and an open attempt, and learners with open attempts). Then it restarts the
# server under `valgrind --tool=callgrind` with one HTTP worker, the job runner, the mail
# worker and rate limits off, and for each route, after 5 warm-up requests, sends N/5 and then
# N/5 + N sequential requests on one keep-alive connection, each window between
# `callgrind_control --zero` and `--dump`: the difference of the two windows over N is the
# cost of one request (what a window costs whatever its length cancels out). Background work
# driven by time (the session-revocation refresh every 2 s) lands in both windows in
# proportion to their length: well under 1 % of any route here.
#
# With COUNT=1 it counts instead the statements each request sends to PostgreSQL, through the
# counting proxy of scripts/bench_submit.py (BENCH_PROXY_PORT, default 15498), N requests each.
#
# BENCH_KEEP=1 keeps the data folder, with callgrind's dumps (two per route, in order: the
# short window, then the long one) for `callgrind_annotate`.
#
# Env (defaults): N=100 COUNT=0 BENCH_SERVER_URL=postgres://postgres@127.0.0.1:5432
#   BENCH_DB=benchside_bench_instr BENCH_PORT=18083 BENCH_BIN (a built binary: skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-benchside_bench_instr}
PORT=${BENCH_PORT:-18083}
DATA=$(mktemp -d)
# shellcheck source=scripts/bench-prepare.sh
source scripts/bench-prepare.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_prepare $((5 + 2 * (N / 5) + N + 5))
if [[ ${COUNT:-0} == 1 ]]; then
  PROXY_PORT=${BENCH_PROXY_PORT:-15498}
  UPSTREAM=${SERVER##*@}
  python3 scripts/bench_instr.py count "$BASE" "$DATA/plan.json" "$PROXY_PORT" "$UPSTREAM" "$N" "$@" &
  COUNTER=$!
  for _ in $(seq 100); do (: </dev/tcp/127.0.0.1/"$PROXY_PORT") 2>/dev/null && break; sleep 0.1; done
  DB_URL="${SERVER%@*}@127.0.0.1:$PROXY_PORT/$DB"
  serve "$DATA/count.log"
  wait "$COUNTER"
  exit
fi
log "restarting under callgrind"
cd "$DATA"
BENCH_WORKERS=1 serve "$DATA/valgrind.log" valgrind --tool=callgrind --instr-atstart=no
wait_ready "$DATA/valgrind.log"
callgrind_control --instr=on "$PID" >/dev/null
python3 "$REPO/scripts/bench_instr.py" measure "$BASE" "$DATA/plan.json" "$PID" "$N" "$@"
