-- Bulk enrolment invites people who have no account yet: the account exists from the upload
-- (so it can be enrolled in the same transaction) but has no password until its owner follows
-- the invitation link and chooses one. An account without a password cannot sign in; a
-- password reset also sets one, so an expired invitation is never a dead end.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN invited_at timestamptz;
ALTER TABLE users ADD COLUMN invited_by uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE users ADD CONSTRAINT users_password_or_invited_check
    CHECK (password_hash IS NOT NULL OR invited_at IS NOT NULL);

-- The invitation link is a one-time token; like a reset it names no address.
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'email_change', 'email_change_cancel', 'password_reset',
                       'invitation'));
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_check1;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_address_check
    CHECK ((purpose IN ('password_reset', 'invitation')) = (email IS NULL));
