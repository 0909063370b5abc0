DROP TRIGGER questions_next_revision ON questions;
DROP TRIGGER lessons_next_revision ON lessons;
DROP FUNCTION content_next_revision();
ALTER TABLE questions DROP COLUMN revision;
ALTER TABLE lessons DROP COLUMN revision;
DROP SEQUENCE content_revisions;
