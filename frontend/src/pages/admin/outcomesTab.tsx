// A cohort's outcome report for accreditation: enrolled, completed, completion rate, median days
// to complete, first-attempt final exam pass rate, externship completion.
import { api } from '../../api/client';
import { ErrorState, Loading, useLoad } from '../../ui';
import type { Cohort, Outcomes } from './contract';
import { outcomeRows } from './outcomes';

export function OutcomesTab({ cohort }: { cohort: Cohort }) {
  const o = useLoad((signal) => api.get<Outcomes>(`/api/v1/admin/cohorts/${cohort.id}/outcomes`, { signal }), cohort.id);
  if (o.error) return <ErrorState error={o.error} onRetry={o.reload} />;
  if (!o.data) return <Loading label="Loading the outcomes…" />;
  return (
    <table className="table outcomes-table">
      <caption className="table-caption">Outcomes of {cohort.name}</caption>
      <tbody>
        {outcomeRows(o.data).map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td>{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
