DROP FUNCTION grade_attempt_questions(uuid, integer[], jsonb[], double precision[]);
