#!/usr/bin/env bash
# Load benchmark of the hottest learner routes, each measured against the bare actix-web +
# diesel reference server in the same run (wrk through a reference `run.sh`).
#
#   scripts/bench.sh RUN_SH [ROUTE...]
#
# RUN_SH is the reference harness's `run.sh` (not part of this repository). ROUTE is any of
# readyz, catalog, outline, lesson, completion (a completed lesson completed again: writes
# nothing), dashboard (two enrolments), enrolment, autosave (one answer saved into an open
# 50-question attempt; every request the reader's, so all of them queue on that attempt's row
# lock), autosave-learners (the same, each request into another learner's attempt, as the
# reference PUT spreads over its rows), first-completion (a learner's first completion of a lesson, every
# request a different learner's or lesson's), submit (grading a 50-question attempt with every
# answer saved, every request a different attempt), externship-summary (500 approved shifts and
# 1,000 approved collections, seeded in SQL), verify (the public certificate verification,
# among BENCH_CERTIFICATES certificates of as many learners, default 1000, seeded in SQL)
# (default: lesson completion).
#
# The data are prepared through the API as for scripts/bench-instr.sh (scripts/bench-prepare.sh:
# the reader, enrolled in phlebotomy-technician with its first lesson opened and completed and
# in the bench-only course `bench-submit` with an open attempt, and BENCH_LEARNERS learners
# (default 6000 when first-completion or submit is asked for, else 0) each with a fresh
# phlebotomy enrolment whose open lessons they have opened, none completed, and an open attempt
# with every answer saved). The server is the release
# build pinned to CPU 1, like the reference, on a fresh database `benchside_bench` on
# BENCH_SERVER_URL's server (default the local PostgreSQL), with rate limits off.
#
# Every route but first-completion, submit and autosave-learners goes through RUN_SH `url --vs-baseline`: its
# ratio is to the reference `GET /db` in the same run, interleaved. autosave runs in a second
# RUN_SH call (its JSON body is the call's BODY), beside the reference `PUT /db/{id}` measured
# as a target of that call: the write routes' ratios are to that `PUT`. first-completion and
# submit cannot repeat a request, so they run right after it under wrk with
# scripts/bench-once.lua (each request sent once; the same pinning, threads and connections as
# RUN_SH), for ONCE_SECONDS (default 3) each; a run that ran out of prepared requests fails.
# autosave-learners runs the same way (its lines carry their JSON bodies); a repeat of it is
# the same write again, so it may wrap around.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_SH=${1:?usage: scripts/bench.sh path/to/run.sh [route...]}
shift
ROUTES=("$@")
[[ ${#ROUTES[@]} -gt 0 ]] || ROUTES=(lesson completion)

SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=benchside_bench
PORT=${BENCH_PORT:-18080}
DATA=$(mktemp -d)
# shellcheck source=scripts/bench-prepare.sh
source scripts/bench-prepare.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

learners=0
for r in "${ROUTES[@]}"; do [[ $r == first-completion || $r == submit || $r == autosave-learners ]] && learners=6000; done
bench_prepare "${BENCH_LEARNERS:-$learners}"
serve "$DATA/server.log" taskset -c 1
wait_ready "$DATA/server.log"
plan() { python3 -c "import json,sys; print(json.load(open('$DATA/plan.json'))$1)"; }
TOKEN=$(plan "['token']")
AUTH="Authorization: Bearer $TOKEN"
ENROLMENT=$(plan "['enrolment']")
LESSON=$(plan "['lesson']")
ATTEMPT=$(plan "['attempt']")

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

URLS=() WRITES=() ONCE=()
for r in "${ROUTES[@]}"; do
  case $r in
    readyz) URLS+=("$BASE/readyz") ;;
    catalog) URLS+=("$BASE/api/v1/courses") ;;
    outline) URLS+=("$BASE/api/v1/courses/phlebotomy-technician") ;;
    lesson) URLS+=("$BASE/api/v1/enrolments/$ENROLMENT/lessons/$LESSON") ;;
    completion) URLS+=("PUT:$BASE/api/v1/enrolments/$ENROLMENT/lessons/$LESSON/completion") ;;
    dashboard) URLS+=("$BASE/api/v1/me/enrolments") ;;
    enrolment) URLS+=("$BASE/api/v1/enrolments/$ENROLMENT") ;;
    autosave) WRITES+=("PUT:$BASE/api/v1/attempts/$ATTEMPT/answers") ;;
    first-completion | submit | autosave-learners) ONCE+=("$r") ;;
    externship-summary) seed_externship; URLS+=("$BASE/api/v1/enrolments/$ENROLMENT/externship/summary") ;;
    verify) URLS+=("$BASE/api/v1/verify/$(seed_certificates)") ;;
    *) echo "unknown route $r" >&2; exit 2 ;;
  esac
done
echo "bench: reader token ready; enrolment $ENROLMENT, lesson $LESSON, attempt $ATTEMPT"
if [[ ${#URLS[@]} -gt 0 ]]; then
  HEADERS=$AUTH DATABASE_URL=$DB_URL "$RUN_SH" url --vs-baseline "${URLS[@]}"
fi
[[ ${#WRITES[@]} -gt 0 || ${#ONCE[@]} -gt 0 ]] || exit 0

# The writes: the reference PUT as a target beside autosave, then the send-once routes. The
# web app shows an attempt before it saves into it, so the server holds its draw (the drawn
# path); autosave-learners saves into attempts this server has never shown (the checked path,
# as after a restart).
curl -fs -o /dev/null -H "$AUTH" "$BASE/api/v1/attempts/$ATTEMPT"
REF_PUT="PUT:http://${BIND:-127.0.0.1:8090}/db/{id}"
HEADERS=$AUTH BODY=$(python3 -c "import json; print(json.dumps(json.load(open('$DATA/plan.json'))['autosave']))") \
  DATABASE_URL=$DB_URL "$RUN_SH" url --vs-baseline "$REF_PUT" "${WRITES[@]}" | tee "$DATA/writes.txt"
ref_put=$(awk -v u="$REF_PUT" '$1 == u {print $2}' "$DATA/writes.txt")
echo
printf '%-30s %10s %8s %8s %7s %10s %12s\n' route rps p50_ms p99_ms errors ref_put_rps ratio_to_put
for w in "${WRITES[@]}"; do
  read -r _ rps p50 p99 err _ < <(awk -v u="$w" '$1 == u' "$DATA/writes.txt")
  printf '%-30s %10s %8s %8s %7s %10s %12s\n' autosave "$rps" "$p50" "$p99" "$err" "$ref_put" \
    "$(awk "BEGIN{printf \"%.3f\", $rps / $ref_put}")"
done
for r in "${ONCE[@]}"; do
  n=$(python3 scripts/bench_instr.py once "$DATA/plan.json" "$r" "$DATA/$r.txt")
  out=$(BENCH_ONCE=$DATA/$r.txt BENCH_THREADS=${THREADS:-2} taskset -c 0 \
    wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-30}" -d"${ONCE_SECONDS:-3}s" -s scripts/bench-once.lua "$BASE")
  read -r _ rps p50 p99 err _ <<<"$(grep '^BENCH_RESULT' <<<"$out")"
  read -r _ _ fresh repeats <<<"$(grep '^BENCH_ONCE' <<<"$out")"
  printf '%-30s %10s %8s %8s %7s %10s %12s  (%s of %s prepared requests sent, %s repeats)\n' "$r" "$rps" \
    "$p50" "$p99" "$err" "$ref_put" "$(awk "BEGIN{printf \"%.3f\", $rps / $ref_put}")" "$fresh" "$n" "$repeats"
  if [[ $repeats != 0 && $r != autosave-learners ]]; then
    echo "bench: $r ran out of prepared requests; raise BENCH_LEARNERS or lower ONCE_SECONDS" >&2
    exit 1
  fi
done
