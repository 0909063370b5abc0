// The cohort list's and form's pure parts: the list's query, the form as text fields, its
// checks, and the request bodies (a new cohort; only the changed fields of an edited one).
import type { Cohort, UpdateCohort, CohortStatusFilter, CreateCohort } from './contract';

export interface CohortListFilter {
  q: string;
  course: string;
  status: CohortStatusFilter;
  page: number;
}

export const EMPTY_COHORT_FILTER: CohortListFilter = { q: '', course: '', status: 'active', page: 1 };

export function cohortQuery(f: CohortListFilter, perPage: number): Record<string, string | number> {
  const q: Record<string, string | number> = { status: f.status, page: f.page, per_page: perPage };
  if (f.q.trim()) q.q = f.q.trim();
  if (f.course) q.course = f.course;
  return q;
}

export interface CohortForm {
  course: string;
  name: string;
  startsOn: string;
  targetOn: string;
  capacity: string;
  staff: string[];
}

export type CohortField = 'course' | 'name' | 'startsOn' | 'targetOn' | 'capacity';
export type CohortErrors = Partial<Record<CohortField, string>>;

export const EMPTY_COHORT: CohortForm = { course: '', name: '', startsOn: '', targetOn: '', capacity: '', staff: [] };

export function cohortFormOf(c: Cohort): CohortForm {
  return {
    course: c.course.slug,
    name: c.name,
    startsOn: c.starts_on,
    targetOn: c.target_on ?? '',
    capacity: c.capacity === null ? '' : String(c.capacity),
    staff: c.staff.map((s) => s.id),
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The server's limits (src/cohorts/input.rs; the OpenAPI document does not state them). */
export const COHORT_NAME_MAX = 200;
export const CAPACITY_MAX = 100_000;

export function validateCohort(f: CohortForm): CohortErrors {
  const e: CohortErrors = {};
  if (!f.course) e.course = 'Choose the course.';
  const name = f.name.trim();
  if (!name) e.name = 'Enter the cohort’s name.';
  else if (name.length > COHORT_NAME_MAX) e.name = `Keep the name to ${COHORT_NAME_MAX} characters or fewer.`;
  if (!DATE.test(f.startsOn)) e.startsOn = 'Enter the start date.';
  if (f.targetOn && !DATE.test(f.targetOn)) e.targetOn = 'Enter a date, or leave it empty.';
  else if (f.targetOn && DATE.test(f.startsOn) && f.targetOn < f.startsOn) e.targetOn = 'The target date must be on or after the start date.';
  if (f.capacity.trim()) {
    const n = Number(f.capacity.trim());
    if (!Number.isInteger(n) || n < 1 || n > CAPACITY_MAX) e.capacity = `Enter a whole number of learners (1 to ${CAPACITY_MAX.toLocaleString('en')}), or leave it empty for no limit.`;
  }
  return e;
}

const capacityOf = (s: string): number | null => (s.trim() ? Number(s.trim()) : null);

export function newCohortBody(f: CohortForm): CreateCohort {
  return {
    course: f.course,
    name: f.name.trim(),
    starts_on: f.startsOn,
    target_on: f.targetOn || null,
    capacity: capacityOf(f.capacity),
    staff: f.staff,
  };
}

/** Only what changed; null: nothing. The course of a cohort does not change. */
export function cohortPatch(c: Cohort, f: CohortForm): UpdateCohort | null {
  const was = cohortFormOf(c);
  const p: UpdateCohort = {};
  if (f.name.trim() !== was.name) p.name = f.name.trim();
  if (f.startsOn !== was.startsOn) p.starts_on = f.startsOn;
  if (f.targetOn !== was.targetOn) p.target_on = f.targetOn || null;
  if (capacityOf(f.capacity) !== c.capacity) p.capacity = capacityOf(f.capacity);
  if ([...f.staff].sort().join() !== [...was.staff].sort().join()) p.staff = f.staff;
  return Object.keys(p).length ? p : null;
}

/** The server's `details.field` as the form's field. */
export function cohortFieldOf(field: unknown): CohortField | null {
  const map: Record<string, CohortField> = { course: 'course', name: 'name', starts_on: 'startsOn', target_on: 'targetOn', capacity: 'capacity' };
  return typeof field === 'string' ? (map[field] ?? null) : null;
}

/** "12 of 30 places" / "12 active, no limit". */
export function placesText(c: Pick<Cohort, 'capacity' | 'members'>): string {
  return c.capacity === null ? `${c.members.active} active, no limit` : `${c.members.active} of ${c.capacity} places`;
}
