// The log forms' rules, as pure functions: what the learner typed (a draft of strings), its
// problems in sentences (checked before anything is queued, so the learner hears them
// offline too), and the request body it becomes. The server checks everything again.
import type { JsonObject } from '../../offline/outbox';
import { describePhi, findPhi } from '../../offline/phi';
import { formatDay, formatMinutes } from './labels';
import type {
  AgeGroup,
  CollectionFields,
  CollectionMethod,
  CollectionType,
  Department,
  Entry,
  Overview,
  Placement,
  ShiftFields,
} from './types';

/** The most characters of a free-text field (the server's `MAX_TEXT`). */
export const MAX_TEXT = 500;
/** The most attempts one quick entry records (the server's `MAX_QUICK_ENTRY`). */
export const MAX_COUNT = 100;

export type Errors<K extends string> = Partial<Record<K, string>>;

export interface ShiftDraft {
  placementId: string;
  date: string;
  start: string;
  end: string;
  department: string;
  activities: string;
  notes: string;
}
export type ShiftField = keyof ShiftDraft;

export interface CollectionDraft {
  placementId: string;
  /** '' when not tied to a shift. */
  shiftId: string;
  date: string;
  type: CollectionType | '';
  method: CollectionMethod;
  ageGroup: AgeGroup;
  successful: boolean;
  unaided: boolean;
  count: number;
  notes: string;
}
export type CollectionField = keyof CollectionDraft;

const pad = (n: number) => String(n).padStart(2, '0');

/** Today on this device, as `YYYY-MM-DD`. */
export function localToday(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The day after `date` (`YYYY-MM-DD`). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, d! + 1));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function minutesOf(time: string): number | null {
  const t = time.slice(0, 5);
  if (!TIME.test(t)) return null;
  return Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
}

/**
 * A shift's length in minutes: an end before the start is the next day (a night shift).
 * Null when a time is missing or malformed; 0 when they are the same.
 */
export function shiftMinutes(start: string, end: string): number | null {
  const a = minutesOf(start);
  const b = minutesOf(end);
  if (a === null || b === null) return null;
  return b >= a ? b - a : b + 1440 - a;
}

/** Characters as the server counts them (Unicode scalar values) after trimming. */
export function textLength(text: string): number {
  return [...text.trim()].length;
}

// Rust's `char::is_control` (Unicode Cc), except the line breaks and tabs the server allows.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Why a free-text field would be refused (too long, control characters, patient information), or null. */
export function textProblem(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  const n = textLength(t);
  if (n > MAX_TEXT) return `Shorten this to ${MAX_TEXT} characters or fewer (it has ${n}).`;
  if (CONTROL.test(t)) return 'This has hidden control characters (perhaps from a paste). Type it again.';
  const phi = findPhi(t);
  return phi ? describePhi(phi) : null;
}

/** Placements the learner can log at on `today`: not cancelled, already started. */
export function activePlacements(placements: readonly Placement[], today: string): Placement[] {
  return placements.filter((p) => !p.cancelled && p.starts_on <= today);
}

/** The dates a placement accepts from here: its first day to its last or today, whichever is earlier. */
export function dateBounds(p: Placement, today: string): { min: string; max: string } {
  return { min: p.starts_on, max: p.ends_on < today ? p.ends_on : today };
}

/** Today, or the placement's last day when it has ended. */
export function defaultDate(p: Placement | undefined, today: string): string {
  if (!p) return today;
  return dateBounds(p, today).max;
}

/**
 * The departments a shift at `p` may name: the placement's, or the course's when the placement
 * lists none; empty when the course has no departments (the field is then hidden).
 */
export function departmentChoices(overview: Pick<Overview, 'departments'>, p: Placement | undefined): Department[] {
  if (!overview.departments.length) return [];
  if (!p || !p.departments.length) return overview.departments;
  return overview.departments.filter((d) => p.departments.includes(d.slug));
}

export interface FormContext {
  overview: Pick<Overview, 'departments' | 'collection_types' | 'max_hours_per_day' | 'placements'>;
  today: string;
}

function checkPlacementDate(placementId: string, date: string, ctx: FormContext): Errors<'placementId' | 'date'> & { placement?: Placement } {
  const placement = activePlacements(ctx.overview.placements, ctx.today).find((p) => p.id === placementId);
  const errors: Errors<'placementId' | 'date'> = {};
  if (!placement) errors.placementId = 'Choose the placement where this happened.';
  if (!DATE.test(date)) errors.date = 'Enter the date as day, month and year.';
  else if (date > ctx.today) errors.date = 'Log what has already happened: choose today or an earlier day.';
  else if (placement && (date < placement.starts_on || date > placement.ends_on)) {
    errors.date = `This placement runs from ${formatDay(placement.starts_on)} to ${formatDay(placement.ends_on)}: choose a day within it.`;
  }
  return { ...errors, placement };
}

/** The shift form's problems, by field (empty when it can be sent). */
export function validateShift(d: ShiftDraft, ctx: FormContext): Errors<ShiftField> {
  const { placement, ...errors } = checkPlacementDate(d.placementId, d.date, ctx);
  const out: Errors<ShiftField> = { ...errors };
  if (minutesOf(d.start) === null) out.start = 'Enter the time the shift started.';
  if (minutesOf(d.end) === null) out.end = 'Enter the time the shift ended.';
  const minutes = shiftMinutes(d.start, d.end);
  const max = Math.round(ctx.overview.max_hours_per_day * 60);
  if (minutes === 0) out.end = 'The shift cannot end when it starts. Check the times.';
  else if (minutes !== null && minutes > max) {
    out.end = `A shift can be at most ${formatMinutes(max)}; this one is ${formatMinutes(minutes)}. Check the times.`;
  }
  const departments = departmentChoices(ctx.overview, placement);
  if (departments.length && !departments.some((x) => x.slug === d.department)) {
    out.department = 'Choose the department you worked in.';
  }
  const activities = textProblem(d.activities);
  if (activities) out.activities = activities;
  const notes = textProblem(d.notes);
  if (notes) out.notes = notes;
  return out;
}

/** The collection form's problems, by field. */
export function validateCollection(d: CollectionDraft, ctx: FormContext, opts: { withCount?: boolean } = {}): Errors<CollectionField> {
  const { placement: _p, ...errors } = checkPlacementDate(d.placementId, d.date, ctx);
  const out: Errors<CollectionField> = { ...errors };
  if (!d.type || !ctx.overview.collection_types.includes(d.type)) out.type = 'Choose the type of collection.';
  if ((opts.withCount ?? true) && (!Number.isInteger(d.count) || d.count < 1 || d.count > MAX_COUNT)) {
    out.count = `Enter a number of attempts from 1 to ${MAX_COUNT}.`;
  }
  const notes = textProblem(d.notes);
  if (notes) out.notes = notes;
  return out;
}

/** A count kept within 1..MAX_COUNT (the stepper's buttons). */
export function clampCount(n: number): number {
  if (!Number.isFinite(n)) return 1;
  return Math.min(MAX_COUNT, Math.max(1, Math.round(n)));
}

const orNull = (s: string): string | null => (s.trim() ? s.trim() : null);

/** The shift's fields as the API takes them. */
export function shiftFields(d: ShiftDraft): ShiftFields & JsonObject {
  return {
    placement_id: d.placementId,
    date: d.date,
    start: d.start.slice(0, 5),
    end: d.end.slice(0, 5),
    department: orNull(d.department),
    activities: orNull(d.activities),
    notes: orNull(d.notes),
  };
}

/** The collection's fields as the API takes them. */
export function collectionFields(d: CollectionDraft): CollectionFields & JsonObject {
  return {
    placement_id: d.placementId,
    shift_id: d.shiftId || null,
    date: d.date,
    // validateCollection refuses an empty type before a body is made.
    type: d.type as CollectionType,
    method: d.method,
    age_group: d.ageGroup,
    successful: d.successful,
    unaided: d.unaided,
    notes: orNull(d.notes),
  };
}

/** A quick entry's body (without `client_id`: the outbox adds its entry's ID). */
export function collectionsBody(d: CollectionDraft): JsonObject {
  return { ...collectionFields(d), count: d.count };
}

export function emptyShift(placement: Placement | undefined, today: string): ShiftDraft {
  return { placementId: placement?.id ?? '', date: defaultDate(placement, today), start: '', end: '', department: '', activities: '', notes: '' };
}

export function emptyCollection(placement: Placement | undefined, today: string, types: readonly CollectionType[]): CollectionDraft {
  return {
    placementId: placement?.id ?? '',
    shiftId: '',
    date: defaultDate(placement, today),
    type: types[0] ?? '',
    method: 'evacuated_tube',
    ageGroup: 'adult',
    successful: true,
    unaided: true,
    count: 1,
    notes: '',
  };
}

/** A stored shift as a draft for its edit or correction form. */
export function shiftDraftOf(e: Entry): ShiftDraft {
  return {
    placementId: e.placement_id,
    date: e.date,
    start: e.shift?.start ?? '',
    end: e.shift?.end ?? '',
    department: e.shift?.department ?? '',
    activities: e.shift?.activities ?? '',
    notes: e.notes ?? '',
  };
}

/** A stored collection as a draft (its count is the group's). */
export function collectionDraftOf(e: Entry, count = 1): CollectionDraft {
  const c = e.collection;
  return {
    placementId: e.placement_id,
    shiftId: c?.shift_id ?? '',
    date: e.date,
    type: c?.type ?? '',
    method: c?.method ?? 'evacuated_tube',
    ageGroup: c?.age_group ?? 'adult',
    successful: c?.successful ?? true,
    unaided: c?.unaided ?? true,
    count,
    notes: e.notes ?? '',
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const METHOD_SET: readonly string[] = ['evacuated_tube', 'syringe', 'winged_set'];
const AGE_SET: readonly string[] = ['adult', 'pediatric', 'geriatric'];
const TYPE_SET: readonly string[] = ['venipuncture', 'skin-puncture', 'arterial'];

/** A queued shift's body (from the outbox) as a draft, for its Fix form. */
export function shiftDraftFromBody(b: JsonObject): ShiftDraft {
  return {
    placementId: str(b.placement_id),
    date: str(b.date),
    start: str(b.start),
    end: str(b.end),
    department: str(b.department),
    activities: str(b.activities),
    notes: str(b.notes),
  };
}

/** A queued quick entry's body as a draft. */
export function collectionDraftFromBody(b: JsonObject): CollectionDraft {
  const type = str(b.type);
  const method = str(b.method);
  const age = str(b.age_group);
  return {
    placementId: str(b.placement_id),
    shiftId: str(b.shift_id),
    date: str(b.date),
    type: TYPE_SET.includes(type) ? (type as CollectionType) : '',
    method: METHOD_SET.includes(method) ? (method as CollectionMethod) : 'evacuated_tube',
    ageGroup: AGE_SET.includes(age) ? (age as AgeGroup) : 'adult',
    successful: b.successful !== false,
    unaided: b.unaided !== false,
    count: typeof b.count === 'number' ? b.count : 1,
    notes: str(b.notes),
  };
}

/** The counted shifts at `placementId` that a collection on `date` may belong to. */
export function shiftsOn(entries: readonly Entry[], placementId: string, date: string): Entry[] {
  return entries.filter((e) => {
    if (e.kind !== 'shift' || !e.shift || e.superseded || e.state === 'rejected' || e.state === 'returned') return false;
    if (e.placement_id !== placementId) return false;
    const overnight = e.shift.end <= e.shift.start;
    return e.date === date || (overnight && nextDay(e.date) === date);
  });
}

/** The draft field a server refusal is about (from `details.field` or the code), for the form to point at. */
export function fieldOfError(code: string, details: Record<string, unknown>): ShiftField | CollectionField | 'reason' | null {
  const byName: Record<string, ShiftField | CollectionField | 'reason'> = {
    placement_id: 'placementId',
    shift_id: 'shiftId',
    age_group: 'ageGroup',
    date: 'date',
    start: 'start',
    end: 'end',
    department: 'department',
    activities: 'activities',
    notes: 'notes',
    type: 'type',
    method: 'method',
    count: 'count',
    reason: 'reason',
  };
  const field = typeof details.field === 'string' ? byName[details.field] : undefined;
  if (field) return field;
  switch (code) {
    case 'date_in_future':
    case 'outside_placement':
      return 'date';
    case 'shift_overlaps':
    case 'daily_limit_exceeded':
      return 'start';
    case 'unknown_department':
      return 'department';
    case 'too_many_collections':
      return 'count';
    case 'shift_mismatch':
      return 'shiftId';
    case 'collection_type_not_in_course':
      return 'type';
    case 'placement_cancelled':
      return 'placementId';
    default:
      return null;
  }
}

/** The sentence for a refusal: the server's own where ours is generic (`invalid_input` names the field's rule). */
export function refusalText(e: { code: string; message: string; serverMessage: string | null }): string {
  if ((e.code === 'invalid_input' || e.code === 'shift_overlaps') && e.serverMessage) return e.serverMessage;
  return e.message;
}
