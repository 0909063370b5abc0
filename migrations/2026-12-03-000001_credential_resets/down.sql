DROP INDEX refresh_tokens_revoked_at_idx;
DELETE FROM one_time_tokens WHERE purpose = 'email_change_cancel';
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'email_change', 'password_reset'));
ALTER TABLE users DROP COLUMN password_changed_at;
