DROP TABLE certificate_pdfs;
DROP TABLE certificates;
DROP SEQUENCE certificate_status_positions;
DROP SEQUENCE certificate_serials;
DROP TABLE signing_keys;
ALTER TABLE courses DROP COLUMN certificate_validity_months;
