import { describe, expect, it } from 'vitest';
import type { ImportReport, RowReport } from './contract';
import { groupReport, reportFromDetails } from './importReport';

const row = (line: number, outcome: RowReport['outcome'], reason: string | null = null): RowReport => ({
  line,
  email: `p${line}@example.org`,
  name: `P ${line}`,
  cohort: null,
  outcome,
  reason,
});

const report = (rows: RowReport[], over: Partial<ImportReport> = {}): ImportReport => ({
  dry_run: true,
  applied: false,
  summary: {
    rows: rows.length,
    invited: rows.filter((r) => r.outcome === 'invited').length,
    enrolled: rows.filter((r) => r.outcome === 'enrolled').length,
    already_enrolled: rows.filter((r) => r.outcome === 'already_enrolled').length,
    rejected: rows.filter((r) => !['invited', 'enrolled', 'already_enrolled'].includes(r.outcome)).length,
  },
  rows,
  ...over,
});

describe('the bulk upload report', () => {
  it('puts refused rows first, in line order, and groups every outcome present', () => {
    const g = groupReport(
      report([row(4, 'invited'), row(2, 'duplicate_row', 'Same email as line 1'), row(3, 'enrolled'), row(6, 'invalid_email', 'No @'), row(5, 'already_enrolled')]),
    );
    expect(g.rejected.map((r) => r.line)).toEqual([2, 6]);
    expect(g.accepted.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(g.groups.map((x) => [x.outcome, x.rows.length, x.rejected])).toEqual([
      ['invalid_email', 1, true],
      ['duplicate_row', 1, true],
      ['invited', 1, false],
      ['enrolled', 1, false],
      ['already_enrolled', 1, false],
    ]);
    expect(g.headline).toBe('5 rows read: 2 rows are refused, so nothing can be imported yet. Fix them in the file and check it again.');
  });

  it('says what a clean dry run would do, and what a real run did', () => {
    const clean = report([row(2, 'invited'), row(3, 'enrolled')]);
    expect(groupReport(clean).headline).toBe(
      '2 rows read, none refused: 1 new account to invite, 1 existing account to enrol, 0 already enrolled. Nothing is written until you enrol them.',
    );
    expect(groupReport({ ...clean, dry_run: false, applied: true }).headline).toBe('Done: 1 account invited, 1 existing account enrolled, 0 already enrolled.');
    expect(groupReport(report([row(2, 'capacity_exceeded', 'Full')])).headline).toContain('1 row is refused');
  });

  it('finds the report in a refused real run’s error details, bare or under `report`', () => {
    const r = report([row(2, 'unknown_cohort', 'No cohort “B”')], { dry_run: false });
    expect(reportFromDetails(r as unknown as Record<string, unknown>)).toEqual(r);
    expect(reportFromDetails({ report: r })).toEqual(r);
    expect(reportFromDetails({ line: 3 })).toBeNull();
  });
});
