// A cohort's enrolment codes: the list with their use and state; a new code, generated (readable,
// from the course's prefix) or chosen, with an optional use limit and last day; disable or
// re-enable one.
import { useState } from 'react';
import { api } from '../../api/client';
import { describe, type ApiError } from '../../api/errors';
import { Empty, ErrorState, Field, formatDate, Loading, useLoad } from '../../ui';
import { focusField } from '../attest/fields';
import { CODE_MAX, CODE_STATUS, EMPTY_CODE, newCodeBody, usesText, validateCode, type CodeErrors, type CodeForm } from './codes';
import { NoticeView, TableWrap, useAction } from './common';
import type { Code, Cohort } from './contract';

export function CodesTab({ cohort }: { cohort: Cohort }) {
  const list = useLoad((signal) => api.get<{ items: Code[] }>(`/api/v1/admin/cohorts/${cohort.id}/codes`, { signal }), cohort.id);
  const action = useAction();
  const replace = (c: Code) => {
    const rest = (list.data?.items ?? []).filter((x) => x.id !== c.id);
    list.setData({ items: [c, ...rest] });
  };
  const toggle = (c: Code) =>
    void action.run(async () => {
      const saved = await api.patch<Code>(`/api/v1/admin/codes/${c.id}`, { disabled: !c.disabled_at });
      replace(saved);
      return saved.disabled_at ? `Disabled ${saved.code}: nobody can join with it now.` : `Re-enabled ${saved.code}.`;
    });
  const items = list.data?.items ?? [];
  return (
    <>
      <NoticeView notice={action.notice} id="codes-notice" />
      {list.loading && !list.data && <Loading label="Loading the codes…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.data && items.length === 0 && <Empty>No codes yet: create one below and give it to the learners.</Empty>}
      {items.length > 0 && (
        <TableWrap label="Enrolment codes">
          <table className="table">
            <caption className="table-caption">Enrolment codes: {items.length}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Uses</th>
                <th scope="col">Last day</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} className={c.status === 'active' ? undefined : 'is-archived'}>
                  <th scope="row">
                    <code className="code">{c.code}</code>
                  </th>
                  <td>{usesText(c)}</td>
                  <td>{c.expires_at ? formatDate(c.expires_at) : <span className="muted">No end</span>}</td>
                  <td>{CODE_STATUS[c.status]}</td>
                  <td className="actions">
                    <button type="button" className="button secondary small" disabled={action.busy} onClick={() => toggle(c)}>
                      {c.disabled_at ? 'Enable' : 'Disable'}
                      <span className="visually-hidden"> {c.code}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <NewCode cohort={cohort} action={action} onCreated={replace} />
    </>
  );
}

function NewCode({ cohort, action, onCreated }: { cohort: Cohort; action: ReturnType<typeof useAction>; onCreated: (c: Code) => void }) {
  const [form, setForm] = useState<CodeForm>(EMPTY_CODE);
  const [errors, setErrors] = useState<CodeErrors>({});
  const set = (k: 'code' | 'maxUses' | 'expiresOn') => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = async () => {
    const found = validateCode(form);
    setErrors(found);
    const first = (['code', 'maxUses', 'expiresOn'] as const).find((k) => found[k]);
    if (first) return focusField(`code-${first}`);
    const onError = (e: ApiError) => {
      if (e.code !== 'code_taken') return false;
      setErrors({ code: describe(e) });
      focusField('code-code');
      return true;
    };
    const ok = await action.run(async () => {
      const created = await api.post<Code>(`/api/v1/admin/cohorts/${cohort.id}/codes`, newCodeBody(form));
      onCreated(created);
      return `Created the code ${created.code}.`;
    }, onError);
    if (ok) setForm(EMPTY_CODE);
  };
  return (
    <form
      className="panel"
      aria-labelledby="new-code-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!action.busy) void submit();
      }}
    >
      <h3 id="new-code-heading">Create a code</h3>
      <fieldset>
        <legend>The code</legend>
        <label className="check-label">
          <input type="radio" name="code-kind" checked={form.generate} onChange={() => setForm({ ...form, generate: true })} />
          Generate a readable code (no 0, O, 1, I or L to mistake)
        </label>
        <label className="check-label">
          <input type="radio" name="code-kind" checked={!form.generate} onChange={() => setForm({ ...form, generate: false })} />
          Choose the code
        </label>
        {!form.generate && <Field id="code-code" label="Code" value={form.code} onChange={set('code')} maxLength={CODE_MAX} error={errors.code} autoComplete="off" />}
      </fieldset>
      <Field id="code-maxUses" label="Use limit (optional)" inputMode="numeric" value={form.maxUses} onChange={set('maxUses')} error={errors.maxUses} hint="How many learners may join with it; empty for no limit." />
      <Field id="code-expiresOn" label="Last day it works (optional)" type="date" value={form.expiresOn} onChange={set('expiresOn')} error={errors.expiresOn} />
      <button type="submit" className="button" disabled={action.busy}>
        Create code
      </button>
    </form>
  );
}
