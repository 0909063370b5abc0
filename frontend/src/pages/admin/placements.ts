// Placements' pure parts: the form as fields, its checks, the new placement's body and an
// edit's changed fields only.
import { looksLikeEmail } from './sites';
import { PLACEMENT_LIMITS, type NewPlacementBody, type Placement, type PlacementInput } from './types';

export interface PlacementForm {
  siteId: string;
  supervisorName: string;
  supervisorEmail: string;
  credential: string;
  startsOn: string;
  endsOn: string;
  departments: string[];
}

export type PlacementField = keyof PlacementForm;
export type PlacementErrors = Partial<Record<PlacementField, string>>;

export const PLACEMENT_ORDER: PlacementField[] = [
  'siteId',
  'supervisorName',
  'supervisorEmail',
  'credential',
  'startsOn',
  'endsOn',
  'departments',
];

export const EMPTY_PLACEMENT: PlacementForm = {
  siteId: '',
  supervisorName: '',
  supervisorEmail: '',
  credential: '',
  startsOn: '',
  endsOn: '',
  departments: [],
};

export function placementFormOf(p: Placement): PlacementForm {
  return {
    siteId: p.site_id,
    supervisorName: p.supervisor.name,
    supervisorEmail: p.supervisor.email,
    credential: p.supervisor.credential ?? '',
    startsOn: p.starts_on,
    endsOn: p.ends_on,
    departments: [...p.departments],
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whole days from `a` to `b` (`YYYY-MM-DD`), or null when either is not a date. */
export function daysBetween(a: string, b: string): number | null {
  if (!DAY.test(a) || !DAY.test(b)) return null;
  const t = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  const d = (t(b) - t(a)) / 86_400_000;
  return Number.isFinite(d) ? d : null;
}

/** Toggles a department in the list, keeping the course's order. */
export function toggleDepartment(list: readonly string[], slug: string, on: boolean, order: readonly string[]): string[] {
  const set = new Set(list);
  if (on) set.add(slug);
  else set.delete(slug);
  return order.filter((s) => set.has(s));
}

export function validatePlacement(f: PlacementForm): PlacementErrors {
  const e: PlacementErrors = {};
  if (!f.siteId) e.siteId = 'Choose the site.';
  const name = f.supervisorName.trim();
  if (!name) e.supervisorName = 'Enter the supervisor’s name.';
  else if (name.length > PLACEMENT_LIMITS.supervisorName) {
    e.supervisorName = `Keep the name to ${PLACEMENT_LIMITS.supervisorName} characters or fewer.`;
  }
  const email = f.supervisorEmail.trim();
  if (!email) e.supervisorEmail = 'Enter the supervisor’s email address: the attestation requests go there.';
  else if (!looksLikeEmail(email)) e.supervisorEmail = 'Enter an email address like name@example.org.';
  if (f.credential.trim().length > PLACEMENT_LIMITS.credential) {
    e.credential = `Keep the credential to ${PLACEMENT_LIMITS.credential} characters or fewer.`;
  }
  if (!DAY.test(f.startsOn)) e.startsOn = 'Enter the first day of the placement.';
  if (!DAY.test(f.endsOn)) e.endsOn = 'Enter the last day of the placement.';
  const days = daysBetween(f.startsOn, f.endsOn);
  if (days !== null && days < 0) e.endsOn = 'The last day must be on or after the first day.';
  else if (days !== null && days > PLACEMENT_LIMITS.days) e.endsOn = 'A placement can last at most three years.';
  return e;
}

export function newPlacementBody(enrolmentId: string, f: PlacementForm): NewPlacementBody {
  const body: NewPlacementBody = {
    enrolment_id: enrolmentId,
    site_id: f.siteId,
    supervisor_name: f.supervisorName.trim(),
    supervisor_email: f.supervisorEmail.trim(),
    starts_on: f.startsOn,
    ends_on: f.endsOn,
    departments: [...f.departments],
  };
  if (f.credential.trim()) body.supervisor_credential = f.credential.trim();
  return body;
}

/** Only the changed fields (an emptied credential is sent as "" to clear it); null: nothing. */
export function placementPatch(original: Placement, f: PlacementForm): PlacementInput | null {
  const was = placementFormOf(original);
  const patch: PlacementInput = {};
  if (f.siteId !== was.siteId) patch.site_id = f.siteId;
  if (f.supervisorName.trim() !== was.supervisorName) patch.supervisor_name = f.supervisorName.trim();
  if (f.supervisorEmail.trim().toLowerCase() !== was.supervisorEmail.toLowerCase()) {
    patch.supervisor_email = f.supervisorEmail.trim();
  }
  if (f.credential.trim() !== was.credential) patch.supervisor_credential = f.credential.trim();
  if (f.startsOn !== was.startsOn) patch.starts_on = f.startsOn;
  if (f.endsOn !== was.endsOn) patch.ends_on = f.endsOn;
  const sorted = (l: readonly string[]) => [...l].sort().join('\n');
  if (sorted(f.departments) !== sorted(was.departments)) patch.departments = [...f.departments];
  return Object.keys(patch).length ? patch : null;
}

/** The server's `details.field` (or code) for a refused placement, as the form's field. */
export function placementFieldOf(code: string, field: unknown): PlacementField | null {
  if (code === 'site_archived') return 'siteId';
  if (code === 'unknown_department') return 'departments';
  const map: Record<string, PlacementField> = {
    site_id: 'siteId',
    supervisor_name: 'supervisorName',
    supervisor_email: 'supervisorEmail',
    supervisor_credential: 'credential',
    starts_on: 'startsOn',
    ends_on: 'endsOn',
    departments: 'departments',
  };
  return typeof field === 'string' ? (map[field] ?? null) : null;
}
