// Accounts (admins only): search by name or email, filter by role and state, change a role
// (learner, staff, admin), disable or re-enable an account. The server refuses changes to
// one's own account; the page does not offer them.
import { useState } from 'react';
import { api } from '../../api/client';
import type { Role } from '../../api/types';
import { usePageTitle } from '../../router';
import { useSession } from '../../session';
import { Empty, ErrorState, formatDate, Loading, useLoad } from '../../ui';
import { NoticeView, pageCount, Pager, TableWrap, useAction } from './common';
import type { AdminUser, UpdateUserRequest, UserPage } from './types';
import { EMPTY_USER_FILTER, ROLES, roleLabel, STATUS_LABEL, statusOf, userQuery, type UserFilter, type UserStatus } from './users';

const PER_PAGE = 25;

export function UsersPage() {
  usePageTitle('Users');
  const { user: me } = useSession();
  const [draft, setDraft] = useState<UserFilter>(EMPTY_USER_FILTER);
  const [filter, setFilter] = useState<UserFilter>(EMPTY_USER_FILTER);
  const query = userQuery(filter, PER_PAGE);
  const list = useLoad((signal) => api.get<UserPage>('/api/v1/admin/users', { signal, query }), JSON.stringify(query));
  const action = useAction();

  const update = (u: AdminUser, body: UpdateUserRequest, done: (saved: AdminUser) => string) =>
    void action.run(async () => {
      const saved = await api.patch<AdminUser>(`/api/v1/admin/users/${u.id}`, body);
      if (list.data) list.setData({ ...list.data, items: list.data.items.map((x) => (x.id === saved.id ? saved : x)) });
      return done(saved);
    });

  const data = list.data;
  return (
    <section>
      <h1>Users</h1>
      <NoticeView notice={action.notice} id="users-notice" />
      <form
        className="toolbar"
        role="search"
        aria-label="Find accounts"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft, page: 1 });
        }}
      >
        <div className="search">
          <label htmlFor="user-q">Name or email</label>
          <input id="user-q" type="search" autoComplete="off" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field-inline">
          <label htmlFor="user-role">Role</label>
          <select id="user-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value as Role | '' })}>
            <option value="">Any role</option>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field-inline">
          <label htmlFor="user-status">State</label>
          <select id="user-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as UserStatus | '' })}>
            <option value="">Any state</option>
            {(Object.keys(STATUS_LABEL) as UserStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {list.loading && !data && <Loading label="Loading the accounts…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {data && data.items.length === 0 && <Empty>No account matches these filters.</Empty>}
      {data && data.items.length > 0 && (
        <TableWrap label="Accounts">
          <table className="table users-table">
            <caption className="table-caption">
              Accounts matching the filters: {data.total}
            </caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((u) => (
                <UserRow key={u.id} u={u} self={u.id === me?.id} busy={action.busy} update={update} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {data && (
        <Pager label="Accounts pages" page={filter.page} pages={pageCount(data.total, PER_PAGE)} onPage={(p) => setFilter({ ...filter, page: p })} />
      )}
    </section>
  );
}

function UserRow({
  u,
  self,
  busy,
  update,
}: {
  u: AdminUser;
  self: boolean;
  busy: boolean;
  update: (u: AdminUser, body: UpdateUserRequest, done: (saved: AdminUser) => string) => void;
}) {
  const [role, setRole] = useState<Role>(u.role);
  const status = statusOf(u);
  const selectId = `role-${u.id}`;
  return (
    <tr className={u.disabled ? 'is-archived' : undefined}>
      <th scope="row">
        {u.name}
        <span className="cell-note cell-break">{u.email}</span>
      </th>
      <td>{roleLabel(u.role)}</td>
      <td>{STATUS_LABEL[status]}</td>
      <td>{formatDate(u.created_at)}</td>
      <td className="actions">
        {self ? (
          <span className="muted">Your account</span>
        ) : (
          <>
            <div className="row-control">
              <label htmlFor={selectId} className="visually-hidden">
                Role for {u.name}
              </label>
              <select id={selectId} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="button secondary small"
                disabled={busy || role === u.role}
                onClick={() => update(u, { role }, (s) => `${s.name} is now ${roleLabel(s.role).toLowerCase()}. Their sessions have ended.`)}
              >
                Save role<span className="visually-hidden"> for {u.name}</span>
              </button>
            </div>
            <button
              type="button"
              className="button secondary small"
              disabled={busy}
              onClick={() =>
                update(u, { disabled: !u.disabled }, (s) =>
                  s.disabled ? `Disabled ${s.name}’s account and ended its sessions.` : `Re-enabled ${s.name}’s account.`,
                )
              }
            >
              {u.disabled ? 'Enable' : 'Disable'}
              <span className="visually-hidden"> {u.name}</span>
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
