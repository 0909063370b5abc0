// The learner's certificates at /certificates: one card per certificate, newest first, with
// what it certifies, its status in words, and (while it is valid or merely expired) the PDF,
// the verification link to copy, LinkedIn and the signed credential.
import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Link, usePageTitle } from '../../router';
import { Alert, Empty, ErrorState, Loading, useLoad } from '../../ui';
import { contactHours, defaultPaper, externshipLine, formatLongDate, statusOf, verifyPath, type Paper } from './format';
import { save, type Download } from './download';
import { StatusIcon } from './icons';
import type { Certificate } from './types';
import './certificates.css';

export function CertificatesPage() {
  usePageTitle('My certificates');
  const list = useLoad((signal) => api.get<Certificate[]>('/api/v1/me/certificates', { signal }), 'certificates');
  return (
    <section className="certs">
      <p className="breadcrumb">
        <Link href="/dashboard">My learning</Link>
      </p>
      <h1>My certificates</h1>
      {list.loading && !list.data && <Loading label="Loading your certificates…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.data && list.data.length === 0 && (
        <Empty>
          <p>
            <strong>Complete a course to earn a certificate.</strong>
          </p>
          <p>
            When you finish every requirement of a course, its certificate appears here, ready to download and share. If
            you have just finished one, it can take a moment: reload this page shortly.
          </p>
          <p>
            <Link href="/dashboard" className="button">
              Go to my learning
            </Link>
          </p>
        </Empty>
      )}
      {list.data && list.data.length > 0 && (
        <>
          <p>
            Employers can check each certificate with its code or its verification link, without an account. Your name
            appears as it was on your account when the certificate was issued.
          </p>
          <ul className="cert-list">
            {list.data.map((c) => (
              <CertificateCard key={c.id} c={c} all={list.data!} onChanged={list.reload} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function CertificateCard({ c, all, onChanged }: { c: Certificate; all: Certificate[]; onChanged: () => void }) {
  const headingId = useId();
  const status = statusOf(c);
  const externship = externshipLine(c.externship);
  const newer = c.superseded_by ? all.find((x) => x.id === c.superseded_by) : undefined;
  return (
    <li className={`card cert-card cert-${c.status}`} id={`certificate-${c.id}`}>
      <article aria-labelledby={headingId}>
        <h2 className="h3" id={headingId}>
          {c.course.title}
        </h2>
        <p className={`cert-status cert-status-${c.status}`}>
          <span className="cert-badge">
            <StatusIcon kind={c.status} className="cert-icon" />
            {status.badge}
          </span>{' '}
          <span>{status.text}</span>
          {newer && (
            <>
              {' '}
              <a href={`#certificate-${newer.id}`}>See the newer certificate</a>
            </>
          )}
        </p>
        <dl className="cert-facts">
          <div>
            <dt>Awarded to</dt>
            <dd>{c.holder_name}</dd>
          </div>
          <div>
            <dt>Completed</dt>
            <dd>{formatLongDate(c.completed_at)}</dd>
          </div>
          <div>
            <dt>Contact hours</dt>
            <dd>{contactHours(c.contact_hours)}</dd>
          </div>
          {externship && (
            <div className="cert-wide">
              <dt>Clinical externship</dt>
              <dd>{externship}</dd>
            </div>
          )}
          <div>
            <dt>Serial number</dt>
            <dd>{c.serial}</dd>
          </div>
          <div className="cert-code-cell">
            <dt>Verification code</dt>
            <dd className="cert-code">{c.code}</dd>
          </div>
        </dl>
        {status.shareable ? (
          <Actions c={c} onChanged={onChanged} />
        ) : (
          <p>
            <Link href={verifyPath(c.code)}>What employers see for this code</Link>
          </p>
        )}
      </article>
    </li>
  );
}

function Actions({ c, onChanged }: { c: Certificate; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const get = async (d: Download, what: string) => {
    setBusy(true);
    setError(null);
    try {
      await save(c, d);
    } catch (e) {
      const ae = e instanceof ApiError ? e : null;
      setError(ae?.message ?? `The ${what} could not be downloaded. Try again.`);
      // Revoked or replaced meanwhile: show the certificate as it now stands.
      if (ae?.is('certificate_revoked', 'certificate_superseded')) onChanged();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="cert-actions">
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      <PdfDownload busy={busy} onDownload={(paper) => void get({ kind: 'pdf', paper }, 'PDF')} />
      <CopyLink url={c.links.verify} />
      <p className="cert-row">
        <a className="button secondary" href={c.links.linkedin} target="_blank" rel="noopener noreferrer">
          Add to LinkedIn<span className="visually-hidden"> (opens in a new tab)</span>
        </a>
        <Link href={verifyPath(c.code)}>What employers see</Link>
      </p>
      <details className="cert-credential">
        <summary>Digital credential</summary>
        <p className="small">
          The certificate as a signed digital credential (a W3C verifiable credential), for digital wallets and the
          systems of employers and licensing boards. Its signature proves that Benchside issued it.
        </p>
        <p className="cert-row">
          <button type="button" className="button secondary small" disabled={busy} onClick={() => void get({ kind: 'jwt' }, 'credential')}>
            Download the credential (.jwt)
          </button>
          <button type="button" className="button secondary small" disabled={busy} onClick={() => void get({ kind: 'json' }, 'credential')}>
            Download the credential (.json)
          </button>
        </p>
      </details>
    </div>
  );
}

function PdfDownload({ busy, onDownload }: { busy: boolean; onDownload: (paper: Paper) => void }) {
  const name = useId();
  const [paper, setPaper] = useState<Paper>(() => defaultPaper(typeof navigator === 'undefined' ? undefined : navigator.language));
  return (
    <form
      className="cert-pdf"
      onSubmit={(e) => {
        e.preventDefault();
        onDownload(paper);
      }}
    >
      <fieldset>
        <legend>Paper size</legend>
        <div className="cert-papers">
          <label>
            <input type="radio" name={name} value="a4" checked={paper === 'a4'} onChange={() => setPaper('a4')} /> A4
          </label>
          <label>
            <input type="radio" name={name} value="letter" checked={paper === 'letter'} onChange={() => setPaper('letter')} /> US Letter
          </label>
        </div>
      </fieldset>
      <button type="submit" className="button" disabled={busy}>
        {busy ? 'Preparing…' : 'Download PDF'}
      </button>
    </form>
  );
}

/** Copies the verification link with the Clipboard API; where that is refused, shows the link
 * in a field, selected, to copy by hand. The outcome is announced in a live region. */
export function CopyLink({ url }: { url: string }) {
  const fieldId = useId();
  const [manual, setManual] = useState(false);
  const [message, setMessage] = useState('');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (manual) {
      field.current?.focus();
      field.current?.select();
    }
  }, [manual]);
  const copy = async () => {
    setMessage('');
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setMessage('Verification link copied. Paste it into an email, a job application or your CV.');
    } catch {
      setManual(true);
      setMessage('Your browser did not let us copy. The link is selected below: copy it with your device’s copy command.');
    }
  };
  return (
    <div className="cert-copy">
      <p className="cert-row">
        <button type="button" className="button secondary" onClick={() => void copy()}>
          Copy the verification link
        </button>
      </p>
      <p className="cert-live" role="status">
        {message}
      </p>
      {manual && (
        <div className="field">
          <label htmlFor={fieldId}>Verification link</label>
          <input id={fieldId} ref={field} type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
    </div>
  );
}
