// Bulk enrolment from a CSV file (`email,name`, optionally `cohort`): a dry run first, whose
// report lists every row with its outcome and the reason a row is refused; the errors are
// announced and focused. Only a file whose dry run refused nothing can then be enrolled for real
// (one transaction on the server; the same file again gives "already enrolled" for every row).
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError, describe } from '../../api/errors';
import { Alert } from '../../ui';
import { Pager, pageCount, TableWrap } from './common';
import type { Cohort, ImportReport } from './contract';
import { fileSize, groupReport, isRejected, OUTCOME, reportFromDetails } from './importReport';

const ROWS_PER_PAGE = 100;
const MAX_BYTES = 5 * 1024 * 1024;

type Outcome =
  | { kind: 'report'; report: ImportReport; fileKey: string }
  | { kind: 'error'; message: string };

const keyOf = (f: File) => `${f.name}|${f.size}|${f.lastModified}`;

export function ImportTab({ cohort, onApplied }: { cohort: Cohort; onApplied: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'dry' | 'real' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [seq, setSeq] = useState(0);
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (seq) resultRef.current?.focus();
  }, [seq]);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'dry' : 'real');
    setOutcome(null);
    try {
      const report = await api.post<ImportReport>(`/api/v1/admin/cohorts/${cohort.id}/imports`, undefined, {
        query: { dry_run: String(dryRun) },
        raw: { body: file, contentType: 'text/csv' },
      });
      setOutcome({ kind: 'report', report, fileKey: keyOf(file) });
      if (report.applied) onApplied();
    } catch (e) {
      const report = e instanceof ApiError && e.code === 'import_rejected' ? reportFromDetails(e.details) : null;
      setOutcome(report ? { kind: 'report', report, fileKey: keyOf(file) } : { kind: 'error', message: describe(e) });
    } finally {
      setBusy(null);
      setSeq((s) => s + 1);
    }
  };

  const checked = outcome?.kind === 'report' && file && outcome.fileKey === keyOf(file) ? outcome.report : null;
  const clean = checked && checked.dry_run && checked.summary.rejected === 0 && checked.rows.every((r) => !isRejected(r));
  const tooBig = file !== null && file.size > MAX_BYTES;

  return (
    <>
      <p>
        Upload a CSV file whose first line names the columns <code>email,name</code>, and optionally <code>cohort</code> (another cohort of{' '}
        {cohort.course.title} by name). Up to 10,000 learners per file. People without an account get an email to set their password.
      </p>
      <form
        className="panel"
        aria-labelledby="import-heading"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && file && !tooBig) void send(true);
        }}
      >
        <h3 id="import-heading">1. Check the file</h3>
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <p className="hint" id="import-file-hint">
            Saved as “CSV UTF-8”. Checking writes nothing.
          </p>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby="import-file-hint"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setOutcome(null);
            }}
          />
          {file && (
            <p className="small">
              {file.name}, {fileSize(file.size)}
            </p>
          )}
          {tooBig && <p className="error-text">This file is larger than 5 MB; split it into smaller files.</p>}
        </div>
        <button type="submit" className="button" disabled={!file || tooBig || busy !== null}>
          {busy === 'dry' ? 'Checking…' : 'Check the file (dry run)'}
        </button>
      </form>

      <div ref={resultRef} tabIndex={-1} className="notice import-result" aria-labelledby={outcome ? 'import-result-heading' : undefined}>
        {outcome?.kind === 'error' && (
          <Alert kind="error" title="The file could not be read">
            <p id="import-result-heading">{outcome.message}</p>
          </Alert>
        )}
        {outcome?.kind === 'report' && <ReportView key={seq} report={outcome.report} />}
      </div>

      {clean && (
        <section className="panel" aria-labelledby="import-run-heading">
          <h3 id="import-run-heading">2. Enrol them</h3>
          <p>The check refused no row. Enrolling writes every row at once; uploading the same file again changes nothing.</p>
          <button type="button" className="button" disabled={busy !== null} onClick={() => void send(false)}>
            {busy === 'real' ? 'Enrolling…' : `Enrol ${checked.summary.invited + checked.summary.enrolled} learners`}
          </button>
        </section>
      )}
    </>
  );
}

function ReportView({ report }: { report: ImportReport }) {
  const g = groupReport(report);
  const refused = g.rejected.length > 0;
  const [onlyRefused, setOnlyRefused] = useState(refused);
  const [page, setPage] = useState(1);
  const rows = onlyRefused ? g.rejected : [...g.rejected, ...g.accepted];
  const shown = rows.slice((page - 1) * ROWS_PER_PAGE, page * ROWS_PER_PAGE);
  const title = report.applied ? 'Enrolled' : report.dry_run ? 'Check result' : 'Nothing was imported';
  return (
    <>
      <Alert kind={refused ? 'error' : 'success'} title={title}>
        <p id="import-result-heading">{g.headline}</p>
      </Alert>
      <TableWrap label="Rows by outcome">
        <table className="table summary-table">
          <caption className="table-caption">Rows by outcome</caption>
          <thead>
            <tr>
              <th scope="col">Outcome</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {g.groups.map((x) => (
              <tr key={x.outcome} className={x.rejected ? 'is-refused' : undefined}>
                <th scope="row">
                  {x.label}
                  {x.rejected && <span className="badge badge-bad">Refused</span>}
                </th>
                <td>{x.rows.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {refused && (
        <label className="check-label">
          <input
            type="checkbox"
            checked={onlyRefused}
            onChange={(e) => {
              setOnlyRefused(e.target.checked);
              setPage(1);
            }}
          />
          Only the refused rows ({g.rejected.length})
        </label>
      )}
      <TableWrap label="Rows of the file">
        <table className="table import-rows">
          <caption className="table-caption">{onlyRefused ? 'Refused rows, by line of the file' : 'Every row, refused ones first'}</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Cohort</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.line}-${r.email}`} className={isRejected(r) ? 'is-refused' : undefined}>
                <th scope="row">{r.line}</th>
                <td className="cell-break">{r.email || <span className="muted">(empty)</span>}</td>
                <td>{r.name || <span className="muted">(empty)</span>}</td>
                <td>{r.cohort ?? <span className="muted">This cohort</span>}</td>
                <td>{OUTCOME[r.outcome]?.label ?? r.outcome}</td>
                <td>{r.reason ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <Pager label="Report pages" page={page} pages={pageCount(rows.length, ROWS_PER_PAGE)} onPage={setPage} />
    </>
  );
}
