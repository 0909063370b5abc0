-- A lesson opened for the first time (its progress row inserted) or completed (completed_at
-- set) becomes the enrolment's resume point (last_lesson_id), and its last activity is brought
-- up to that time, in the same UPDATE of the enrolment that counts it. The application did
-- this in a second UPDATE of the same row in the same transaction, and an UPDATE of a row the
-- transaction already updated re-runs every foreign-key check of the row (PostgreSQL checks
-- a row version created by the current transaction whether or not its keys changed): three
-- lookups and the row's twelve CHECK constraints again, on every first opening and first
-- completion. A bulk writer with historical times (the seed) moves the activity forward only
-- to those times. Otherwise as 2026-12-09-000001.
CREATE OR REPLACE FUNCTION enrolments_count_lesson_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.enrolment_id = NEW.enrolment_id THEN
    IF OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL THEN
      UPDATE enrolments
         SET lessons_completed = lessons_completed + 1,
             facts_version = nextval('enrolment_facts_versions'),
             last_lesson_id = NEW.lesson_id,
             last_activity_at = greatest(last_activity_at, NEW.completed_at)
       WHERE id = NEW.enrolment_id;
    ELSE
      UPDATE enrolments
         SET lessons_completed = lessons_completed
               + (NEW.completed_at IS NOT NULL)::int - (OLD.completed_at IS NOT NULL)::int,
             facts_version = nextval('enrolment_facts_versions')
       WHERE id = NEW.enrolment_id;
    END IF;
    RETURN NULL;
  END IF;
  -- A deletion, or an update that moved the row to another enrolment: the old one loses it.
  IF TG_OP <> 'INSERT' THEN
    UPDATE enrolments
       SET lessons_completed = lessons_completed - (OLD.completed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = OLD.enrolment_id;
  END IF;
  IF TG_OP = 'INSERT' THEN
    UPDATE enrolments
       SET lessons_completed = lessons_completed + (NEW.completed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions'),
           last_lesson_id = NEW.lesson_id,
           last_activity_at = greatest(last_activity_at, NEW.first_opened_at, NEW.completed_at)
     WHERE id = NEW.enrolment_id;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Moved here from another enrolment: counted, not a resume point.
    UPDATE enrolments
       SET lessons_completed = lessons_completed + (NEW.completed_at IS NOT NULL)::int,
           facts_version = nextval('enrolment_facts_versions')
     WHERE id = NEW.enrolment_id;
  END IF;
  RETURN NULL;
END $$;
