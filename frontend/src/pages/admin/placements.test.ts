import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  EMPTY_PLACEMENT,
  newPlacementBody,
  placementFieldOf,
  placementFormOf,
  placementPatch,
  toggleDepartment,
  validatePlacement,
} from './placements';
import type { Placement } from './types';

const placement: Placement = {
  id: 'p1',
  enrolment_id: 'en1',
  site_id: 's1',
  site_name: 'Riverside Clinic',
  supervisor: { name: 'Sam Supervisor', email: 'sam@riverside.example', credential: 'PBT' },
  starts_on: '2026-03-01',
  ends_on: '2026-04-30',
  departments: ['outpatient'],
  cancelled: false,
  created_at: '2026-02-01T00:00:00Z',
};

const filled = {
  ...EMPTY_PLACEMENT,
  siteId: 's1',
  supervisorName: ' Sam Supervisor ',
  supervisorEmail: ' sam@riverside.example ',
  startsOn: '2026-03-01',
  endsOn: '2026-04-30',
  departments: ['inpatient', 'outpatient'],
};

describe('placements', () => {
  it('counts whole days between dates', () => {
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
    expect(daysBetween('2026-03-01', '2026-03-01')).toBe(0);
    expect(daysBetween('2026-03-02', '2026-03-01')).toBe(-1);
    expect(daysBetween('', '2026-03-01')).toBeNull();
  });

  it('keeps the course’s order of departments', () => {
    const order = ['outpatient', 'inpatient', 'lab'];
    expect(toggleDepartment([], 'lab', true, order)).toEqual(['lab']);
    expect(toggleDepartment(['lab'], 'outpatient', true, order)).toEqual(['outpatient', 'lab']);
    expect(toggleDepartment(['outpatient', 'lab'], 'outpatient', false, order)).toEqual(['lab']);
  });

  it('checks the form', () => {
    const e = validatePlacement(EMPTY_PLACEMENT);
    expect(Object.keys(e).sort()).toEqual(['endsOn', 'siteId', 'startsOn', 'supervisorEmail', 'supervisorName']);
    expect(validatePlacement(filled)).toEqual({});
    expect(validatePlacement({ ...filled, endsOn: '2026-02-28' }).endsOn).toContain('on or after');
    expect(validatePlacement({ ...filled, endsOn: '2029-03-02' }).endsOn).toContain('three years');
    expect(validatePlacement({ ...filled, supervisorEmail: 'sam' }).supervisorEmail).toContain('name@example.org');
    expect(validatePlacement({ ...filled, credential: 'x'.repeat(101) }).credential).toContain('100');
  });

  it('builds the new placement’s body', () => {
    expect(newPlacementBody('en1', filled)).toEqual({
      enrolment_id: 'en1',
      site_id: 's1',
      supervisor_name: 'Sam Supervisor',
      supervisor_email: 'sam@riverside.example',
      starts_on: '2026-03-01',
      ends_on: '2026-04-30',
      departments: ['inpatient', 'outpatient'],
    });
    expect(newPlacementBody('en1', { ...filled, credential: ' MLS(ASCP) ' }).supervisor_credential).toBe('MLS(ASCP)');
  });

  it('sends only the changed fields of an edit', () => {
    const f = placementFormOf(placement);
    expect(placementPatch(placement, f)).toBeNull();
    expect(placementPatch(placement, { ...f, endsOn: '2026-05-15', credential: '' })).toEqual({ ends_on: '2026-05-15', supervisor_credential: '' });
    expect(placementPatch(placement, { ...f, departments: ['outpatient', 'inpatient'] })).toEqual({ departments: ['outpatient', 'inpatient'] });
    expect(placementPatch(placement, { ...f, supervisorEmail: 'SAM@riverside.example' })).toBeNull();
    expect(placementPatch(placement, { ...f, siteId: 's2' })).toEqual({ site_id: 's2' });
  });

  it('puts the server’s refusals on the right field', () => {
    expect(placementFieldOf('site_archived', undefined)).toBe('siteId');
    expect(placementFieldOf('unknown_department', undefined)).toBe('departments');
    expect(placementFieldOf('invalid_input', 'ends_on')).toBe('endsOn');
    expect(placementFieldOf('invalid_input', 'other')).toBeNull();
  });
});
