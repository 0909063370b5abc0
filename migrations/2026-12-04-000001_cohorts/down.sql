UPDATE users SET role = 'learner' WHERE role = 'staff';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('learner', 'admin'));

DROP TABLE cohort_staff;
DROP INDEX cohorts_created_at_idx;
DROP TRIGGER set_updated_at ON cohorts;
ALTER TABLE cohorts
    DROP CONSTRAINT cohorts_target_after_start,
    DROP CONSTRAINT cohorts_name_trimmed,
    DROP COLUMN updated_at,
    DROP COLUMN archived_at,
    DROP COLUMN capacity,
    DROP COLUMN target_on,
    DROP COLUMN starts_on;
