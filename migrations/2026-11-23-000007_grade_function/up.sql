-- Grading writes every position's answer and credit with one call whose SQL text does not
-- depend on the number of questions: the server prepares `SELECT grade_attempt_questions(...)`
-- once per connection and PL/pgSQL keeps the UPDATE's plan for the session, where a multi-row
-- upsert was parsed and planned on every submit. The unchanged `layout` is not rewritten.
-- Returns the number of positions updated.
CREATE FUNCTION grade_attempt_questions(
    p_attempt   uuid,
    p_positions integer[],
    p_answers   jsonb[],
    p_credits   double precision[]
) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    n integer;
BEGIN
    UPDATE attempt_questions AS aq
       SET answer = g.answer, credit = g.credit
      FROM unnest(p_positions, p_answers, p_credits) AS g (pos, answer, credit)
     WHERE aq.attempt_id = p_attempt
       AND aq.position = g.pos;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
