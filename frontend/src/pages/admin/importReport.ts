// The bulk upload's report, for reading: each outcome's words and whether it refuses the row,
// the rows grouped (refused rows first, in file order), the sentence that sums it up, and the
// report carried by a refused real run's error details.
import type { ImportOutcome, ImportReport, RowReport } from './contract';

export const OUTCOME: Record<ImportOutcome, { label: string; rejected: boolean }> = {
  invited: { label: 'New account: invitation', rejected: false },
  enrolled: { label: 'Existing account: enrolment', rejected: false },
  already_enrolled: { label: 'Already enrolled', rejected: false },
  invalid_email: { label: 'Invalid email', rejected: true },
  invalid_name: { label: 'Invalid name', rejected: true },
  duplicate_row: { label: 'Duplicate row', rejected: true },
  capacity_exceeded: { label: 'Over capacity', rejected: true },
  unknown_cohort: { label: 'Unknown cohort', rejected: true },
};

export const isRejected = (r: Pick<RowReport, 'outcome'>) => OUTCOME[r.outcome]?.rejected ?? true;

export interface OutcomeGroup {
  outcome: ImportOutcome;
  label: string;
  rejected: boolean;
  rows: RowReport[];
}

export interface GroupedReport {
  rejected: RowReport[];
  accepted: RowReport[];
  /** Groups with at least one row: refused outcomes first, then in OUTCOME's order. */
  groups: OutcomeGroup[];
  headline: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function groupReport(report: ImportReport): GroupedReport {
  const byLine = [...report.rows].sort((a, b) => a.line - b.line);
  const rejected = byLine.filter(isRejected);
  const accepted = byLine.filter((r) => !isRejected(r));
  const order = (Object.keys(OUTCOME) as ImportOutcome[]).sort((a, b) => Number(OUTCOME[b].rejected) - Number(OUTCOME[a].rejected));
  const groups = order
    .map((outcome) => ({ outcome, ...OUTCOME[outcome], rows: byLine.filter((r) => r.outcome === outcome) }))
    .filter((g) => g.rows.length > 0);
  return { rejected, accepted, groups, headline: headline(report, rejected.length) };
}

function headline(report: ImportReport, rejected: number): string {
  const s = report.summary;
  const parts = [plural(s.invited, 'new account to invite', 'new accounts to invite'), plural(s.enrolled, 'existing account to enrol', 'existing accounts to enrol'), plural(s.already_enrolled, 'already enrolled', 'already enrolled')];
  if (report.applied) {
    return `Done: ${plural(s.invited, 'account', 'accounts')} invited, ${plural(s.enrolled, 'existing account', 'existing accounts')} enrolled, ${s.already_enrolled} already enrolled.`;
  }
  const lead = `${plural(s.rows, 'row', 'rows')} read`;
  if (rejected > 0) return `${lead}: ${plural(rejected, 'row is', 'rows are')} refused, so nothing can be imported yet. Fix ${rejected === 1 ? 'it' : 'them'} in the file and check it again.`;
  return `${lead}, none refused: ${parts.join(', ')}. Nothing is written until you enrol them.`;
}

/** The report in a refused real run's error details (`import_rejected`), when there is one. */
export function reportFromDetails(details: Record<string, unknown>): ImportReport | null {
  const candidate = (details.report ?? details) as Partial<ImportReport>;
  if (candidate && Array.isArray(candidate.rows) && candidate.summary && typeof candidate.summary === 'object') {
    return candidate as ImportReport;
  }
  return null;
}

/** A short size for the chosen file ("12.3 KB"). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
