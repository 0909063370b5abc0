// The audit log's filters as text fields, and the query of the list and of its export (the same
// filters, so the file holds what the screen shows). Days are read as whole UTC days.
export interface AuditFilter {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { actor: '', action: '', subjectType: '', subjectId: '', from: '', to: '' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export type AuditErrors = Partial<Record<keyof AuditFilter, string>>;

export function validateAudit(f: AuditFilter): AuditErrors {
  const e: AuditErrors = {};
  if (f.actor.trim() && !UUID.test(f.actor.trim())) e.actor = 'Enter the account’s ID (a UUID), or leave it empty.';
  if (f.subjectId.trim() && !UUID.test(f.subjectId.trim())) e.subjectId = 'Enter the record’s ID (a UUID), or leave it empty.';
  if (f.from && !DAY.test(f.from)) e.from = 'Enter a date, or leave it empty.';
  if (f.to && !DAY.test(f.to)) e.to = 'Enter a date, or leave it empty.';
  if (!e.from && !e.to && f.from && f.to && f.to < f.from) e.to = 'The last day must be on or after the first.';
  return e;
}

/** The filters of `GET /admin/audit` and `/admin/audit/export.csv` (empty ones left out). */
export function auditFilterQuery(f: AuditFilter): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.actor.trim()) q.actor = f.actor.trim();
  if (f.action.trim()) q.action = f.action.trim();
  if (f.subjectType.trim()) q.subject_type = f.subjectType.trim();
  if (f.subjectId.trim()) q.subject_id = f.subjectId.trim();
  if (f.from) q.from = `${f.from}T00:00:00Z`;
  if (f.to) q.to = `${f.to}T23:59:59.999Z`;
  return q;
}

export function auditQuery(f: AuditFilter, page: number, perPage: number): Record<string, string | number> {
  return { ...auditFilterQuery(f), page, per_page: perPage };
}

/** An event's details, one line ("reason: moved by request; from: …"), for the table. */
export function detailsText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}
