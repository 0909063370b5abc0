#!/usr/bin/env bash
# Fault tests: real faults injected into a running `benchside serve` under a bounded write load,
# with the promises checked afterwards (docs/OPERATIONS.md, "Faults and what survives them").
#
#   scripts/fault-tests.sh
#
# Builds nothing: it runs target/debug/benchside (what `cargo test` built; BENCHSIDE_BIN to use
# another). Everything is its own and on loopback: a PostgreSQL cluster in a temporary folder
# (so it can stop it), an SMTP sink (scripts/smtp_sink.py, so it can stop that too), `serve`
# on a free port with rate limits off. Scenarios (scripts/fault_tests.py):
#   a) PostgreSQL stopped with `pg_ctl stop -m immediate` mid-load, restarted;
#   b) `kill -9` of serve mid-load while mail is being delivered, serve restarted;
#   c) the SMTP sink down for 6 s, then up;
#   d) pool exhaustion: 3 connections, requests stuck behind a 4 s row lock, more waiting.
# Each prints PASS or FAIL with its figures; the exit status is 1 when any failed.
# Env: FAULT_KEEP=1 keeps the temporary folder (logs of serve, the sink's mail);
#      FAULT_REAL_LEASE=1 makes b) wait for the killed runner's leases (about 2.5 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCHSIDE_BIN:-target/debug/benchside}
[[ -x $BIN ]] || { echo "fault: $BIN is missing (run cargo build or cargo test first)" >&2; exit 1; }
command -v psql >/dev/null || { echo "fault: psql is missing" >&2; exit 1; }

PG_BIN=${BENCHSIDE_PG_BIN:-}
if [[ -z $PG_BIN ]]; then
  if command -v pg_ctl >/dev/null; then PG_BIN=$(dirname "$(command -v pg_ctl)")
  else PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1); fi
fi
[[ -x $PG_BIN/pg_ctl ]] || { echo "fault: pg_ctl not found (set BENCHSIDE_PG_BIN)" >&2; exit 1; }
export BENCHSIDE_PG_BIN=$PG_BIN FAULT_PG_CTL=$PG_BIN/pg_ctl

DIR=$(mktemp -d /tmp/benchside-fault.XXXXXX)
chmod 755 "$DIR"
cleanup() {
  for f in "$DIR"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  "$BIN" cluster stop --dir "$DIR/pg" >/dev/null 2>&1 || true
  [[ -n ${FAULT_KEEP:-} ]] && echo "fault: kept $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT

export RUST_LOG=warn
URL=$("$BIN" cluster start --dir "$DIR/pg" 2>"$DIR/cluster.log")
psql -X -q "${URL%/*}/postgres" -c 'CREATE DATABASE benchside_fault'
URL=${URL%/*}/benchside_fault
export BENCHSIDE_JWT_SECRET=fault-tests-secret-0123456789abcdef0123456789
export BENCHSIDE_DATA_DIR=$DIR/app BENCHSIDE_SIGNING_KEY_DIR=$DIR/app/signing-keys
DATABASE_URL=$URL "$BIN" migrate >/dev/null
DATABASE_URL=$URL "$BIN" courses import courses >/dev/null

python3 scripts/fault_tests.py "$DIR" "$BIN" "$URL"
