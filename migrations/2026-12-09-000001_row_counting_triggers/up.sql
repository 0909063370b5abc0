-- The completed-item counts on enrolments (lessons_completed, quizzes_passed) and the facts
-- version (2026-12-05-000002, 2026-12-07-000001) are kept by row-level triggers instead of
-- statement-level ones with transition tables. A statement-level trigger ran on every
-- statement, changed or not: every heartbeat (an upsert of time on task) and every upsert
-- (INSERT ... ON CONFLICT DO UPDATE fires both the INSERT and the UPDATE statement triggers)
-- ran two PL/pgSQL functions over transition tables, about 0.1 ms of the database's time, to
-- find nothing to count. Row-level triggers run only for a row that was written, and the
-- UPDATE trigger's WHEN clause (checked without calling the function) skips a row whose
-- enrolment, item and completion are unchanged: a heartbeat runs none. A row changed costs one
-- keyed UPDATE of its enrolment; a bulk write (the seed) updates an enrolment once per row.
-- What is counted is unchanged: an enrolment's rows with completed_at (passed_at) set, and a
-- new facts_version whenever a row is added or removed or its completion (for quiz outcomes:
-- best percent, pass or attempts used) changes.
DROP TRIGGER enrolments_count_lessons_completed_insert ON lesson_progress;
DROP TRIGGER enrolments_count_lessons_completed_update ON lesson_progress;
DROP TRIGGER enrolments_count_lessons_completed_delete ON lesson_progress;
DROP TRIGGER enrolments_count_quizzes_passed_insert ON quiz_outcomes;
DROP TRIGGER enrolments_count_quizzes_passed_update ON quiz_outcomes;
DROP TRIGGER enrolments_count_quizzes_passed_delete ON quiz_outcomes;
DROP FUNCTION enrolments_count_lessons_completed();
DROP FUNCTION enrolments_count_quizzes_passed();

CREATE FUNCTION enrolments_count_lesson_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.enrolment_id = NEW.enrolment_id THEN
    UPDATE enrolments
       SET lessons_completed = lessons_completed
             + (NEW.completed_at IS NOT NULL)::int - (OLD.completed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = NEW.enrolment_id;
    RETURN NULL;
  END IF;
  -- A deletion, or an update that moved the row to another enrolment: the old one loses it.
  IF TG_OP <> 'INSERT' THEN
    UPDATE enrolments
       SET lessons_completed = lessons_completed - (OLD.completed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = OLD.enrolment_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE enrolments
       SET lessons_completed = lessons_completed + (NEW.completed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = NEW.enrolment_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER enrolments_count_lessons_completed_insert AFTER INSERT ON lesson_progress
  FOR EACH ROW EXECUTE FUNCTION enrolments_count_lesson_row();
CREATE TRIGGER enrolments_count_lessons_completed_update AFTER UPDATE ON lesson_progress
  FOR EACH ROW
  WHEN ((OLD.enrolment_id, OLD.lesson_id, OLD.completed_at)
        IS DISTINCT FROM (NEW.enrolment_id, NEW.lesson_id, NEW.completed_at))
  EXECUTE FUNCTION enrolments_count_lesson_row();
CREATE TRIGGER enrolments_count_lessons_completed_delete AFTER DELETE ON lesson_progress
  FOR EACH ROW EXECUTE FUNCTION enrolments_count_lesson_row();

CREATE FUNCTION enrolments_count_quiz_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.enrolment_id = NEW.enrolment_id THEN
    UPDATE enrolments
       SET quizzes_passed = quizzes_passed
             + (NEW.passed_at IS NOT NULL)::int - (OLD.passed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = NEW.enrolment_id;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    UPDATE enrolments
       SET quizzes_passed = quizzes_passed - (OLD.passed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = OLD.enrolment_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE enrolments
       SET quizzes_passed = quizzes_passed + (NEW.passed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = NEW.enrolment_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER enrolments_count_quizzes_passed_insert AFTER INSERT ON quiz_outcomes
  FOR EACH ROW EXECUTE FUNCTION enrolments_count_quiz_row();
CREATE TRIGGER enrolments_count_quizzes_passed_update AFTER UPDATE ON quiz_outcomes
  FOR EACH ROW
  WHEN ((OLD.enrolment_id, OLD.quiz_id, OLD.best_percent, OLD.passed_at, OLD.attempts_used)
        IS DISTINCT FROM (NEW.enrolment_id, NEW.quiz_id, NEW.best_percent, NEW.passed_at, NEW.attempts_used))
  EXECUTE FUNCTION enrolments_count_quiz_row();
CREATE TRIGGER enrolments_count_quizzes_passed_delete AFTER DELETE ON quiz_outcomes
  FOR EACH ROW EXECUTE FUNCTION enrolments_count_quiz_row();
