// Who sees which part of the admin area. Admins see everything; staff see the sections the
// contract lets them use (their cohorts, the externship review of their cohorts' members, the
// certificates of those members, read only) and nothing that is admin only (accounts, the audit
// log, the site directory, placements, item statistics). The server applies the same rule to
// every request (accounts::staff::Scope); this only keeps staff from links that would answer 403.
import type { Role } from '../../api/types';

export type AdminSection =
  | 'home'
  | 'users'
  | 'cohorts'
  | 'cohort'
  | 'itemStats'
  | 'certificates'
  | 'audit'
  | 'sites'
  | 'placements'
  | 'review';

const STAFF_SECTIONS: ReadonlySet<AdminSection> = new Set(['home', 'cohorts', 'cohort', 'review', 'certificates']);

/** Whether the admin area is open to this role at all. */
export function canEnterAdmin(role: Role | undefined | null): boolean {
  return role === 'admin' || role === 'staff';
}

export function canUseSection(role: Role | undefined | null, section: AdminSection): boolean {
  if (role === 'admin') return true;
  if (role === 'staff') return STAFF_SECTIONS.has(section);
  return false;
}

/** Actions only an admin takes, inside sections staff also see. */
export type AdminAction = 'manageCohorts' | 'revokeCertificates';

export function canDo(role: Role | undefined | null, _action: AdminAction): boolean {
  return role === 'admin';
}
