-- The counting functions as 2026-12-05-000002 wrote them, without the version.
CREATE OR REPLACE FUNCTION enrolments_count_lessons_completed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION enrolments_count_quizzes_passed() RETURNS trigger LANGUAGE plpgsql AS $$
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

ALTER TABLE enrolments DROP COLUMN facts_version;
DROP SEQUENCE enrolment_facts_versions;
