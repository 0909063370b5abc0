DROP TABLE question_domains;
DROP TABLE exam_domains;
DROP TABLE exam_outlines;
