// One learner's externship progress (from approved records), beside their entries in the
// review queue: what approving would count towards.
import { api } from '../../api/client';
import { ErrorState, Loading, useLoad } from '../../ui';
import { formatMinutes } from '../attest/entry';
import { amount, summaryRows } from './summary';
import { TableWrap } from './common';
import type { Summary } from './types';

export function SummaryPanel({ enrolmentId, learner, course }: { enrolmentId: string; learner: string; course: string }) {
  const s = useLoad((signal) => api.get<Summary>(`/api/v1/enrolments/${enrolmentId}/externship/summary`, { signal }), enrolmentId);
  return (
    <section className="panel summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">
        {learner}’s progress in {course}
      </h2>
      {s.loading && !s.data && <Loading label="Loading the progress…" />}
      {s.error && <ErrorState error={s.error} onRetry={s.reload} />}
      {s.data && (
        <>
          <p>
            {s.data.met ? 'Every externship requirement is met by approved records.' : 'Not every requirement is met yet.'} Waiting
            for approval or attestation: {formatMinutes(s.data.pending_hours * 60)} and {s.data.pending_collections} collections.
          </p>
          <TableWrap label="Progress">
            <table className="table">
              <caption className="table-caption">Approved records against the course’s requirements</caption>
              <thead>
                <tr>
                  <th scope="col">Requirement</th>
                  <th scope="col">Approved</th>
                  <th scope="col">Met</th>
                </tr>
              </thead>
              <tbody>
                {summaryRows(s.data).map((r) => (
                  <tr key={`${r.group}-${r.measure.slug}`}>
                    <th scope="row">
                      <span className="muted">{r.group}: </span>
                      {r.measure.name}
                    </th>
                    <td>{amount(r.measure, r.hours)}</td>
                    <td>{r.measure.met ? 'Yes' : 'Not yet'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  );
}
