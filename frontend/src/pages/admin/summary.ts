// A learner's externship summary as rows (pure): each requirement with what is approved.
import { formatMinutes } from '../attest/entry';
import type { Measure, Summary } from './types';

export function amount(m: Measure, hours: boolean): string {
  return hours ? `${formatMinutes(m.done * 60)} of ${formatMinutes(m.required * 60)}` : `${m.done} of ${m.required}`;
}

/** Every requirement of the summary as rows: hours, departments, procedures, competencies. */
export function summaryRows(s: Summary): { group: string; measure: Measure; hours: boolean }[] {
  return [
    { group: 'Hours', measure: s.hours, hours: true },
    ...s.departments.map((m) => ({ group: 'Department hours', measure: m, hours: true })),
    ...s.procedures.map((m) => ({ group: 'Procedures', measure: m, hours: false })),
    ...(s.procedures_total ? [{ group: 'Procedures', measure: s.procedures_total, hours: false }] : []),
    ...s.competencies.map((m) => ({ group: 'Competencies', measure: m, hours: false })),
  ];
}
