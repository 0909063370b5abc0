// Blood-collection attempts, made to be logged in one tap on a ward: the type as big tiles
// (only the course's types), method, age group, successful and unaided as yes/no, how many
// (a stepper with presets), an optional shift of that day and notes. The same form edits a
// draft row, corrects a decided one and fixes a refused quick entry.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/errors';
import { Alert } from '../../ui';
import { CountStepper } from './CountStepper';
import { ErrorText, InputField, NoteField, SelectField, Tiles, YesNo, useFormId } from './fields';
import {
  activePlacements,
  dateBounds,
  fieldOfError,
  refusalText,
  shiftsOn,
  textProblem,
  validateCollection,
  type CollectionDraft,
  type CollectionField,
  type Errors,
} from './form';
import { AGE_GROUPS, AGE_LABEL, METHODS, METHOD_LABEL, TYPE_LABEL, TYPE_PLURAL, formatMinutes } from './labels';
import type { FormMode } from './ShiftForm';
import { focusFirstError, useGuard } from './submitting';
import type { Entry, Overview } from './types';

const ORDER: readonly string[] = ['placementId', 'date', 'type', 'method', 'ageGroup', 'count', 'shiftId', 'notes', 'reason'];

interface Props {
  mode: FormMode;
  overview: Overview;
  today: string;
  /** The server's entries: the shifts a collection may belong to. */
  entries: readonly Entry[];
  initial: CollectionDraft;
  /** Edit and correct apply to a row of this many attempts (no stepper). */
  rowCount?: number;
  onSubmit: (draft: CollectionDraft, reason: string) => Promise<string | void>;
  onCancel?: () => void;
}

export function submitLabel(mode: FormMode, d: CollectionDraft): string {
  if (mode === 'edit') return 'Save changes';
  if (mode === 'amend') return 'Save correction';
  const n = Number.isInteger(d.count) && d.count > 0 ? d.count : null;
  const what = d.type ? (n === 1 ? TYPE_LABEL[d.type].toLowerCase() : TYPE_PLURAL[d.type]) : n === 1 ? 'attempt' : 'attempts';
  return `${mode === 'fix' ? 'Save and send' : 'Log'} ${n ?? ''} ${what}`.replace(/\s+/g, ' ');
}

export function CollectionForm({ mode, overview, today, entries, initial, rowCount, onSubmit, onCancel }: Props) {
  const fid = useFormId('coll');
  const [d, setD] = useState<CollectionDraft>(initial);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<{ text: string; field: string | null } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const guard = useGuard();
  const [more, setMore] = useState(mode !== 'create');

  const withCount = mode === 'create' || mode === 'fix';
  const choices = mode === 'create' ? activePlacements(overview.placements, today) : overview.placements.filter((p) => !p.cancelled);
  const placement = choices.find((p) => p.id === d.placementId);
  const bounds = placement ? dateBounds(placement, today) : { min: undefined, max: today };
  const shifts = placement ? shiftsOn(entries, placement.id, d.date) : [];
  const errors: Errors<CollectionField | 'reason'> = validateCollection(d, { overview: { ...overview, placements: choices }, today }, { withCount });
  if (d.shiftId && !shifts.some((s) => s.id === d.shiftId)) errors.shiftId = 'That shift is not on this day at this placement. Choose another or none.';
  if (mode === 'amend') {
    const r = textProblem(reason);
    if (!reason.trim()) errors.reason = 'Say what you corrected, for your supervisor.';
    else if (r) errors.reason = r;
  }
  const shown = (f: CollectionField | 'reason'): string | undefined =>
    (tried ? errors[f] : undefined) ?? (serverError?.field === f ? serverError.text : undefined);

  const set = <K extends keyof CollectionDraft>(k: K, v: CollectionDraft[K]) => {
    setDone(null);
    setServerError(null);
    setD((old) => {
      const next = { ...old, [k]: v };
      if (k === 'placementId') {
        const p = choices.find((x) => x.id === v);
        if (p) {
          const b = dateBounds(p, today);
          if (next.date < b.min || next.date > b.max) next.date = b.max;
        }
        next.shiftId = '';
      }
      if (k === 'date') next.shiftId = '';
      return next;
    });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void guard.run(async () => {
      setTried(true);
      setServerError(null);
      setDone(null);
      if (Object.keys(errors).length) {
        focusFirstError(fid, ORDER, errors);
        return false;
      }
      try {
        const message = await onSubmit(d, reason.trim());
        if (mode === 'create') {
          setD((old) => ({ ...old, notes: '' }));
          setTried(false);
        }
        setDone(message || null);
        return true;
      } catch (err) {
        const ae = err instanceof ApiError ? err : new ApiError(0, 'internal_error', null);
        const field = fieldOfError(ae.code, ae.details);
        setServerError({ text: refusalText(ae), field });
        if (field) focusFirstError(fid, ORDER, { [field]: 'x' });
        return false;
      }
    });
  };

  // The folded part opens by itself when something in it needs the learner.
  const moreNeeded = !!(shown('date') || shown('shiftId') || shown('notes') || textProblem(d.notes) || d.notes);
  const typeOptions = overview.collection_types.map((t) => ({ value: t, label: TYPE_LABEL[t] }));
  return (
    <form className="ext-form" onSubmit={submit} noValidate>
      {serverError && (
        <Alert kind="error" title="Not saved">
          <p>{serverError.text}</p>
        </Alert>
      )}
      {choices.length > 1 || !placement ? (
        <SelectField id={`${fid}-placementId`} label="Placement" value={d.placementId} onChange={(e) => set('placementId', e.target.value)} error={shown('placementId')}>
          {!placement && <option value="">Choose a placement</option>}
          {choices.map((p) => (
            <option key={p.id} value={p.id}>
              {p.site_name}
            </option>
          ))}
        </SelectField>
      ) : (
        <p className="ext-fixed">
          <span className="ext-label">Placement</span> {placement.site_name}
        </p>
      )}
      <Tiles legend="Type" name={`${fid}-type`} options={typeOptions} value={d.type} onChange={(v) => set('type', v)} error={shown('type')} className="ext-types" />
      <Tiles legend="Method" name={`${fid}-method`} options={METHODS.map((m) => ({ value: m, label: METHOD_LABEL[m] }))} value={d.method} onChange={(v) => set('method', v)} error={shown('method')} />
      <Tiles legend="Patient’s age group" name={`${fid}-ageGroup`} options={AGE_GROUPS.map((a) => ({ value: a, label: AGE_LABEL[a] }))} value={d.ageGroup} onChange={(v) => set('ageGroup', v)} error={shown('ageGroup')} />
      <div className="ext-pair">
        <YesNo legend="Successful?" name={`${fid}-successful`} value={d.successful} onChange={(v) => set('successful', v)} />
        <YesNo legend="Unaided?" name={`${fid}-unaided`} value={d.unaided} onChange={(v) => set('unaided', v)} />
      </div>
      {withCount ? (
        <CountStepper id={`${fid}-count`} value={d.count} onChange={(n) => set('count', n)} error={shown('count')} />
      ) : (
        rowCount !== undefined && rowCount > 1 && <p className="hint">The changes apply to all {rowCount} attempts in this row.</p>
      )}
      <details className="ext-more" open={more || moreNeeded} onToggle={(e) => setMore(e.currentTarget.open)}>
        <summary>Date, shift and notes</summary>
        <InputField id={`${fid}-date`} label="Date" type="date" value={d.date} onChange={(v) => set('date', v)} min={bounds.min} max={bounds.max} required error={shown('date')} />
        <SelectField
          id={`${fid}-shiftId`}
          label="Shift (optional)"
          value={d.shiftId}
          onChange={(e) => set('shiftId', e.target.value)}
          error={shown('shiftId')}
          hint={shifts.length ? undefined : 'No shift of yours on this day at this placement has reached Benchside yet.'}
        >
          <option value="">Not tied to a shift</option>
          {shifts.map((s) => (
            <option key={s.id} value={s.id}>
              {s.shift!.start}–{s.shift!.end} ({formatMinutes(s.shift!.minutes)})
            </option>
          ))}
        </SelectField>
        <NoteField id={`${fid}-notes`} label="Notes" value={d.notes} onChange={(v) => set('notes', v)} error={serverError?.field === 'notes' ? serverError.text : undefined} />
      </details>
      {mode === 'amend' && (
        <NoteField id={`${fid}-reason`} label="What you corrected" value={reason} onChange={setReason} hint="Required: your supervisor reads it." error={shown('reason')} />
      )}
      <div className="ext-actions">
        <button type="submit" className="button ext-big" disabled={guard.busy}>
          {submitLabel(mode, d)}
        </button>
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div role="status" className="ext-done">
        {done && <p className="ext-done-text">{done}</p>}
      </div>
      {tried && Object.keys(errors).length > 0 && <ErrorText id={`${fid}-summary`}>Check the fields marked above.</ErrorText>}
    </form>
  );
}
