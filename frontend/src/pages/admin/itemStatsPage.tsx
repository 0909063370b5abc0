// Item statistics of a course's quiz questions (admins): how often each is answered right, how
// well it separates strong from weak learners, and a flag with the reason on the weak ones.
import { useState } from 'react';
import { api } from '../../api/client';
import type { CoursePage } from '../../api/types';
import { usePageTitle } from '../../router';
import { Empty, ErrorState, Loading, useLoad } from '../../ui';
import { TableWrap } from './common';
import { itemRows, MIN_RESPONSES, WEAK_LABEL } from './itemStats';
import type { QuestionStats } from './types';

const num = (n: number | null | undefined, digits: number) => (n === null || n === undefined ? '—' : n.toFixed(digits));

export function ItemStatsPage() {
  usePageTitle('Item statistics');
  const courses = useLoad((signal) => api.get<CoursePage>('/api/v1/courses', { signal, query: { per_page: 100 } }), 'courses');
  const [slug, setSlug] = useState('');
  const [onlyWeak, setOnlyWeak] = useState(false);
  const chosen = slug || courses.data?.items[0]?.slug || '';
  const stats = useLoad(
    (signal) => (chosen ? api.get<QuestionStats>(`/api/v1/admin/courses/${encodeURIComponent(chosen)}/questions/stats`, { signal }) : Promise.resolve(undefined)),
    chosen,
  );
  const rows = stats.data ? itemRows(stats.data.questions, onlyWeak) : [];
  const weakCount = stats.data ? itemRows(stats.data.questions, true).length : 0;

  return (
    <section>
      <h1>Item statistics</h1>
      <p>
        How each question of a course’s quizzes performs over submitted attempts. A question is flagged as weak when it does not tell
        strong learners from weak ones, or when nearly everyone answers it right or wrong. Figures need {MIN_RESPONSES} graded responses
        before they mean much.
      </p>
      {courses.error && <ErrorState error={courses.error} onRetry={courses.reload} />}
      {courses.data && (
        <div className="toolbar">
          <div className="field-inline">
            <label htmlFor="stats-course">Course</label>
            <select id="stats-course" value={chosen} onChange={(e) => setSlug(e.target.value)}>
              {courses.data.items.map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.title}
                </option>
              ))}
            </select>
          </div>
          <label className="check-label">
            <input type="checkbox" checked={onlyWeak} onChange={(e) => setOnlyWeak(e.target.checked)} />
            Only weak questions ({weakCount})
          </label>
        </div>
      )}
      {(courses.loading || stats.loading) && !stats.data && <Loading label="Loading the statistics…" />}
      {stats.error && <ErrorState error={stats.error} onRetry={stats.reload} />}
      {stats.data && (
        <p role="status">
          {stats.data.attempts} submitted {stats.data.attempts === 1 ? 'attempt' : 'attempts'}; {weakCount} weak{' '}
          {weakCount === 1 ? 'question' : 'questions'} of {stats.data.questions.length}.
        </p>
      )}
      {stats.data && rows.length === 0 && <Empty>{onlyWeak ? 'No question is flagged as weak.' : 'This course’s quizzes have no questions.'}</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Question statistics">
          <table className="table stats-table">
            <caption className="table-caption">Questions{onlyWeak ? ' flagged as weak' : ''}, weak ones first</caption>
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Shown</th>
                <th scope="col">Answered</th>
                <th scope="col">Correct</th>
                <th scope="col">Mean credit</th>
                <th scope="col">Discrimination</th>
                <th scope="col">Flag</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ item: q, reasons, thin }) => (
                <tr key={`${q.bank}/${q.slug}`} className={reasons.length ? 'is-flagged' : undefined}>
                  <th scope="row">
                    {q.slug}
                    <span className="cell-note">
                      {q.bank} · {q.type}
                      {q.retired ? ' · retired' : ''}
                    </span>
                  </th>
                  <td>{q.shown}</td>
                  <td>{q.answered}</td>
                  <td>{q.percent_correct === null || q.percent_correct === undefined ? '—' : `${num(q.percent_correct, 1)}%`}</td>
                  <td>{num(q.mean_credit, 2)}</td>
                  <td>{num(q.discrimination, 2)}</td>
                  <td>
                    {reasons.length > 0 ? (
                      <>
                        <span className="badge badge-warn">Weak</span>
                        <ul className="reasons">
                          {reasons.map((r) => (
                            <li key={r}>{WEAK_LABEL[r]}</li>
                          ))}
                        </ul>
                      </>
                    ) : thin ? (
                      <span className="muted">Too few responses</span>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
