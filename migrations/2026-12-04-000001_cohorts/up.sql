-- Cohorts run by the admin area: dates, capacity, archiving and the staff who own them; the
-- staff role, which sees and acts only on the cohorts it owns.

ALTER TABLE cohorts
    ADD COLUMN starts_on   date,
    -- the date by which members should have completed; the schedule the dashboard measures
    ADD COLUMN target_on   date,
    -- the most members (not withdrawn) the cohort takes; NULL: no limit
    ADD COLUMN capacity    integer CHECK (capacity BETWEEN 1 AND 100000),
    -- an archived cohort keeps its members and history but takes no new members
    ADD COLUMN archived_at timestamptz,
    ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();
UPDATE cohorts SET starts_on = (created_at AT TIME ZONE 'UTC')::date;
ALTER TABLE cohorts
    ALTER COLUMN starts_on SET NOT NULL,
    ALTER COLUMN starts_on SET DEFAULT (now() AT TIME ZONE 'UTC')::date,
    ADD CONSTRAINT cohorts_name_trimmed CHECK (name = btrim(name)),
    ADD CONSTRAINT cohorts_target_after_start CHECK (target_on IS NULL OR target_on >= starts_on);
SELECT diesel_manage_updated_at('cohorts');
CREATE INDEX cohorts_created_at_idx ON cohorts (created_at DESC, id DESC);

-- The staff who own a cohort. A staff account sees only the cohorts it owns; admins see all.
CREATE TABLE cohort_staff (
    cohort_id uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_staff_user_idx ON cohort_staff (user_id, cohort_id);

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('learner', 'staff', 'admin'));
