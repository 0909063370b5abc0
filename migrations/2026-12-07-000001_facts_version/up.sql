-- An enrolment's progress facts (its lesson_progress rows with their completion times, its
-- quiz_outcomes) change only together with enrolments.facts_version, in the same statement:
-- the server keeps each enrolment's facts in memory and re-reads them only when the version
-- it holds is no longer the row's. Versions come from a sequence, which never hands out a
-- number twice (not even one a rolled-back transaction took), so a version names one state
-- of the facts whatever snapshot read it.
--
-- The counting triggers of 2026-12-05-000002 already update each enrolment a statement
-- touches; they now set the version in the same UPDATE, for every enrolment whose facts the
-- statement changed (a row added or removed; a completion time; a best percent, pass or
-- attempt count), counted or not. Time on task and the position in a lesson are not facts: a
-- heartbeat updates no enrolment here.
CREATE SEQUENCE enrolment_facts_versions;
ALTER TABLE enrolments ADD COLUMN facts_version bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION enrolments_count_lessons_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE enrolments e SET lessons_completed = e.lessons_completed + d.n,
                            facts_version = nextval('enrolment_facts_versions')
      FROM (SELECT enrolment_id, count(*) FILTER (WHERE completed_at IS NOT NULL)::int AS n
              FROM new_rows GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE enrolments e SET lessons_completed = e.lessons_completed - d.n,
                            facts_version = nextval('enrolment_facts_versions')
      FROM (SELECT enrolment_id, count(*) FILTER (WHERE completed_at IS NOT NULL)::int AS n
              FROM old_rows GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSE
    UPDATE enrolments e SET lessons_completed = e.lessons_completed + d.n,
                            facts_version = nextval('enrolment_facts_versions')
      FROM (SELECT coalesce(n.enrolment_id, o.enrolment_id) AS enrolment_id,
                   sum((n.completed_at IS NOT NULL)::int - (o.completed_at IS NOT NULL)::int)::int AS n
              FROM new_rows n
              FULL JOIN old_rows o ON o.enrolment_id = n.enrolment_id AND o.lesson_id = n.lesson_id
             WHERE n.enrolment_id IS NULL OR o.enrolment_id IS NULL
                OR n.completed_at IS DISTINCT FROM o.completed_at
             GROUP BY 1) d
     WHERE e.id = d.enrolment_id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION enrolments_count_quizzes_passed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE enrolments e SET quizzes_passed = e.quizzes_passed + d.n,
                            facts_version = nextval('enrolment_facts_versions')
      FROM (SELECT enrolment_id, count(*) FILTER (WHERE passed_at IS NOT NULL)::int AS n
              FROM new_rows GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE enrolments e SET quizzes_passed = e.quizzes_passed - d.n,
                            facts_version = nextval('enrolment_facts_versions')
      FROM (SELECT enrolment_id, count(*) FILTER (WHERE passed_at IS NOT NULL)::int AS n
              FROM old_rows GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSE
    UPDATE enrolments e SET quizzes_passed = e.quizzes_passed + d.n,
                            facts_version = nextval('enrolment_facts_versions')
      FROM (SELECT coalesce(n.enrolment_id, o.enrolment_id) AS enrolment_id,
                   sum((n.passed_at IS NOT NULL)::int - (o.passed_at IS NOT NULL)::int)::int AS n
              FROM new_rows n
              FULL JOIN old_rows o ON o.enrolment_id = n.enrolment_id AND o.quiz_id = n.quiz_id
             WHERE n.enrolment_id IS NULL OR o.enrolment_id IS NULL
                OR (n.best_percent, n.passed_at, n.attempts_used)
                   IS DISTINCT FROM (o.best_percent, o.passed_at, o.attempts_used)
             GROUP BY 1) d
     WHERE e.id = d.enrolment_id;
  END IF;
  RETURN NULL;
END $$;
