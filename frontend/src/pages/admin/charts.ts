// The charts' data, shaped from the charts route's answer: one row per day of the completion
// series (completed against the schedule implied by the target date), one per module of the
// funnel in course order (with its share of the first module's learners), one per score bucket
// of each quiz. The same rows feed the chart and the table beside it. A cohort without a target
// date has no schedule: its points expect nothing (`expected` and `gap` null).
import type { Charts } from './contract';

export interface CompletionPoint {
  date: string;
  completed: number;
  /** Members the schedule expects completed by this day; null without a target date. */
  expected: number | null;
  /** Completed minus expected (negative: behind); null without a schedule. */
  gap: number | null;
}

export function completionSeries(c: Charts['completion']): CompletionPoint[] {
  return [...c].sort((a, b) => a.date.localeCompare(b.date)).map((p) => {
    const expected = p.expected ?? null;
    return { date: p.date, completed: p.completed, expected, gap: expected === null ? null : p.completed - expected };
  });
}

export interface FunnelStep {
  label: string;
  reached: number;
  /** Percent of the learners who reached the first module (0..100, whole). */
  share: number;
}

export function funnelSteps(f: Charts['funnel']): FunnelStep[] {
  const steps = [...f].sort((a, b) => a.module.position - b.module.position);
  const first = steps[0]?.reached ?? 0;
  return steps.map((s) => ({
    label: `${s.module.position}. ${s.module.title}`,
    reached: s.reached,
    share: first > 0 ? Math.round((s.reached / first) * 100) : 0,
  }));
}

export interface ScoreBar {
  range: string;
  count: number;
}

export interface QuizScores {
  slug: string;
  title: string;
  bars: ScoreBar[];
  total: number;
}

/** "0–9", …, "90–100": each bucket as its range of percent scores. */
export function scoreBars(scores: Charts['scores']): QuizScores[] {
  return scores.map((s) => {
    const bars = [...s.buckets].sort((a, b) => a.from - b.from).map((b) => ({ range: `${b.from}–${b.to}`, count: b.count }));
    return { slug: s.quiz.slug, title: s.quiz.title, bars, total: bars.reduce((n, b) => n + b.count, 0) };
  });
}

/** A short day for an axis ("3 Mar"). */
export function shortDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** The completion series summed up in one sentence (for the chart's label). */
export function completionSummary(points: readonly CompletionPoint[]): string {
  const last = points.at(-1);
  if (!last) return 'No completions yet.';
  const gap = last.gap;
  if (gap === null || last.expected === null) return `By ${shortDay(last.date)}, ${last.completed} completed (the cohort has no target date, so no schedule).`;
  const where = gap === 0 ? 'on schedule' : gap > 0 ? `${gap} ahead of the schedule` : `${-gap} behind the schedule`;
  return `By ${shortDay(last.date)}, ${last.completed} completed against ${last.expected} expected: ${where}.`;
}
