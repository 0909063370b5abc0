// A cohort's readiness by certification exam domain: per domain, the mean of its members'
// percent correct, with how many members and answers that rests on.
import { api } from '../../api/client';
import { CohortReadinessTables } from '../../readiness/panel';
import { ErrorState, Loading, useLoad } from '../../ui';
import type { Cohort, CohortReadiness } from './contract';

export function ReadinessTab({ cohort }: { cohort: Cohort }) {
  const r = useLoad((signal) => api.get<CohortReadiness>(`/api/v1/admin/cohorts/${cohort.id}/readiness`, { signal }), cohort.id);
  if (r.error) return <ErrorState error={r.error} onRetry={r.reload} />;
  if (!r.data) return <Loading label="Loading the readiness…" />;
  return <CohortReadinessTables exams={r.data.exams} />;
}
