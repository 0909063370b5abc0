-- Quiz attempts: the draw (which questions, in which order, with which shown order of their
-- choices, left/right columns or items), the answers saved so far, and the grade.
--
-- Answers being typed live in one jsonb object on the attempt, so an autosave is one UPDATE
-- that merges (`answers || patch - cleared`) whatever the number of questions. The draw lives
-- in `attempt_questions`, one row per position, written with one multi-row INSERT at start;
-- at submit each row gets the answer it was graded on and its credit (one multi-row upsert),
-- which is what item statistics aggregate.

CREATE TABLE quiz_attempts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrolment_id uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    quiz_id      uuid NOT NULL REFERENCES quizzes (id),
    -- 1 for the first attempt at this quiz in this enrolment
    number       integer NOT NULL CHECK (number >= 1),
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    -- NULL: untimed
    deadline     timestamptz,
    submitted_at timestamptz,
    -- closed at the deadline rather than submitted by the learner
    late         boolean NOT NULL DEFAULT false,
    -- the pass mark at start (a re-import that changes it does not regrade attempts)
    pass_percent integer NOT NULL CHECK (pass_percent BETWEEN 1 AND 100),
    -- points: one per question
    score        double precision,
    max_score    integer NOT NULL CHECK (max_score >= 1),
    percent      integer CHECK (percent BETWEEN 0 AND 100),
    passed       boolean,
    -- question key ("q1") -> answer, as the learner saved it
    answers      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(answers) = 'object'),
    saved_at     timestamptz,
    UNIQUE (enrolment_id, quiz_id, number),
    CHECK (deadline IS NULL OR deadline > started_at),
    CHECK ((state = 'submitted') = (submitted_at IS NOT NULL)),
    CHECK ((state = 'submitted') = (score IS NOT NULL)),
    CHECK ((state = 'submitted') = (percent IS NOT NULL)),
    CHECK ((state = 'submitted') = (passed IS NOT NULL)),
    CHECK (submitted_at IS NULL OR submitted_at >= started_at),
    CHECK (score IS NULL OR (score >= 0 AND score <= max_score)),
    CHECK (NOT late OR state = 'submitted')
);
-- At most one open attempt per quiz and enrolment.
CREATE UNIQUE INDEX quiz_attempts_one_open_idx ON quiz_attempts (enrolment_id, quiz_id)
    WHERE state = 'open';
CREATE INDEX quiz_attempts_quiz_idx ON quiz_attempts (quiz_id) WHERE state = 'submitted';

CREATE TABLE attempt_questions (
    attempt_id  uuid NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    -- 1-based: the question's key is "q<position>"
    position    integer NOT NULL CHECK (position >= 1),
    question_id uuid NOT NULL REFERENCES questions (id),
    -- the shown order, as indices into the question's spec: {"choices": [2, 0, 1]},
    -- {"left": [...], "right": [...]} (right indexes pairs then distractors), {"items": [...]}
    layout      jsonb NOT NULL CHECK (jsonb_typeof(layout) = 'object'),
    -- set at submit: the answer graded (NULL: unanswered) and the credit earned
    answer      jsonb,
    credit      double precision CHECK (credit BETWEEN 0 AND 1),
    PRIMARY KEY (attempt_id, position),
    UNIQUE (attempt_id, question_id)
);
CREATE INDEX attempt_questions_question_idx ON attempt_questions (question_id);
