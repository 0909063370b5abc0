-- The cohort dashboard sorts every member of a cohort by risk, and "behind schedule" needs each
-- member's completed items: counting them from lesson_progress read every progress row of the
-- cohort (about 290,000 at 10,000 learners and 60 lessons) on every page. Keep the counts on the
-- enrolment instead, maintained by triggers in the same statement (so the same transaction) as
-- every write of lesson_progress and quiz_outcomes: learning's and quizzes' writes, the seed and
-- test fixtures alike. The counts cover every lesson and quiz, live or retired; the dashboard
-- subtracts the rows of lessons and quizzes it does not count (none, unless content retired).
ALTER TABLE enrolments
  ADD COLUMN lessons_completed integer NOT NULL DEFAULT 0 CHECK (lessons_completed >= 0),
  ADD COLUMN quizzes_passed integer NOT NULL DEFAULT 0 CHECK (quizzes_passed >= 0);

UPDATE enrolments e SET lessons_completed = d.n
  FROM (SELECT enrolment_id, count(*)::int AS n FROM lesson_progress
         WHERE completed_at IS NOT NULL GROUP BY enrolment_id) d
 WHERE d.enrolment_id = e.id;
UPDATE enrolments e SET quizzes_passed = d.n
  FROM (SELECT enrolment_id, count(*)::int AS n FROM quiz_outcomes
         WHERE passed_at IS NOT NULL GROUP BY enrolment_id) d
 WHERE d.enrolment_id = e.id;

-- enrolments.lessons_completed: the enrolment's lesson_progress rows with completed_at set. Statement-level
-- triggers with transition tables: a bulk write (the seed, an import) updates each enrolment
-- once, a single-row write costs one indexed UPDATE.
CREATE FUNCTION enrolments_count_lessons_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE enrolments e SET lessons_completed = e.lessons_completed + d.n
      FROM (SELECT enrolment_id, count(*)::int AS n FROM new_rows
             WHERE completed_at IS NOT NULL GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE enrolments e SET lessons_completed = e.lessons_completed - d.n
      FROM (SELECT enrolment_id, count(*)::int AS n FROM old_rows
             WHERE completed_at IS NOT NULL GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSE
    UPDATE enrolments e SET lessons_completed = e.lessons_completed + d.n
      FROM (SELECT enrolment_id, sum(n)::int AS n
              FROM (SELECT enrolment_id, 1 AS n FROM new_rows WHERE completed_at IS NOT NULL
                    UNION ALL
                    SELECT enrolment_id, -1 FROM old_rows WHERE completed_at IS NOT NULL) c
             GROUP BY enrolment_id HAVING sum(n) <> 0) d
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

-- enrolments.quizzes_passed: the enrolment's quiz_outcomes rows with passed_at set. Statement-level
-- triggers with transition tables: a bulk write (the seed, an import) updates each enrolment
-- once, a single-row write costs one indexed UPDATE.
CREATE FUNCTION enrolments_count_quizzes_passed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE enrolments e SET quizzes_passed = e.quizzes_passed + d.n
      FROM (SELECT enrolment_id, count(*)::int AS n FROM new_rows
             WHERE passed_at IS NOT NULL GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE enrolments e SET quizzes_passed = e.quizzes_passed - d.n
      FROM (SELECT enrolment_id, count(*)::int AS n FROM old_rows
             WHERE passed_at IS NOT NULL GROUP BY enrolment_id) d
     WHERE e.id = d.enrolment_id;
  ELSE
    UPDATE enrolments e SET quizzes_passed = e.quizzes_passed + d.n
      FROM (SELECT enrolment_id, sum(n)::int AS n
              FROM (SELECT enrolment_id, 1 AS n FROM new_rows WHERE passed_at IS NOT NULL
                    UNION ALL
                    SELECT enrolment_id, -1 FROM old_rows WHERE passed_at IS NOT NULL) c
             GROUP BY enrolment_id HAVING sum(n) <> 0) d
     WHERE e.id = d.enrolment_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER enrolments_count_quizzes_passed_insert AFTER INSERT ON quiz_outcomes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_quizzes_passed();
CREATE TRIGGER enrolments_count_quizzes_passed_update AFTER UPDATE ON quiz_outcomes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_quizzes_passed();
CREATE TRIGGER enrolments_count_quizzes_passed_delete AFTER DELETE ON quiz_outcomes
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_count_quizzes_passed();

-- The dashboard's "quiz failed twice": only the outcomes failed at least twice and not passed.
CREATE INDEX quiz_outcomes_failing_idx ON quiz_outcomes (enrolment_id, quiz_id)
  WHERE passed_at IS NULL AND attempts_used >= 2;
