// The accounts list's pure parts: the filter as URL-like state, and the words for roles and states.
import type { Role } from '../../api/types';
import type { AdminUser } from './types';

export const ROLES: readonly { value: Role; label: string; description: string }[] = [
  { value: 'learner', label: 'Learner', description: 'Takes courses.' },
  { value: 'staff', label: 'Staff', description: 'Runs the cohorts they own.' },
  { value: 'admin', label: 'Admin', description: 'Runs everything.' },
];

export const roleLabel = (r: Role): string => ROLES.find((x) => x.value === r)?.label ?? r;

export type UserStatus = 'active' | 'disabled' | 'unverified' | 'invited';

export interface UserFilter {
  q: string;
  role: Role | '';
  status: UserStatus | '';
  page: number;
}

export const EMPTY_USER_FILTER: UserFilter = { q: '', role: '', status: '', page: 1 };

/** The query of `GET /admin/users` (empty filters left out). */
export function userQuery(f: UserFilter, perPage: number): Record<string, string | number> {
  const q: Record<string, string | number> = { page: f.page, per_page: perPage };
  if (f.q.trim()) q.q = f.q.trim();
  if (f.role) q.role = f.role;
  if (f.status) q.status = f.status;
  return q;
}

export function statusOf(u: Pick<AdminUser, 'disabled' | 'email_verified' | 'invited'>): UserStatus {
  if (u.disabled) return 'disabled';
  if (u.invited) return 'invited';
  return u.email_verified ? 'active' : 'unverified';
}

export const STATUS_LABEL: Record<UserStatus, string> = { active: 'Active', disabled: 'Disabled', unverified: 'Email not confirmed', invited: 'Invited, no password yet' };
