-- Accounts: users, refresh-token families, one-time tokens (email verification, email change,
-- password reset), and rate-limit buckets shared by every app process.

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- normalised by the application: trimmed and lower-cased
    email               text NOT NULL
                        CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254
                               AND position('@' IN email) > 1),
    name                text NOT NULL CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 100),
    password_hash       text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role                text NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'admin')),
    email_verified_at   timestamptz,
    disabled_at         timestamptz,
    -- access tokens issued before this instant are refused (logout everywhere, disable,
    -- password change, role change)
    sessions_revoked_at timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);
CREATE INDEX users_sessions_revoked_at_idx ON users (sessions_revoked_at)
    WHERE sessions_revoked_at IS NOT NULL;
SELECT diesel_manage_updated_at('users');

-- One row per issued refresh token. A login starts a family; each refresh marks the presented
-- token used and issues the next one in the family. Presenting a used token revokes the family.
CREATE TABLE refresh_tokens (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id      uuid NOT NULL,
    -- SHA-256 of the token; the token itself is never stored
    token_hash     bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse_detected', 'password_changed',
                                                  'password_reset', 'account_disabled',
                                                  'role_changed', 'logout_all')),
    user_agent     text CHECK (length(user_agent) <= 512),
    client_addr    text CHECK (length(client_addr) <= 64),
    CHECK (expires_at > created_at),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_live_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

CREATE TABLE one_time_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'email_change', 'password_reset')),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    -- the address being verified (verify_email, email_change)
    email       text CHECK (email = lower(btrim(email))),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at),
    CHECK ((purpose = 'password_reset') = (email IS NULL))
);
CREATE INDEX one_time_tokens_user_idx ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL;

-- Token buckets for rate limits, shared by every app process.
CREATE TABLE rate_limit_buckets (
    bucket     text PRIMARY KEY CHECK (length(bucket) <= 300),
    tokens     double precision NOT NULL,
    -- whether the last attempt was let through
    allowed    boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The audit log records where an action came from.
ALTER TABLE audit_log ADD COLUMN client_addr text CHECK (length(client_addr) <= 64);
