// The supervisor's page behind the emailed link `/attest?token=...`: no account, no session.
// Opening it sends one GET (which changes nothing: mail scanners open links too); the decision
// is sent only when the supervisor signs and presses the button.
import { useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useLocation, usePageTitle } from '../../router';
import { formatDateTime, Loading, useLoad } from '../../ui';
import { Decided } from './decided';
import { DecideForm } from './decide';
import { formatDays } from './entry';
import { problemOf, viewOf } from './outcome';
import { Expired, LoadProblemView, Replaced } from './states';
import type { SupervisorPage } from './types';
import './attest.css';

export function AttestPage() {
  const { search } = useLocation();
  const token = search.get('token')?.trim() ?? '';
  usePageTitle('Attest externship entries');
  const load = useLoad<SupervisorPage>(
    (signal) =>
      token
        ? api.get<SupervisorPage>(`/api/v1/attestations/${encodeURIComponent(token)}`, { auth: false, signal })
        : Promise.reject(new ApiError(404, 'not_found', null)),
    token,
  );
  /** How this view was reached: the decision just recorded, or a refused send (the link had
   * been used, had expired or was replaced meanwhile), which focuses the outcome. */
  const [via, setVia] = useState<'recorded' | 'used' | 'refused' | null>(null);

  if (!token) return <LoadProblemView problem="missing" onRetry={load.reload} />;
  if (load.error) return <LoadProblemView problem={problemOf(load.error)} onRetry={load.reload} />;
  if (!load.data || (load.loading && via)) return <Loading label="Opening the request…" />;
  const page = load.data;
  const view = viewOf(page);

  return (
    <div className="attest">
      <h1>
        {view === 'form' ? 'Attest' : 'Attestation of'} {page.learner_name}’s externship log
      </h1>
      <RequestFacts page={page} />
      {view === 'form' && (
        <>
          <p>
            Hello {page.supervisor_name}. {page.learner_name} asks you to confirm the shifts and collections below,
            which they logged during their placement with you. You do not need an account.
          </p>
          <DecideForm
            token={token}
            page={page}
            onDecided={(p) => {
              load.setData(p);
              setVia('recorded');
            }}
            onLinkChanged={(state) => {
              setVia(state === 'used' ? 'used' : 'refused');
              load.reload();
            }}
          />
        </>
      )}
      {view === 'decided' && <Decided page={page} notice={via === 'recorded' || via === 'used' ? via : null} />}
      {view === 'expired' && <Expired page={page} focus={via !== null} />}
      {view === 'replaced' && <Replaced page={page} focus={via !== null} />}
    </div>
  );
}

function RequestFacts({ page }: { page: SupervisorPage }) {
  return (
    <dl className="request-facts">
      <div>
        <dt>Learner</dt>
        <dd>{page.learner_name}</dd>
      </div>
      <div>
        <dt>Course</dt>
        <dd>{page.course_title}</dd>
      </div>
      <div>
        <dt>Site</dt>
        <dd>{page.site_name}</dd>
      </div>
      <div>
        <dt>Placement</dt>
        <dd>{formatDays(page.placement_starts_on, page.placement_ends_on)}</dd>
      </div>
      <div>
        <dt>Sent</dt>
        <dd>{formatDateTime(page.sent_at)}</dd>
      </div>
      {page.status === 'pending' && (
        <div>
          <dt>Link works until</dt>
          <dd>{formatDateTime(page.expires_at)}</dd>
        </div>
      )}
    </dl>
  );
}
