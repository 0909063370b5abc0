#!/usr/bin/env bash
# Backup and restore, exercised: pg_dump a Benchside database, pg_restore it into a new one,
# and compare every table, row for row.
#
#   scripts/backup-restore.sh [SOURCE_URL]
#
# SOURCE_URL defaults to postgres://postgres@127.0.0.1:5432/benchside_multi (the database
# scripts/multi-process.sh leaves behind). The copy is restored into `<source>_restored` on the
# same server, compared, and dropped unless BACKUP_KEEP is set. The dump is written in the
# custom format (`pg_dump -Fc`), the one docs/OPERATIONS.md recommends.
#
# The comparison, per table of the public schema: the row count and an MD5 over every row's
# text form, sorted, must be equal; the restored database must also have the same
# migrations applied and every constraint validated. Any difference is a failure.
set -euo pipefail
SOURCE=${1:-postgres://postgres@127.0.0.1:5432/benchside_multi}
SERVER=${SOURCE%/*}
NAME=${SOURCE##*/}
COPY="${NAME}_restored"
TARGET="$SERVER/$COPY"
DUMP=$(mktemp /tmp/benchside-backup.XXXXXX.dump)
trap 'rm -f "$DUMP"; [[ -n ${BACKUP_KEEP:-} ]] || psql -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $COPY" >/dev/null 2>&1 || true' EXIT

psql -X -q -At "$SOURCE" -c 'SELECT 1' >/dev/null || { echo "backup: cannot reach $SOURCE" >&2; exit 1; }
started=$(date +%s.%N)
pg_dump -Fc --no-owner -f "$DUMP" "$SOURCE"
dumped=$(date +%s.%N)
psql -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $COPY" -c "CREATE DATABASE $COPY"
pg_restore --no-owner --exit-on-error -d "$TARGET" "$DUMP"
restored=$(date +%s.%N)

# One line per table: name, rows, md5 of the rows' text forms in order.
query=$(psql -X -q -At "$SOURCE" -c "
  SELECT string_agg(format('SELECT %L AS t, count(*) AS n, md5(coalesce(string_agg(x::text, E''\\n'' ORDER BY x::text), '''')) AS h FROM %I x',
                           table_name, table_name), ' UNION ALL ' ORDER BY table_name)
  FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
a=$(psql -X -q -At -F ' ' "$SOURCE" -c "$query ORDER BY 1")
b=$(psql -X -q -At -F ' ' "$TARGET" -c "$query ORDER BY 1")
if [[ "$a" != "$b" ]]; then
  echo "backup: FAILED: the restored copy differs:" >&2
  diff <(echo "$a") <(echo "$b") >&2 || true
  exit 1
fi
invalid=$(psql -X -q -At "$TARGET" -c "SELECT count(*) FROM pg_constraint WHERE NOT convalidated")
[[ $invalid == 0 ]] || { echo "backup: FAILED: $invalid constraints not validated" >&2; exit 1; }
tables=$(echo "$a" | wc -l)
rows=$(echo "$a" | awk '{s += $2} END {print s}')
size=$(du -k "$DUMP" | cut -f1)
printf 'backup: %s tables, %s rows: dump %.1f s (%s KB), restore %.1f s; every table identical\n' \
  "$tables" "$rows" "$(echo "$dumped - $started" | bc)" "$size" "$(echo "$restored - $dumped" | bc)"
