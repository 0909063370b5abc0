#!/usr/bin/env bash
# The test command (`make test`): every test against a real PostgreSQL, the fault tests, then
# schemathesis against a running server (scripts/schemathesis.sh), then rustfmt and clippy,
# then the web app's checks and tests (scripts/frontend.sh test: typecheck, API types, Vitest,
# production build with its size budget, Playwright end-to-end against the real server).
# After cargo test, the fault tests (scripts/fault-tests.sh: PostgreSQL stopped, serve killed,
# SMTP down, pool exhausted, each under load; about a minute) run the binary cargo test built,
# on a cluster of their own. Databases: BENCHSIDE_TEST_DATABASE_URL when set (a maintenance
# database on a server where the role may create databases), otherwise a private cluster under
# target/tmp/benchside-test-pg that this script stops at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

DIESEL=$(./scripts/ensure-diesel-cli.sh) || { echo "could not install diesel_cli" >&2; exit 1; }
export DIESEL

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

echo "== cargo test"
cargo test --all-targets --locked --no-fail-fast 2>&1 | tee "$log" || status=1

if [[ -z ${BENCHSIDE_TEST_DATABASE_URL:-} ]]; then
  cargo run -q --locked -- cluster stop --dir target/tmp/benchside-test-pg >/dev/null 2>&1 || true
fi

echo "== fault tests (scripts/fault-tests.sh)"
fault_log=$(mktemp)
st_summary=$(mktemp)
trap 'rm -f "$log" "$fault_log" "$st_summary"' EXIT
./scripts/fault-tests.sh 2>&1 | tee "$fault_log"
fault_status=${PIPESTATUS[0]}
[[ $fault_status == 0 ]] || status=1

echo "== schemathesis (the API against its OpenAPI document, scripts/schemathesis.sh)"
./scripts/schemathesis.sh "$st_summary" || status=1

echo "== cargo fmt --check"
cargo fmt --all -- --check || { echo "rustfmt: code is not formatted (run cargo fmt)"; status=1; }
echo "== cargo clippy"
cargo clippy --all-targets --locked --quiet -- -D warnings || status=1

rust_status=$status
echo "== web app (frontend/)"
fe_summary=$(mktemp)
trap 'rm -f "$log" "$fault_log" "$st_summary" "$fe_summary"' EXIT
./scripts/frontend.sh test "$fe_summary" || status=1

passed=$(grep -Eo '^test result: .*' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^test result: .*' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
echo
echo "== summary: $passed tests passed, $failed failed; rustfmt and clippy $([[ $rust_status == 0 ]] && echo clean || echo 'see above')"
grep -E '^test .* FAILED$' "$log" | sed 's/^/   /' || true
fault_line=$(grep -E '^fault: [0-9]+ of [0-9]+ scenarios passed' "$fault_log" | sed 's/^fault: //')
echo "   fault tests: ${fault_line:-did not finish (exit $fault_status), see above}"
sed 's/^/   /' "$st_summary"
sed 's/^/   /' "$fe_summary"
if [[ $failed != 0 ]]; then status=1; fi
exit $status
