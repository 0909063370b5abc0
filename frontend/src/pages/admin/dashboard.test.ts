import { describe, expect, it } from 'vitest';
import { ariaSort, dashboardQuery, DEFAULT_DASHBOARD, lastActivityText, quizzesText, sortBy, withFilter } from './dashboard';

describe('the dashboard table state', () => {
  it('starts most at risk first; a column starts in its own order and flips on a second press', () => {
    expect(dashboardQuery(DEFAULT_DASHBOARD, 50)).toEqual({ sort: 'risk', order: 'desc', page: 1, per_page: 50 });
    const byName = sortBy({ ...DEFAULT_DASHBOARD, page: 4 }, 'name');
    expect(byName).toMatchObject({ sort: 'name', order: 'asc', page: 1 });
    expect(sortBy(byName, 'name')).toMatchObject({ sort: 'name', order: 'desc' });
    expect(sortBy(byName, 'progress')).toMatchObject({ sort: 'progress', order: 'asc' });
    expect(sortBy(byName, 'last_activity')).toMatchObject({ sort: 'last_activity', order: 'asc' });
    expect(ariaSort(byName, 'name')).toBe('ascending');
    expect(ariaSort(sortBy(byName, 'name'), 'name')).toBe('descending');
    expect(ariaSort(byName, 'risk')).toBe('none');
  });

  it('filters go back to page 1 and into the query; empty ones stay out', () => {
    const s = withFilter({ ...DEFAULT_DASHBOARD, page: 3 }, { atRisk: true, q: '  ana ' });
    expect(dashboardQuery(s, 50)).toEqual({ sort: 'risk', order: 'desc', page: 1, per_page: 50, at_risk: 'true', q: 'ana' });
    expect(dashboardQuery(withFilter(s, { atRisk: false, q: '' }), 50)).not.toHaveProperty('at_risk');
    expect(dashboardQuery(withFilter(s, { atRisk: false, q: '' }), 50)).not.toHaveProperty('q');
  });

  it('writes last activity and quizzes for the table', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(lastActivityText(null, now)).toBe('Never');
    expect(lastActivityText('2026-03-10T08:00:00Z', now)).toBe('Today');
    expect(lastActivityText('2026-03-09T08:00:00Z', now)).toBe('Yesterday');
    expect(lastActivityText('2026-02-28T12:00:00Z', now)).toBe('10 days ago');
    const q = (passed: boolean) => ({ slug: 's', title: 'S', best_score: 50, attempts: 1, passed });
    expect(quizzesText({ quizzes: [q(true), q(false), q(true)] })).toBe('2 of 3 passed');
  });
});
