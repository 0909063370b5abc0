// A cohort's progress dashboard: every learner with percent complete, last activity, module
// reached, quizzes, externship and certificate, and the at-risk flags with their reasons.
// Sorted, filtered and paged by the server; the column headers are buttons that sort.
import { useState, type ReactNode } from 'react';
import { api } from '../../api/client';
import { Empty, ErrorState, formatDateTime, hours, Loading, ProgressBar, useLoad } from '../../ui';
import { pageCount, Pager, TableWrap } from './common';
import type { Cohort, CohortDashboard, DashboardSort, Learner } from './contract';
import { ariaSort, dashboardQuery, DEFAULT_DASHBOARD, lastActivityText, quizzesText, RISK_LABEL, sortBy, withFilter, type DashboardState } from './dashboard';
import { MEMBER_STATE } from './members';

const PER_PAGE = 50;

export function DashboardTab({ cohort }: { cohort: Cohort }) {
  const [state, setState] = useState<DashboardState>(DEFAULT_DASHBOARD);
  const [text, setText] = useState('');
  const query = dashboardQuery(state, PER_PAGE);
  const board = useLoad(
    (signal) => api.get<CohortDashboard>(`/api/v1/admin/cohorts/${cohort.id}/dashboard`, { signal, query }),
    `${cohort.id}|${JSON.stringify(query)}`,
  );
  const data = board.data;
  const header = (column: DashboardSort, label: string) => (
    <th scope="col" aria-sort={ariaSort(state, column)}>
      <button type="button" className="sort-button" onClick={() => setState((s) => sortBy(s, column))}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {state.sort === column ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''}
        </span>
      </button>
    </th>
  );
  return (
    <>
      <form
        className="toolbar"
        role="search"
        aria-label="Filter learners"
        onSubmit={(e) => {
          e.preventDefault();
          setState((s) => withFilter(s, { q: text }));
        }}
      >
        <div className="search">
          <label htmlFor="dash-q">Name or email</label>
          <input id="dash-q" type="search" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <button type="submit" className="button">
          Search
        </button>
        <label className="check-label">
          <input type="checkbox" checked={state.atRisk} onChange={(e) => setState((s) => withFilter(s, { atRisk: e.target.checked }))} />
          Only learners at risk
        </label>
      </form>
      {board.loading && !data && <Loading label="Loading the learners’ progress…" />}
      {board.error && <ErrorState error={board.error} onRetry={board.reload} />}
      {data && (
        <p role="status" className="small">
          {data.total} {data.total === 1 ? 'learner' : 'learners'}
          {state.atRisk ? ' at risk' : ''}
          {state.q ? ` matching “${state.q}”` : ''} · {data.cohort.lessons_total} lessons in the course
          {board.loading ? ' · updating…' : ''}
        </p>
      )}
      {data && data.items.length === 0 && <Empty>{state.atRisk || state.q ? 'No learner matches.' : 'No learners in this cohort yet.'}</Empty>}
      {data && data.items.length > 0 && (
        <TableWrap label="Learners’ progress">
          <table className="table dashboard-table">
            <caption className="table-caption">
              Learners’ progress, sorted by {SORT_WORD[state.sort]} ({state.order === 'asc' ? 'ascending' : 'descending'})
            </caption>
            <thead>
              <tr>
                {header('name', 'Learner')}
                {header('progress', 'Progress')}
                {header('last_activity', 'Last activity')}
                <th scope="col">Module reached</th>
                <th scope="col">Quizzes</th>
                <th scope="col">Externship</th>
                <th scope="col">Certificate</th>
                {header('risk', 'At risk')}
              </tr>
            </thead>
            <tbody>
              {data.items.map((l) => (
                <LearnerRow key={l.enrolment_id} l={l} lessonsTotal={data.cohort.lessons_total} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {data && <Pager label="Dashboard pages" page={state.page} pages={pageCount(data.total, PER_PAGE)} onPage={(p) => setState((s) => ({ ...s, page: p }))} />}
    </>
  );
}

const SORT_WORD: Record<DashboardSort, string> = { risk: 'risk', name: 'name', progress: 'progress', last_activity: 'last activity' };

function LearnerRow({ l, lessonsTotal }: { l: Learner; lessonsTotal: number }) {
  return (
    <tr className={l.risks.length ? 'is-flagged' : undefined}>
      <th scope="row">
        {l.user.name}
        <span className="cell-note cell-break">{l.user.email}</span>
        {l.state !== 'active' && <span className="cell-note">{MEMBER_STATE[l.state]}</span>}
      </th>
      <td>
        <ProgressBar value={l.percent_complete} label={`${l.user.name}: ${l.percent_complete}% complete`} />
        <span className="cell-note">
          {l.lessons_completed} of {lessonsTotal} lessons
        </span>
      </td>
      <td title={l.last_activity_at ? formatDateTime(l.last_activity_at) : undefined}>{lastActivityText(l.last_activity_at)}</td>
      <td>{l.module_reached ? `${l.module_reached.position}. ${l.module_reached.title}` : <span className="muted">Not started</span>}</td>
      <td>
        {l.quizzes.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <details>
            <summary>{quizzesText(l)}</summary>
            <ul className="reasons">
              {l.quizzes.map((q) => (
                <li key={q.slug}>
                  {q.title}: {q.best_score === null ? 'not taken' : `best ${q.best_score}%`}, {q.attempts} {q.attempts === 1 ? 'attempt' : 'attempts'}
                  {q.passed ? ', passed' : ''}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td>{externshipCell(l)}</td>
      <td>{l.certificate ? `${l.certificate.serial} (${l.certificate.status})` : <span className="muted">None</span>}</td>
      <td>
        {l.risks.length === 0 ? (
          <span className="muted">No</span>
        ) : (
          <ul className="reasons">
            {l.risks.map((r) => (
              <li key={r.kind}>
                <span className="badge badge-warn">{RISK_LABEL[r.kind] ?? r.kind}</span> {r.reason}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function externshipCell(l: Learner): ReactNode {
  const x = l.externship;
  if (!x) return <span className="muted">—</span>;
  return (
    <>
      {hours(x.hours)} of {x.hours_required}
      <span className="cell-note">
        {x.collections} of {x.collections_required} collections
        {x.pending_attestations ? ` · ${x.pending_attestations} waiting for the supervisor` : ''}
      </span>
    </>
  );
}

