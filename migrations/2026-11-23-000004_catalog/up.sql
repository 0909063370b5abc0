-- The catalog: courses imported from courses/ with stable identities for modules, lessons,
-- question banks, questions and quizzes (keyed by slug), so progress survives re-imports.
-- Removed items are retired (retired_at), never deleted.

CREATE TABLE courses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary          text NOT NULL CHECK (length(summary) BETWEEN 1 AND 300),
    description_html text NOT NULL,
    level            text NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    estimated_hours  integer NOT NULL CHECK (estimated_hours BETWEEN 1 AND 10000),
    contact_hours    double precision NOT NULL CHECK (contact_hours >= 0 AND contact_hours < 100000),
    sequential       boolean NOT NULL,
    access_days      integer NOT NULL CHECK (access_days BETWEEN 1 AND 3650),
    published        boolean NOT NULL,
    completion_all_lessons boolean NOT NULL,
    completion_externship  boolean NOT NULL,
    -- the externship requirements (NULL: no externship)
    externship_total_hours          double precision CHECK (externship_total_hours > 0 AND externship_total_hours < 100000),
    externship_min_total_procedures integer CHECK (externship_min_total_procedures > 0),
    externship_notes_html           text,
    -- counts and the public outline, computed at import (the outline endpoint is one read)
    module_count     integer NOT NULL CHECK (module_count >= 0),
    lesson_count     integer NOT NULL CHECK (lesson_count >= 0),
    -- stored as JSON text so the outline endpoint sends it as it is, with no parsing
    outline          text NOT NULL CHECK (jsonb_typeof(outline::jsonb) = 'object'),
    -- a hash of every source file: an unchanged import is detected by it and writes nothing
    content_hash     text NOT NULL,
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT completion_externship OR externship_total_hours IS NOT NULL)
);
CREATE INDEX courses_published_idx ON courses (title, id) WHERE published;
SELECT diesel_manage_updated_at('courses');

-- One row per imported content version of a course.
CREATE TABLE course_versions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id    uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version >= 1),
    content_hash text NOT NULL,
    changes      jsonb NOT NULL DEFAULT '{}'::jsonb,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, version)
);

CREATE TABLE course_modules (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    slug        text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    position    integer NOT NULL CHECK (position >= 0),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL,
    content_hash text NOT NULL,
    retired_at  timestamptz,
    UNIQUE (course_id, slug),
    UNIQUE (course_id, id)
);

CREATE TABLE lessons (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id         uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    module_id         uuid NOT NULL,
    slug              text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    position          integer NOT NULL CHECK (position >= 0),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    estimated_minutes integer NOT NULL CHECK (estimated_minutes BETWEEN 1 AND 600),
    objectives        jsonb NOT NULL CHECK (jsonb_typeof(objectives) = 'array'),
    free_preview      boolean NOT NULL,
    body_html         text NOT NULL,
    content_hash      text NOT NULL,
    -- the course version in which this lesson was added, and last changed
    added_in_version  integer NOT NULL,
    changed_in_version integer NOT NULL,
    retired_at        timestamptz,
    UNIQUE (course_id, slug),
    FOREIGN KEY (course_id, module_id) REFERENCES course_modules (course_id, id)
);
CREATE INDEX lessons_module_idx ON lessons (module_id, position);

CREATE TABLE question_banks (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    module_id  uuid,
    slug       text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    retired_at timestamptz,
    UNIQUE (course_id, slug),
    UNIQUE (course_id, id),
    FOREIGN KEY (course_id, module_id) REFERENCES course_modules (course_id, id)
);

CREATE TABLE questions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    bank_id          uuid NOT NULL REFERENCES question_banks (id) ON DELETE CASCADE,
    slug             text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    position         integer NOT NULL CHECK (position >= 0),
    kind             text NOT NULL CHECK (kind IN ('single', 'multiple', 'true_false', 'matching', 'ordering', 'numeric')),
    prompt_html      text NOT NULL,
    explanation_html text NOT NULL,
    shuffle          boolean NOT NULL,
    -- the kind's data: choices with correct flags, pairs, items, or answer and tolerance
    spec             jsonb NOT NULL CHECK (jsonb_typeof(spec) = 'object'),
    content_hash     text NOT NULL,
    retired_at       timestamptz,
    UNIQUE (bank_id, slug)
);
CREATE INDEX questions_bank_live_idx ON questions (bank_id) WHERE retired_at IS NULL;

CREATE TABLE quizzes (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id          uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    module_id          uuid,
    slug               text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    is_final           boolean NOT NULL,
    required           boolean NOT NULL,
    requires_other_requirements boolean NOT NULL,
    pass_percent       integer NOT NULL CHECK (pass_percent BETWEEN 1 AND 100),
    max_attempts       integer NOT NULL CHECK (max_attempts >= 0),
    time_limit_minutes integer NOT NULL CHECK (time_limit_minutes BETWEEN 0 AND 1440),
    cooldown_minutes   integer NOT NULL CHECK (cooldown_minutes BETWEEN 0 AND 525600),
    review             text NOT NULL CHECK (review IN ('after_submit', 'after_pass', 'after_attempts_used')),
    -- [{"bank": slug, "count": n}]
    draw               jsonb NOT NULL CHECK (jsonb_typeof(draw) = 'array'),
    content_hash       text NOT NULL,
    retired_at         timestamptz,
    UNIQUE (course_id, slug),
    FOREIGN KEY (course_id, module_id) REFERENCES course_modules (course_id, id)
);

CREATE TABLE externship_department_requirements (
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    slug      text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    name      text NOT NULL,
    position  integer NOT NULL,
    min_hours double precision NOT NULL CHECK (min_hours > 0 AND min_hours < 100000),
    PRIMARY KEY (course_id, slug)
);

CREATE TABLE externship_procedure_requirements (
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    slug      text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{0,63}$'),
    name      text NOT NULL,
    position  integer NOT NULL,
    min_count integer NOT NULL CHECK (min_count > 0),
    PRIMARY KEY (course_id, slug)
);

-- Images and diagrams beside the lessons, served by the API.
CREATE TABLE course_assets (
    course_id    uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    path         text NOT NULL CHECK (path ~ '^[a-z0-9][a-z0-9._/-]*$' AND path NOT LIKE '%..%'),
    content_type text NOT NULL,
    bytes        bytea NOT NULL,
    sha256       text NOT NULL,
    PRIMARY KEY (course_id, path)
);
