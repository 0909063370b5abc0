// The public verification page: `/verify/:code` (where a certificate's QR code lands, often
// on a phone) and `/verify` (a form to type a code). No account and no session: opening it
// sends only `GET /api/v1/verify/{code}`, fresh every time (never from a cache), and the
// verdict comes first, in words and with an icon.
import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Link, navigate, usePageTitle } from '../../router';
import { ErrorState, Loading, useLoad } from '../../ui';
import { contactHours, externshipLine, formatLongDate, formatMoment, normaliseCode, verdictOf, verifyPath } from './format';
import { SearchIcon, StatusIcon } from './icons';
import type { Verification } from './types';
import './certificates.css';

const EXAMPLE = '7QX2M-4KD9R-H3WTA';

/** `/verify`: type a code. */
export function VerifyFormPage() {
  usePageTitle('Check a certificate');
  return (
    <div className="verify">
      <h1>Check a certificate</h1>
      <p>
        Enter the verification code printed on a Benchside certificate, or scan its QR code, to see whether it is valid
        and what it certifies. You do not need an account.
      </p>
      <VerifyForm />
    </div>
  );
}

/** The code form: case, spaces and dashes do not matter; a code that cannot be one is said so here. */
export function VerifyForm({ initial = '', label = 'Certificate code', submit = 'Check the certificate' }: { initial?: string; label?: string; submit?: string }) {
  const id = useId();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  return (
    <form
      className="verify-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const code = normaliseCode(value);
        if (!code) {
          setError(
            value.trim()
              ? `That is not a certificate code. A code has 15 letters and digits in three groups, like ${EXAMPLE}.`
              : 'Enter the code printed on the certificate.',
          );
          input.current?.focus();
          return;
        }
        setError(null);
        navigate(verifyPath(code));
      }}
    >
      <div className={`field${error ? ' field-error' : ''}`}>
        <label htmlFor={id}>{label}</label>
        <p className="hint" id={`${id}-hint`}>
          As printed under the QR code, like {EXAMPLE}. Upper or lower case, with or without dashes.
        </p>
        {error && (
          <p className="error-text" id={`${id}-error`}>
            <span className="visually-hidden">Error: </span>
            {error}
          </p>
        )}
        <input
          id={id}
          ref={input}
          type="text"
          className="verify-input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          autoCapitalize="characters"
          autoCorrect="off"
          spellCheck={false}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
        />
      </div>
      <button type="submit" className="button">
        {submit}
      </button>
    </form>
  );
}

function NotFound({ typed }: { typed: string }) {
  return (
    <div className="verify">
      <section className="verdict verdict-unknown" aria-labelledby="verdict-title">
        <SearchIcon className="verdict-icon" />
        <h1 id="verdict-title">No certificate has this code</h1>
        <div className="verdict-body">
          <p>
            {typed ? (
              <>
                Benchside has no certificate with the code <strong className="cert-code">{typed}</strong>.{' '}
              </>
            ) : null}
            Check the code against the certificate and type it again: the letters O, I and L are read as the digits 0, 1
            and 1. If the code is right and is still not found, Benchside did not issue that certificate.
          </p>
        </div>
      </section>
      <VerifyForm initial={typed} label="Try the code again" />
    </div>
  );
}

export function VerifyPage({ code: raw }: { code: string }) {
  const code = normaliseCode(raw);
  // The address in its canonical form (what the QR code writes), so it can be shared as seen.
  useEffect(() => {
    if (code && code !== raw) navigate(verifyPath(code), { replace: true });
  }, [code, raw]);
  const load = useLoad<Verification>(
    (signal) =>
      code
        ? api.get<Verification>(`/api/v1/verify/${encodeURIComponent(code)}`, { auth: false, signal, cache: 'no-store' })
        : Promise.reject(new ApiError(404, 'not_found', null)),
    code ?? raw,
  );
  const notFound = !!load.error?.is('not_found');
  const shown = !load.loading && !load.error ? load.data : undefined;
  usePageTitle(notFound ? 'No certificate has this code' : shown ? `${verdictOf(shown).title}: ${shown.holder_name}` : 'Certificate check');
  if (notFound) return <NotFound typed={code ?? raw} />;
  if (load.error) {
    return (
      <div className="verify">
        <h1>Certificate check</h1>
        <ErrorState error={load.error} onRetry={load.reload} />
        <p className="muted">The certificate could not be checked just now, so this page shows no verdict.</p>
      </div>
    );
  }
  // While a check runs, an earlier one is never shown as current.
  if (!shown) return <Loading label="Checking the certificate…" />;
  return <Result v={shown} />;
}

function Result({ v }: { v: Verification }) {
  const verdict = verdictOf(v);
  const externship = externshipLine(v.externship);
  return (
    <div className="verify">
      <section className={`verdict verdict-${verdict.kind}`} aria-labelledby="verdict-title">
        <StatusIcon kind={verdict.kind} className="verdict-icon" />
        <h1 id="verdict-title">{verdict.title}</h1>
        <div className="verdict-body">
          <p>{verdict.detail}</p>
          {verdict.replacement && (
            <p>
              <Link className="button" href={verdict.replacement.href}>
                Check the newer certificate<span className="visually-hidden"> ({verdict.replacement.code})</span>
              </Link>
            </p>
          )}
        </div>
      </section>
      <h2 className="visually-hidden">What the certificate says</h2>
      <dl className="verify-facts">
        <div>
          <dt>Awarded to</dt>
          <dd className="verify-holder">{v.holder_name}</dd>
        </div>
        <div>
          <dt>Course</dt>
          <dd>
            {v.course_title} <span className="muted">(version {v.course_version})</span>
          </dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{formatLongDate(v.completed_at)}</dd>
        </div>
        <div>
          <dt>Contact hours</dt>
          <dd>{contactHours(v.contact_hours)}</dd>
        </div>
        {externship && (
          <div>
            <dt>Clinical externship</dt>
            <dd>
              {externship}
              {v.externship && v.externship.competencies.length > 0 && (
                <details className="verify-competencies">
                  <summary>Competencies observed</summary>
                  <ul>
                    {v.externship.competencies.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </details>
              )}
            </dd>
          </div>
        )}
        <div>
          <dt>Issued by</dt>
          <dd>
            {v.issuer.name}
            {safeHttp(v.issuer.url) && (
              <>
                {' '}
                <a href={v.issuer.url}>
                  {hostOf(v.issuer.url)}
                </a>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Issued</dt>
          <dd>{formatLongDate(v.issued_at)}</dd>
        </div>
        {v.expires_at && (
          <div>
            <dt>{v.status === 'expired' ? 'Expired' : 'Valid until'}</dt>
            <dd>{formatLongDate(v.expires_at)}</dd>
          </div>
        )}
        <div>
          <dt>Verification code</dt>
          <dd className="cert-code">{v.code}</dd>
        </div>
        <div>
          <dt>Serial number</dt>
          <dd>{v.serial}</dd>
        </div>
      </dl>
      <p className="muted small">
        Checked with {v.issuer.name}’s records on {formatMoment(v.checked_at)}. Reload the page to check again.
      </p>
      <details className="verify-again">
        <summary>Check another certificate</summary>
        <VerifyForm />
      </details>
    </div>
  );
}

function safeHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return (u.host + u.pathname).replace(/\/$/, '');
  } catch {
    return url;
  }
}
