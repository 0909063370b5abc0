// How an entry of the log reads: a title ("Shift, Tue 3 Mar 2026") and its facts, for the
// supervisor's cards and the program's review table. Pure, so the tests pin the wording.
import type { AgeGroup, CollectionMethod, CollectionType, Department, Entry } from './types';

export const COLLECTION_TYPES: Record<CollectionType, string> = {
  venipuncture: 'Venipuncture',
  'skin-puncture': 'Skin puncture',
  arterial: 'Arterial puncture',
};

export const METHODS: Record<CollectionMethod, string> = {
  evacuated_tube: 'Evacuated tube',
  syringe: 'Syringe',
  winged_set: 'Winged (butterfly) set',
};

export const AGE_GROUPS: Record<AgeGroup, string> = {
  adult: 'Adult patient',
  pediatric: 'Pediatric patient',
  geriatric: 'Geriatric patient',
};

/** A calendar date (`YYYY-MM-DD`) as the reader's locale writes it, in local time (a plain
 * `new Date('2026-03-04')` is UTC midnight, which is the day before west of Greenwich). */
export function formatDay(iso: string | null | undefined, locale?: string, weekday = false): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  if (!m) return iso ?? '';
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.toLocaleDateString(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...(weekday ? { weekday: 'short' as const } : {}),
  });
}

/** A date range of whole days: "Mar 2, 2026 to Apr 30, 2026". */
export function formatDays(from: string, to: string, locale?: string): string {
  return `${formatDay(from, locale)} to ${formatDay(to, locale)}`;
}

/** Minutes as hours and minutes: 510 -> "8 h 30 min", 45 -> "45 min", 480 -> "8 h". */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return `${rest} min`;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/** A department's name from the course's list; a slug not on it reads as words ("main-lab": "Main lab"). */
export function departmentName(slug: string | null | undefined, departments: readonly Department[]): string | null {
  if (!slug) return null;
  const known = departments.find((d) => d.slug === slug)?.name;
  if (known) return known;
  const words = slug.replace(/[-_]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : slug;
}

export interface EntryView {
  /** "Shift" or the collection type. */
  kind: string;
  /** The entry's day, formatted. */
  day: string;
  /** Short facts, in reading order ("07:00 to 15:30 (8 h 30 min)", "Outpatient"...). */
  facts: string[];
  /** What was done (a shift's activities). */
  activities: string | null;
  notes: string | null;
}

export function describeEntry(entry: Entry, departments: readonly Department[], locale?: string): EntryView {
  const day = formatDay(entry.date, locale, true);
  const notes = entry.notes?.trim() || null;
  if (entry.shift) {
    const s = entry.shift;
    const overnight = s.end <= s.start ? ' (ends the next day)' : '';
    const facts = [`${s.start} to ${s.end}${overnight}, ${formatMinutes(s.minutes)}`];
    const dept = departmentName(s.department, departments);
    if (dept) facts.push(dept);
    return { kind: 'Shift', day, facts, activities: s.activities?.trim() || null, notes };
  }
  if (entry.collection) {
    const c = entry.collection;
    const outcome = c.successful ? (c.unaided ? 'Successful, unaided' : 'Successful, with help') : 'Not successful';
    return {
      kind: COLLECTION_TYPES[c.type] ?? c.type,
      day,
      facts: [METHODS[c.method] ?? c.method, AGE_GROUPS[c.age_group] ?? c.age_group, outcome],
      activities: null,
      notes,
    };
  }
  return { kind: entry.kind === 'shift' ? 'Shift' : 'Collection', day, facts: [], activities: null, notes };
}

/** One line for a table cell or a list: "Shift, Tue, Mar 3, 2026: 07:00 to 15:30, 8 h 30 min; Outpatient". */
export function entryLine(entry: Entry, departments: readonly Department[], locale?: string): string {
  const v = describeEntry(entry, departments, locale);
  return `${v.kind}, ${v.day}${v.facts.length ? `: ${v.facts.join('; ')}` : ''}`;
}
