-- Enrolment and self-paced learning: cohorts and their enrolment codes, enrolments, lesson
-- progress and a per-quiz outcome summary. Progress is keyed by lesson and quiz IDs, which
-- keep their identity across content re-imports (removed content is retired, not deleted).

-- A group of learners taking a course together (managed by the admin area, later).
CREATE TABLE cohorts (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id  uuid NOT NULL REFERENCES courses (id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cohorts_course_idx ON cohorts (course_id);

-- Codes learners type to join a cohort. Stored upper-cased, so the unique constraint makes
-- them unique case-insensitively; lookups upper-case the input.
CREATE TABLE enrolment_codes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_id   uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    code        text NOT NULL UNIQUE CHECK (code = upper(code) AND length(code) BETWEEN 3 AND 64),
    max_uses    integer CHECK (max_uses > 0),
    uses        integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
    expires_at  timestamptz,
    disabled_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (max_uses IS NULL OR uses <= max_uses)
);
CREATE INDEX enrolment_codes_cohort_idx ON enrolment_codes (cohort_id);

CREATE TABLE enrolments (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid NOT NULL REFERENCES users (id),
    course_id          uuid NOT NULL REFERENCES courses (id),
    -- the course content version at enrolment
    course_version     integer NOT NULL CHECK (course_version >= 1),
    cohort_id          uuid REFERENCES cohorts (id),
    state              text NOT NULL DEFAULT 'active'
                       CHECK (state IN ('active', 'completed', 'withdrawn', 'expired')),
    started_at         timestamptz NOT NULL DEFAULT now(),
    access_expires_at  timestamptz NOT NULL,
    completed_at       timestamptz,
    withdrawn_at       timestamptz,
    last_activity_at   timestamptz NOT NULL DEFAULT now(),
    last_lesson_id     uuid REFERENCES lessons (id),
    time_spent_seconds bigint NOT NULL DEFAULT 0 CHECK (time_spent_seconds >= 0),
    UNIQUE (user_id, course_id),
    CHECK (access_expires_at > started_at),
    CHECK ((state = 'completed') = (completed_at IS NOT NULL)),
    CHECK ((state = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    CHECK (completed_at IS NULL OR completed_at >= started_at),
    CHECK (withdrawn_at IS NULL OR withdrawn_at >= started_at)
);
CREATE INDEX enrolments_course_idx ON enrolments (course_id);
CREATE INDEX enrolments_cohort_idx ON enrolments (cohort_id) WHERE cohort_id IS NOT NULL;

CREATE TABLE lesson_progress (
    enrolment_id       uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    lesson_id          uuid NOT NULL REFERENCES lessons (id),
    first_opened_at    timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    time_spent_seconds bigint NOT NULL DEFAULT 0 CHECK (time_spent_seconds >= 0),
    -- where the learner stopped (scroll position, media time...): a small object
    last_position      jsonb CHECK (last_position IS NULL OR
                                    (jsonb_typeof(last_position) = 'object'
                                     AND octet_length(last_position::text) <= 1024)),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrolment_id, lesson_id)
);
CREATE INDEX lesson_progress_lesson_idx ON lesson_progress (lesson_id);

-- The summary of a learner's attempts at a quiz, maintained by the assessment module.
CREATE TABLE quiz_outcomes (
    enrolment_id  uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    quiz_id       uuid NOT NULL REFERENCES quizzes (id),
    best_percent  integer NOT NULL DEFAULT 0 CHECK (best_percent BETWEEN 0 AND 100),
    passed_at     timestamptz,
    attempts_used integer NOT NULL DEFAULT 0 CHECK (attempts_used >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrolment_id, quiz_id)
);
CREATE INDEX quiz_outcomes_quiz_idx ON quiz_outcomes (quiz_id);
