import { describe, expect, it } from 'vitest';
import { departmentName, describeEntry, entryLine, formatDay, formatDays, formatMinutes } from './entry';
import { collection, entry, supervisorPage } from './fixtures';

const departments = supervisorPage().departments;

describe('entry wording', () => {
  it('formats minutes as hours and minutes', () => {
    expect(formatMinutes(510)).toBe('8 h 30 min');
    expect(formatMinutes(480)).toBe('8 h');
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(0)).toBe('0 min');
    expect(formatMinutes(-5)).toBe('0 min');
    expect(formatMinutes(89.6)).toBe('1 h 30 min');
  });

  it('formats a calendar date as that day wherever the reader is', () => {
    // Built from local parts: never the day before in a time zone west of Greenwich.
    expect(formatDay('2026-03-04', 'en-US')).toBe('Mar 4, 2026');
    expect(formatDay('2026-03-03', 'en-US', true)).toBe('Tue, Mar 3, 2026');
    expect(formatDay('not a date', 'en-US')).toBe('not a date');
    expect(formatDay(null, 'en-US')).toBe('');
    expect(formatDays('2026-03-01', '2026-04-30', 'en-US')).toBe('Mar 1, 2026 to Apr 30, 2026');
  });

  it('names departments from the course, and reads unknown slugs as words', () => {
    expect(departmentName('outpatient', departments)).toBe('Outpatient draw station');
    expect(departmentName('main-lab', [])).toBe('Main lab');
    expect(departmentName(null, departments)).toBeNull();
  });

  it('describes a shift, an overnight shift and a collection', () => {
    const day = describeEntry(entry({ id: 'a' }), departments, 'en-US');
    expect(day).toEqual({
      kind: 'Shift',
      day: 'Tue, Mar 3, 2026',
      facts: ['07:00 to 15:30, 8 h 30 min', 'Outpatient draw station'],
      activities: 'Outpatient draws',
      notes: null,
    });
    const night = describeEntry(
      entry({ id: 'b', shift: { start: '22:00', end: '06:00', minutes: 480, department: null, activities: null }, notes: '  ' }),
      departments,
      'en-US',
    );
    expect(night.facts).toEqual(['22:00 to 06:00 (ends the next day), 8 h']);
    expect(night.notes).toBeNull();
    const c = describeEntry(
      collection('c', { collection: { shift_id: null, type: 'skin-puncture', method: 'winged_set', age_group: 'pediatric', successful: true, unaided: false } }),
      departments,
      'en-US',
    );
    expect(c.kind).toBe('Skin puncture');
    expect(c.facts).toEqual(['Winged (butterfly) set', 'Pediatric patient', 'Successful, with help']);
    const failed = describeEntry(
      collection('d', { collection: { shift_id: null, type: 'venipuncture', method: 'syringe', age_group: 'adult', successful: false, unaided: false } }),
      departments,
      'en-US',
    );
    expect(failed.facts[2]).toBe('Not successful');
  });

  it('writes an entry on one line for tables', () => {
    expect(entryLine(collection('x'), departments, 'en-US')).toBe(
      'Venipuncture, Tue, Mar 3, 2026: Evacuated tube; Adult patient; Successful, unaided',
    );
  });
});
