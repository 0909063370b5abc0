-- Back to the outbox's own delivery columns, from the state of each row's `mail.send` job.
ALTER TABLE mail_outbox
    DROP CONSTRAINT mail_outbox_bodies_check,
    DROP CONSTRAINT mail_outbox_sent_check,
    ADD COLUMN status text,
    ADD COLUMN attempts integer,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN lease_id uuid,
    ADD COLUMN last_error text;

-- A row without bodies that was not sent can no longer be sent: it is `failed`.
UPDATE mail_outbox o
   SET status = CASE WHEN o.sent_at IS NOT NULL THEN 'sent'
                     WHEN j.state = 'failed' OR o.text_body IS NULL THEN 'failed'
                     WHEN j.state = 'running' THEN 'sending'
                     ELSE 'pending' END
  FROM jobs j
 WHERE j.id = o.job_id;

UPDATE mail_outbox o
   SET attempts = CASE WHEN o.status = 'pending' THEN j.attempts ELSE greatest(j.attempts, 1) END,
       next_attempt_at = j.run_at,
       locked_until = CASE WHEN o.status = 'sending' THEN j.locked_until END,
       lease_id = CASE WHEN o.status = 'sending' THEN j.lease_id END,
       last_error = CASE WHEN o.status = 'failed'
                         THEN coalesce(j.last_error, 'no longer deliverable')
                         ELSE j.last_error END,
       text_body = CASE WHEN o.status IN ('sent', 'failed') THEN NULL ELSE o.text_body END,
       html_body = CASE WHEN o.status IN ('sent', 'failed') THEN NULL ELSE o.html_body END
  FROM jobs j
 WHERE j.id = o.job_id;

ALTER TABLE mail_outbox
    ALTER COLUMN status SET DEFAULT 'pending',
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN attempts SET DEFAULT 0,
    ALTER COLUMN attempts SET NOT NULL,
    ALTER COLUMN next_attempt_at SET DEFAULT now(),
    ALTER COLUMN next_attempt_at SET NOT NULL,
    ADD CONSTRAINT mail_outbox_status_check
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    ADD CONSTRAINT mail_outbox_attempts_check CHECK (attempts >= 0),
    ADD CONSTRAINT mail_outbox_last_error_check
        CHECK (last_error IS NULL OR length(last_error) <= 2000),
    ADD CONSTRAINT mail_outbox_check CHECK ((status = 'sending') = (locked_until IS NOT NULL)),
    ADD CONSTRAINT mail_outbox_check1 CHECK ((status = 'sending') = (lease_id IS NOT NULL)),
    ADD CONSTRAINT mail_outbox_check2 CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    ADD CONSTRAINT mail_outbox_check3
        CHECK ((status IN ('pending', 'sending')) = (text_body IS NOT NULL)),
    ADD CONSTRAINT mail_outbox_check4
        CHECK ((status IN ('pending', 'sending')) = (html_body IS NOT NULL)),
    ADD CONSTRAINT mail_outbox_check5 CHECK (status = 'pending' OR attempts >= 1),
    ADD CONSTRAINT mail_outbox_check6 CHECK (status <> 'failed' OR last_error IS NOT NULL),
    DROP COLUMN job_id;

CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_outbox_lease_idx ON mail_outbox (locked_until) WHERE status = 'sending';
CREATE INDEX mail_outbox_finished_idx ON mail_outbox (created_at) WHERE status IN ('sent', 'failed');

DROP TABLE jobs;
