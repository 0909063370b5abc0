ALTER TABLE attempt_questions DROP COLUMN must_pass;

ALTER TABLE questions
    DROP CONSTRAINT questions_must_pass_review_check,
    DROP COLUMN review_label,
    DROP COLUMN review_href,
    DROP COLUMN must_pass;
