// The externship page's data: the overview, the log, the summary and the attestation
// requests, each reloadable; the course's name from the enrolment for the heading.
import { useCallback, useMemo } from 'react';
import { api } from '../../api/client';
import type { EnrolmentDetail } from '../../api/types';
import { useLoad } from '../../ui';
import { externshipPaths, type Attestation, type Entry, type Overview, type Summary } from './types';

export function useExternship(id: string) {
  const paths = useMemo(() => externshipPaths(id), [id]);
  const enrolment = useLoad((signal) => api.get<EnrolmentDetail>(`/api/v1/enrolments/${encodeURIComponent(id)}`, { signal }), `enrolment-${id}`);
  const overview = useLoad((signal) => api.get<Overview>(paths.overview, { signal }), `overview-${id}`);
  const entries = useLoad((signal) => api.get<Entry[]>(paths.entries, { signal }), `entries-${id}`);
  const summary = useLoad((signal) => api.get<Summary>(paths.summary, { signal }), `summary-${id}`);
  const requests = useLoad((signal) => api.get<Attestation[]>(paths.attestations, { signal }), `attestations-${id}`);
  const { reload: reloadOverview } = overview;
  const { reload: reloadEntries } = entries;
  const { reload: reloadSummary } = summary;
  const { reload: reloadRequests } = requests;
  /** After a change to the log: the entries, their counts and the summary. */
  const logChanged = useCallback(() => {
    reloadEntries();
    reloadOverview();
    reloadSummary();
  }, [reloadEntries, reloadOverview, reloadSummary]);
  /** After a submission or a resend: the requests too. */
  const sent = useCallback(() => {
    logChanged();
    reloadRequests();
  }, [logChanged, reloadRequests]);
  return { paths, enrolment, overview, entries, summary, requests, logChanged, sent };
}
