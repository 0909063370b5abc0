-- The server keeps lessons and questions in memory (the lesson bodies; the questions an attempt
-- shows and grades) and checks on every use that what it holds is still the row. The key it
-- checks is `revision`, which the database sets afresh whenever a row changes, whoever changes
-- it: an import, a fix made in SQL, a row retired. `content_hash` stays what the import
-- compares with the course files; it is only as good as the writer that sets it, so a change
-- made in SQL that left it alone was served stale until the process restarted.
--
-- Revisions come from a sequence, which never hands out a number twice (not even one a
-- rolled-back transaction took), so a revision names one state of a row.
CREATE SEQUENCE content_revisions;
ALTER TABLE lessons ADD COLUMN revision bigint NOT NULL DEFAULT nextval('content_revisions');
ALTER TABLE questions ADD COLUMN revision bigint NOT NULL DEFAULT nextval('content_revisions');

CREATE FUNCTION content_next_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.revision := nextval('content_revisions');
  RETURN NEW;
END $$;

CREATE TRIGGER lessons_next_revision BEFORE UPDATE ON lessons
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION content_next_revision();
CREATE TRIGGER questions_next_revision BEFORE UPDATE ON questions
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION content_next_revision();
