ALTER TABLE audit_log DROP COLUMN client_addr;
DROP TABLE rate_limit_buckets;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
