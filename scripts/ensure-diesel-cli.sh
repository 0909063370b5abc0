#!/usr/bin/env bash
# Prints the path of a diesel CLI, installing one into .tools/ when none is found.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in "${DIESEL:-}" "$(command -v diesel || true)" "$HOME/.cargo/bin/diesel" "$PWD/.tools/bin/diesel"; do
  if [[ -n $c && -x $c ]]; then echo "$c"; exit 0; fi
done
# Link against the system libpq when it is there; otherwise build libpq from source.
features=postgres
if ! pkg-config --exists libpq 2>/dev/null && ! command -v pg_config >/dev/null; then
  features=postgres-bundled
fi
echo "installing diesel_cli ($features) into .tools/ for the schema check" >&2
cargo install diesel_cli --version '~2.3' --no-default-features --features "$features" \
  --locked --root "$PWD/.tools" --quiet >&2
echo "$PWD/.tools/bin/diesel"
