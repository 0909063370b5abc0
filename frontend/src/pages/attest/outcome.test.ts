import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { collection, entry, supervisorPage } from './fixtures';
import { outcomeOf, plural, problemOf, viewOf } from './outcome';

describe('what a link shows', () => {
  it('chooses the view from the status', () => {
    expect(viewOf(supervisorPage())).toBe('form');
    expect(viewOf(supervisorPage({ status: 'decided' }))).toBe('decided');
    expect(viewOf(supervisorPage({ status: 'expired' }))).toBe('expired');
    expect(viewOf(supervisorPage({ status: 'voided' }))).toBe('replaced');
    expect(viewOf(supervisorPage({ link_replaced: true }))).toBe('replaced');
  });

  it('explains why a page did not load', () => {
    expect(problemOf(new ApiError(404, 'not_found', null))).toBe('unknown');
    expect(problemOf(new ApiError(429, 'rate_limited', null))).toBe('rate_limited');
    expect(problemOf(new ApiError(0, 'network', null))).toBe('offline');
    expect(problemOf(new ApiError(500, 'internal_error', null))).toBe('other');
    expect(problemOf(new Error('x'))).toBe('other');
  });

  it('sums up a decision: attested (whatever the program did since), rejected, ratings', () => {
    const p = supervisorPage({
      status: 'decided',
      signature_name: 'Sam Supervisor',
      entries: [
        entry({ id: 'a', state: 'attested' }),
        entry({ id: 'b', state: 'rejected', rejected_reason: 'Wrong day' }),
        collection('c', { state: 'approved' }),
        collection('d', { state: 'returned' }),
      ],
      ratings: [
        { competency: 'order-of-draw', rating: 'satisfactory', comment: ' ' },
        { competency: 'gone', rating: 'needs_improvement', comment: 'Slow' },
      ],
    });
    const o = outcomeOf(p);
    expect(o.attested.map((e) => e.id)).toEqual(['a', 'c', 'd']);
    expect(o.rejected.map((e) => e.id)).toEqual(['b']);
    expect(o.ratings).toEqual([
      { slug: 'order-of-draw', name: 'Follows the order of draw', rating: 'satisfactory', label: 'Satisfactory', comment: null },
      { slug: 'gone', name: 'gone', rating: 'needs_improvement', label: 'Needs improvement', comment: 'Slow' },
    ]);
  });

  it('counts in words', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(0, 'entry', 'entries')).toBe('0 entries');
    expect(plural(2, 'course')).toBe('2 courses');
  });
});
