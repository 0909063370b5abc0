-- The append-only audit log: who did what to which record, and when.
-- Rows are only ever inserted; a trigger refuses UPDATE and DELETE, and TRUNCATE is refused
-- by a statement trigger, so even a buggy handler cannot rewrite history.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    -- who acted: a user account, a supervisor through a signed link, the system itself
    actor_kind   text NOT NULL CHECK (actor_kind IN ('system', 'user', 'supervisor', 'anonymous')),
    actor_id     uuid,
    -- what happened, as a dotted snake_case name such as `certificate.revoked`
    action       text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
    subject_type text CHECK (subject_type IS NULL OR subject_type ~ '^[a-z][a-z0-9_]*$'),
    subject_id   text,
    request_id   text CHECK (request_id IS NULL OR length(request_id) <= 64),
    details      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
    CHECK ((actor_kind IN ('system', 'anonymous')) = (actor_id IS NULL)),
    CHECK ((subject_type IS NULL) = (subject_id IS NULL))
);

CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, occurred_at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, occurred_at DESC) WHERE actor_id IS NOT NULL;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
