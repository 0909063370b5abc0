#!/usr/bin/env bash
# Latency at a fixed request rate, so that p99 means what a learner sees: for each hot route,
# the maximum rate (closed loop, CONNECTIONS connections, MAX_SECONDS), then p50 and p99 at
# half of it (open loop: request i is due at start + i / rate and its latency counts from
# then, scripts/bench_rate.py), and the server's peak RSS over the whole run.
#
#   scripts/bench-rate.sh [ROUTE...]
#
# ROUTE as in scripts/bench-instr.sh (default: all seven). The data are prepared as for
# scripts/bench-instr.sh (scripts/bench-prepare.sh: LEARNERS learners with an open
# 50-question attempt and a phlebotomy enrolment each, its open lessons opened and none
# completed; first-completion completes those lessons, submit their attempts, each once). The measured server is the release build
# pinned to CPU 1 (BENCH_SERVER_CPU), the load on CPU 0 (BENCH_LOAD_CPU), as in scripts/bench.sh.
#
# Env (defaults): CONNECTIONS=30 MAX_SECONDS=3 RATE_SECONDS=5 LEARNERS=3000
#   BENCH_SERVER_URL=postgres://postgres@127.0.0.1:5432 BENCH_DB=benchside_bench_rate
#   BENCH_PORT=18084 BENCH_BIN (a built binary: skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-30} MAX_SECONDS=${MAX_SECONDS:-3} RATE_SECONDS=${RATE_SECONDS:-5}
SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-benchside_bench_rate}
PORT=${BENCH_PORT:-18084}
DATA=$(mktemp -d)
# shellcheck source=scripts/bench-prepare.sh
source scripts/bench-prepare.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ROUTES=("$@")
[[ ${#ROUTES[@]} -gt 0 ]] || ROUTES=(lesson completion dashboard enrolment autosave first-completion submit)

bench_prepare "${LEARNERS:-3000}"
serve "$DATA/server.log" taskset -c "${BENCH_SERVER_CPU:-1}"
wait_ready "$DATA/server.log"
load() { taskset -c "${BENCH_LOAD_CPU:-0}" python3 scripts/bench_rate.py run "$BASE" "$DATA/plan.json" "$@"; }

echo "route                max_rps   at rate     rps   p50_ms   p99_ms  errors  (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for r in "${ROUTES[@]}"; do
  read -r _ _ _ max _ _ max_err _ <<<"$(load "$r" "$CONNECTIONS" "$MAX_SECONDS" | grep RATE_RESULT)"
  half=$((max / 2))
  read -r _ _ _ rps p50 p99 err _ <<<"$(load "$r" "$CONNECTIONS" "$RATE_SECONDS" "$half" | grep RATE_RESULT)"
  printf '%-18s %9s %9s %7s %8s %8s %7s\n' "$r" "$max" "$half" "$rps" "$p50" "$p99" "$((max_err + err))"
done
echo "peak RSS of serve: $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$PID/status")" \
  "(threads: $(awk '/Threads/ {print $2}' "/proc/$PID/status"))"
