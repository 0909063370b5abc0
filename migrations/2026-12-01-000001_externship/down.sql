ALTER TABLE enrolments
    DROP COLUMN externship_met_at,
    DROP COLUMN externship_minutes,
    DROP COLUMN externship_counts;
DROP TABLE externship_competency_ratings;
DROP TABLE externship_tallies;
DROP TRIGGER externship_tally_insert ON externship_entries;
DROP TRIGGER externship_tally_update ON externship_entries;
DROP TRIGGER externship_tally_delete ON externship_entries;
DROP FUNCTION externship_tally();
DROP TABLE externship_entries;
DROP TABLE externship_attestations;
DROP TABLE externship_placements;
DROP TABLE externship_sites;
DROP EXTENSION IF EXISTS btree_gist;
