// One row of the log: what it records, where it stands (with the supervisor's reason or the
// program's note), and what the learner can do with it.
import { type ReactNode } from 'react';
import type { LogItem } from './log';
import { AGE_LABEL, METHOD_LABEL, STATE_LABEL, TYPE_LABEL, formatDay, formatMinutes } from './labels';
import type { Overview } from './types';

/** "Shift, 07:00–15:30 (8 h 30 min)" or "5 × Venipuncture". */
export function rowTitle(i: LogItem): string {
  if (i.kind === 'shift' && i.shift) {
    const overnight = i.shift.end <= i.shift.start;
    return `Shift, ${i.shift.start}–${i.shift.end}${overnight ? ' (next day)' : ''}, ${formatMinutes(i.shift.minutes)}`;
  }
  const type = i.collection ? TYPE_LABEL[i.collection.type] ?? i.collection.type : 'Collection';
  return `${i.count} × ${type}`;
}

/** The row named for buttons and screen readers: "shift on Tue, 3 Mar 2026". */
export function rowName(i: LogItem): string {
  return `${i.kind === 'shift' ? 'shift' : `${i.count} ${i.count === 1 ? 'collection' : 'collections'}`} on ${formatDay(i.date)}`;
}

interface Props {
  item: LogItem;
  overview: Overview;
  /** The buttons (and any open editor) below the row. */
  children?: ReactNode;
  onShowCorrection: (key: string) => void;
}

export function LogRow({ item: i, overview, children, onShowCorrection }: Props) {
  const placement = overview.placements.find((p) => p.id === i.placementId);
  const department = i.shift?.department ? overview.departments.find((d) => d.slug === i.shift!.department)?.name ?? i.shift.department : null;
  const c = i.collection;
  return (
    <li id={`entry-${i.key}`} className={`ext-row${i.superseded ? ' ext-muted' : ''}${i.source === 'outbox' ? ' ext-row-unsent' : ''}`} tabIndex={-1}>
      <div className="ext-row-head">
        <p className="ext-row-title">{rowTitle(i)}</p>
        <span className={`ext-state ext-state-${i.superseded ? 'superseded' : i.state}`}>
          {i.source === 'outbox' ? 'Not yet sent' : i.superseded ? 'Replaced' : STATE_LABEL[i.state as keyof typeof STATE_LABEL]}
        </span>
      </div>
      <p className="muted small">
        {formatDay(i.date)}
        {placement && ` · ${placement.site_name}`}
        {department && ` · ${department}`}
      </p>
      {c && (
        <p className="small">
          {METHOD_LABEL[c.method] ?? c.method} · {AGE_LABEL[c.age_group] ?? c.age_group} · {c.successful ? 'successful' : 'not successful'} ·{' '}
          {c.unaided ? 'unaided' : 'aided'}
        </p>
      )}
      {i.shift?.activities && <p className="small ext-text">What you did: {i.shift.activities}</p>}
      {i.notes && <p className="small ext-text">Notes: {i.notes}</p>}
      {i.rejectedReason && (
        <p className="ext-reason">
          <strong>Your supervisor’s reason:</strong> {i.rejectedReason}
        </p>
      )}
      {i.reviewNote && (
        <p className="ext-reason">
          <strong>Your program’s note:</strong> {i.reviewNote}
        </p>
      )}
      {i.amendReason && <p className="small ext-text">Correction: {i.amendReason}</p>}
      {i.superseded &&
        (i.correctedIn ? (
          <p className="small">
            <a
              href={`#entry-${i.correctedIn}`}
              onClick={(e) => {
                e.preventDefault();
                onShowCorrection(i.correctedIn!);
              }}
            >
              See the correction<span className="visually-hidden"> of this {rowName(i)}</span>
            </a>
          </p>
        ) : (
          <p className="small muted">Replaced by a correction.</p>
        ))}
      {children}
    </li>
  );
}
