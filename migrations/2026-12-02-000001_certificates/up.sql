-- Certificates of completion, their signing keys and the revocation status lists.

-- How long a course's certificate stays valid (course.toml `certificate_validity_months`);
-- NULL: it does not expire.
ALTER TABLE courses
    ADD COLUMN certificate_validity_months integer
        CHECK (certificate_validity_months BETWEEN 1 AND 600);

-- The public halves of the keys that sign credentials. The private halves live in files
-- (BENCHSIDE_SIGNING_KEY_DIR), never here. A key is published from created_at and signs from
-- signs_from; a row stays as long as a credential it signed may be checked.
CREATE TABLE signing_keys (
    kid text PRIMARY KEY CHECK (kid ~ '^[a-z0-9-]{8,64}$'),
    public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    signs_from timestamptz NOT NULL,
    CHECK (signs_from >= created_at)
);

CREATE SEQUENCE certificate_serials AS bigint START 1001;
-- Positions in the revocation status lists: list = position / 131072.
CREATE SEQUENCE certificate_status_positions AS bigint MINVALUE 0 START 0;

CREATE TABLE certificates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    serial bigint NOT NULL UNIQUE DEFAULT nextval('certificate_serials'),
    -- Crockford base32, 15 characters (75 random bits), stored without separators.
    code text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{15}$'),
    enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    user_id uuid NOT NULL REFERENCES users (id),
    holder_name text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 200),
    course_id uuid NOT NULL REFERENCES courses (id),
    course_slug text NOT NULL,
    course_title text NOT NULL,
    course_version integer NOT NULL CHECK (course_version >= 1),
    completed_at timestamptz NOT NULL,
    contact_hours double precision NOT NULL CHECK (contact_hours >= 0),
    -- The approved externship at issue ({minutes, collections, competencies: [...]}); NULL
    -- when the course has no externship.
    externship jsonb CHECK (externship IS NULL OR jsonb_typeof(externship) = 'object'),
    issued_at timestamptz NOT NULL DEFAULT date_trunc('second', now()),
    expires_at timestamptz CHECK (expires_at > issued_at),
    status_position bigint NOT NULL UNIQUE
        DEFAULT nextval('certificate_status_positions') CHECK (status_position >= 0),
    kid text NOT NULL REFERENCES signing_keys (kid),
    credential_jwt text NOT NULL,
    revoked_at timestamptz,
    revoked_reason text CHECK (length(revoked_reason) BETWEEN 1 AND 500),
    -- Deferred: a reissue marks the old certificate superseded by the new one's ID before it
    -- inserts the new one (the old must stop being live first, for the unique index below).
    superseded_by uuid REFERENCES certificates (id) DEFERRABLE INITIALLY DEFERRED,
    superseded_at timestamptz,
    -- When the holder was told the certificate expired (the `certificate.expired` job).
    expiry_noticed_at timestamptz,
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CHECK ((superseded_by IS NULL) = (superseded_at IS NULL)),
    CHECK (superseded_by IS DISTINCT FROM id),
    CHECK (revoked_at IS NULL OR superseded_by IS NULL)
);

-- Exactly one live (neither revoked nor superseded) certificate per enrolment.
CREATE UNIQUE INDEX certificates_one_live_per_enrolment
    ON certificates (enrolment_id)
    WHERE revoked_at IS NULL AND superseded_by IS NULL;
CREATE INDEX certificates_by_user ON certificates (user_id, issued_at DESC);
CREATE INDEX certificates_by_enrolment ON certificates (enrolment_id);
-- The revocation list of each status list reads only the revoked positions.
CREATE INDEX certificates_revoked_positions
    ON certificates (status_position) WHERE revoked_at IS NOT NULL;

-- Rendered PDFs, made on first download and replaced when the certificate changes.
CREATE TABLE certificate_pdfs (
    certificate_id uuid NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    paper text NOT NULL CHECK (paper IN ('a4', 'letter')),
    pdf bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (certificate_id, paper)
);
