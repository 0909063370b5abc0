-- The clinical externship: a directory of clinical sites, placements of an enrolment at a site
-- with a supervisor (a contact, not an account), the learner's log of shifts and collection
-- attempts (one table of entries with one state machine), supervisor attestations by emailed
-- single-use link, competency ratings, and the learner's approved standing on the enrolment.
--
-- Entry states: draft -> submitted -> attested | rejected -> approved | returned. Attested,
-- rejected, approved and returned entries are never edited: a correction is a new entry that
-- `amends` the original, which is then `superseded_at` (kept, no longer counted).

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE externship_sites (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address       text NOT NULL CHECK (length(address) BETWEEN 1 AND 500),
    -- departments the site offers, as people name them ("Chemistry", "Outpatient lab")
    departments   text[] NOT NULL DEFAULT '{}' CHECK (cardinality(departments) <= 30),
    contact_name  text CHECK (length(contact_name) BETWEEN 1 AND 200),
    contact_email text CHECK (length(contact_email) BETWEEN 3 AND 254),
    contact_phone text CHECK (length(contact_phone) BETWEEN 1 AND 50),
    archived_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX externship_sites_name_idx ON externship_sites (lower(name))
    WHERE archived_at IS NULL;

CREATE TABLE externship_placements (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrolment_id          uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    site_id               uuid NOT NULL REFERENCES externship_sites (id),
    supervisor_name       text NOT NULL CHECK (length(supervisor_name) BETWEEN 1 AND 200),
    supervisor_email      text NOT NULL CHECK (length(supervisor_email) BETWEEN 3 AND 254),
    supervisor_credential text CHECK (length(supervisor_credential) BETWEEN 1 AND 100),
    starts_on             date NOT NULL,
    ends_on               date NOT NULL,
    -- slugs from the course's department list (empty when the course has none)
    departments           text[] NOT NULL DEFAULT '{}' CHECK (cardinality(departments) <= 30),
    cancelled_at          timestamptz,
    created_by            uuid REFERENCES users (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on),
    CHECK (ends_on - starts_on <= 1096)
);
CREATE INDEX externship_placements_enrolment_idx ON externship_placements (enrolment_id);
CREATE INDEX externship_placements_site_idx ON externship_placements (site_id);

-- One emailed request to a supervisor to attest a batch of entries. Only the token's SHA-256
-- is stored. Who was asked, for whom and for what course are kept as sent (what was signed).
CREATE TABLE externship_attestations (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrolment_id       uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    placement_id       uuid NOT NULL REFERENCES externship_placements (id),
    token_hash         bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    -- the link a reminder replaced (a reminder mails a fresh link: the token is not kept)
    previous_token_hash bytea UNIQUE CHECK (octet_length(previous_token_hash) = 32),
    supervisor_name    text NOT NULL CHECK (length(supervisor_name) BETWEEN 1 AND 200),
    supervisor_email   text NOT NULL CHECK (length(supervisor_email) BETWEEN 3 AND 254),
    learner_name       text NOT NULL CHECK (length(learner_name) <= 200),
    course_title       text NOT NULL CHECK (length(course_title) <= 300),
    entry_count        integer NOT NULL CHECK (entry_count BETWEEN 1 AND 500),
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    reminded_at        timestamptz,
    voided_at          timestamptz,
    replaced_by        uuid REFERENCES externship_attestations (id),
    decided_at         timestamptz,
    signature_name     text CHECK (length(signature_name) BETWEEN 1 AND 200),
    decided_ip         text CHECK (length(decided_ip) <= 100),
    decided_user_agent text CHECK (length(decided_user_agent) <= 500),
    CHECK (expires_at > created_at),
    CHECK (voided_at IS NULL OR decided_at IS NULL),
    CHECK ((decided_at IS NULL) = (signature_name IS NULL)),
    CHECK (replaced_by IS NULL OR voided_at IS NOT NULL)
);
CREATE INDEX externship_attestations_enrolment_idx ON externship_attestations (enrolment_id);
CREATE INDEX externship_attestations_placement_idx ON externship_attestations (placement_id);

CREATE TABLE externship_entries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrolment_id     uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    placement_id     uuid NOT NULL REFERENCES externship_placements (id),
    kind             text NOT NULL CHECK (kind IN ('shift', 'collection')),
    -- the client's idempotency key; a quick entry of N collections shares one, seq 0..N-1
    client_id        uuid NOT NULL,
    client_seq       integer NOT NULL DEFAULT 0 CHECK (client_seq BETWEEN 0 AND 99),
    occurred_on      date NOT NULL,
    -- shifts: local wall-clock times at the site (an overnight shift ends the next day)
    starts_at        timestamp,
    ends_at          timestamp,
    -- a shift's length, whole minutes (what the hour totals add up)
    minutes          integer GENERATED ALWAYS AS
                     ((extract(epoch FROM ends_at - starts_at) / 60)::integer) STORED,
    department       text,
    activities       text CHECK (length(activities) <= 500),
    -- collections
    shift_id         uuid REFERENCES externship_entries (id),
    collection_type  text CHECK (collection_type IN ('venipuncture', 'skin-puncture', 'arterial')),
    method           text CHECK (method IN ('evacuated_tube', 'syringe', 'winged_set')),
    age_group        text CHECK (age_group IN ('adult', 'pediatric', 'geriatric')),
    successful       boolean,
    unaided          boolean,
    notes            text CHECK (length(notes) <= 500),
    state            text NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'submitted', 'attested', 'rejected', 'approved',
                                      'returned')),
    attestation_id   uuid REFERENCES externship_attestations (id),
    decided_at       timestamptz,
    rejected_reason  text CHECK (length(rejected_reason) BETWEEN 1 AND 500),
    reviewed_at      timestamptz,
    reviewed_by      uuid REFERENCES users (id),
    review_note      text CHECK (length(review_note) BETWEEN 1 AND 500),
    amends_id        uuid UNIQUE REFERENCES externship_entries (id),
    amend_reason     text CHECK (length(amend_reason) BETWEEN 1 AND 500),
    superseded_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enrolment_id, client_id, client_seq),
    CHECK (kind <> 'shift' OR (starts_at IS NOT NULL AND ends_at IS NOT NULL
                               AND ends_at > starts_at AND ends_at - starts_at <= interval '24 hours'
                               AND occurred_on = starts_at::date
                               AND collection_type IS NULL AND shift_id IS NULL)),
    CHECK (kind <> 'collection' OR (collection_type IS NOT NULL AND method IS NOT NULL
                                    AND age_group IS NOT NULL AND successful IS NOT NULL
                                    AND unaided IS NOT NULL AND starts_at IS NULL
                                    AND department IS NULL AND activities IS NULL)),
    CHECK ((amends_id IS NULL) = (amend_reason IS NULL)),
    CHECK ((state = 'rejected') = (rejected_reason IS NOT NULL)),
    CHECK ((state IN ('attested', 'rejected', 'approved', 'returned')) = (decided_at IS NOT NULL)),
    CHECK (state = 'draft' OR attestation_id IS NOT NULL),
    CHECK ((state IN ('approved', 'returned')) = (reviewed_at IS NOT NULL)),
    CHECK ((state = 'returned') = (review_note IS NOT NULL)),
    -- no two counted shifts of one learner overlap
    CONSTRAINT externship_entries_no_overlap EXCLUDE USING gist (
        enrolment_id WITH =, tsrange(starts_at, ends_at) WITH &&
    ) WHERE (kind = 'shift' AND superseded_at IS NULL AND state NOT IN ('rejected', 'returned'))
);
CREATE INDEX externship_entries_enrolment_idx ON externship_entries (enrolment_id, occurred_on);
CREATE INDEX externship_entries_attestation_idx ON externship_entries (attestation_id)
    WHERE attestation_id IS NOT NULL;
CREATE INDEX externship_entries_shift_idx ON externship_entries (shift_id)
    WHERE shift_id IS NOT NULL;
CREATE INDEX externship_entries_placement_idx ON externship_entries (placement_id);
CREATE INDEX externship_entries_review_idx ON externship_entries (decided_at)
    WHERE state = 'attested' AND superseded_at IS NULL;

-- Running tallies of the log per enrolment, kept by statement-level triggers from each
-- statement's transition tables (one grouped upsert per statement, never one per row): the
-- summary reads a handful of tally rows instead of aggregating every entry.
CREATE TABLE externship_tallies (
    enrolment_id    uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    state           text NOT NULL,
    -- not superseded by an amendment
    counted         boolean NOT NULL,
    department      text NOT NULL,
    collection_type text NOT NULL,
    successful      boolean NOT NULL,
    unaided         boolean NOT NULL,
    entries         integer NOT NULL CHECK (entries >= 0),
    minutes         bigint NOT NULL CHECK (minutes >= 0),
    PRIMARY KEY (enrolment_id, kind, state, counted, department, collection_type, successful,
                 unaided)
);

CREATE FUNCTION externship_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        -- The tally rows exist: the rows leaving them were counted when they came in.
        UPDATE externship_tallies AS t
           SET entries = t.entries - d.n, minutes = t.minutes - d.m
          FROM (SELECT o.enrolment_id, o.kind, o.state, o.superseded_at IS NULL AS counted,
                       coalesce(o.department, '') AS department,
                       coalesce(o.collection_type, '') AS collection_type,
                       coalesce(o.successful, false) AS successful,
                       coalesce(o.unaided, false) AS unaided,
                       count(*) AS n, coalesce(sum(o.minutes), 0) AS m
                  FROM old_rows o
                 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS d
         WHERE (t.enrolment_id, t.kind, t.state, t.counted, t.department, t.collection_type,
                t.successful, t.unaided)
             = (d.enrolment_id, d.kind, d.state, d.counted, d.department, d.collection_type,
                d.successful, d.unaided);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO externship_tallies AS t
        SELECT n.enrolment_id, n.kind, n.state, n.superseded_at IS NULL,
               coalesce(n.department, ''), coalesce(n.collection_type, ''),
               coalesce(n.successful, false), coalesce(n.unaided, false),
               count(*), coalesce(sum(n.minutes), 0)
          FROM new_rows n
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (enrolment_id, kind, state, counted, department, collection_type, successful,
                     unaided)
        DO UPDATE SET entries = t.entries + excluded.entries, minutes = t.minutes + excluded.minutes;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER externship_tally_insert AFTER INSERT ON externship_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION externship_tally();
CREATE TRIGGER externship_tally_update AFTER UPDATE ON externship_entries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION externship_tally();
CREATE TRIGGER externship_tally_delete AFTER DELETE ON externship_entries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION externship_tally();

-- The supervisor's rating of a competency, given on an attestation page.
CREATE TABLE externship_competency_ratings (
    attestation_id uuid NOT NULL REFERENCES externship_attestations (id) ON DELETE CASCADE,
    enrolment_id   uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    competency     text NOT NULL CHECK (length(competency) BETWEEN 1 AND 64),
    rating         text NOT NULL
                   CHECK (rating IN ('satisfactory', 'needs_improvement', 'not_observed')),
    comment        text CHECK (length(comment) BETWEEN 1 AND 500),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (attestation_id, competency)
);
CREATE INDEX externship_competency_ratings_enrolment_idx
    ON externship_competency_ratings (enrolment_id);

-- The learner's approved externship standing, written by the externship module through
-- learning (which owns enrolments) whenever an approval changes it: what the completion engine
-- and the dashboard read without touching externship tables.
ALTER TABLE enrolments
    ADD COLUMN externship_met_at      timestamptz,
    ADD COLUMN externship_minutes     integer NOT NULL DEFAULT 0
                                      CHECK (externship_minutes >= 0),
    -- approved successful unaided collections by type: {"venipuncture": 52, ...}
    ADD COLUMN externship_counts      jsonb NOT NULL DEFAULT '{}'
                                      CHECK (jsonb_typeof(externship_counts) = 'object');
