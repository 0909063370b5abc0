// A cohort's members: searched and filtered by state, paged; add an existing account by email;
// for one member, move them to another cohort of the same course, withdraw them, or extend
// their access. Every change is audited by the server.
import { useState } from 'react';
import { api } from '../../api/client';
import { Empty, ErrorState, Field, formatDate, Loading, useLoad } from '../../ui';
import { focusField, focusSoon, TextArea } from '../attest/fields';
import { NoticeView, pageCount, Pager, TableWrap, useAction } from './common';
import type { Cohort, CohortPage, Member, MemberPage, MemberState } from './contract';
import { checkEmail, EMPTY_MEMBER_FILTER, extendTo, MEMBER_STATE, memberQuery, moveTargets, type MemberFilter } from './members';

const PER_PAGE = 25;

export function MembersTab({ cohort, onChanged }: { cohort: Cohort; onChanged: () => void }) {
  const [draft, setDraft] = useState<MemberFilter>(EMPTY_MEMBER_FILTER);
  const [filter, setFilter] = useState<MemberFilter>(EMPTY_MEMBER_FILTER);
  const [chosen, setChosen] = useState<Member | null>(null);
  const query = memberQuery(filter, PER_PAGE);
  const list = useLoad((signal) => api.get<MemberPage>(`/api/v1/admin/cohorts/${cohort.id}/members`, { signal, query }), `${cohort.id}|${JSON.stringify(query)}`);
  const action = useAction();
  const changed = (m: Member | null) => {
    list.reload();
    onChanged();
    setChosen(m);
  };
  const data = list.data;
  return (
    <>
      <NoticeView notice={action.notice} id="members-notice" />
      <form
        className="toolbar"
        role="search"
        aria-label="Find members"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft, page: 1 });
        }}
      >
        <div className="search">
          <label htmlFor="member-q">Name or email</label>
          <input id="member-q" type="search" autoComplete="off" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field-inline">
          <label htmlFor="member-state">State</label>
          <select id="member-state" value={draft.state} onChange={(e) => setDraft({ ...draft, state: e.target.value as MemberState | '' })}>
            <option value="">Any state</option>
            {(Object.keys(MEMBER_STATE) as MemberState[]).map((s) => (
              <option key={s} value={s}>
                {MEMBER_STATE[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {list.loading && !data && <Loading label="Loading the members…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {data && data.items.length === 0 && <Empty>{filter.q || filter.state ? 'No member matches.' : 'No members yet: add one below, or upload a CSV file.'}</Empty>}
      {data && data.items.length > 0 && (
        <TableWrap label="Members">
          <table className="table">
            <caption className="table-caption">Members: {data.total}</caption>
            <thead>
              <tr>
                <th scope="col">Learner</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col">Access until</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((m) => (
                <tr key={m.enrolment_id} aria-current={chosen?.enrolment_id === m.enrolment_id ? 'true' : undefined}>
                  <th scope="row">
                    {m.user.name}
                    <span className="cell-note">{m.user.email}</span>
                  </th>
                  <td>{MEMBER_STATE[m.state]}</td>
                  <td>{formatDate(m.started_at)}</td>
                  <td>{formatDate(m.access_expires_at)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => {
                        setChosen(m);
                        action.clear();
                        focusSoon('member-manage-heading');
                      }}
                    >
                      Manage<span className="visually-hidden"> {m.user.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {data && <Pager label="Member pages" page={filter.page} pages={pageCount(data.total, PER_PAGE)} onPage={(p) => setFilter({ ...filter, page: p })} />}
      {chosen && <ManageMember key={chosen.enrolment_id} cohort={cohort} member={chosen} action={action} onChanged={changed} onClose={() => setChosen(null)} />}
      <AddMember cohort={cohort} action={action} onAdded={() => changed(null)} />
    </>
  );
}

type Action = ReturnType<typeof useAction>;

function AddMember({ cohort, action, onAdded }: { cohort: Cohort; action: Action; onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="panel"
      aria-labelledby="add-member-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const bad = checkEmail(email);
        setError(bad);
        if (bad) return focusField('member-email');
        void action
          .run(async () => {
            const m = await api.post<Member>(`/api/v1/admin/cohorts/${cohort.id}/members`, { email: email.trim() });
            onAdded();
            return `Added ${m.user.name} to ${cohort.name}.`;
          })
          .then((ok) => ok && setEmail(''));
      }}
    >
      <h3 id="add-member-heading">Add a learner</h3>
      <Field id="member-email" label="Email address of their account" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error} hint="For people without an account, use the bulk upload: it invites them." />
      <button type="submit" className="button" disabled={action.busy}>
        Add to the cohort
      </button>
    </form>
  );
}

function ManageMember({
  cohort,
  member,
  action,
  onChanged,
  onClose,
}: {
  cohort: Cohort;
  member: Member;
  action: Action;
  onChanged: (m: Member | null) => void;
  onClose: () => void;
}) {
  const others = useLoad(
    (signal) => api.get<CohortPage>('/api/v1/admin/cohorts', { signal, query: { course: cohort.course.slug, status: 'active', per_page: 100 } }),
    cohort.course.slug,
  );
  const targets = others.data ? moveTargets(others.data.items, cohort) : [];
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [untilError, setUntilError] = useState<string | null>(null);
  const name = member.user.name;
  const post = (path: string, body: unknown, say: (m: Member) => string, keep = true) =>
    void action.run(async () => {
      const m = await api.post<Member>(`/api/v1/admin/enrolments/${member.enrolment_id}/${path}`, body);
      onChanged(keep ? m : null);
      return say(m);
    });
  const open = member.state === 'active' || member.state === 'expired';
  return (
    <section className="panel" aria-labelledby="member-manage-heading">
      <h3 id="member-manage-heading" tabIndex={-1}>
        Manage {name}
      </h3>
      <p>
        {member.user.email} · {MEMBER_STATE[member.state]} · access until {formatDate(member.access_expires_at)}
      </p>
      {open && (
        <>
          <form
            className="subform"
            onSubmit={(e) => {
              e.preventDefault();
              const to = targets.find((c) => c.id === target);
              if (!to) return focusField('move-target');
              post('move', { cohort_id: to.id }, () => `Moved ${name} to ${to.name}.`, false);
            }}
          >
            <h4>Move to another cohort</h4>
            <div className="field">
              <label htmlFor="move-target">Cohort of {cohort.course.title}</label>
              <select id="move-target" value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">{targets.length ? 'Choose a cohort' : 'No other active cohort of this course'}</option>
                {targets.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button secondary" disabled={action.busy || !target}>
              Move {name}
            </button>
          </form>
          <form
            className="subform"
            onSubmit={(e) => {
              e.preventDefault();
              const r = extendTo(until, member);
              if ('error' in r) {
                setUntilError(r.error);
                return focusField('extend-until');
              }
              setUntilError(null);
              post('extend', { access_expires_at: r.at }, (m) => `Extended ${name}’s access until ${formatDate(m.access_expires_at)}.`);
            }}
            noValidate
          >
            <h4>Extend access</h4>
            <Field id="extend-until" label="New last day of access" type="date" value={until} onChange={(e) => setUntil(e.target.value)} error={untilError} />
            <button type="submit" className="button secondary" disabled={action.busy}>
              Extend access
            </button>
          </form>
          <form
            className="subform"
            onSubmit={(e) => {
              e.preventDefault();
              post('withdraw', reason.trim() ? { reason: reason.trim() } : {}, () => `Withdrew ${name} from ${cohort.name}.`);
            }}
          >
            <h4>Withdraw</h4>
            <TextArea id="withdraw-reason" label="Reason (optional)" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} hint="Kept in the audit log." />
            <button type="submit" className="button secondary danger" disabled={action.busy}>
              Withdraw {name}
            </button>
          </form>
        </>
      )}
      {!open && <p>This enrolment is {MEMBER_STATE[member.state].toLowerCase()}: there is nothing to change.</p>}
      <button type="button" className="button secondary" onClick={onClose}>
        Close
      </button>
    </section>
  );
}
