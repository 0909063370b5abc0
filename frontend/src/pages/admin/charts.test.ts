import { describe, expect, it } from 'vitest';
import { completionSeries, completionSummary, funnelSteps, scoreBars } from './charts';

describe('chart data', () => {
  it('orders the completion series by day and measures the gap to the schedule', () => {
    const pts = completionSeries([
      { date: '2026-03-03', completed: 2, expected: 4 },
      { date: '2026-03-01', completed: 0, expected: 1 },
      { date: '2026-03-02', completed: 3, expected: 2 },
    ]);
    expect(pts.map((p) => [p.date, p.gap])).toEqual([
      ['2026-03-01', -1],
      ['2026-03-02', 1],
      ['2026-03-03', -2],
    ]);
    expect(completionSummary(pts)).toMatch(/2 completed against 4 expected: 2 behind the schedule\.$/);
    expect(completionSummary([])).toBe('No completions yet.');
    // Without a target date the server sends no schedule.
    const free = completionSeries([{ date: '2026-03-01', completed: 1, expected: null }, { date: '2026-03-02', completed: 2, expected: null }]);
    expect(free.map((p) => [p.expected, p.gap])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(completionSummary(free)).toMatch(/2 completed \(the cohort has no target date, so no schedule\)\.$/);
  });

  it('orders the funnel by module position, as a share of the first module', () => {
    const m = (position: number, title: string) => ({ slug: title.toLowerCase(), title, position });
    expect(funnelSteps([
      { module: m(2, 'Collection'), reached: 15 },
      { module: m(1, 'Safety'), reached: 20 },
      { module: m(3, 'Processing'), reached: 7 },
    ])).toEqual([
      { label: '1. Safety', reached: 20, share: 100 },
      { label: '2. Collection', reached: 15, share: 75 },
      { label: '3. Processing', reached: 7, share: 35 },
    ]);
    expect(funnelSteps([{ module: m(1, 'Safety'), reached: 0 }])[0]!.share).toBe(0);
  });

  it('labels score buckets by range, in order, with each quiz’s total', () => {
    const [q] = scoreBars([
      {
        quiz: { slug: 'final', title: 'Final exam' },
        buckets: [
          { from: 90, to: 100, count: 4 },
          { from: 0, to: 9, count: 1 },
          { from: 50, to: 59, count: 2 },
        ],
      },
    ]);
    expect(q).toEqual({
      slug: 'final',
      title: 'Final exam',
      total: 7,
      bars: [
        { range: '0–9', count: 1 },
        { range: '50–59', count: 2 },
        { range: '90–100', count: 4 },
      ],
    });
  });
});
