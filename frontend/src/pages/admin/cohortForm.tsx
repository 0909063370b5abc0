// Creating a cohort or changing one (admins): course, name, start and target dates, capacity
// and staff owners. Checked in the browser first; the server's refusals land on their field.
import { useState } from 'react';
import { api } from '../../api/client';
import type { ApiError } from '../../api/errors';
import type { CourseSummary } from '../../api/types';
import { Field, useLoad } from '../../ui';
import { ErrorText, focusField } from '../attest/fields';
import {
  COHORT_NAME_MAX,
  cohortFieldOf,
  cohortFormOf,
  cohortPatch,
  EMPTY_COHORT,
  newCohortBody,
  validateCohort,
  type CohortErrors,
  type CohortField,
  type CohortForm,
} from './cohorts';
import type { Cohort } from './contract';
import type { UserPage } from './types';

const ORDER: CohortField[] = ['course', 'name', 'startsOn', 'targetOn', 'capacity'];
const fieldId = (f: CohortField) => `cohort-${f}`;

interface Props {
  cohort: Cohort | null;
  courses: readonly CourseSummary[];
  busy: boolean;
  run: (fn: () => Promise<string>, onError?: (e: ApiError) => boolean) => Promise<boolean>;
  onSaved: (c: Cohort) => void;
  onCancel?: () => void;
}

export function CohortFormView({ cohort, courses, busy, run, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<CohortForm>(() => (cohort ? cohortFormOf(cohort) : EMPTY_COHORT));
  const [errors, setErrors] = useState<CohortErrors>({});
  const staff = useLoad((signal) => api.get<UserPage>('/api/v1/admin/users', { signal, query: { role: 'staff', per_page: 100 } }), 'staff');
  const set = (k: Exclude<keyof CohortForm, 'staff'>) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const show = (found: CohortErrors) => {
    setErrors(found);
    const first = ORDER.find((k) => found[k]);
    if (first) focusField(fieldId(first));
  };

  const submit = async () => {
    const found = validateCohort(form);
    if (Object.keys(found).length) return show(found);
    setErrors({});
    const onError = (e: ApiError): boolean => {
      const field = e.code === 'capacity_below_members' ? 'capacity' : cohortFieldOf(e.details.field);
      if (!field) return false;
      // The server's sentence names the field's fault (and, for the capacity, the members it has).
      show({ [field]: e.serverMessage?.trim() || e.message });
      return true;
    };
    const ok = await run(async () => {
      if (cohort) {
        const patch = cohortPatch(cohort, form);
        if (!patch) return 'Nothing to save: nothing was changed.';
        const saved = await api.patch<Cohort>(`/api/v1/admin/cohorts/${cohort.id}`, patch);
        onSaved(saved);
        return `Saved the changes to ${saved.name}.`;
      }
      const created = await api.post<Cohort>('/api/v1/admin/cohorts', newCohortBody(form));
      onSaved(created);
      return `Created the cohort ${created.name}.`;
    }, onError);
    if (ok && !cohort) setForm(EMPTY_COHORT);
  };

  const toggleStaff = (id: string, on: boolean) =>
    setForm((f) => ({ ...f, staff: on ? [...f.staff, id] : f.staff.filter((x) => x !== id) }));

  return (
    <form
      className="panel"
      aria-labelledby="cohort-form-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void submit();
      }}
    >
      <h2 id="cohort-form-heading" tabIndex={-1}>
        {cohort ? `Edit ${cohort.name}` : 'Create a cohort'}
      </h2>
      <div className={`field${errors.course ? ' field-error' : ''}`}>
        <label htmlFor={fieldId('course')}>Course</label>
        {errors.course && <ErrorText id="cohort-course-error">{errors.course}</ErrorText>}
        <select
          id={fieldId('course')}
          value={form.course}
          disabled={Boolean(cohort)}
          onChange={set('course')}
          aria-invalid={errors.course ? true : undefined}
          aria-describedby={errors.course ? 'cohort-course-error' : undefined}
        >
          <option value="">Choose a course</option>
          {courses.map((c) => (
            <option key={c.slug} value={c.slug}>
              {c.title}
            </option>
          ))}
        </select>
      </div>
      <Field id={fieldId('name')} label="Name" value={form.name} onChange={set('name')} maxLength={COHORT_NAME_MAX} error={errors.name} hint="For example: Spring 2027 evening group." />
      <div className="date-pair">
        <Field id={fieldId('startsOn')} label="Start date" type="date" value={form.startsOn} onChange={set('startsOn')} error={errors.startsOn} />
        <Field id={fieldId('targetOn')} label="Target completion date (optional)" type="date" value={form.targetOn} onChange={set('targetOn')} error={errors.targetOn} />
      </div>
      <Field
        id={fieldId('capacity')}
        label="Capacity (optional)"
        inputMode="numeric"
        value={form.capacity}
        onChange={set('capacity')}
        error={errors.capacity}
        hint="The most active learners; empty for no limit."
      />
      <fieldset>
        <legend>Staff owners</legend>
        <p className="hint">Staff accounts that run this cohort: they see its members, progress and reports, and nothing of other cohorts.</p>
        {staff.data && staff.data.items.length === 0 && <p className="muted">No staff accounts yet: give an account the staff role under Users.</p>}
        <div className="checks">
          {staff.data?.items.map((s) => (
            <label key={s.id} className="check-label">
              <input type="checkbox" checked={form.staff.includes(s.id)} onChange={(e) => toggleStaff(s.id, e.target.checked)} />
              {s.name} <span className="muted">({s.email})</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : cohort ? 'Save changes' : 'Create cohort'}
        </button>
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
