// What this device still holds: the "N not yet sent" badge, an offline notice, and the
// entries the server refused, each with the server's sentence and Fix or Discard.
import { useState } from 'react';
import type { FailedEntry } from '../../offline/outbox';
import type { OutboxView } from '../../offline/useOutbox';
import { CollectionForm } from './CollectionForm';
import { collectionDraftFromBody, collectionsBody, shiftDraftFromBody, shiftFields, refusalText } from './form';
import { formatDateTime } from '../../ui';
import { ShiftForm } from './ShiftForm';
import { focusId, focusInside } from './submitting';
import type { Entry, Overview } from './types';
import { plural } from './labels';

interface BadgeProps {
  unsent: number;
  online: boolean;
  onSendNow: () => void;
}

/** The badge and the offline notice, at the top of the page. */
export function OutboxStatus({ unsent, online, onSendNow }: BadgeProps) {
  return (
    <div className="ext-status">
      <div role="status" className="ext-status-live">
        {unsent > 0 && <span className="ext-badge">{unsent} not yet sent</span>}
        {!online && (
          <p className="ext-offline">
            <strong>You are offline.</strong> What you log is kept on this device and sent when the connection is back.
          </p>
        )}
      </div>
      {unsent > 0 && online && (
        <button type="button" className="button secondary small" onClick={onSendNow}>
          Send now
        </button>
      )}
    </div>
  );
}

interface FailedProps {
  failed: FailedEntry[];
  box: Pick<OutboxView, 'discard' | 'requeue' | 'replayNow'>;
  overview: Overview;
  today: string;
  entries: readonly Entry[];
}

/** Entries the server refused, for the learner to fix (and send again) or discard. */
export function FailedEntries({ failed, box, overview, today, entries }: FailedProps) {
  const [fixing, setFixing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  if (!failed.length) return null;
  return (
    <section className="ext-failed" aria-labelledby="ext-failed-h">
      <h2 id="ext-failed-h" className="h3">
        {plural(failed.length, 'entry was', 'entries were')} not accepted
      </h2>
      <p>Benchside refused these when they were sent. They are kept on this device: fix them and they are sent again, or discard them.</p>
      <ul className="ext-failed-list">
        {failed.map((f) => {
          const refusal = refusalText(f.error);
          const server = f.error.serverMessage && f.error.serverMessage !== refusal ? f.error.serverMessage : null;
          const editorId = `fix-${f.id}`;
          return (
            <li key={f.id} className="ext-row ext-row-failed">
              <p className="ext-row-title">{f.label}</p>
              <p className="error-text">{refusal}</p>
              {server && <p className="small">Benchside said: {server}</p>}
              <p className="muted small">Logged {formatDateTime(f.createdAt)}</p>
              {fixing === f.id ? (
                <div id={editorId} className="ext-editor">
                  {f.kind === 'shift' ? (
                    <ShiftForm
                      mode="fix"
                      overview={overview}
                      today={today}
                      initial={shiftDraftFromBody(f.body)}
                      onCancel={() => {
                        setFixing(null);
                        focusId(`fix-button-${f.id}`);
                      }}
                      onSubmit={async (d) => {
                        await box.requeue(f.id, shiftFields(d));
                        setFixing(null);
                        void box.replayNow().catch(() => undefined);
                      }}
                    />
                  ) : (
                    <CollectionForm
                      mode="fix"
                      overview={overview}
                      today={today}
                      entries={entries}
                      initial={collectionDraftFromBody(f.body)}
                      onCancel={() => {
                        setFixing(null);
                        focusId(`fix-button-${f.id}`);
                      }}
                      onSubmit={async (d) => {
                        await box.requeue(f.id, collectionsBody(d));
                        setFixing(null);
                        void box.replayNow().catch(() => undefined);
                      }}
                    />
                  )}
                </div>
              ) : confirming === f.id ? (
                <div className="ext-actions" role="group" aria-label={`Discard ${f.label}?`}>
                  <p className="ext-confirm-text">Discard it for good? It was never stored by Benchside.</p>
                  <button type="button" className="button danger" onClick={() => void box.discard(f.id)} id={`discard-yes-${f.id}`}>
                    Discard
                  </button>
                  <button
                    type="button"
                    className="button secondary"
                    onClick={() => {
                      setConfirming(null);
                      focusId(`discard-button-${f.id}`);
                    }}
                  >
                    Keep it
                  </button>
                </div>
              ) : (
                <div className="ext-actions">
                  <button
                    type="button"
                    className="button"
                    id={`fix-button-${f.id}`}
                    onClick={() => {
                      setFixing(f.id);
                      focusInside(editorId);
                    }}
                  >
                    Fix<span className="visually-hidden"> {f.label}</span>
                  </button>
                  <button
                    type="button"
                    className="button secondary"
                    id={`discard-button-${f.id}`}
                    onClick={() => {
                      setConfirming(f.id);
                      focusId(`discard-yes-${f.id}`);
                    }}
                  >
                    Discard<span className="visually-hidden"> {f.label}</span>
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
