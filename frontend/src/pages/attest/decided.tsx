// What a used link shows: what was attested, rejected (with the reasons) and rated, and who
// signed when.
import { formatDateTime } from '../../ui';
import { useFocusOnMount } from './states';
import { DecidedEntry } from './cards';
import { outcomeOf, plural } from './outcome';
import type { SupervisorPage } from './types';

export function Decided({ page, notice }: { page: SupervisorPage; notice: 'recorded' | 'used' | null }) {
  const o = outcomeOf(page);
  const when = formatDateTime(page.decided_at);
  const heading = useFocusOnMount<HTMLHeadingElement>(notice !== null);
  return (
    <section aria-labelledby="result-heading" className="decided">
      <h2 id="result-heading" tabIndex={-1} ref={heading}>
        {notice === 'recorded' ? 'Thank you: your decision is recorded' : 'This request has been answered'}
      </h2>
      {notice === 'used' && (
        <div className="alert alert-info" role="status">
          <p>This link was used already, so nothing more was recorded. This is the decision it carried.</p>
        </div>
      )}
      <p className="lead">
        Signed by <strong>{page.signature_name ?? page.supervisor_name}</strong>
        {when && (
          <>
            {' '}
            on <time dateTime={page.decided_at ?? undefined}>{when}</time>
          </>
        )}
        .
      </p>
      <ul className="facts" aria-label="Decision">
        <li>Attested: {plural(o.attested.length, 'entry', 'entries')}</li>
        <li>Rejected: {plural(o.rejected.length, 'entry', 'entries')}</li>
        <li>Competencies rated: {o.ratings.length}</li>
      </ul>
      {o.rejected.length > 0 && (
        <>
          <h3>Rejected, with your reasons</h3>
          <p className="muted">These went back to {page.learner_name} to correct. A corrected entry comes to you in a new email.</p>
          <ul className="entry-list">
            {o.rejected.map((e) => (
              <DecidedEntry key={e.id} entry={e} departments={page.departments} />
            ))}
          </ul>
        </>
      )}
      {o.attested.length > 0 && (
        <>
          <h3>Attested</h3>
          <ul className="entry-list">
            {o.attested.map((e) => (
              <DecidedEntry key={e.id} entry={e} departments={page.departments} />
            ))}
          </ul>
        </>
      )}
      {o.ratings.length > 0 && (
        <>
          <h3>Competency ratings</h3>
          <dl className="ratings">
            {o.ratings.map((r) => (
              <div key={r.slug}>
                <dt>{r.name}</dt>
                <dd>
                  <span className={`rating rating-${r.rating}`}>{r.label}</span>
                  {r.comment && <span className="rating-comment">{r.comment}</span>}
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
      <p className="muted">You can close this page. Nothing more is needed from you for this request.</p>
    </section>
  );
}
