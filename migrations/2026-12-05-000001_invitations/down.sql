-- Accounts that never accepted their invitation keep their enrolments and get the hash of a
-- random secret nobody kept (so nobody can sign in with it); a password reset still works.
DELETE FROM one_time_tokens WHERE purpose = 'invitation';
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_address_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_check1
    CHECK ((purpose = 'password_reset') = (email IS NULL));
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'email_change', 'email_change_cancel', 'password_reset'));

UPDATE users
   SET password_hash = '$argon2id$v=19$m=19456,t=2,p=1$e2Y//gpsoKkRVEjRp0GIXg$tv6ZeHVK7OLzWq7WMcQZS0BGXImUtdTHsp+A68NG0lc'
 WHERE password_hash IS NULL;
ALTER TABLE users DROP CONSTRAINT users_password_or_invited_check;
ALTER TABLE users DROP COLUMN invited_by;
ALTER TABLE users DROP COLUMN invited_at;
ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL;
