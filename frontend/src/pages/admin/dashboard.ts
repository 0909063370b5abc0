// The progress dashboard's table state (sort, order, the at-risk filter, the search, the page)
// and what follows from it: the query of the dashboard route, the next state when a column
// header is pressed, `aria-sort`, and the words for the risk flags.
import type { DashboardSort, Learner, RiskKind, SortOrder } from './contract';

export interface DashboardState {
  sort: DashboardSort;
  order: SortOrder;
  atRisk: boolean;
  q: string;
  page: number;
}

export const DEFAULT_DASHBOARD: DashboardState = { sort: 'risk', order: 'desc', atRisk: false, q: '', page: 1 };

/** The order a column starts in: most at risk, A to Z, least progress, longest idle first. */
export const FIRST_ORDER: Record<DashboardSort, SortOrder> = { risk: 'desc', name: 'asc', progress: 'asc', last_activity: 'asc' };

/** Pressing a column's header: the same column flips its order, another starts in its first order. Back to page 1. */
export function sortBy(s: DashboardState, column: DashboardSort): DashboardState {
  const order = s.sort === column ? (s.order === 'asc' ? 'desc' : 'asc') : FIRST_ORDER[column];
  return { ...s, sort: column, order, page: 1 };
}

export function withFilter(s: DashboardState, change: Partial<Pick<DashboardState, 'atRisk' | 'q'>>): DashboardState {
  return { ...s, ...change, q: (change.q ?? s.q).trim(), page: 1 };
}

export function dashboardQuery(s: DashboardState, perPage: number): Record<string, string | number> {
  const q: Record<string, string | number> = { sort: s.sort, order: s.order, page: s.page, per_page: perPage };
  if (s.atRisk) q.at_risk = 'true';
  if (s.q) q.q = s.q;
  return q;
}

export function ariaSort(s: DashboardState, column: DashboardSort): 'ascending' | 'descending' | 'none' {
  if (s.sort !== column) return 'none';
  return s.order === 'asc' ? 'ascending' : 'descending';
}

export const RISK_LABEL: Record<RiskKind, string> = {
  inactive: 'Inactive',
  behind_schedule: 'Behind schedule',
  quiz_failed_twice: 'Quiz failed twice',
  attestation_waiting: 'Attestation waiting',
};

/** "3 of 4 quizzes passed" for the quizzes cell. */
export function quizzesText(l: Pick<Learner, 'quizzes'>): string {
  const passed = l.quizzes.filter((q) => q.passed).length;
  return `${passed} of ${l.quizzes.length} passed`;
}

/** Days since an instant, whole (0: today); null for never. */
export function daysSince(iso: string | null, now = new Date()): number | null {
  if (!iso) return null;
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.floor((now.getTime() - t) / 86_400_000));
}

export function lastActivityText(iso: string | null, now = new Date()): string {
  const d = daysSince(iso, now);
  if (d === null) return 'Never';
  if (d === 0) return 'Today';
  return d === 1 ? 'Yesterday' : `${d} days ago`;
}
