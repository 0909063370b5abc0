-- Readiness by certification exam domain: each course declares the content outlines of the
-- exams it prepares for (the certifying bodies' published domains, with their weights where
-- the body publishes them) and every question is tagged with the domains it covers. The
-- outlines are definitions keyed by slug and replaced as a whole on import; nothing a learner
-- did refers to them (readiness is computed from the attempts at read time), so a re-import
-- never touches progress or attempts.
CREATE TABLE exam_outlines (
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    slug text NOT NULL,
    position integer NOT NULL,
    name text NOT NULL,
    body text NOT NULL,
    source text NOT NULL CHECK (source LIKE 'https://%'),
    source_title text NOT NULL,
    edition text,
    note text,
    PRIMARY KEY (course_id, slug)
);

CREATE TABLE exam_domains (
    course_id uuid NOT NULL,
    exam_slug text NOT NULL,
    slug text NOT NULL,
    position integer NOT NULL,
    title text NOT NULL,
    -- The exam's share of items in this domain, in percent, as the body publishes it: a single
    -- figure (low = high) or a range. Both NULL: no weight is published (or none confirmed).
    weight_low smallint,
    weight_high smallint,
    PRIMARY KEY (course_id, exam_slug, slug),
    FOREIGN KEY (course_id, exam_slug) REFERENCES exam_outlines (course_id, slug) ON DELETE CASCADE,
    CONSTRAINT exam_domains_weight_check CHECK (
        (weight_low IS NULL AND weight_high IS NULL)
        OR (weight_low BETWEEN 0 AND 100 AND weight_high BETWEEN weight_low AND 100)
    )
);

CREATE TABLE question_domains (
    question_id uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    course_id uuid NOT NULL,
    exam_slug text NOT NULL,
    domain_slug text NOT NULL,
    PRIMARY KEY (question_id, exam_slug, domain_slug),
    FOREIGN KEY (course_id, exam_slug, domain_slug)
        REFERENCES exam_domains (course_id, exam_slug, slug) ON DELETE CASCADE
);

-- Readiness joins a course's domains to their questions.
CREATE INDEX question_domains_domain_idx ON question_domains (course_id, exam_slug, domain_slug);
