#!/usr/bin/env bash
# The web app's build and tests (frontend/), for make and scripts/test.sh.
#
#   scripts/frontend.sh deps            npm ci when node_modules is missing or older than package-lock.json
#   scripts/frontend.sh build           production build into frontend/dist (+ .br/.gz)
#   scripts/frontend.sh build-if-stale  build when dist is missing or older than the sources
#   scripts/frontend.sh test SUMMARY    typecheck, check:api, vitest, build, size, Playwright e2e;
#                                       appends one line of counts per stage to SUMMARY
#
# Nothing here downloads anything but npm packages from the registry: browsers are never
# downloaded (Debian's chromium at /usr/bin/chromium drives the e2e tests).
set -uo pipefail
cd "$(dirname "$0")/../frontend"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NO_COLOR=1 FORCE_COLOR=0 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

need_npm() {
  if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    echo "The web app needs Node.js 20.19 or newer with npm (https://nodejs.org, or your package manager)." >&2
    return 1
  fi
}

deps() {
  need_npm || return 1
  if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "frontend: npm ci"
    npm ci --no-audit --no-fund --loglevel=error || return 1
  fi
}

stale() {
  [[ ! -f dist/index.html ]] && return 0
  [[ -n $(find src public index.html vite.config.ts package-lock.json tsconfig.json -newer dist/index.html -print -quit 2>/dev/null) ]]
}

build() {
  deps || return 1
  npm run --silent build
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  build-if-stale)
    if stale; then
      if ! need_npm; then
        echo "make run: frontend/dist is missing or out of date and npm is not installed; serving the API only (pages say how to build the app)." >&2
        exit 0
      fi
      echo "frontend: building the web app (frontend/dist is missing or older than its sources)"
      build
    fi
    ;;
  test)
    summary=${2:?summary file}
    status=0
    note() { echo "$1" >>"$summary"; }
    if ! deps; then
      note "web app: npm ci FAILED (Node.js 20.19+ with npm needed)"
      exit 1
    fi
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT

    echo "== frontend: typecheck (tsc --noEmit)"
    if npm run --silent typecheck; then note "web app: typecheck clean"; else note "web app: typecheck FAILED"; status=1; fi

    echo "== frontend: check:api (schema.d.ts up to date with docs/openapi.json)"
    if npm run --silent check:api; then note "web app: API types up to date"; else note "web app: API types STALE (npm run gen:api)"; status=1; fi

    echo "== frontend: vitest"
    npx vitest run 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    vp=$(grep -E '^ +Tests ' "$log" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
    vf=$(grep -E '^ +Tests ' "$log" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)
    note "web app: vitest ${vp:-0} passed, ${vf:-0} failed"
    [[ $rc == 0 ]] || status=1

    echo "== frontend: production build"
    if npm run --silent build && node scripts/size.mjs dist | tee "$log"; then
      note "web app: build ok; $(grep 'first load JS' "$log")"
    else
      note "web app: build FAILED"; status=1
    fi

    echo "== frontend: Playwright e2e (Debian chromium, real server)"
    chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
    if [[ ! -x $chromium ]]; then
      echo "e2e: $chromium not found; install Debian's chromium (apt-get install -y chromium)" >&2
      note "web app: e2e NOT RUN (no chromium at $chromium)"
      status=1
    elif [[ ! -f dist/index.html ]]; then
      note "web app: e2e NOT RUN (no build)"; status=1
    else
      (cd .. && cargo build --locked -q) || { note "web app: e2e NOT RUN (cargo build failed)"; exit 1; }
      target_dir=${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}
      BENCHSIDE_BIN=${BENCHSIDE_BIN:-$target_dir/debug/benchside} npx playwright test 2>&1 | tee "$log"
      rc=${PIPESTATUS[0]}
      ep=$(grep -Eo '^ +[0-9]+ passed' "$log" | grep -Eo '[0-9]+' | tail -n1)
      ef=$(grep -Eo '^ +[0-9]+ failed' "$log" | grep -Eo '[0-9]+' | tail -n1)
      es=$(grep -Eo '^ +[0-9]+ skipped' "$log" | grep -Eo '[0-9]+' | tail -n1)
      note "web app: e2e ${ep:-0} passed, ${ef:-0} failed, ${es:-0} skipped"
      [[ $rc == 0 ]] || status=1
    fi
    exit $status
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
