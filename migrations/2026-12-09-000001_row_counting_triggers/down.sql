-- Back to the statement-level counting triggers, as 2026-12-07-000001 left them.
DROP TRIGGER enrolments_count_lessons_completed_insert ON lesson_progress;
DROP TRIGGER enrolments_count_lessons_completed_update ON lesson_progress;
DROP TRIGGER enrolments_count_lessons_completed_delete ON lesson_progress;
DROP TRIGGER enrolments_count_quizzes_passed_insert ON quiz_outcomes;
DROP TRIGGER enrolments_count_quizzes_passed_update ON quiz_outcomes;
DROP TRIGGER enrolments_count_quizzes_passed_delete ON quiz_outcomes;
DROP FUNCTION enrolments_count_lesson_row();
DROP FUNCTION enrolments_count_quiz_row();

CREATE FUNCTION enrolments_count_lessons_completed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION enrolments_count_quizzes_passed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER enrolments_count_lessons_completed_insert AFTER INSERT ON lesson_progress
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_lessons_completed();
CREATE TRIGGER enrolments_count_lessons_completed_update AFTER UPDATE ON lesson_progress
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_lessons_completed();
CREATE TRIGGER enrolments_count_lessons_completed_delete AFTER DELETE ON lesson_progress
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_lessons_completed();
CREATE TRIGGER enrolments_count_quizzes_passed_insert AFTER INSERT ON quiz_outcomes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_quizzes_passed();
CREATE TRIGGER enrolments_count_quizzes_passed_update AFTER UPDATE ON quiz_outcomes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_quizzes_passed();
CREATE TRIGGER enrolments_count_quizzes_passed_delete AFTER DELETE ON quiz_outcomes
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_quizzes_passed();
