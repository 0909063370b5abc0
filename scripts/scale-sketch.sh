#!/usr/bin/env bash
# How the hot routes' reads grow with the data: seeds a fresh database to SIZES learners
# (cumulative `benchside seed` cohorts in phlebotomy-technician, default 100 1000 10000: 1x,
# 10x, 100x) and, at each size, prints PostgreSQL's execution time and shared buffers of each
# hot read for a seeded learner with progress (EXPLAIN (ANALYZE, BUFFERS), the statements
# written out as the server sends them). See docs/PERFORMANCE.md, "Scale sketch".
#
# Env (defaults): SIZES="100 1000 10000" BENCH_SERVER_URL=postgres://postgres@127.0.0.1:5432
#   BENCH_DB=benchside_scale BENCH_BIN=target/release/benchside
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-benchside_scale}
URL="$SERVER/$DB"
BIN=${BENCH_BIN:-target/release/benchside}
psql -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
DATABASE_URL=$URL "$BIN" migrate >/dev/null
DATABASE_URL=$URL "$BIN" courses import courses >/dev/null

explain() { # explain NAME SQL: "NAME  time_ms  buffers"
  psql -X -At "$URL" -c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) $2" | python3 -c "
import json, sys
p = json.load(sys.stdin)[0]
plan = p['Plan']
print(f\"  {sys.argv[1]:<26} {p['Execution Time']:8.3f} ms  {plan['Shared Hit Blocks'] + plan['Shared Read Blocks']:6d} buffers\")" "$1"
}

have=0
for size in ${SIZES:-100 1000 10000}; do
  DATABASE_URL=$URL "$BIN" seed --learners $((size - have)) >/dev/null
  have=$size
  psql -X -q "$URL" -c "VACUUM ANALYZE"
  # The seeded learner with the most lesson progress, and one attempt of theirs.
  read -r E U A <<<"$(psql -X -At -F ' ' "$URL" -c "
    SELECT e.id, e.user_id, (SELECT a.id FROM quiz_attempts a WHERE a.enrolment_id = e.id LIMIT 1)
      FROM enrolments e ORDER BY e.lessons_completed DESC, e.id LIMIT 1")"
  L=$(psql -X -At "$URL" -c "SELECT l.slug FROM lessons l JOIN enrolments e ON e.course_id = l.course_id
        WHERE e.id = '$E' AND l.retired_at IS NULL ORDER BY l.position LIMIT 1")
  echo "$size learners ($(psql -X -At "$URL" -c "SELECT count(*) FROM lesson_progress") lesson progress rows," \
    "$(psql -X -At "$URL" -c "SELECT count(*) FROM quiz_attempts") attempts):"
  explain "enrolment with course" "SELECT e.*, c.id, c.slug, c.title, c.version, c.access_days FROM enrolments e
    JOIN courses c ON c.id = e.course_id WHERE e.id = '$E'"
  explain "enrolment with lesson" "SELECT e.*, c.slug, l.id, l.slug, l.content_hash FROM enrolments e
    JOIN courses c ON c.id = e.course_id LEFT JOIN lessons l ON l.course_id = e.course_id
    AND l.slug = '$L' AND l.retired_at IS NULL WHERE e.id = '$E'"
  explain "facts of an enrolment" "SELECT 'lesson', p.enrolment_id, p.lesson_id, l.slug, p.completed_at, 0, 0
    FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id WHERE p.enrolment_id = ANY(ARRAY['$E'::uuid])
    UNION ALL SELECT 'quiz', o.enrolment_id, o.quiz_id, q.slug, o.passed_at, o.best_percent, o.attempts_used
    FROM quiz_outcomes o JOIN quizzes q ON q.id = o.quiz_id WHERE o.enrolment_id = ANY(ARRAY['$E'::uuid])"
  explain "dashboard enrolments" "SELECT e.*, c.slug FROM enrolments e JOIN courses c ON c.id = e.course_id
    WHERE e.user_id = '$U' ORDER BY e.last_activity_at DESC, e.id"
  explain "dashboard facts (by user)" "SELECT 'lesson', p.enrolment_id, p.lesson_id, l.slug, p.completed_at, 0, 0
    FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id
    WHERE p.enrolment_id IN (SELECT id FROM enrolments WHERE user_id = '$U')
    UNION ALL SELECT 'quiz', o.enrolment_id, o.quiz_id, q.slug, o.passed_at, o.best_percent, o.attempts_used
    FROM quiz_outcomes o JOIN quizzes q ON q.id = o.quiz_id
    WHERE o.enrolment_id IN (SELECT id FROM enrolments WHERE user_id = '$U')"
  if [[ -n $A ]]; then
    explain "attempt questions" "SELECT a.position, a.layout, a.answer, q.spec FROM attempt_questions a
      JOIN questions q ON q.id = a.question_id WHERE a.attempt_id = '$A' ORDER BY a.position"
  fi
done
