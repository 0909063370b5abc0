// Cohorts: the list (staff: only theirs, as the server answers), searched and filtered by
// course and state; admins create, edit, archive and restore cohorts.
import { useState } from 'react';
import { api } from '../../api/client';
import type { CoursePage } from '../../api/types';
import { Link, usePageTitle } from '../../router';
import { useSession } from '../../session';
import { Empty, ErrorState, formatDate, Loading, useLoad } from '../../ui';
import { focusSoon } from '../attest/fields';
import { canDo } from './access';
import { CohortFormView } from './cohortForm';
import { cohortQuery, EMPTY_COHORT_FILTER, placesText, type CohortListFilter } from './cohorts';
import { NoticeView, pageCount, Pager, TableWrap, useAction } from './common';
import type { Cohort, CohortPage, CohortStatusFilter } from './contract';

const PER_PAGE = 25;

export function CohortsPage() {
  usePageTitle('Cohorts');
  const { user } = useSession();
  const admin = canDo(user?.role, 'manageCohorts');
  const [draft, setDraft] = useState<CohortListFilter>(EMPTY_COHORT_FILTER);
  const [filter, setFilter] = useState<CohortListFilter>(EMPTY_COHORT_FILTER);
  const [editing, setEditing] = useState<Cohort | null>(null);
  const query = cohortQuery(filter, PER_PAGE);
  const list = useLoad((signal) => api.get<CohortPage>('/api/v1/admin/cohorts', { signal, query }), JSON.stringify(query));
  const courses = useLoad((signal) => api.get<CoursePage>('/api/v1/courses', { signal, query: { per_page: 100 } }), 'courses');
  const action = useAction();

  const archive = (c: Cohort, on: boolean) =>
    void action.run(async () => {
      await api.post<Cohort>(`/api/v1/admin/cohorts/${c.id}/${on ? 'archive' : 'unarchive'}`);
      list.reload();
      return on ? `Archived ${c.name}. Its members keep their access; it leaves the active list.` : `Restored ${c.name}.`;
    });

  const data = list.data;
  return (
    <section>
      <h1>Cohorts</h1>
      <NoticeView notice={action.notice} id="cohorts-notice" />
      <form
        className="toolbar"
        role="search"
        aria-label="Find cohorts"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft, page: 1 });
        }}
      >
        <div className="search">
          <label htmlFor="cohort-q">Cohort name</label>
          <input id="cohort-q" type="search" autoComplete="off" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field-inline">
          <label htmlFor="cohort-filter-course">Course</label>
          <select id="cohort-filter-course" value={draft.course} onChange={(e) => setDraft({ ...draft, course: e.target.value })}>
            <option value="">Any course</option>
            {courses.data?.items.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field-inline">
          <label htmlFor="cohort-filter-status">Show</label>
          <select id="cohort-filter-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as CohortStatusFilter })}>
            <option value="active">Active cohorts</option>
            <option value="archived">Archived cohorts</option>
            <option value="all">All cohorts</option>
          </select>
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {list.loading && !data && <Loading label="Loading the cohorts…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {data && data.items.length === 0 && (
        <Empty>{admin ? 'No cohort matches. Create one below.' : 'No cohort of yours matches. An admin adds you as staff of a cohort.'}</Empty>
      )}
      {data && data.items.length > 0 && (
        <TableWrap label="Cohorts">
          <table className="table">
            <caption className="table-caption">Cohorts: {data.total}</caption>
            <thead>
              <tr>
                <th scope="col">Cohort</th>
                <th scope="col">Course</th>
                <th scope="col">Dates</th>
                <th scope="col">Learners</th>
                <th scope="col">Staff</th>
                {admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} className={c.archived_at ? 'is-archived' : undefined}>
                  <th scope="row">
                    <Link href={`/admin/cohorts/${c.id}`}>{c.name}</Link>
                    {c.archived_at && <> <span className="badge">Archived</span></>}
                  </th>
                  <td>{c.course.title}</td>
                  <td>
                    From {formatDate(c.starts_on)}
                    {c.target_on && <span className="cell-note">Target {formatDate(c.target_on)}</span>}
                  </td>
                  <td>
                    {placesText(c)}
                    <span className="cell-note">
                      {c.members.completed} completed · {c.members.withdrawn} withdrawn
                    </span>
                  </td>
                  <td>{c.staff.length ? c.staff.map((s) => s.name).join(', ') : <span className="muted">None</span>}</td>
                  {admin && (
                    <td className="actions">
                      <button
                        type="button"
                        className="button secondary small"
                        onClick={() => {
                          setEditing(c);
                          action.clear();
                          focusSoon('cohort-form-heading');
                        }}
                      >
                        Edit<span className="visually-hidden"> {c.name}</span>
                      </button>
                      <button type="button" className="button secondary small" disabled={action.busy} onClick={() => archive(c, !c.archived_at)}>
                        {c.archived_at ? 'Restore' : 'Archive'}
                        <span className="visually-hidden"> {c.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {data && <Pager label="Cohort pages" page={filter.page} pages={pageCount(data.total, PER_PAGE)} onPage={(p) => setFilter({ ...filter, page: p })} />}
      {admin && courses.data && (
        <CohortFormView
          key={editing?.id ?? 'new'}
          cohort={editing}
          courses={courses.data.items}
          busy={action.busy}
          run={action.run}
          onSaved={() => {
            list.reload();
            setEditing(null);
          }}
          onCancel={editing ? () => setEditing(null) : undefined}
        />
      )}
    </section>
  );
}
