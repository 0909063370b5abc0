// The log: every row by where it stands (not yet sent, drafts, rejected, returned, awaiting
// attestation, awaiting approval, approved, replaced), with a filter, and the actions each
// state allows: edit or delete a draft, correct a decided entry, remove one not yet sent.
import { useState } from 'react';
import { ApiError } from '../../api/errors';
import { Alert, Empty } from '../../ui';
import { amendRow, deleteRow, editRow } from './actions';
import { CollectionForm } from './CollectionForm';
import { SelectField } from './fields';
import { collectionDraftOf, collectionFields, shiftDraftOf, shiftFields } from './form';
import { canCorrect, sectionsOf, SECTIONS, type LogItem, type SectionId } from './log';
import { LogRow, rowName } from './LogRow';
import { ShiftForm } from './ShiftForm';
import { focusId, focusInside } from './submitting';
import { useGuard } from './submitting';
import type { Entry, ExternshipPaths, Overview } from './types';

type Open = { key: string; action: 'edit' | 'amend' | 'delete' | 'remove' };

interface Props {
  items: LogItem[];
  overview: Overview;
  entries: readonly Entry[];
  paths: ExternshipPaths;
  today: string;
  canLog: boolean;
  /** Reloads the entries (and the summary) after a change. */
  onChanged: () => void;
  /** Removes a queued entry from this device. */
  onRemoveQueued: (id: string) => Promise<boolean>;
}

export function LogList({ items, overview, entries, paths, today, canLog, onChanged, onRemoveQueued }: Props) {
  const [filter, setFilter] = useState<SectionId | 'all'>('all');
  const [open, setOpen] = useState<Open | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const guard = useGuard(0);
  const all = sectionsOf(items);
  const shown = sectionsOf(items, filter);

  const close = (key: string, action: Open['action']) => {
    setOpen(null);
    focusId(`${action}-button-${key}`);
  };
  const start = (key: string, action: Open['action']) => {
    setMessage(null);
    setError(null);
    setOpen({ key, action });
    focusInside(`editor-${key}`);
  };
  const showCorrection = (key: string) => {
    setFilter('all');
    window.setTimeout(() => {
      const el = document.getElementById(`entry-${key}`);
      el?.scrollIntoView({ block: 'center' });
      el?.focus();
    }, 0);
  };
  const removal = (i: LogItem) =>
    guard.run(async () => {
      setError(null);
      try {
        if (i.source === 'outbox') await onRemoveQueued(i.key);
        else await deleteRow(paths, i);
        setOpen(null);
        setMessage(`Deleted the ${rowName(i)}.`);
        onChanged();
        return true;
      } catch (e) {
        setError(e instanceof ApiError ? e.message : 'The entry could not be deleted. Try again.');
        return false;
      }
    });

  const editor = (i: LogItem, mode: 'edit' | 'amend') => {
    const first = i.entries[0]!;
    const done = (what: string) => {
      setOpen(null);
      setMessage(what);
      onChanged();
    };
    const cancel = () => close(i.key, mode);
    return (
      <div id={`editor-${i.key}`} className="ext-editor">
        <p className="ext-editor-title">{mode === 'edit' ? 'Change this draft' : 'Correct this entry'}</p>
        {i.kind === 'shift' ? (
          <ShiftForm
            mode={mode}
            overview={overview}
            today={today}
            initial={shiftDraftOf(first)}
            onCancel={cancel}
            onSubmit={async (d, reason) => {
              if (mode === 'edit') await editRow(paths, i, shiftFields(d));
              else await amendRow(paths, i, shiftFields(d), reason);
              done(mode === 'edit' ? 'Changes saved.' : 'Correction saved as a draft: send it to your supervisor.');
            }}
          />
        ) : (
          <CollectionForm
            mode={mode}
            overview={overview}
            today={today}
            entries={entries}
            initial={collectionDraftOf(first, i.count)}
            rowCount={i.count}
            onCancel={cancel}
            onSubmit={async (d, reason) => {
              if (mode === 'edit') await editRow(paths, i, collectionFields(d));
              else await amendRow(paths, i, collectionFields(d), reason);
              done(mode === 'edit' ? 'Changes saved.' : 'Correction saved as a draft: send it to your supervisor.');
            }}
          />
        )}
      </div>
    );
  };

  const actions = (i: LogItem) => {
    if (!canLog) return null;
    const isOpen = open?.key === i.key ? open.action : null;
    if (isOpen === 'edit' || isOpen === 'amend') return editor(i, isOpen);
    if (isOpen === 'delete' || isOpen === 'remove') {
      return (
        <div id={`editor-${i.key}`} className="ext-actions" role="group" aria-label={`Delete the ${rowName(i)}?`}>
          <p className="ext-confirm-text">{i.source === 'outbox' ? 'Remove it from this device before it is sent?' : 'Delete this draft?'}</p>
          <button type="button" className="button danger" disabled={guard.busy} onClick={() => void removal(i)}>
            {i.source === 'outbox' ? 'Remove' : 'Delete'}
          </button>
          <button type="button" className="button secondary" onClick={() => close(i.key, isOpen)}>
            Keep it
          </button>
        </div>
      );
    }
    const name = <span className="visually-hidden"> the {rowName(i)}</span>;
    if (i.source === 'outbox') {
      return (
        <div className="ext-actions">
          <button type="button" className="button secondary small" id={`remove-button-${i.key}`} onClick={() => start(i.key, 'remove')}>
            Remove{name}
          </button>
        </div>
      );
    }
    if (i.state === 'draft' && !i.superseded) {
      return (
        <div className="ext-actions">
          <button type="button" className="button secondary small" id={`edit-button-${i.key}`} onClick={() => start(i.key, 'edit')}>
            Edit{name}
          </button>
          <button type="button" className="button secondary small" id={`delete-button-${i.key}`} onClick={() => start(i.key, 'delete')}>
            Delete{name}
          </button>
        </div>
      );
    }
    if (canCorrect(i)) {
      const urgent = i.state === 'rejected' || i.state === 'returned';
      return (
        <div className="ext-actions">
          <button type="button" className={`button small${urgent ? '' : ' secondary'}`} id={`amend-button-${i.key}`} onClick={() => start(i.key, 'amend')}>
            Correct{name}
          </button>
        </div>
      );
    }
    return null;
  };

  return (
    <section aria-labelledby="ext-log-h" className="ext-section">
      <h2 id="ext-log-h">Your log</h2>
      <div role="status">{message && <p className="ext-done-text">{message}</p>}</div>
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      {items.length === 0 ? (
        <Empty>
          <p>Nothing logged yet. Shifts and collections you log appear here, and you send them to your supervisor from here.</p>
        </Empty>
      ) : (
        <>
          <SelectField id="ext-log-filter" label="Show" value={filter} onChange={(e) => setFilter(e.target.value as SectionId | 'all')}>
            <option value="all">Everything ({all.reduce((n, s) => n + s.count, 0)})</option>
            {SECTIONS.filter((s) => all.some((a) => a.id === s.id)).map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({all.find((a) => a.id === s.id)!.count})
              </option>
            ))}
          </SelectField>
          {shown.length === 0 && <p>Nothing here any more. Choose “Everything” to see the whole log.</p>}
          {shown.map((s) => (
            <section key={s.id} aria-labelledby={`ext-sec-${s.id}`} className="ext-log-section">
              <h3 id={`ext-sec-${s.id}`}>
                {s.title} <span className="ext-pill">{s.count}</span>
              </h3>
              <p className="hint">{s.hint}</p>
              <ul className="ext-log">
                {s.items.map((i) => (
                  <LogRow key={i.key} item={i} overview={overview} onShowCorrection={showCorrection}>
                    {actions(i)}
                  </LogRow>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
