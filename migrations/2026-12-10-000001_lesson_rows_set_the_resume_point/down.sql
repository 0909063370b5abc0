-- The lesson row trigger of 2026-12-09-000001, which leaves the resume point to the application.
CREATE OR REPLACE FUNCTION enrolments_count_lesson_row() RETURNS trigger LANGUAGE plpgsql AS $$
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
