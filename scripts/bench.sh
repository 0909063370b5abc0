#!/usr/bin/env bash
# Load benchmark of the hottest learner routes, each measured against the bare actix-web +
# diesel reference server in the same run (wrk through a reference `run.sh`).
#
#   scripts/bench.sh RUN_SH [ROUTE...]
#
# RUN_SH is the reference harness's `run.sh` (not part of this repository). ROUTE is any of
# readyz, catalog, outline, lesson, completion, dashboard, enrolment, externship-summary
# (500 approved shifts and 1,000 approved collections, seeded in SQL), verify (the public
# certificate verification, among BENCH_CERTIFICATES certificates of as many learners, default
# 1000, seeded in SQL) (default: lesson completion). The server runs from a release build pinned to CPU 1, like the reference, on a
# fresh database `benchside_bench` on BENCH_DATABASE_URL's server (default the local
# PostgreSQL), with rate limits off. One learner, enrolled in the phlebotomy program, reads
# and completes its first lesson; the admin token is used for nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_SH=${1:?usage: scripts/bench.sh path/to/run.sh [route...]}
shift
ROUTES=("$@")
[[ ${#ROUTES[@]} -gt 0 ]] || ROUTES=(lesson completion)

SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB_URL="$SERVER/benchside_bench"
PORT=${BENCH_PORT:-18080}
BASE="http://127.0.0.1:$PORT"
DATA=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT

psql -X -q "$SERVER/postgres" -c 'DROP DATABASE IF EXISTS benchside_bench' -c 'CREATE DATABASE benchside_bench'
cargo build --release --locked -q
DATABASE_URL=$DB_URL BENCHSIDE_LISTEN=127.0.0.1:$PORT BENCHSIDE_DATA_DIR=$DATA \
  BENCHSIDE_RATE_LIMITS=false BENCHSIDE_MAIL_WORKER=false RUST_LOG=${RUST_LOG:-info,actix_server=warn} \
  taskset -c 1 target/release/benchside serve >"$DATA/server.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.2; done
curl -fs "$BASE/readyz" >/dev/null || { cat "$DATA/server.log"; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
curl -fs -X POST "$BASE/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","name":"Bench Learner","password":"calibrate-the-analyzer"}' >/dev/null
psql -X -q "$DB_URL" -c "UPDATE users SET email_verified_at = now() WHERE email = 'bench@example.org'"
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","password":"calibrate-the-analyzer"}' | json "['access_token']")
AUTH="Authorization: Bearer $TOKEN"
ENROLMENT=$(curl -fs -X POST "$BASE/api/v1/courses/phlebotomy-technician/enrolment" -H "$AUTH" | json "['id']")
LESSON=$(curl -fs "$BASE/api/v1/enrolments/$ENROLMENT" -H "$AUTH" | json "['next_lesson']['slug']")
curl -fs "$BASE/api/v1/enrolments/$ENROLMENT/lessons/$LESSON" -H "$AUTH" >/dev/null
curl -fs -X PUT "$BASE/api/v1/enrolments/$ENROLMENT/lessons/$LESSON/completion" -H "$AUTH" >/dev/null

# The externship summary's learner: 500 approved shifts and 1,000 approved collections.
seed_externship() {
  psql -X -q "$DB_URL" <<SQL
INSERT INTO externship_sites (id, name, address) VALUES ('00000000-0000-0000-0000-00000000b001', 'Bench Site', '1 Road');
INSERT INTO externship_placements (id, enrolment_id, site_id, supervisor_name, supervisor_email, starts_on, ends_on)
  VALUES ('00000000-0000-0000-0000-00000000b002', '$ENROLMENT', '00000000-0000-0000-0000-00000000b001',
          'Bench Supervisor', 'sup@example.org', current_date - 600, current_date);
INSERT INTO externship_attestations (id, enrolment_id, placement_id, token_hash, supervisor_name, supervisor_email,
    learner_name, course_title, entry_count, expires_at, decided_at, signature_name)
  VALUES ('00000000-0000-0000-0000-00000000b003', '$ENROLMENT', '00000000-0000-0000-0000-00000000b002',
          sha256('bench'), 'Bench Supervisor', 'sup@example.org', 'Bench Learner', 'Phlebotomy', 500,
          now() + interval '1 day', now(), 'Bench Supervisor');
INSERT INTO externship_entries (enrolment_id, placement_id, kind, client_id, occurred_on, starts_at, ends_at,
    state, attestation_id, decided_at, reviewed_at)
  SELECT '$ENROLMENT', '00000000-0000-0000-0000-00000000b002', 'shift', gen_random_uuid(), d::date,
         d + time '08:00', d + time '16:00', 'approved', '00000000-0000-0000-0000-00000000b003', now(), now()
    FROM generate_series(current_date - 550, current_date - 51, interval '1 day') d;
INSERT INTO externship_entries (enrolment_id, placement_id, kind, client_id, client_seq, occurred_on,
    collection_type, method, age_group, successful, unaided, state, attestation_id, decided_at, reviewed_at)
  SELECT '$ENROLMENT', '00000000-0000-0000-0000-00000000b002', 'collection', gen_random_uuid(), 0,
         current_date - 51 - (n % 500), CASE WHEN n % 5 = 0 THEN 'skin-puncture' ELSE 'venipuncture' END,
         'evacuated_tube', 'adult', n % 10 <> 0, true, 'approved', '00000000-0000-0000-0000-00000000b003', now(), now()
    FROM generate_series(1, 1000) n;
SQL
}

# BENCH_CERTIFICATES completed enrolments of as many learners, each with its certificate
# (the codes are md5 prefixes: hex digits are Crockford characters). Prints one code.
seed_certificates() {
  local n=${BENCH_CERTIFICATES:-1000}
  psql -X -q -v ON_ERROR_STOP=1 "$DB_URL" >/dev/null <<SQL
INSERT INTO users (id, email, name, password_hash, email_verified_at)
  SELECT md5('u' || i)::uuid, 'cert' || i || '@example.org', 'Holder ' || i, '\$argon2id\$bench', now()
    FROM generate_series(1, $n) i;
INSERT INTO enrolments (id, user_id, course_id, course_version, state, access_expires_at, completed_at)
  SELECT md5('e' || i)::uuid, md5('u' || i)::uuid, c.id, c.version, 'completed', now() + interval '1 year', now()
    FROM generate_series(1, $n) i, courses c WHERE c.slug = 'phlebotomy-technician';
INSERT INTO certificates (code, enrolment_id, user_id, holder_name, course_id, course_slug, course_title,
    course_version, completed_at, contact_hours, kid, credential_jwt)
  SELECT upper(substr(md5('c' || i), 1, 15)), md5('e' || i)::uuid, md5('u' || i)::uuid, 'Holder ' || i,
         c.id, c.slug, c.title, c.version, now(), c.contact_hours,
         (SELECT kid FROM signing_keys ORDER BY signs_from LIMIT 1), 'x.y.z'
    FROM generate_series(1, $n) i, courses c WHERE c.slug = 'phlebotomy-technician';
ANALYZE users; ANALYZE enrolments; ANALYZE certificates;
SQL
  echo "bench: $n certificates seeded" >&2
  psql -X -q -A -t "$DB_URL" -c "SELECT code FROM certificates WHERE holder_name = 'Holder $(( (n + 1) / 2 ))'"
}

URLS=()
for r in "${ROUTES[@]}"; do
  case $r in
    readyz) URLS+=("$BASE/readyz") ;;
    catalog) URLS+=("$BASE/api/v1/courses") ;;
    outline) URLS+=("$BASE/api/v1/courses/phlebotomy-technician") ;;
    lesson) URLS+=("$BASE/api/v1/enrolments/$ENROLMENT/lessons/$LESSON") ;;
    completion) URLS+=("PUT:$BASE/api/v1/enrolments/$ENROLMENT/lessons/$LESSON/completion") ;;
    dashboard) URLS+=("$BASE/api/v1/me/enrolments") ;;
    enrolment) URLS+=("$BASE/api/v1/enrolments/$ENROLMENT") ;;
    externship-summary) seed_externship; URLS+=("$BASE/api/v1/enrolments/$ENROLMENT/externship/summary") ;;
    verify) URLS+=("$BASE/api/v1/verify/$(seed_certificates)") ;;
    *) echo "unknown route $r" >&2; exit 2 ;;
  esac
done
echo "bench: learner token ready; enrolment $ENROLMENT, lesson $LESSON"
HEADERS=$AUTH DATABASE_URL=$DB_URL "$RUN_SH" url --vs-baseline "${URLS[@]}"
