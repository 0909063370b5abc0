#!/usr/bin/env bash
# Supply-chain checks (CI runs this before the tests):
# - cargo-deny's licence allow-list, duplicate-version warnings and registry-only sources
#   (deny.toml), from Cargo.lock; its advisories check too when ADVISORIES=1 (it needs the
#   RustSec database from GitHub);
# - `npm audit --omit=dev` for the web app's runtime dependencies, when the registry's audit
#   endpoint answers (a mirror without it is reported, not failed; found advisories fail).
set -euo pipefail
cd "$(dirname "$0")/.."
DENY_VERSION=0.20.2

deny=""
for c in "${CARGO_DENY:-}" "$PWD/.tools/bin/cargo-deny" "$HOME/.cargo/bin/cargo-deny" \
  "$(command -v cargo-deny || true)"; do
  if [[ -n $c && -x $c ]] && "$c" --version | grep -qF " $DENY_VERSION"; then deny=$c; break; fi
done
if [[ -z $deny ]]; then
  echo "supply-chain: installing cargo-deny $DENY_VERSION into .tools/" >&2
  cargo install cargo-deny --version "=$DENY_VERSION" --locked --root "$PWD/.tools" --quiet >&2
  deny="$PWD/.tools/bin/cargo-deny"
fi
checks=(licenses bans sources)
if [[ ${ADVISORIES:-0} == 1 ]]; then checks+=(advisories); fi
echo "supply-chain: cargo deny check ${checks[*]}"
"$deny" --log-level error check "${checks[@]}"

echo "supply-chain: npm audit --omit=dev (frontend)"
set +e
out=$(cd frontend && npm audit --omit=dev --json 2>/dev/null)
rc=$?
set -e
if [[ $rc == 0 ]]; then
  echo "supply-chain: npm audit found no advisories"
elif python3 -c 'import json,sys; d=json.loads(sys.stdin.read() or "{}"); sys.exit(0 if "error" in d and "vulnerabilities" not in d else 1)' <<<"$out"; then
  echo "supply-chain: the npm registry's audit endpoint did not answer here; npm audit skipped" >&2
else
  (cd frontend && npm audit --omit=dev) || true
  echo "supply-chain: npm audit found advisories in the web app's runtime dependencies" >&2
  exit 1
fi
