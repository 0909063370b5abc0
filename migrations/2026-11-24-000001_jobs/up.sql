-- The job queue: work that must happen after a transaction commits (deliver a mail, react to a
-- completed enrolment) is inserted here in that transaction, so it exists exactly when the
-- change that caused it was committed. Runners (inside `serve` or `benchside worker`) claim
-- due jobs with `FOR UPDATE SKIP LOCKED` under a lease (`lease_id`, `locked_until`), so the
-- jobs of a runner that died become due again when its lease ends.
CREATE TABLE jobs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- what to do, e.g. `mail.send`; the handler registered for it decides how
    kind          text NOT NULL CONSTRAINT jobs_kind_check
                  CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    state         text NOT NULL DEFAULT 'pending' CONSTRAINT jobs_state_check
                  CHECK (state IN ('pending', 'running', 'succeeded', 'failed')),
    -- when it is due (again, after a failed attempt)
    run_at        timestamptz NOT NULL DEFAULT now(),
    -- attempts started, counted when a runner claims the job
    attempts      integer NOT NULL DEFAULT 0 CONSTRAINT jobs_attempts_check CHECK (attempts >= 0),
    -- NULL: the limit the runner registered for the kind
    max_attempts  integer CONSTRAINT jobs_max_attempts_check
                  CHECK (max_attempts IS NULL OR max_attempts BETWEEN 1 AND 1000),
    -- the claim of the runner working on it: its own ID and when it ends
    lease_id      uuid,
    locked_until  timestamptz,
    last_error    text CONSTRAINT jobs_last_error_check
                  CHECK (last_error IS NULL OR length(last_error) <= 2000),
    -- at most one unfinished job per key (see jobs_dedupe_key_idx)
    dedupe_key    text CONSTRAINT jobs_dedupe_key_check
                  CHECK (dedupe_key IS NULL OR length(dedupe_key) BETWEEN 1 AND 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CONSTRAINT jobs_lease_check CHECK ((state = 'running') = (lease_id IS NOT NULL)),
    CONSTRAINT jobs_locked_until_check CHECK ((state = 'running') = (locked_until IS NOT NULL)),
    CONSTRAINT jobs_finished_check
        CHECK ((state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)),
    CONSTRAINT jobs_attempted_check CHECK (state = 'pending' OR attempts >= 1),
    CONSTRAINT jobs_failed_error_check CHECK (state <> 'failed' OR last_error IS NOT NULL)
);

-- One unfinished job per dedupe key; a finished one does not block a new one.
CREATE UNIQUE INDEX jobs_dedupe_key_idx ON jobs (dedupe_key)
    WHERE state IN ('pending', 'running');
-- The claim: due pending jobs, earliest first.
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state = 'pending';
-- Lease recovery: claims whose lease has run out.
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE state = 'running';
-- Housekeeping and `jobs list --failed`: finished jobs by age.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state IN ('succeeded', 'failed');

-- Mail is delivered by `mail.send` jobs: the outbox keeps the message, the job its delivery
-- (state, attempts, lease, backoff). Every outbox row gets its job, pending and in-flight rows
-- carry on where they were, and finished rows keep their outcome.
ALTER TABLE mail_outbox ADD COLUMN job_id uuid;
UPDATE mail_outbox SET job_id = gen_random_uuid();
INSERT INTO jobs (id, kind, payload, state, run_at, attempts, lease_id, locked_until,
                  last_error, dedupe_key, created_at, finished_at)
SELECT job_id, 'mail.send', jsonb_build_object('outbox_id', id),
       CASE status WHEN 'sending' THEN 'running' WHEN 'sent' THEN 'succeeded' ELSE status END,
       next_attempt_at, attempts, lease_id, locked_until, last_error, 'mail:' || id, created_at,
       CASE status WHEN 'sent' THEN sent_at WHEN 'failed' THEN now() END
  FROM mail_outbox;

ALTER TABLE mail_outbox
    ALTER COLUMN job_id SET NOT NULL,
    -- Purging a finished job deletes its message too.
    ADD CONSTRAINT mail_outbox_job_id_fkey FOREIGN KEY (job_id) REFERENCES jobs (id)
        ON DELETE CASCADE,
    ADD CONSTRAINT mail_outbox_job_id_key UNIQUE (job_id),
    DROP COLUMN status,
    DROP COLUMN attempts,
    DROP COLUMN next_attempt_at,
    DROP COLUMN locked_until,
    DROP COLUMN lease_id,
    DROP COLUMN last_error,
    -- The bodies go together, and never outlive delivery (they are also erased when the job
    -- fails for good).
    ADD CONSTRAINT mail_outbox_bodies_check CHECK ((text_body IS NULL) = (html_body IS NULL)),
    ADD CONSTRAINT mail_outbox_sent_check CHECK (sent_at IS NULL OR text_body IS NULL);
