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
  weak: false,
  weak_reasons: [],
  ...over,
});

describe('weak questions', () => {
  it('uses the server’s flags', () => {
    expect(weakReasons(item({}))).toEqual([]);
    expect(weakReasons(item({ weak: true, weak_reasons: ['too_hard'] }))).toEqual(['too_hard']);
    expect(weakReasons(item({ weak: true, weak_reasons: ['low_discrimination', 'too_easy'] }))).toEqual(['low_discrimination', 'too_easy']);
    // Reasons without the flag are not shown.
    expect(weakReasons(item({ weak: false, weak_reasons: ['too_easy'] }))).toEqual([]);
  });

  it('lists weak questions first, and only them on request', () => {
    const rows = itemRows(
      [
        item({ slug: 'a' }),
        item({ slug: 'b', weak: true, weak_reasons: ['low_discrimination', 'too_easy'] }),
        item({ slug: 'c', weak: true, weak_reasons: ['low_discrimination'] }),
        item({ slug: 'd', answered: 3 }),
      ],
      false,
    );
    expect(rows.map((r) => [r.item.slug, r.reasons.length, r.thin])).toEqual([
      ['b', 2, false],
      ['c', 1, false],
      ['a', 0, false],
      ['d', 0, true],
    ]);
    expect(itemRows(rows.map((r) => r.item), true).map((r) => r.item.slug)).toEqual(['b', 'c']);
  });
});
