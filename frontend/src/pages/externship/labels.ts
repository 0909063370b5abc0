// What the externship screens call things, and how they write dates, times and numbers.
import type { AgeGroup, CollectionMethod, CollectionType, EntryState } from './types';

export const TYPE_LABEL: Record<CollectionType, string> = {
  venipuncture: 'Venipuncture',
  'skin-puncture': 'Skin puncture',
  arterial: 'Arterial puncture',
};

/** Plural, for "Log 5 venipunctures". */
export const TYPE_PLURAL: Record<CollectionType, string> = {
  venipuncture: 'venipunctures',
  'skin-puncture': 'skin punctures',
  arterial: 'arterial punctures',
};

export const METHOD_LABEL: Record<CollectionMethod, string> = {
  evacuated_tube: 'Evacuated tube',
  syringe: 'Syringe',
  winged_set: 'Winged set (butterfly)',
};

export const AGE_LABEL: Record<AgeGroup, string> = {
  adult: 'Adult',
  pediatric: 'Pediatric',
  geriatric: 'Geriatric',
};

export const METHODS: readonly CollectionMethod[] = ['evacuated_tube', 'syringe', 'winged_set'];
export const AGE_GROUPS: readonly AgeGroup[] = ['adult', 'pediatric', 'geriatric'];

export const STATE_LABEL: Record<EntryState, string> = {
  draft: 'Draft',
  submitted: 'Awaiting attestation',
  attested: 'Awaiting approval',
  rejected: 'Rejected',
  approved: 'Approved',
  returned: 'Returned',
};

/** `YYYY-MM-DD` as "Tue, 3 Mar 2026" (the calendar date itself, whatever the time zone). */
export function formatDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** Minutes as "8 h 30 min", "45 min", "8 h". */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** A number of hours as people write it: 12, 8.5, 0.25. */
export function formatHours(n: number): string {
  const r = Math.round(n * 100) / 100;
  return `${r} ${r === 1 ? 'hour' : 'hours'}`;
}

/** "1 entry", "3 entries". */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
