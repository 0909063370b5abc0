import { describe, expect, it } from 'vitest';
import { amount, summaryRows } from './summary';
import type { Measure, Summary } from './types';

const m = (slug: string, done: number, required: number): Measure => ({ slug, name: slug, done, required, met: done >= required });

describe('the learner’s summary', () => {
  it('lists every requirement in reading order', () => {
    const s: Summary = {
      attempts: 9,
      certifications: [],
      hours: m('hours', 12.5, 20),
      departments: [m('outpatient', 8, 4)],
      procedures: [m('venipuncture', 3, 5)],
      procedures_total: m('total', 3, 8),
      competencies: [m('order-of-draw', 1, 1)],
      met: false,
      pending_collections: 2,
      pending_hours: 4,
    };
    expect(summaryRows(s).map((r) => `${r.group}:${r.measure.slug}`)).toEqual([
      'Hours:hours',
      'Department hours:outpatient',
      'Procedures:venipuncture',
      'Procedures:total',
      'Competencies:order-of-draw',
    ]);
    expect(summaryRows({ ...s, procedures_total: null }).length).toBe(4);
  });

  it('writes hours as hours and minutes, counts as counts', () => {
    expect(amount(m('hours', 12.5, 20), true)).toBe('12 h 30 min of 20 h');
    expect(amount(m('venipuncture', 3, 5), false)).toBe('3 of 5');
  });
});
