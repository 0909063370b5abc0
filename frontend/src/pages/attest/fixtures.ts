// Test data: a supervisor's page and entries as the server sends them (used by the tests only).
import type { Entry, SupervisorPage } from './types';

export function entry(over: Partial<Entry> & { id: string }): Entry {
  return {
    kind: 'shift',
    client_id: `c-${over.id}`,
    placement_id: 'p1',
    date: '2026-03-03',
    state: 'submitted',
    shift: { start: '07:00', end: '15:30', minutes: 510, department: 'outpatient', activities: 'Outpatient draws' },
    collection: null,
    notes: null,
    attestation_id: null,
    decided_at: null,
    rejected_reason: null,
    reviewed_at: null,
    review_note: null,
    amends_id: null,
    amend_reason: null,
    superseded: false,
    created_at: '2026-03-03T16:00:00Z',
    ...over,
  };
}

export function collection(id: string, over: Partial<Entry> = {}): Entry {
  return entry({
    id,
    kind: 'collection',
    shift: null,
    collection: { shift_id: null, type: 'venipuncture', method: 'evacuated_tube', age_group: 'adult', successful: true, unaided: true },
    ...over,
  });
}

export function supervisorPage(over: Partial<SupervisorPage> = {}): SupervisorPage {
  return {
    status: 'pending',
    link_replaced: false,
    learner_name: 'Ana Learner',
    course_title: 'Demo Course',
    site_name: 'Riverside Clinic',
    supervisor_name: 'Sam Supervisor',
    placement_starts_on: '2026-03-01',
    placement_ends_on: '2026-04-30',
    sent_at: '2026-03-04T09:00:00Z',
    expires_at: '2026-03-18T09:00:00Z',
    decided_at: null,
    signature_name: null,
    departments: [
      { slug: 'outpatient', name: 'Outpatient draw station', min_hours: 4 },
      { slug: 'inpatient', name: 'Inpatient wards', min_hours: 2 },
    ],
    entries: [entry({ id: 'e1' }), collection('e2'), entry({ id: 'e3', date: '2026-03-04', shift: { start: '22:00', end: '06:00', minutes: 480, department: 'inpatient', activities: null } })],
    competencies: [
      { slug: 'patient-identification', name: 'Identifies the patient with two identifiers', observations: 2, description: null },
      { slug: 'order-of-draw', name: 'Follows the order of draw', observations: 1, description: 'Tubes in the right order.' },
    ],
    ratings: [],
    ...over,
  };
}
