-- A password reset or change voids the account's outstanding one-time tokens, and an email
-- change is confirmed only if the password was not replaced since it was asked for.
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;

-- The old address of an email change gets a link that cancels it.
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'email_change', 'email_change_cancel', 'password_reset'));

-- Ended sessions (logout, refresh-token reuse) are reloaded by every process, so their access
-- tokens are refused everywhere.
CREATE INDEX refresh_tokens_revoked_at_idx ON refresh_tokens (revoked_at)
    WHERE revoked_at IS NOT NULL;
