DROP TABLE quiz_outcomes;
DROP TABLE lesson_progress;
DROP TABLE enrolments;
DROP TABLE enrolment_codes;
DROP TABLE cohorts;
