// A submitted attempt's result (docs/api-quizzes.md): the score, the must-pass items missed
// with why and where to review them, and the review of each question the policy allows.
import type { ReactNode } from 'react';
import type { Answer, Attempt, Question } from '../api/types';
import { mustPassHeadline, reviewHref, type MustPassMiss } from '../quiz/mustpass';
import { Link, usePageTitle } from '../router';
import { Alert, ErrorState, Html, Loading, useLoad } from '../ui';
import { api } from '../api/client';

function AnswerText({ q, a }: { q: Question; a: Answer | null | undefined }): ReactNode {
  if (!a) return <em>No answer</em>;
  switch (q.type) {
    case 'single': {
      const c = 'choice' in a ? q.choices.find((x) => x.key === a.choice) : undefined;
      return c ? <span className="choice-html" dangerouslySetInnerHTML={{ __html: c.html }} /> : <em>No answer</em>;
    }
    case 'multiple': {
      const keys = 'choices' in a ? a.choices : [];
      if (!keys.length) return <em>No answer</em>;
      return (
        <ul>
          {q.choices
            .filter((c) => keys.includes(c.key))
            .map((c) => (
              <li key={c.key}>
                <span className="choice-html" dangerouslySetInnerHTML={{ __html: c.html }} />
              </li>
            ))}
        </ul>
      );
    }
    case 'true_false':
      return 'value' in a ? (a.value ? 'True' : 'False') : <em>No answer</em>;
    case 'matching': {
      const pairs = 'pairs' in a ? a.pairs : {};
      return (
        <ul>
          {q.left.map((l) => (
            <li key={l.key}>
              {l.text} → {q.right.find((r) => r.key === pairs[l.key])?.text ?? <em>no match</em>}
            </li>
          ))}
        </ul>
      );
    }
    case 'ordering': {
      const order = 'order' in a ? a.order : [];
      return (
        <ol>
          {order.map((k) => (
            <li key={k}>{q.items.find((i) => i.key === k)?.text ?? k}</li>
          ))}
        </ol>
      );
    }
    case 'numeric':
      return 'value' in a ? `${a.value}${q.unit ? ` ${q.unit}` : ''}` : <em>No answer</em>;
  }
}

/** Why the attempt did not pass despite its score: each missed must-pass item, why it matters
 * and the lesson section to review. Shown whatever the review policy (no answers in it). */
function MustPassMisses({ missed, enrolmentId, percent, passPercent }: { missed: MustPassMiss[]; enrolmentId: string; percent: number; passPercent: number }) {
  return (
    <section className="must-pass-missed alert alert-error" role="alert" aria-labelledby="must-pass-heading">
      <h2 id="must-pass-heading">Safety items to review</h2>
      <p>{mustPassHeadline(missed, percent, passPercent)}</p>
      <ul>
        {missed.map((m) => (
          <li key={m.key}>
            <h3 className="h4">Question {m.number}</h3>
            <Html html={m.prompt_html} className="prose prompt" />
            <p>
              <strong>Why it matters:</strong>
            </p>
            <Html html={m.explanation_html} className="prose explanation" />
            <p>
              <Link href={reviewHref(m.review_href, enrolmentId)}>Review: {m.review_label}</Link>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function QuizResult({ attemptId }: { attemptId: string }) {
  const loaded = useLoad((signal) => api.get<Attempt>(`/api/v1/attempts/${encodeURIComponent(attemptId)}`, { signal }), attemptId);
  usePageTitle(loaded.data ? `${loaded.data.quiz.title}: result` : 'Quiz result');
  if (loaded.loading && !loaded.data) return <Loading label="Loading your result…" />;
  if (loaded.error) {
    return (
      <section>
        <h1>Quiz result</h1>
        <ErrorState error={loaded.error} onRetry={loaded.error.status === 404 ? undefined : loaded.reload} />
      </section>
    );
  }
  const a = loaded.data!;
  const back = `/learn/${a.enrolment_id}/quizzes/${encodeURIComponent(a.quiz.slug)}`;
  if (a.state === 'open' || !a.result) {
    return (
      <section>
        <h1>{a.quiz.title}</h1>
        <p>This attempt is still open.</p>
        <Link href={`/attempts/${a.id}`} className="button">
          Continue the attempt
        </Link>
      </section>
    );
  }
  const r = a.result;
  return (
    <section>
      <p className="breadcrumb">
        <Link href={back}>{a.quiz.title}</Link>
      </p>
      <h1>
        {a.quiz.title}: attempt {a.number} result
      </h1>
      <div className={`score ${r.passed ? 'passed' : 'failed'}`}>
        <p className="score-big">{r.percent}%</p>
        <p>
          <strong>{r.passed ? 'Passed.' : 'Not passed.'}</strong> You scored {r.score} of {r.max_score} points; the pass mark is{' '}
          {a.quiz.pass_percent}%.
        </p>
        {r.late && <p>Time ran out, so the answers saved by the deadline were marked.</p>}
      </div>
      {r.must_pass_missed.length > 0 && (
        <MustPassMisses missed={r.must_pass_missed} enrolmentId={a.enrolment_id} percent={r.percent} passPercent={a.quiz.pass_percent} />
      )}
      <p className="actions">
        <Link href={`/learn/${a.enrolment_id}`} className="button">
          {r.passed ? 'Continue the course' : 'Back to the course'}
        </Link>{' '}
        <Link href={back} className="button secondary">
          {r.passed ? 'Quiz overview' : 'Try again'}
        </Link>
      </p>
      <h2>Review</h2>
      {!r.review_available && <Alert kind="info">{r.review_unavailable_reason ?? 'The review is not open yet.'}</Alert>}
      <ol className="review">
        {r.questions.map((res, i) => {
          const q = a.questions.find((x) => x.key === res.key);
          return (
            <li key={res.key} className={res.correct ? 'right' : res.credit > 0 ? 'partial' : 'wrong'}>
              <h3 className="h4">
                Question {i + 1}:{' '}
                {res.correct ? 'correct' : res.credit > 0 ? `partly correct (${Math.round(res.credit * 100)}%)` : 'not correct'}
                {res.must_pass && <span className="badge must-pass"> (must-pass)</span>}
              </h3>
              {q && <Html html={q.prompt_html} className="prose prompt" />}
              {r.review_available && q && (
                <dl className="review-answers">
                  <dt>Your answer</dt>
                  <dd>
                    <AnswerText q={q} a={res.answer} />
                  </dd>
                  {!res.correct && res.correct_answer && (
                    <>
                      <dt>Correct answer</dt>
                      <dd>
                        <AnswerText q={q} a={res.correct_answer} />
                      </dd>
                    </>
                  )}
                </dl>
              )}
              {r.review_available && res.explanation_html && <Html html={res.explanation_html} className="prose explanation" />}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
