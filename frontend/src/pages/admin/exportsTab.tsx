// A cohort's CSV exports (UTF-8 with a byte-order mark, so spreadsheets read names right; cells
// that could run as formulas are neutralised by the server). Each is fetched with the session's
// token and saved under a file name naming the cohort.
import { useState } from 'react';
import { Alert } from '../../ui';
import { describe } from '../../api/errors';
import type { Cohort, ExportKind } from './contract';
import { saveFile } from './download';
import { exportFileName } from './exports';

const EXPORTS: { kind: ExportKind; label: string; description: string }[] = [
  { kind: 'progress', label: 'Progress', description: 'Every learner: percent complete, last activity, module reached, risk flags.' },
  { kind: 'attempts', label: 'Quiz attempts', description: 'Every submitted attempt, with its score.' },
  { kind: 'externship', label: 'Externship logs', description: 'Shifts and collections, with their attestation.' },
  { kind: 'certificates', label: 'Certificates', description: 'The certificates of the cohort’s learners, with their state.' },
];

export function ExportsTab({ cohort }: { cohort: Cohort }) {
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = async (kind: ExportKind) => {
    setBusy(kind);
    setError(null);
    try {
      await saveFile(`/api/v1/admin/cohorts/${cohort.id}/exports/${kind}.csv`, exportFileName(cohort.name, kind));
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      <ul className="cards admin-cards">
        {EXPORTS.map((x) => (
          <li key={x.kind} className="card">
            <h3>{x.label}</h3>
            <p>{x.description}</p>
            <button type="button" className="button secondary" disabled={busy !== null} onClick={() => void get(x.kind)}>
              {busy === x.kind ? 'Preparing…' : `Download ${x.label.toLowerCase()} (CSV)`}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
