// A shift: where, when (start and end, a night shift ending the next day), the department,
// what was done and notes. The same form logs a new shift, edits a draft, corrects a decided
// one (with a reason) and fixes one the server refused.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/errors';
import { Alert } from '../../ui';
import { ErrorText, InputField, NoteField, SelectField, useFormId } from './fields';
import {
  activePlacements,
  dateBounds,
  departmentChoices,
  fieldOfError,
  refusalText,
  shiftMinutes,
  textProblem,
  validateShift,
  type Errors,
  type ShiftDraft,
  type ShiftField,
} from './form';
import { formatMinutes } from './labels';
import { focusFirstError, useGuard } from './submitting';
import type { Overview } from './types';

export type FormMode = 'create' | 'edit' | 'amend' | 'fix';

const ORDER: readonly string[] = ['placementId', 'date', 'start', 'end', 'department', 'activities', 'notes', 'reason'];

const SUBMIT: Record<FormMode, string> = {
  create: 'Log shift',
  edit: 'Save changes',
  amend: 'Save correction',
  fix: 'Save and send again',
};

interface Props {
  mode: FormMode;
  overview: Overview;
  today: string;
  initial: ShiftDraft;
  /** Sends or queues the shift; throws an ApiError the form shows. Resolves a message for the learner, if any. */
  onSubmit: (draft: ShiftDraft, reason: string) => Promise<string | void>;
  onCancel?: () => void;
}

export function ShiftForm({ mode, overview, today, initial, onSubmit, onCancel }: Props) {
  const fid = useFormId('shift');
  const [d, setD] = useState<ShiftDraft>(initial);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<{ text: string; field: string | null } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const guard = useGuard();

  const ctx = { overview, today };
  // A correction or fix keeps the entry's own placement even if it has ended or was the only one.
  const choices = mode === 'create' ? activePlacements(overview.placements, today) : overview.placements.filter((p) => !p.cancelled);
  const placement = choices.find((p) => p.id === d.placementId);
  const departments = departmentChoices(overview, placement);
  const bounds = placement ? dateBounds(placement, today) : { min: undefined, max: today };
  const errors: Errors<ShiftField | 'reason'> = validateShift(d, { ...ctx, overview: { ...overview, placements: choices } });
  if (mode === 'amend') {
    const r = textProblem(reason);
    if (!reason.trim()) errors.reason = 'Say what you corrected, for your supervisor.';
    else if (r) errors.reason = r;
  }
  const shown = (f: ShiftField | 'reason'): string | undefined =>
    (tried ? errors[f] : undefined) ?? (serverError?.field === f ? serverError.text : undefined);

  const set = <K extends keyof ShiftDraft>(k: K, v: ShiftDraft[K]) => {
    setDone(null);
    setServerError(null);
    setD((old) => {
      const next = { ...old, [k]: v };
      if (k === 'placementId') {
        const p = choices.find((x) => x.id === v);
        if (p) {
          const b = dateBounds(p, today);
          if (next.date < b.min || next.date > b.max) next.date = b.max;
          const allowed = departmentChoices(overview, p);
          if (!allowed.some((x) => x.slug === next.department)) next.department = '';
        }
      }
      return next;
    });
  };

  const minutes = shiftMinutes(d.start, d.end);
  const overnight = minutes !== null && minutes > 0 && d.end.slice(0, 5) <= d.start.slice(0, 5);

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
          setD((old) => ({ ...old, start: '', end: '', activities: '', notes: '' }));
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

  return (
    <form className="ext-form" onSubmit={submit} noValidate>
      {serverError && (
        <Alert kind="error" title="Not saved">
          <p>{serverError.text}</p>
        </Alert>
      )}
      <SelectField id={`${fid}-placementId`} label="Placement" value={d.placementId} onChange={(e) => set('placementId', e.target.value)} error={shown('placementId')}>
        {!placement && <option value="">Choose a placement</option>}
        {choices.map((p) => (
          <option key={p.id} value={p.id}>
            {p.site_name}
          </option>
        ))}
      </SelectField>
      <InputField id={`${fid}-date`} label="Date the shift started" type="date" value={d.date} onChange={(v) => set('date', v)} min={bounds.min} max={bounds.max} required error={shown('date')} />
      <div className="ext-times">
        <InputField id={`${fid}-start`} label="Start" type="time" value={d.start} onChange={(v) => set('start', v)} required error={shown('start')} />
        <InputField id={`${fid}-end`} label="End" type="time" value={d.end} onChange={(v) => set('end', v)} required error={shown('end')} />
      </div>
      <p className="muted ext-duration" aria-live="polite">
        {minutes ? `${formatMinutes(minutes)}${overnight ? ', ending the next day' : ''}` : 'An end before the start means the shift ended the next day.'}
      </p>
      {departments.length > 0 && (
        <SelectField id={`${fid}-department`} label="Department" value={d.department} onChange={(e) => set('department', e.target.value)} error={shown('department')}>
          <option value="">Choose a department</option>
          {departments.map((x) => (
            <option key={x.slug} value={x.slug}>
              {x.name}
            </option>
          ))}
        </SelectField>
      )}
      <NoteField id={`${fid}-activities`} label="What you did" value={d.activities} onChange={(v) => set('activities', v)} hint="Optional: the kinds of work, not the patients." error={serverError?.field === 'activities' ? serverError.text : undefined} />
      <NoteField id={`${fid}-notes`} label="Notes" value={d.notes} onChange={(v) => set('notes', v)} error={serverError?.field === 'notes' ? serverError.text : undefined} />
      {mode === 'amend' && (
        <NoteField id={`${fid}-reason`} label="What you corrected" value={reason} onChange={setReason} hint="Required: your supervisor reads it." error={shown('reason')} />
      )}
      {mode === 'amend' && <p className="hint">The correction is a new draft: send it to your supervisor to attest. The original stays in your log, no longer counted.</p>}
      <div className="ext-actions">
        <button type="submit" className="button ext-big" disabled={guard.busy}>
          {SUBMIT[mode]}
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
      {tried && Object.keys(errors).length > 0 && (
        <ErrorText id={`${fid}-summary`}>Check the {Object.keys(errors).length === 1 ? 'field' : 'fields'} marked above.</ErrorText>
      )}
    </form>
  );
}
