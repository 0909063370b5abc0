// The outcome report's figures as people read them (rates as percents, "not yet" for nothing to divide).
import type { Outcomes } from './contract';

export function rate(r: number | null | undefined): string {
  if (r == null || !Number.isFinite(r)) return 'Not yet';
  return `${Math.round(r * 1000) / 10}%`;
}

export function outcomeRows(o: Outcomes): { label: string; value: string }[] {
  return [
    { label: 'Enrolled', value: String(o.enrolled) },
    { label: 'Completed', value: String(o.completed) },
    { label: 'Completion rate', value: rate(o.completion_rate) },
    { label: 'Median days to complete', value: o.median_days_to_complete == null ? 'Not yet' : String(Math.round(o.median_days_to_complete * 10) / 10) },
    { label: 'Final exam passed at the first attempt', value: rate(o.final_exam_first_attempt_pass_rate) },
    { label: 'Externship completed', value: rate(o.externship_completion_rate) },
  ];
}
