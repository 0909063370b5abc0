// Why an attestation link cannot be used, said plainly, with what to do instead.
import { useEffect, useRef, type ReactNode } from 'react';
import { formatDateTime } from '../../ui';
import type { LoadProblem } from './outcome';
import type { SupervisorPage } from './types';

function Problem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="link-state" aria-labelledby="state-heading">
      <h1 id="state-heading">{title}</h1>
      {children}
    </section>
  );
}

export function LoadProblemView({ problem, onRetry }: { problem: LoadProblem; onRetry: () => void }) {
  switch (problem) {
    case 'missing':
    case 'unknown':
      return (
        <Problem title="This link does not work">
          <p>
            {problem === 'missing'
              ? 'The address has no attestation code in it.'
              : 'We could not find an attestation request for this link.'}{' '}
            Check that you opened the whole link from the email: some mail apps break long links across lines. If you
            copied it, copy all of it.
          </p>
          <p>If it still does not work, ask the learner to send the request again from their log.</p>
        </Problem>
      );
    case 'rate_limited':
      return (
        <Problem title="Please wait a moment">
          <p>This page was opened many times from your connection in a short time. Wait a minute, then try again.</p>
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        </Problem>
      );
    case 'offline':
      return (
        <Problem title="Benchside could not be reached">
          <p>Check your connection, then try again.</p>
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        </Problem>
      );
    default:
      return (
        <Problem title="This page could not be loaded">
          <p>Something went wrong on our side. Please try again in a moment.</p>
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        </Problem>
      );
  }
}

/** Focuses the element on mount when `focus` is set (the outcome of a send the server refused). */
export function useFocusOnMount<T extends HTMLElement>(focus: boolean) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return ref;
}

export function Expired({ page, focus = false }: { page: SupervisorPage; focus?: boolean }) {
  const ref = useFocusOnMount<HTMLDivElement>(focus);
  return (
    <div className="alert alert-warning" role="status" tabIndex={-1} ref={ref}>
      <p className="alert-title">This link has expired</p>
      <p>
        It could be used until {formatDateTime(page.expires_at)}. Nothing was recorded. {page.learner_name} can send you
        a new request from their log; it will come in a new email.
      </p>
    </div>
  );
}

export function Replaced({ page, focus = false }: { page: SupervisorPage; focus?: boolean }) {
  const ref = useFocusOnMount<HTMLDivElement>(focus);
  return (
    <div className="alert alert-warning" role="status" tabIndex={-1} ref={ref}>
      <p className="alert-title">This link was replaced by a newer one</p>
      <p>
        {page.learner_name} sent this request again, so this link no longer works. Use the newest email from Benchside
        about {page.learner_name}’s log: its link opens the current request.
      </p>
    </div>
  );
}
