// The members tab's pure parts: the list's query, the words for states, and the checks of the
// add, move and extend forms.
import type { Cohort, Member, MemberState } from './contract';

export const MEMBER_STATE: Record<MemberState, string> = {
  active: 'Active',
  completed: 'Completed',
  withdrawn: 'Withdrawn',
  expired: 'Access expired',
};

export interface MemberFilter {
  q: string;
  state: MemberState | '';
  page: number;
}

export const EMPTY_MEMBER_FILTER: MemberFilter = { q: '', state: '', page: 1 };

export function memberQuery(f: MemberFilter, perPage: number): Record<string, string | number> {
  const q: Record<string, string | number> = { page: f.page, per_page: perPage };
  if (f.q.trim()) q.q = f.q.trim();
  if (f.state) q.state = f.state;
  return q;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

export function checkEmail(v: string): string | null {
  const e = v.trim();
  if (!e) return 'Enter the learner’s email address.';
  if (!EMAIL.test(e) || e.length > 254) return 'Enter an email address like name@example.org.';
  return null;
}

/** The cohorts a member may move to: same course, not this one, not archived. */
export function moveTargets(all: readonly Cohort[], from: Cohort): Cohort[] {
  return all.filter((c) => c.id !== from.id && c.course.slug === from.course.slug && !c.archived_at);
}

/** A new access end from a date field (`YYYY-MM-DD`, end of that day UTC); an error sentence otherwise. */
export function extendTo(date: string, member: Pick<Member, 'access_expires_at'>, today = new Date()): { at: string } | { error: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { error: 'Enter the new last day of access.' };
  const at = new Date(`${date}T23:59:59Z`);
  if (Number.isNaN(at.getTime())) return { error: 'Enter the new last day of access.' };
  if (at.getTime() < today.getTime()) return { error: 'The new last day must be today or later.' };
  if (at.getTime() <= new Date(member.access_expires_at).getTime()) {
    return { error: 'The new last day must be after the current one.' };
  }
  return { at: at.toISOString() };
}
