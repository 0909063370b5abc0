// The outbox for the pages: the "N not yet sent" badge, the entries the server refused, and the
// actions on them. Opening a page that shows it replays the queue, so entries held back by an
// expired session go out once the learner has signed in again and come back.
import { useEffect, useMemo, useState } from 'react';
import { outbox, type FailedEntry, type JsonObject, type NewEntry, type Outbox, type OutboxEntry, type ReplayReport } from './outbox';
import { sync } from './sync';

export interface OutboxState {
  /** Entries waiting to be sent (the badge). */
  pending: number;
  /** Those entries, oldest first (pages list them as "not yet sent"). */
  queued: OutboxEntry[];
  /** Entries the server refused, for the learner to fix or discard. */
  failed: FailedEntry[];
}

export interface OutboxView extends OutboxState {
  /** Adds an entry (of the signed-in user's) and starts sending it. */
  submit(entry: NewEntry): Promise<OutboxEntry>;
  /** Sends now (joins a replay already running). */
  replayNow(): Promise<ReplayReport>;
  /** Removes an entry from this device. */
  discard(id: string): Promise<boolean>;
  /** Puts a refused entry back in the queue, with a corrected body if given. */
  requeue(id: string, body?: JsonObject): Promise<OutboxEntry | null>;
}

/**
 * Follows `box`: calls `onChange` with the pending count and the refused entries now and after
 * every change (this tab's or another's). Returns the function that stops following.
 */
export function watchOutbox(box: Pick<Outbox, 'subscribe' | 'failed' | 'pending'>, onChange: (state: OutboxState) => void): () => void {
  let live = true;
  let version = 0;
  const unsubscribe = box.subscribe((counts) => {
    const mine = ++version;
    const failed = counts.failed ? box.failed() : Promise.resolve([]);
    const queued = counts.pending ? box.pending() : Promise.resolve([]);
    Promise.all([failed, queued]).then(
      ([list, waiting]) => {
        // A newer change is being read: let it report.
        if (live && mine === version) onChange({ pending: counts.pending, queued: waiting, failed: list });
      },
      () => undefined,
    );
  });
  return () => {
    live = false;
    unsubscribe();
  };
}

/** The app's outbox as React state, with its actions. */
export function useOutbox(): OutboxView {
  const [state, setState] = useState<OutboxState>({ pending: 0, queued: [], failed: [] });
  useEffect(() => {
    const stop = watchOutbox(outbox, setState);
    void sync.replayNow().catch(() => undefined);
    return stop;
  }, []);
  return useMemo(
    () => ({ ...state, submit: sync.submit, replayNow: sync.replayNow, discard: outbox.discard, requeue: outbox.requeue }),
    [state],
  );
}
