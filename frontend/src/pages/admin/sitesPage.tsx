// The clinical site directory: every site (archived ones on request), a name search in the
// browser, adding and editing a site, archiving and restoring one.
import { useState } from 'react';
import { api } from '../../api/client';
import { usePageTitle } from '../../router';
import { Empty, ErrorState, Loading, useLoad } from '../../ui';
import { focusSoon } from '../attest/fields';
import { NoticeView, TableWrap, useAction } from './common';
import { SiteFormView } from './siteForm';
import { filterSites } from './sites';
import type { Site } from './types';

export function SitesPage() {
  usePageTitle('Clinical sites');
  const list = useLoad((signal) => api.get<Site[]>('/api/v1/admin/externship/sites', { signal, query: { archived: 'true' } }), 'sites');
  const [query, setQuery] = useState('');
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<Site | null>(null);
  const action = useAction();

  const replace = (s: Site) => {
    const rest = (list.data ?? []).filter((x) => x.id !== s.id);
    list.setData([...rest, s].sort((a, b) => a.name.localeCompare(b.name)));
  };

  const setArchived = (s: Site, archived: boolean) =>
    void action.run(async () => {
      const saved = await api.patch<Site>(`/api/v1/admin/externship/sites/${s.id}`, { archived });
      replace(saved);
      return archived
        ? `Archived ${saved.name}. Its placements stay; no new learners can be placed there.`
        : `Restored ${saved.name}.`;
    });

  const sites = list.data ? filterSites(list.data, query, showArchived) : [];
  const archivedCount = list.data?.filter((s) => s.archived).length ?? 0;

  return (
    <section>
      <h1>Clinical sites</h1>
      <NoticeView notice={action.notice} id="sites-notice" />
      <h2>Directory</h2>
      <div className="toolbar">
        <div className="search">
          <label htmlFor="site-search">Search by name</label>
          <input id="site-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
        </div>
        <label className="check-label">
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
          Show archived sites ({archivedCount})
        </label>
      </div>
      {list.loading && !list.data && <Loading label="Loading the sites…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.data && sites.length === 0 && (
        <Empty>{list.data.length === 0 ? 'No sites yet: add the first one below.' : 'No site matches this search.'}</Empty>
      )}
      {sites.length > 0 && (
        <TableWrap label="Clinical sites">
          <table className="table">
            <caption className="table-caption">
              Clinical sites{query.trim() ? ` matching “${query.trim()}”` : ''}: {sites.length}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Departments</th>
                <th scope="col">Contact</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {sites.map((s) => (
                <tr key={s.id} className={s.archived ? 'is-archived' : undefined}>
                  <th scope="row">
                    {s.name}
                    {s.archived && <> <span className="badge">Archived</span></>}
                  </th>
                  <td>{s.address}</td>
                  <td>{s.departments.length ? s.departments.join(', ') : <span className="muted">None listed</span>}</td>
                  <td>
                    {[s.contact_name, s.contact_email, s.contact_phone].filter(Boolean).join(' · ') || <span className="muted">None</span>}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => {
                        setEditing(s);
                        action.clear();
                        focusSoon('site-form-heading');
                      }}
                    >
                      Edit<span className="visually-hidden"> {s.name}</span>
                    </button>
                    <button type="button" className="button secondary small" disabled={action.busy} onClick={() => setArchived(s, !s.archived)}>
                      {s.archived ? 'Restore' : 'Archive'}
                      <span className="visually-hidden"> {s.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {editing ? (
        <SiteFormView
          key={editing.id}
          site={editing}
          busy={action.busy}
          run={action.run}
          onSaved={(s) => {
            replace(s);
            setEditing(null);
          }}
          onCancel={() => {
            setEditing(null);
            action.clear();
          }}
        />
      ) : (
        <SiteFormView key="new" site={null} busy={action.busy} run={action.run} onSaved={replace} />
      )}
    </section>
  );
}
