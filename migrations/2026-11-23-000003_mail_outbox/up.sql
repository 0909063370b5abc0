-- The mail outbox: a request that causes a mail inserts a row here in its own transaction (so
-- a rolled-back request sends nothing), and the worker delivers it later, retrying through
-- SMTP outages. Several workers can run at once: they claim rows with
-- `FOR UPDATE SKIP LOCKED` and hold them under a lease (`locked_until`), so the rows of a
-- worker that died become due again when its lease expires.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- which template made it, e.g. `verify_email`
    kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$' AND length(kind) <= 64),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
                                         AND recipient ~ '^[^@\s<>]+@[^@\s<>]+$'),
    recipient_name  text CHECK (recipient_name IS NULL OR length(recipient_name) <= 200),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 400),
    -- The bodies are erased once the mail is finished (sent or failed): they can carry
    -- one-time links, which should not outlive their delivery in the database.
    text_body       text,
    html_body       text,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    -- attempts started, counted when a worker claims the row
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- the claim of the worker sending it: lease end and the claim's own ID
    locked_until    timestamptz,
    lease_id        uuid,
    last_error      text CHECK (last_error IS NULL OR length(last_error) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CHECK ((status = 'sending') = (locked_until IS NOT NULL)),
    CHECK ((status = 'sending') = (lease_id IS NOT NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((status IN ('pending', 'sending')) = (text_body IS NOT NULL)),
    CHECK ((status IN ('pending', 'sending')) = (html_body IS NOT NULL)),
    CHECK (status = 'pending' OR attempts >= 1),
    CHECK (status <> 'failed' OR last_error IS NOT NULL)
);

-- The claim: due pending rows, oldest due first.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending';
-- Crash recovery: claims whose lease has run out.
CREATE INDEX mail_outbox_lease_idx ON mail_outbox (locked_until) WHERE status = 'sending';
-- Housekeeping: finished rows by age.
CREATE INDEX mail_outbox_finished_idx ON mail_outbox (created_at) WHERE status IN ('sent', 'failed');
