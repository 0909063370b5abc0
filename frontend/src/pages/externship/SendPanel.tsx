// Sending drafts to the supervisor: per placement, one button that sends every draft there
// (the supervisor gets an email with a single-use link), and the requests sent so far, with
// "Send again" for a link still waiting or expired (the earlier link then stops working).
import { useState } from 'react';
import { ApiError } from '../../api/errors';
import { Alert, Empty, formatDate } from '../../ui';
import { resendRequest, submitDrafts } from './actions';
import { plural } from './labels';
import { useGuard } from './submitting';
import type { Attestation, AttestationStatus, ExternshipPaths, Placement } from './types';

export function statusText(a: Attestation): string {
  const s: Record<AttestationStatus, string> = {
    pending: `Waiting for ${a.supervisor_name}; the link works until ${formatDate(a.expires_at)}.`,
    decided: `Answered on ${formatDate(a.decided_at)}${a.signature_name ? `, signed “${a.signature_name}”` : ''}.`,
    voided: 'Replaced by a newer link; this one no longer works.',
    expired: `The link expired on ${formatDate(a.expires_at)} without an answer.`,
  };
  return s[a.status];
}

const STATUS_LABEL: Record<AttestationStatus, string> = {
  pending: 'Waiting',
  decided: 'Answered',
  voided: 'Replaced',
  expired: 'Expired',
};

interface Props {
  paths: ExternshipPaths;
  placements: Placement[];
  drafts: Map<string, number>;
  /** Entries per placement still in this device's outbox (not on the server yet, so not sent). */
  queued: Map<string, number>;
  requests: Attestation[] | undefined;
  canLog: boolean;
  onChanged: () => void;
}

export function SendPanel({ paths, placements, drafts, queued, requests, canLog, onChanged }: Props) {
  const guard = useGuard();
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = placements.filter((p) => !p.cancelled);

  const act = (fn: () => Promise<string>) =>
    guard.run(async () => {
      setMessage(null);
      setError(null);
      try {
        setMessage(await fn());
        onChanged();
        return true;
      } catch (e) {
        setError(e instanceof ApiError ? e.message : 'That did not work. Try again.');
        return false;
      }
    });

  const send = (p: Placement) =>
    act(async () => {
      const a = await submitDrafts(paths, p.id);
      return `Sent ${plural(a.entry_count, 'entry', 'entries')} to ${a.supervisor_name} (${a.supervisor_email}). They get an email with a link to attest them.`;
    });
  const resend = (a: Attestation) =>
    act(async () => {
      const b = await resendRequest(paths, a.id);
      return `Sent again to ${b.supervisor_name} (${b.supervisor_email}). The link in the earlier email no longer works.`;
    });

  return (
    <section aria-labelledby="ext-send-h" className="ext-section">
      <h2 id="ext-send-h">Send to your supervisor</h2>
      <p>
        Your supervisor attests your drafts from a link in an email: no account needed. Send when a few days are logged; attested entries then go to your program for
        approval.
      </p>
      <div role="status">{message && <p className="ext-done-text">{message}</p>}</div>
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      {open.length === 0 && <p className="muted">You have no placement to send from yet.</p>}
      <ul className="ext-send-list">
        {open.map((p) => {
          const n = drafts.get(p.id) ?? 0;
          const q = queued.get(p.id) ?? 0;
          return (
            <li key={p.id} className="ext-send">
              <p>
                <strong>{p.site_name}</strong>: {p.supervisor.name}
                {p.supervisor.credential ? `, ${p.supervisor.credential}` : ''}
              </p>
              {!canLog ? (
                <p className="muted">This enrolment is not active, so nothing can be sent.</p>
              ) : n > 0 ? (
                <button type="button" className="button ext-big" disabled={guard.busy} onClick={() => void send(p)}>
                  Send {plural(n, 'draft', 'drafts')} to {p.supervisor.name}
                </button>
              ) : (
                <p className="muted">No drafts to send from this placement.</p>
              )}
              {q > 0 && (
                <p className="hint">
                  {plural(q, 'entry is', 'entries are')} still on this device and not included: send again once {q === 1 ? 'it has' : 'they have'} reached Benchside.
                </p>
              )}
            </li>
          );
        })}
      </ul>
      <h3>Requests sent</h3>
      {!requests ? null : requests.length === 0 ? (
        <Empty>
          <p>You have not sent anything to a supervisor yet.</p>
        </Empty>
      ) : (
        <ul className="ext-requests">
          {requests.map((a) => {
            const again = canLog && (a.status === 'pending' || a.status === 'expired');
            const hintId = `resend-hint-${a.id}`;
            return (
              <li key={a.id} className="ext-row">
                <div className="ext-row-head">
                  <p className="ext-row-title">
                    {plural(a.entry_count, 'entry', 'entries')} to {a.supervisor_name}
                  </p>
                  <span className={`ext-state ext-request-${a.status}`}>{STATUS_LABEL[a.status]}</span>
                </div>
                <p className="muted small">
                  Sent {formatDate(a.created_at)} to {a.supervisor_email}
                </p>
                <p className="small">{statusText(a)}</p>
                {again && (
                  <>
                    <p className="hint" id={hintId}>
                      Sends a new email with a new link. The link in the earlier email stops working.
                    </p>
                    <button type="button" className="button secondary small" aria-describedby={hintId} disabled={guard.busy} onClick={() => void resend(a)}>
                      Send again<span className="visually-hidden"> to {a.supervisor_name}</span>
                    </button>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
