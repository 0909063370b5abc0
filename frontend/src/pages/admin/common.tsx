// What every admin screen shares: an action runner that reports success or failure only once
// the server has answered (no optimistic lies), the notice that says so, and a pager.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../../api/errors';
import { Alert } from '../../ui';

export interface Notice {
  kind: 'success' | 'error';
  message: string;
  /** Bumped on every notice, so the same sentence twice is announced and focused again. */
  seq: number;
}

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const seq = useRef(0);
  const say = useCallback((kind: Notice['kind'], message: string) => {
    seq.current += 1;
    setNotice({ kind, message, seq: seq.current });
  }, []);
  /** Runs `fn`; its result's sentence (or the failure's) becomes the notice. Returns whether it worked. */
  const run = useCallback(
    async (fn: () => Promise<string>, onError?: (e: ApiError) => boolean): Promise<boolean> => {
      setBusy(true);
      setNotice(null);
      try {
        say('success', await fn());
        return true;
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(0, 'internal_error', null);
        // A form that shows the error on a field says so itself.
        if (!onError?.(err)) say('error', err.message);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [say],
  );
  return { busy, notice, run, say, clear: () => setNotice(null) };
}

/** The notice of the last action, focused when it appears so it is read out. */
export function NoticeView({ notice, id }: { notice: Notice | null; id: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) ref.current?.focus();
  }, [notice]);
  if (!notice) return null;
  return (
    <div id={id} ref={ref} tabIndex={-1} className="notice">
      <Alert kind={notice.kind}>
        <p>{notice.message}</p>
      </Alert>
    </div>
  );
}

/** Previous and next page. `pages`: the count when known; otherwise `hasNext` says whether
 * there may be more (a full page). */
export function Pager({
  page,
  pages,
  hasNext,
  onPage,
  label,
}: {
  page: number;
  pages?: number;
  hasNext?: boolean;
  onPage: (p: number) => void;
  label: string;
}) {
  const more = pages !== undefined ? page < pages : Boolean(hasNext);
  if (page <= 1 && !more) return null;
  return (
    <nav aria-label={label} className="pager">
      <button type="button" className="button secondary small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span>{pages !== undefined ? `Page ${page} of ${pages}` : `Page ${page}`}</span>
      <button type="button" className="button secondary small" disabled={!more} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}

export function pageCount(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, perPage)));
}

/** A table that scrolls sideways on a narrow screen (the region is focusable, so it scrolls
 * from the keyboard too). */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
