// The summary as the progress panel shows it: one meter per requirement, with its numbers
// in words (the bar alone says nothing to a screen reader or in a screenshot).
import { formatHours } from './labels';
import type { Measure, Summary } from './types';

export type Unit = 'hours' | 'count' | 'observations';

export interface MeterView {
  key: string;
  label: string;
  done: number;
  required: number;
  /** 0..100, for the bar. */
  percent: number;
  /** "12 of 100 hours", "20 of 50", "1 of 2 satisfactory observations". */
  text: string;
  met: boolean;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function meterOf(m: Measure, unit: Unit, key = m.slug): MeterView {
  const done = round(m.done);
  const required = round(m.required);
  const percent = required > 0 ? Math.min(100, Math.max(0, (done / required) * 100)) : 100;
  const text =
    unit === 'hours'
      ? `${done} of ${formatHours(required)}`
      : unit === 'observations'
        ? `${done} of ${required} satisfactory ${required === 1 ? 'observation' : 'observations'}`
        : `${done} of ${required}`;
  return { key, label: m.name, done, required, percent: Math.round(percent), text, met: m.met };
}

export interface MeterGroup {
  id: 'hours' | 'departments' | 'procedures' | 'competencies';
  title: string;
  meters: MeterView[];
}

/** The summary's requirements in groups: hours, each department, procedures (and the combined total), competencies. */
export function meterGroups(s: Summary): MeterGroup[] {
  const groups: MeterGroup[] = [{ id: 'hours', title: 'Clinical hours', meters: [meterOf(s.hours, 'hours', 'hours')] }];
  if (s.departments.length) {
    groups.push({ id: 'departments', title: 'Hours by department', meters: s.departments.map((d) => meterOf(d, 'hours', `department-${d.slug}`)) });
  }
  const procedures = s.procedures.map((p) => meterOf(p, 'count', `procedure-${p.slug}`));
  if (s.procedures_total) procedures.push(meterOf(s.procedures_total, 'count', 'procedures-total'));
  if (procedures.length) groups.push({ id: 'procedures', title: 'Collections', meters: procedures });
  if (s.competencies.length) {
    groups.push({ id: 'competencies', title: 'Competencies observed', meters: s.competencies.map((c) => meterOf(c, 'observations', `competency-${c.slug}`)) });
  }
  return groups;
}

/** What is submitted or attested and not yet approved, in a sentence; null when nothing is. */
export function pendingText(s: Pick<Summary, 'pending_hours' | 'pending_collections'>): string | null {
  const parts: string[] = [];
  if (s.pending_hours > 0) parts.push(formatHours(round(s.pending_hours)));
  if (s.pending_collections > 0) parts.push(`${s.pending_collections} ${s.pending_collections === 1 ? 'collection' : 'collections'}`);
  if (!parts.length) return null;
  return `${parts.join(' and ')} awaiting attestation or approval (not counted yet).`;
}
