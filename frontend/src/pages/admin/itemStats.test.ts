import { describe, expect, it } from 'vitest';
import { itemRows, weakReasons, type Item } from './itemStats';

const item = (over: Partial<Item>): Item => ({
  slug: 'q',
  bank: 'b',
  type: 'single',
  shown: 20,
  answered: 20,
  percent_correct: 60,
  mean_credit: 0.6,
  discrimination: 0.4,
  retired: false,
  ...over,
});

describe('weak questions', () => {
  it('flags low discrimination, and nearly everyone right or wrong once there are enough responses', () => {
    expect(weakReasons(item({}))).toEqual([]);
    expect(weakReasons(item({ discrimination: 0.19 }))).toEqual(['low_discrimination']);
    expect(weakReasons(item({ discrimination: 0.2 }))).toEqual([]);
    expect(weakReasons(item({ percent_correct: 97 }))).toEqual(['too_easy']);
    expect(weakReasons(item({ percent_correct: 3, discrimination: 0.1 }))).toEqual(['low_discrimination', 'too_hard']);
    // Too few responses: no flag from the percent, and no discrimination from the server.
    expect(weakReasons(item({ answered: 4, percent_correct: 100, discrimination: null }))).toEqual([]);
  });

  it('uses the server’s flags when it sends them', () => {
    expect(weakReasons(item({ weak: true, weak_reasons: ['too_hard'] }))).toEqual(['too_hard']);
    expect(weakReasons(item({ discrimination: 0.05, weak: false, weak_reasons: [] }))).toEqual([]);
  });

  it('lists weak questions first, and only them on request', () => {
    const rows = itemRows([item({ slug: 'a' }), item({ slug: 'b', discrimination: 0.1, percent_correct: 99 }), item({ slug: 'c', discrimination: 0.1 }), item({ slug: 'd', answered: 3 })], false);
    expect(rows.map((r) => [r.item.slug, r.reasons.length, r.thin])).toEqual([
      ['b', 2, false],
      ['c', 1, false],
      ['a', 0, false],
      ['d', 0, true],
    ]);
    expect(itemRows(rows.map((r) => r.item), true).map((r) => r.item.slug)).toEqual(['b', 'c']);
  });
});
