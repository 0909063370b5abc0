// Finding the enrolment to place: learners in courses with an externship, by name or email.
import { useState } from 'react';
import { api } from '../../api/client';
import { Empty, ErrorState, Loading, useLoad } from '../../ui';
import { Pager, TableWrap } from './common';
import type { EnrolmentLabel } from './types';

const PER_PAGE = 20;

const STATES: Record<EnrolmentLabel['state'], string> = {
  active: 'Active',
  completed: 'Completed',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
};

export function EnrolmentSearch({ selected, onSelect }: { selected: string | null; onSelect: (e: EnrolmentLabel) => void }) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const found = useLoad(
    (signal) =>
      api.get<EnrolmentLabel[]>('/api/v1/admin/externship/enrolments', {
        signal,
        query: { q: query || undefined, page, per_page: PER_PAGE },
      }),
    `${query}|${page}`,
  );
  const rows = found.data ?? [];
  return (
    <section aria-labelledby="find-heading">
      <h2 id="find-heading">Find the learner</h2>
      <form
        className="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(text.trim());
          setPage(1);
        }}
      >
        <label htmlFor="enrolment-q">Learner’s name or email</label>
        <div className="search-row">
          <input id="enrolment-q" type="search" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      {found.loading && !found.data && <Loading label="Searching…" />}
      {found.error && <ErrorState error={found.error} onRetry={found.reload} />}
      {found.data && rows.length === 0 && (
        <Empty>{query ? `No enrolment in a course with an externship matches “${query}”.` : 'No enrolments in courses with an externship yet.'}</Empty>
      )}
      {rows.length > 0 && (
        <TableWrap label="Enrolments">
          <table className="table">
            <caption className="table-caption">
              {query ? `Enrolments matching “${query}”` : 'Newest enrolments in courses with an externship'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Learner</th>
                <th scope="col">Email</th>
                <th scope="col">Course</th>
                <th scope="col">Enrolment</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.enrolment_id} aria-current={selected === r.enrolment_id ? 'true' : undefined}>
                  <th scope="row">{r.learner_name}</th>
                  <td>{r.learner_email}</td>
                  <td>{r.course_title}</td>
                  <td>{STATES[r.state] ?? r.state}</td>
                  <td>
                    <button type="button" className="button secondary small" onClick={() => onSelect(r)}>
                      {selected === r.enrolment_id ? 'Chosen' : 'Choose'}
                      <span className="visually-hidden">
                        {' '}
                        {r.learner_name}, {r.course_title}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {/* The list has no total: a full page means there may be more. */}
      <Pager page={page} hasNext={rows.length === PER_PAGE} onPage={setPage} label="Pages of enrolments" />
    </section>
  );
}
