// Certificates: every certificate (staff: their cohorts' members', as the server filters),
// searched by holder, course, code or serial, filtered by state. Admins revoke one (with the
// reason the holder is mailed) or reissue it under the holder's current name.
import { useState } from 'react';
import { api } from '../../api/client';
import { usePageTitle } from '../../router';
import { useSession } from '../../session';
import { Empty, ErrorState, formatDate, Loading, useLoad } from '../../ui';
import { focusSoon, TextArea } from '../attest/fields';
import { canDo } from './access';
import { NoticeView, pageCount, Pager, TableWrap, useAction } from './common';
import type { AdminCertificate, CertificatePage } from './types';

const PER_PAGE = 25;
type Status = AdminCertificate['status'];
const STATUS: Record<Status, string> = { active: 'Valid', expired: 'Expired', revoked: 'Revoked', superseded: 'Replaced' };
type Change = { kind: 'revoke' | 'reissue'; cert: AdminCertificate };

export function CertificatesAdminPage() {
  usePageTitle('Certificates');
  const { user } = useSession();
  const mayChange = canDo(user?.role, 'revokeCertificates');
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [page, setPage] = useState(1);
  const [change, setChange] = useState<Change | null>(null);
  const action = useAction();
  const query = { q: q || undefined, status: status || undefined, page, per_page: PER_PAGE };
  const list = useLoad((signal) => api.get<CertificatePage>('/api/v1/admin/certificates', { signal, query }), JSON.stringify(query));
  const data = list.data;

  return (
    <section>
      <h1>Certificates</h1>
      <NoticeView notice={action.notice} id="certificates-notice" />
      <form
        className="toolbar"
        role="search"
        aria-label="Find certificates"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(text.trim());
          setPage(1);
        }}
      >
        <div className="search">
          <label htmlFor="cert-q">Holder, course, code or serial</label>
          <input id="cert-q" type="search" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field-inline">
          <label htmlFor="cert-status">State</label>
          <select
            id="cert-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
              setPage(1);
            }}
          >
            <option value="">Any state</option>
            {(Object.keys(STATUS) as Status[]).map((s) => (
              <option key={s} value={s}>
                {STATUS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {list.loading && !data && <Loading label="Loading the certificates…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {data && data.items.length === 0 && <Empty>{q || status ? 'No certificate matches these filters.' : 'No certificates have been issued yet.'}</Empty>}
      {data && data.items.length > 0 && (
        <TableWrap label="Certificates">
          <table className="table">
            <caption className="table-caption">Certificates: {data.total}</caption>
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Holder</th>
                <th scope="col">Course</th>
                <th scope="col">Issued</th>
                <th scope="col">State</th>
                {mayChange && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} className={c.status === 'active' ? undefined : 'is-archived'}>
                  <th scope="row">
                    {c.serial}
                    <span className="cell-note">{c.code}</span>
                  </th>
                  <td>{c.holder_name}</td>
                  <td>{c.course.title}</td>
                  <td>{formatDate(c.issued_at)}</td>
                  <td>
                    {STATUS[c.status]}
                    {c.revoked_at && <span className="cell-note">on {formatDate(c.revoked_at)}</span>}
                  </td>
                  {mayChange && (
                    <td className="actions">
                      {c.status === 'active' || c.status === 'expired' ? (
                        <>
                          <button type="button" className="button secondary small" onClick={() => open({ kind: 'revoke', cert: c })}>
                            Revoke<span className="visually-hidden"> {c.serial}</span>
                          </button>
                          <button type="button" className="button secondary small" onClick={() => open({ kind: 'reissue', cert: c })}>
                            Reissue<span className="visually-hidden"> {c.serial}</span>
                          </button>
                        </>
                      ) : (
                        <span className="muted">None</span>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {data && <Pager label="Certificate pages" page={page} pages={pageCount(data.total, PER_PAGE)} onPage={setPage} />}
      {change && (
        <ChangeForm
          key={`${change.kind}-${change.cert.id}`}
          change={change}
          busy={action.busy}
          onCancel={() => setChange(null)}
          onSubmit={(reason) =>
            void action
              .run(async () => {
                const { kind, cert } = change;
                const saved = await api.post<AdminCertificate>(`/api/v1/admin/certificates/${cert.id}/${kind}`, { reason });
                list.reload();
                return kind === 'revoke'
                  ? `Revoked ${cert.serial}. Its verification page now says so, and ${cert.holder_name} has been told why.`
                  : `Reissued ${cert.serial} as ${saved.serial} under the name ${saved.holder_name}.`;
              })
              .then((ok) => ok && setChange(null))
          }
        />
      )}
    </section>
  );

  function open(c: Change) {
    setChange(c);
    action.clear();
    focusSoon('cert-change-heading');
  }
}

function ChangeForm({ change, busy, onSubmit, onCancel }: { change: Change; busy: boolean; onSubmit: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { kind, cert } = change;
  return (
    <form
      className="panel"
      aria-labelledby="cert-change-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const r = reason.trim();
        if (!r) return setError(kind === 'revoke' ? 'Say why it is revoked: the holder is told.' : 'Say why it is reissued.');
        setError(null);
        if (!busy) onSubmit(r);
      }}
    >
      <h2 id="cert-change-heading" tabIndex={-1}>
        {kind === 'revoke' ? `Revoke ${cert.serial}` : `Reissue ${cert.serial}`}
      </h2>
      <p>
        {kind === 'revoke'
          ? `${cert.holder_name}’s certificate for ${cert.course.title} will show as revoked to anyone who checks it. This cannot be undone.`
          : `A new certificate with a new code is issued under the holder’s current account name; this one will show as replaced.`}
      </p>
      <TextArea id="cert-reason" label="Reason" hint="The holder is told it." value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {kind === 'revoke' ? 'Revoke the certificate' : 'Reissue the certificate'}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
