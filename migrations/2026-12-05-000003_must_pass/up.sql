-- Must-pass safety items: a question can be marked must-pass (always drawn; an attempt that
-- gets it wrong does not pass whatever its score) with the lesson section to review. Each
-- drawn question records whether it was must-pass when drawn, so an attempt's result keeps
-- saying why it failed after the content changes.
ALTER TABLE questions
    ADD COLUMN must_pass boolean NOT NULL DEFAULT false,
    -- The web app's URL of the lesson section: /courses/<course>/lessons/<lesson>#<anchor>.
    ADD COLUMN review_href text,
    -- "<lesson title>: <heading text>".
    ADD COLUMN review_label text,
    ADD CONSTRAINT questions_must_pass_review_check
        CHECK (NOT must_pass OR (review_href IS NOT NULL AND review_label IS NOT NULL));

ALTER TABLE attempt_questions
    ADD COLUMN must_pass boolean NOT NULL DEFAULT false;
