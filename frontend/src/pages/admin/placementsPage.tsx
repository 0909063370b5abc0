// Placements: find a learner's enrolment, see its placements, place it at a site, change a
// placement, cancel or restore one.
import { useState } from 'react';
import { api } from '../../api/client';
import { usePageTitle } from '../../router';
import { Empty, ErrorState, Loading, useLoad } from '../../ui';
import { departmentName, formatDays } from '../attest/entry';
import { focusSoon } from '../attest/fields';
import { NoticeView, TableWrap, useAction } from './common';
import { EnrolmentSearch } from './enrolmentSearch';
import { PlacementFormView } from './placementForm';
import type { EnrolmentLabel, Overview, Placement, Site } from './types';

export function PlacementsPage() {
  usePageTitle('Placements');
  const [chosen, setChosen] = useState<EnrolmentLabel | null>(null);
  return (
    <section>
      <h1>Placements</h1>
      <p className="muted">Place a learner at a clinical site with the supervisor who will attest their log.</p>
      <EnrolmentSearch
        selected={chosen?.enrolment_id ?? null}
        onSelect={(e) => {
          setChosen(e);
          focusSoon('placements-heading');
        }}
      />
      {chosen && <EnrolmentPlacements key={chosen.enrolment_id} enrolment={chosen} />}
    </section>
  );
}

interface Loaded {
  placements: Placement[];
  overview: Overview;
  sites: Site[];
}

function EnrolmentPlacements({ enrolment }: { enrolment: EnrolmentLabel }) {
  const id = enrolment.enrolment_id;
  const data = useLoad<Loaded>(async (signal) => {
    const [placements, overview, sites] = await Promise.all([
      api.get<Placement[]>('/api/v1/admin/externship/placements', { signal, query: { enrolment_id: id, per_page: 100 } }),
      api.get<Overview>(`/api/v1/enrolments/${id}/externship`, { signal }),
      api.get<Site[]>('/api/v1/admin/externship/sites', { signal, query: { archived: 'true' } }),
    ]);
    return { placements, overview, sites };
  }, id);
  const [editing, setEditing] = useState<Placement | null>(null);
  const action = useAction();

  const replace = (p: Placement) => {
    if (!data.data) return;
    const rest = data.data.placements.filter((x) => x.id !== p.id);
    const placements = [p, ...rest].sort((a, b) => b.created_at.localeCompare(a.created_at));
    data.setData({ ...data.data, placements });
  };

  const setCancelled = (p: Placement, cancelled: boolean) =>
    void action.run(async () => {
      const saved = await api.patch<Placement>(`/api/v1/admin/externship/placements/${p.id}`, { cancelled });
      replace(saved);
      return cancelled
        ? `Cancelled the placement at ${saved.site_name}: nothing more can be logged there.`
        : `Restored the placement at ${saved.site_name}.`;
    });

  const heading = `Placements of ${enrolment.learner_name}`;
  return (
    <section aria-labelledby="placements-heading" className="chosen">
      <h2 id="placements-heading" tabIndex={-1}>
        {heading}
      </h2>
      <p className="muted">
        {enrolment.course_title} · {enrolment.learner_email}
      </p>
      <NoticeView notice={action.notice} id="placements-notice" />
      {data.loading && !data.data && <Loading label="Loading the placements…" />}
      {data.error && <ErrorState error={data.error} onRetry={data.reload} />}
      {data.data && (
        <>
          <PlacementTable
            placements={data.data.placements}
            departments={data.data.overview.departments}
            busy={action.busy}
            onEdit={(p) => {
              setEditing(p);
              action.clear();
              focusSoon('placement-form-heading');
            }}
            onCancelled={setCancelled}
          />
          <PlacementFormView
            key={editing?.id ?? 'new'}
            enrolmentId={id}
            learnerName={enrolment.learner_name}
            placement={editing}
            sites={data.data.sites}
            departments={data.data.overview.departments}
            busy={action.busy}
            run={action.run}
            onSaved={(p) => {
              replace(p);
              setEditing(null);
            }}
            onCancel={editing ? () => setEditing(null) : undefined}
          />
        </>
      )}
    </section>
  );
}

function PlacementTable({
  placements,
  departments,
  busy,
  onEdit,
  onCancelled,
}: {
  placements: Placement[];
  departments: Overview['departments'];
  busy: boolean;
  onEdit: (p: Placement) => void;
  onCancelled: (p: Placement, cancelled: boolean) => void;
}) {
  if (placements.length === 0) return <Empty>No placements yet. Create the first one below.</Empty>;
  return (
    <TableWrap label="Placements">
      <table className="table">
        <caption className="table-caption">Placements, newest first: {placements.length}</caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col">Supervisor</th>
            <th scope="col">Dates</th>
            <th scope="col">Departments</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {placements.map((p) => (
            <tr key={p.id} className={p.cancelled ? 'is-archived' : undefined}>
              <th scope="row">{p.site_name}</th>
              <td>
                {p.supervisor.name}
                {p.supervisor.credential ? `, ${p.supervisor.credential}` : ''}
                <br />
                <span className="muted">{p.supervisor.email}</span>
              </td>
              <td>{formatDays(p.starts_on, p.ends_on)}</td>
              <td>
                {p.departments.length ? p.departments.map((d) => departmentName(d, departments)).join(', ') : <span className="muted">Any of the course’s</span>}
              </td>
              <td>{p.cancelled ? 'Cancelled' : 'Active'}</td>
              <td className="actions">
                <button type="button" className="button secondary small" onClick={() => onEdit(p)}>
                  Edit<span className="visually-hidden"> the placement at {p.site_name}</span>
                </button>
                <button type="button" className="button secondary small" disabled={busy} onClick={() => onCancelled(p, !p.cancelled)}>
                  {p.cancelled ? 'Restore' : 'Cancel placement'}
                  <span className="visually-hidden"> at {p.site_name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
