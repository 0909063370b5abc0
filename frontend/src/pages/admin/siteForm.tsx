// Adding a clinical site, or changing one: checked in the browser, then the server's answer
// (a taken name, a refused field) shown on the field it is about.
import { useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Field } from '../../ui';
import { focusField, TextArea } from '../attest/fields';
import {
  EMPTY_SITE,
  newSiteBody,
  siteFieldOf,
  siteFormOf,
  sitePatch,
  validateSite,
  type SiteErrors,
  type SiteField,
  type SiteForm,
} from './sites';
import { SITE_LIMITS, type Site } from './types';

const ORDER: SiteField[] = ['name', 'address', 'departments', 'contactName', 'contactEmail', 'contactPhone'];
const fieldId = (f: SiteField) => `site-${f}`;

interface Props {
  /** The site to change; none: a new site. */
  site: Site | null;
  busy: boolean;
  /** Runs the request through the screen's action runner (which reports the outcome). */
  run: (fn: () => Promise<string>, onError?: (e: ApiError) => boolean) => Promise<boolean>;
  onSaved: (site: Site) => void;
  onCancel?: () => void;
}

export function SiteFormView({ site, busy, run, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<SiteForm>(() => (site ? siteFormOf(site) : EMPTY_SITE));
  const [errors, setErrors] = useState<SiteErrors>({});
  const set = (k: SiteField) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const showErrors = (found: SiteErrors) => {
    setErrors(found);
    const first = ORDER.find((k) => found[k]);
    if (first) focusField(fieldId(first));
  };

  const submit = async () => {
    const found = validateSite(form);
    if (Object.keys(found).length) return showErrors(found);
    setErrors({});
    const onError = (e: ApiError): boolean => {
      const field = e.is('site_name_taken') ? 'name' : siteFieldOf(e.details.field);
      if (!field) return false;
      showErrors({ [field]: e.is('site_name_taken') ? e.message : e.serverMessage || e.message });
      return true;
    };
    const ok = await run(async () => {
      if (site) {
        const patch = sitePatch(site, form);
        if (!patch) return 'Nothing to save: nothing was changed.';
        const saved = await api.patch<Site>(`/api/v1/admin/externship/sites/${site.id}`, patch);
        onSaved(saved);
        return `Saved the changes to ${saved.name}.`;
      }
      const created = await api.post<Site>('/api/v1/admin/externship/sites', newSiteBody(form));
      onSaved(created);
      return `Added ${created.name} to the directory.`;
    }, onError);
    if (ok && !site) setForm(EMPTY_SITE);
  };

  const heading = site ? `Edit ${site.name}` : 'Add a site';
  return (
    <form
      className="panel"
      aria-labelledby="site-form-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void submit();
      }}
    >
      <h2 id="site-form-heading" tabIndex={-1}>
        {heading}
      </h2>
      <Field id={fieldId('name')} label="Name" value={form.name} onChange={set('name')} maxLength={SITE_LIMITS.name} error={errors.name} required />
      <TextArea id={fieldId('address')} label="Address" rows={2} value={form.address} onChange={set('address')} maxLength={SITE_LIMITS.address} error={errors.address} required />
      <TextArea
        id={fieldId('departments')}
        label="Departments"
        hint="One per line, as the site names them (for example: Outpatient draw station)."
        rows={3}
        value={form.departments}
        onChange={set('departments')}
        error={errors.departments}
      />
      <fieldset>
        <legend>Contact at the site (optional)</legend>
        <Field id={fieldId('contactName')} label="Contact name" value={form.contactName} onChange={set('contactName')} maxLength={SITE_LIMITS.contactName} error={errors.contactName} />
        <Field id={fieldId('contactEmail')} label="Contact email" type="email" value={form.contactEmail} onChange={set('contactEmail')} maxLength={SITE_LIMITS.email} error={errors.contactEmail} />
        <Field id={fieldId('contactPhone')} label="Contact phone" type="tel" value={form.contactPhone} onChange={set('contactPhone')} maxLength={SITE_LIMITS.contactPhone} error={errors.contactPhone} />
      </fieldset>
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : site ? 'Save changes' : 'Add site'}
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
