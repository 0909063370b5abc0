import { describe, expect, it } from 'vitest';
import { entry, overview, placement, shiftEntry } from './fixtures.test-helpers';
import {
  activePlacements,
  clampCount,
  collectionDraftFromBody,
  collectionsBody,
  dateBounds,
  defaultDate,
  departmentChoices,
  emptyCollection,
  emptyShift,
  fieldOfError,
  localToday,
  MAX_TEXT,
  nextDay,
  refusalText,
  shiftDraftFromBody,
  shiftFields,
  shiftMinutes,
  shiftsOn,
  textLength,
  textProblem,
  validateCollection,
  validateShift,
  type ShiftDraft,
} from './form';

const TODAY = '2026-03-15';
const ctx = (over = {}) => ({ overview: overview(over), today: TODAY });
const shift = (over: Partial<ShiftDraft> = {}): ShiftDraft => ({ ...emptyShift(placement(), TODAY), start: '07:00', end: '15:30', ...over });

describe('dates and times', () => {
  it('takes today from the device clock, and knows the next day across months and years', () => {
    expect(localToday(new Date(2026, 2, 5, 23, 59))).toBe('2026-03-05');
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('measures a shift, a night shift ending the next day, and refuses malformed times', () => {
    expect(shiftMinutes('07:00', '15:30')).toBe(510);
    expect(shiftMinutes('22:00', '06:00')).toBe(480);
    expect(shiftMinutes('07:00', '07:00')).toBe(0);
    expect(shiftMinutes('07:00:00', '08:15')).toBe(75);
    expect(shiftMinutes('', '08:00')).toBeNull();
    expect(shiftMinutes('24:00', '08:00')).toBeNull();
  });
});

describe('free text', () => {
  it('counts characters as the server does (code points, trimmed)', () => {
    expect(textLength('  ab  ')).toBe(2);
    expect(textLength('🩸🩸')).toBe(2);
  });

  it('refuses patient information with the sentence quoting it, too much text and control characters', () => {
    expect(textProblem('')).toBeNull();
    expect(textProblem('Drew 14 tubes, 21G, order of draw checked')).toBeNull();
    expect(textProblem('Patient MRN 1234567, difficult veins')).toContain('“1234567”');
    expect(textProblem('call back 555-123-4567')).toContain('phone number');
    expect(textProblem('x'.repeat(MAX_TEXT))).toBeNull();
    expect(textProblem('x'.repeat(MAX_TEXT + 1))).toBe(`Shorten this to ${MAX_TEXT} characters or fewer (it has ${MAX_TEXT + 1}).`);
    expect(textProblem('a\u0007b')).toContain('control characters');
    expect(textProblem('line one\nline two\ttab')).toBeNull();
  });
});

describe('placements, dates and departments', () => {
  it('offers placements that are not cancelled and have started', () => {
    const list = [placement({ id: 'a' }), placement({ id: 'b', cancelled: true }), placement({ id: 'c', starts_on: '2026-04-01' })];
    expect(activePlacements(list, TODAY).map((p) => p.id)).toEqual(['a']);
  });

  it('bounds the date by the placement and today, and defaults to the last allowed day', () => {
    expect(dateBounds(placement(), TODAY)).toEqual({ min: '2026-03-01', max: TODAY });
    const ended = placement({ ends_on: '2026-03-10' });
    expect(dateBounds(ended, TODAY)).toEqual({ min: '2026-03-01', max: '2026-03-10' });
    expect(defaultDate(ended, TODAY)).toBe('2026-03-10');
    expect(defaultDate(undefined, TODAY)).toBe(TODAY);
  });

  it("uses the placement's departments, the course's when it lists none, and none when the course has none", () => {
    const deps = [
      { slug: 'chem', name: 'Chemistry', min_hours: 40 },
      { slug: 'heme', name: 'Hematology', min_hours: 40 },
    ];
    expect(departmentChoices({ departments: [] }, placement({ departments: ['chem'] }))).toEqual([]);
    expect(departmentChoices({ departments: deps }, placement())).toEqual(deps);
    expect(departmentChoices({ departments: deps }, placement({ departments: ['heme'] })).map((d) => d.slug)).toEqual(['heme']);
  });
});

describe('the shift form', () => {
  it('accepts a complete shift, and says what is wrong with each field otherwise', () => {
    expect(validateShift(shift(), ctx())).toEqual({});
    const e = validateShift(shift({ placementId: 'nope', date: '2026-03-16', start: '', end: '25:00', notes: 'DOB 3/4/1950' }), ctx());
    expect(Object.keys(e).sort()).toEqual(['date', 'end', 'notes', 'placementId', 'start']);
    expect(e.date).toContain('already happened');
    expect(e.notes).toContain('date of birth');
  });

  it('refuses a date outside the placement, an empty shift and one longer than a day allows', () => {
    expect(validateShift(shift({ date: '2026-02-27' }), ctx()).date).toContain('runs from');
    expect(validateShift(shift({ end: '07:00' }), ctx()).end).toContain('cannot end when it starts');
    expect(validateShift(shift({ start: '06:00', end: '19:00' }), ctx()).end).toBe('A shift can be at most 12 h; this one is 13 h. Check the times.');
    expect(validateShift(shift({ start: '19:00', end: '07:00' }), ctx())).toEqual({});
  });

  it('asks for a department only when the course has some', () => {
    const deps = [{ slug: 'chem', name: 'Chemistry', min_hours: 40 }];
    expect(validateShift(shift(), ctx({ departments: deps })).department).toBe('Choose the department you worked in.');
    expect(validateShift(shift({ department: 'chem' }), ctx({ departments: deps }))).toEqual({});
  });

  it('becomes the API body, with empty text as null, and back', () => {
    const body = shiftFields(shift({ activities: '  Outpatient draws ', notes: ' ' }));
    expect(body).toEqual({ placement_id: 'p1', date: TODAY, start: '07:00', end: '15:30', department: null, activities: 'Outpatient draws', notes: null });
    expect(shiftDraftFromBody(body)).toEqual(shift({ activities: 'Outpatient draws' }));
  });
});

describe('the quick-log form', () => {
  const draft = () => emptyCollection(placement(), TODAY, ['venipuncture', 'skin-puncture']);

  it('starts on the first type of the course, one successful unaided adult attempt by evacuated tube', () => {
    expect(draft()).toMatchObject({ type: 'venipuncture', method: 'evacuated_tube', ageGroup: 'adult', successful: true, unaided: true, count: 1, date: TODAY });
  });

  it('refuses a type the course does not log and a count outside 1..100 (unless the count is fixed)', () => {
    expect(validateCollection(draft(), ctx())).toEqual({});
    expect(validateCollection({ ...draft(), type: 'arterial' }, ctx()).type).toBeDefined();
    expect(validateCollection({ ...draft(), count: 0 }, ctx()).count).toBe('Enter a number of attempts from 1 to 100.');
    expect(validateCollection({ ...draft(), count: 101 }, ctx()).count).toBeDefined();
    expect(validateCollection({ ...draft(), count: 2.5 }, ctx()).count).toBeDefined();
    expect(validateCollection({ ...draft(), count: Number.NaN }, ctx(), { withCount: false })).toEqual({});
    expect(validateCollection({ ...draft(), notes: 'Mrs Smith, 555 123 4567' }, ctx()).notes).toContain('phone');
  });

  it('keeps the stepper within 1..100', () => {
    expect([clampCount(0), clampCount(5), clampCount(101), clampCount(Number.NaN), clampCount(4.6)]).toEqual([1, 5, 100, 1, 5]);
  });

  it('becomes a quick-entry body with its count, and back', () => {
    const body = collectionsBody({ ...draft(), count: 10, shiftId: 's9', successful: false });
    expect(body).toEqual({
      placement_id: 'p1',
      shift_id: 's9',
      date: TODAY,
      type: 'venipuncture',
      method: 'evacuated_tube',
      age_group: 'adult',
      successful: false,
      unaided: true,
      notes: null,
      count: 10,
    });
    expect(collectionDraftFromBody(body)).toEqual({ ...draft(), count: 10, shiftId: 's9', successful: false });
    expect(collectionDraftFromBody({ type: 'bogus', method: 1 }).type).toBe('');
  });

  it("offers the day's counted shifts at the placement, a night shift on the day it ends too", () => {
    const day = shiftEntry({ id: 'day', date: '2026-03-10' });
    const night = shiftEntry({ id: 'night', date: '2026-03-09', shift: { start: '22:00', end: '06:00', minutes: 480, department: null, activities: null } });
    const other = shiftEntry({ id: 'other', placement_id: 'p2', date: '2026-03-10' });
    const rejected = shiftEntry({ id: 'rejected', state: 'rejected', date: '2026-03-10' });
    const old = shiftEntry({ id: 'old', superseded: true, date: '2026-03-10' });
    const list = [day, night, other, rejected, old, entry()];
    expect(shiftsOn(list, 'p1', '2026-03-10').map((e) => e.id)).toEqual(['day', 'night']);
    expect(shiftsOn(list, 'p1', '2026-03-09').map((e) => e.id)).toEqual(['night']);
  });
});

describe('server refusals', () => {
  it('point at the field they are about', () => {
    expect(fieldOfError('phi_suspected', { field: 'notes' })).toBe('notes');
    expect(fieldOfError('invalid_input', { field: 'shift_id' })).toBe('shiftId');
    expect(fieldOfError('outside_placement', {})).toBe('date');
    expect(fieldOfError('daily_limit_exceeded', {})).toBe('start');
    expect(fieldOfError('too_many_collections', {})).toBe('count');
    expect(fieldOfError('nothing_to_submit', {})).toBeNull();
  });

  it("use the server's sentence where the app's is generic", () => {
    expect(refusalText({ code: 'invalid_input', message: 'Generic.', serverMessage: 'A shift must end after it starts.' })).toBe('A shift must end after it starts.');
    expect(refusalText({ code: 'phi_suspected', message: 'Ours.', serverMessage: 'Theirs.' })).toBe('Ours.');
  });
});
