// The audit log (admins): who did what to which record and when, filtered by actor, event,
// subject and dates, paged, and exported as CSV with the same filters.
import { useState } from 'react';
import { api } from '../../api/client';
import { usePageTitle } from '../../router';
import { Alert, Empty, ErrorState, Field, formatDateTime, Loading, useLoad } from '../../ui';
import { focusField } from '../attest/fields';
import { describe } from '../../api/errors';
import { auditFilterQuery, auditQuery, detailsText, EMPTY_AUDIT_FILTER, validateAudit, type AuditErrors, type AuditFilter } from './audit';
import { pageCount, Pager, TableWrap } from './common';
import type { AuditPage } from './contract';
import { saveFile } from './download';

const PER_PAGE = 50;
const ORDER: (keyof AuditFilter)[] = ['actor', 'action', 'subjectType', 'subjectId', 'from', 'to'];

export function AuditPage() {
  usePageTitle('Audit log');
  const [draft, setDraft] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [errors, setErrors] = useState<AuditErrors>({});
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const query = auditQuery(filter, page, PER_PAGE);
  const log = useLoad((signal) => api.get<AuditPage>('/api/v1/admin/audit', { signal, query }), JSON.stringify(query));
  const set = (k: keyof AuditFilter) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      await saveFile('/api/v1/admin/audit/export.csv', `audit-log-${new Date().toISOString().slice(0, 10)}.csv`, auditFilterQuery(filter));
    } catch (e) {
      setExportError(describe(e));
    } finally {
      setExporting(false);
    }
  };

  const data = log.data;
  return (
    <section>
      <h1>Audit log</h1>
      <form
        className="panel audit-filters"
        aria-labelledby="audit-filter-heading"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const found = validateAudit(draft);
          setErrors(found);
          const first = ORDER.find((k) => found[k]);
          if (first) return focusField(`audit-${first}`);
          setFilter(draft);
          setPage(1);
        }}
      >
        <h2 id="audit-filter-heading">Filters</h2>
        <div className="filter-grid">
          <Field id="audit-actor" label="Actor (account ID)" value={draft.actor} onChange={set('actor')} error={errors.actor} autoComplete="off" />
          <Field id="audit-action" label="Event" hint="A name or its start, for example cohort. or enrolment.moved" value={draft.action} onChange={set('action')} autoComplete="off" />
          <Field id="audit-subjectType" label="Subject type" hint="For example cohort, enrolment, user" value={draft.subjectType} onChange={set('subjectType')} autoComplete="off" />
          <Field id="audit-subjectId" label="Subject ID" value={draft.subjectId} onChange={set('subjectId')} error={errors.subjectId} autoComplete="off" />
          <Field id="audit-from" label="From" type="date" value={draft.from} onChange={set('from')} error={errors.from} />
          <Field id="audit-to" label="To" type="date" value={draft.to} onChange={set('to')} error={errors.to} />
        </div>
        <div className="button-row">
          <button type="submit" className="button">
            Apply the filters
          </button>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setDraft(EMPTY_AUDIT_FILTER);
              setFilter(EMPTY_AUDIT_FILTER);
              setErrors({});
              setPage(1);
            }}
          >
            Clear
          </button>
          <button type="button" className="button secondary" disabled={exporting} onClick={() => void exportCsv()}>
            {exporting ? 'Preparing…' : 'Export these events (CSV)'}
          </button>
        </div>
      </form>
      {exportError && (
        <Alert kind="error">
          <p>{exportError}</p>
        </Alert>
      )}
      {log.loading && !data && <Loading label="Loading the audit log…" />}
      {log.error && <ErrorState error={log.error} onRetry={log.reload} />}
      {data && data.items.length === 0 && <Empty>No event matches these filters.</Empty>}
      {data && data.items.length > 0 && (
        <TableWrap label="Audit events">
          <table className="table audit-table">
            <caption className="table-caption">Events, newest first: {data.total}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Event</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((ev) => (
                <tr key={ev.id}>
                  <th scope="row">{formatDateTime(ev.occurred_at)}</th>
                  <td>
                    {ev.actor.name ?? ev.actor.kind}
                    {ev.actor.id && <span className="cell-note cell-break">{ev.actor.id}</span>}
                  </td>
                  <td>
                    <code>{ev.action}</code>
                  </td>
                  <td>
                    {ev.subject_type ?? <span className="muted">—</span>}
                    {ev.subject_id && <span className="cell-note cell-break">{ev.subject_id}</span>}
                  </td>
                  <td className="cell-break">
                    {detailsText(ev.details)}
                    {ev.client_addr && <span className="cell-note">from {ev.client_addr}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {data && <Pager label="Audit log pages" page={page} pages={pageCount(data.total, PER_PAGE)} onPage={setPage} />}
    </section>
  );
}
