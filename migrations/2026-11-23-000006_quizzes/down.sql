DROP TABLE attempt_questions;
DROP TABLE quiz_attempts;
