// Status icons, always beside words (never colour or shape alone): decorative to assistive
// technology.
import type { VerdictKind } from './format';

const PATHS: Record<VerdictKind, string> = {
  // A tick in a circle.
  active: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1.2 14.2-4-4 1.4-1.4 2.6 2.6 5.6-5.6 1.4 1.4z',
  // A clock.
  expired: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.4V7z',
  // A circle with a bar through it.
  revoked: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 0 1 6.3 12.9L7.1 5.7A8 8 0 0 1 12 4zM5.7 7.1l11.2 11.2A8 8 0 0 1 5.7 7.1z',
  // Two arrows going round (replaced).
  superseded: 'M12 4a8 8 0 0 1 7.4 5H22l-3.5 4-3.5-4h2.2A6 6 0 0 0 6.3 9.9L4.6 8.8A8 8 0 0 1 12 4zm7.4 11.2A8 8 0 0 1 4.6 15H2l3.5-4 3.5 4H6.8a6 6 0 0 0 10.9 1.1z',
  // A cross in a circle.
  invalid: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm3.5 5.1 1.4 1.4-3.5 3.5 3.5 3.5-1.4 1.4-3.5-3.5-3.5 3.5-1.4-1.4 3.5-3.5-3.5-3.5 1.4-1.4 3.5 3.5z',
};

export function StatusIcon({ kind, className }: { kind: VerdictKind; className?: string }) {
  return (
    <svg className={className} aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24">
      <path d={PATHS[kind]} fill="currentColor" fillRule="evenodd" />
    </svg>
  );
}

/** The "not found" mark: a magnifier. */
export function SearchIcon({ className }: { className?: string }) {
  return (
    <svg className={className} aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24">
      <path d="M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z" fill="currentColor" />
    </svg>
  );
}
