// Shared test data for the externship page's pure modules (not a test file itself).
import type { Entry, Overview, Placement } from './types';

export const placement = (over: Partial<Placement> = {}): Placement => ({
  id: 'p1',
  enrolment_id: 'e1',
  site_id: 's1',
  site_name: 'Riverside Hospital',
  supervisor: { name: 'Dana Reyes', email: 'dana@example.org', credential: 'PBT' },
  starts_on: '2026-03-01',
  ends_on: '2026-04-30',
  departments: [],
  cancelled: false,
  created_at: '2026-02-20T10:00:00Z',
  ...over,
});

export const overview = (over: Partial<Overview> = {}): Overview => ({
  enrolment_id: 'e1',
  required: true,
  total_hours: 100,
  max_hours_per_day: 12,
  departments: [],
  collection_types: ['venipuncture', 'skin-puncture'],
  competencies: [],
  placements: [placement()],
  counts: [],
  can_log: true,
  ...over,
});

let n = 0;
export const entry = (over: Partial<Entry> = {}): Entry => {
  n += 1;
  return {
    id: `x${n}`,
    kind: 'collection',
    client_id: `c${n}`,
    placement_id: 'p1',
    date: '2026-03-10',
    state: 'draft',
    shift: null,
    collection: { shift_id: null, type: 'venipuncture', method: 'evacuated_tube', age_group: 'adult', successful: true, unaided: true },
    notes: null,
    attestation_id: null,
    decided_at: null,
    rejected_reason: null,
    reviewed_at: null,
    review_note: null,
    amends_id: null,
    amend_reason: null,
    superseded: false,
    created_at: `2026-03-10T10:00:${String(n % 60).padStart(2, '0')}Z`,
    ...over,
  };
};

export const shiftEntry = (over: Partial<Entry> = {}): Entry =>
  entry({ kind: 'shift', collection: null, shift: { start: '07:00', end: '15:30', minutes: 510, department: null, activities: null }, ...over });
