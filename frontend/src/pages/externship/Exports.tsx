// Downloads of the record: the approved record and everything as CSV, and the PDF logbook.
// They are fetched with the session's token (a plain link would carry none) and saved.
import { useState } from 'react';
import { ApiError } from '../../api/errors';
import { Alert } from '../../ui';
import { download } from './actions';
import { useGuard } from './submitting';
import type { ExternshipPaths } from './types';

export function Exports({ paths, slug }: { paths: ExternshipPaths; slug: string }) {
  const guard = useGuard(0);
  const [error, setError] = useState<string | null>(null);
  const get = (path: string, filename: string, what: string) =>
    guard.run(async () => {
      setError(null);
      try {
        await download(path, filename);
      } catch (e) {
        const ae = e instanceof ApiError ? e : null;
        setError(ae?.status === 404 ? `The ${what} is not available on this server yet.` : (ae?.message ?? `The ${what} could not be downloaded. Try again.`));
      }
      return false;
    });
  const name = slug || 'externship';
  return (
    <section aria-labelledby="ext-export-h" className="ext-section">
      <h2 id="ext-export-h">Download your record</h2>
      <p>For your files or an employer. Downloads keep working after your enrolment ends.</p>
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      <ul className="ext-downloads">
        <li>
          <button type="button" className="link-button" disabled={guard.busy} onClick={() => void get(paths.csv('approved'), `externship-${name}-approved.csv`, 'approved record')}>
            Approved record (CSV)
          </button>
          <span className="muted small"> every approved shift and collection, with who attested it and when</span>
        </li>
        <li>
          <button type="button" className="link-button" disabled={guard.busy} onClick={() => void get(paths.csv('all'), `externship-${name}-all.csv`, 'full log')}>
            Everything (CSV)
          </button>
          <span className="muted small"> every entry, drafts, rejected and replaced ones included</span>
        </li>
        <li>
          <button type="button" className="link-button" disabled={guard.busy} onClick={() => void get(paths.pdf, `externship-${name}-logbook.pdf`, 'PDF logbook')}>
            Logbook (PDF)
          </button>
          <span className="muted small"> the approved record, ready to print</span>
        </li>
      </ul>
    </section>
  );
}
