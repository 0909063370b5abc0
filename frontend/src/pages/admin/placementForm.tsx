// Placing an enrolment at a site, or changing a placement: the site, the supervisor who will
// receive the attestation requests, the dates and the course's departments.
import { useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Field } from '../../ui';
import { ErrorText, focusField } from '../attest/fields';
import {
  EMPTY_PLACEMENT,
  newPlacementBody,
  PLACEMENT_ORDER,
  placementFieldOf,
  placementFormOf,
  placementPatch,
  toggleDepartment,
  validatePlacement,
  type PlacementErrors,
  type PlacementField,
  type PlacementForm,
} from './placements';
import { PLACEMENT_LIMITS, type Overview, type Placement, type Site } from './types';

const fieldId = (f: PlacementField) => `placement-${f}`;

interface Props {
  enrolmentId: string;
  learnerName: string;
  placement: Placement | null;
  sites: readonly Site[];
  departments: Overview['departments'];
  busy: boolean;
  run: (fn: () => Promise<string>, onError?: (e: ApiError) => boolean) => Promise<boolean>;
  onSaved: (p: Placement) => void;
  onCancel?: () => void;
}

export function PlacementFormView({ enrolmentId, learnerName, placement, sites, departments, busy, run, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<PlacementForm>(() => (placement ? placementFormOf(placement) : EMPTY_PLACEMENT));
  const [errors, setErrors] = useState<PlacementErrors>({});
  const set = (k: Exclude<PlacementField, 'departments'>) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const order = departments.map((d) => d.slug);
  // An archived site stays selectable for the placement that already uses it.
  const choices = sites.filter((s) => !s.archived || s.id === placement?.site_id);

  const showErrors = (found: PlacementErrors) => {
    setErrors(found);
    const first = PLACEMENT_ORDER.find((k) => found[k]);
    if (first) focusField(fieldId(first));
  };

  const submit = async () => {
    const found = validatePlacement(form);
    if (Object.keys(found).length) return showErrors(found);
    setErrors({});
    const onError = (e: ApiError): boolean => {
      const field = placementFieldOf(e.code, e.details.field);
      if (!field) return false;
      showErrors({ [field]: e.serverMessage || e.message });
      return true;
    };
    const ok = await run(async () => {
      if (placement) {
        const patch = placementPatch(placement, form);
        if (!patch) return 'Nothing to save: nothing was changed.';
        const saved = await api.patch<Placement>(`/api/v1/admin/externship/placements/${placement.id}`, patch);
        onSaved(saved);
        return `Saved the placement at ${saved.site_name}.`;
      }
      const created = await api.post<Placement>('/api/v1/admin/externship/placements', newPlacementBody(enrolmentId, form));
      onSaved(created);
      return `Placed ${learnerName} at ${created.site_name}. ${created.supervisor.name} will receive the attestation requests.`;
    }, onError);
    if (ok && !placement) setForm(EMPTY_PLACEMENT);
  };

  const depError = errors.departments;
  return (
    <form
      className="panel"
      aria-labelledby="placement-form-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void submit();
      }}
    >
      <h3 id="placement-form-heading" className="h2" tabIndex={-1}>
        {placement ? `Edit the placement at ${placement.site_name}` : `Place ${learnerName} at a site`}
      </h3>
      <div className={`field${errors.siteId ? ' field-error' : ''}`}>
        <label htmlFor={fieldId('siteId')}>Site</label>
        {errors.siteId && <ErrorText id={`${fieldId('siteId')}-error`}>{errors.siteId}</ErrorText>}
        <select
          id={fieldId('siteId')}
          value={form.siteId}
          onChange={set('siteId')}
          aria-invalid={errors.siteId ? true : undefined}
          aria-describedby={errors.siteId ? `${fieldId('siteId')}-error` : undefined}
        >
          <option value="">Choose a site…</option>
          {choices.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
              {s.archived ? ' (archived)' : ''}
            </option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>Supervisor</legend>
        <p className="hint">The attestation requests are emailed to this person; they do not need an account.</p>
        <Field id={fieldId('supervisorName')} label="Supervisor’s name" value={form.supervisorName} onChange={set('supervisorName')} maxLength={PLACEMENT_LIMITS.supervisorName} error={errors.supervisorName} />
        <Field id={fieldId('supervisorEmail')} label="Supervisor’s email" type="email" value={form.supervisorEmail} onChange={set('supervisorEmail')} maxLength={PLACEMENT_LIMITS.email} error={errors.supervisorEmail} />
        <Field id={fieldId('credential')} label="Credential (optional)" hint="For example MLS(ASCP) or PBT." value={form.credential} onChange={set('credential')} maxLength={PLACEMENT_LIMITS.credential} error={errors.credential} />
      </fieldset>
      <fieldset className="date-pair">
        <legend>Dates</legend>
        <Field id={fieldId('startsOn')} label="First day" type="date" value={form.startsOn} onChange={set('startsOn')} error={errors.startsOn} />
        <Field id={fieldId('endsOn')} label="Last day" type="date" value={form.endsOn} onChange={set('endsOn')} error={errors.endsOn} />
      </fieldset>
      <fieldset id={fieldId('departments')} className={depError ? 'field-error' : undefined} aria-describedby={depError ? `${fieldId('departments')}-error` : undefined}>
        <legend>Departments</legend>
        {departments.length > 0 && <p className="hint">Where the learner will work. Leave all unticked to allow any of the course’s departments.</p>}
        {depError && <ErrorText id={`${fieldId('departments')}-error`}>{depError}</ErrorText>}
        {departments.length === 0 ? (
          <p className="muted">This course lists no departments.</p>
        ) : (
          <div className="checks">
            {departments.map((d) => (
              <label key={d.slug} className="check-label">
                <input
                  type="checkbox"
                  checked={form.departments.includes(d.slug)}
                  onChange={(e) => setForm((f) => ({ ...f, departments: toggleDepartment(f.departments, d.slug, e.target.checked, order) }))}
                />
                {d.name}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : placement ? 'Save changes' : 'Create placement'}
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
