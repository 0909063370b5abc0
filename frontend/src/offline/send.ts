// The outbox's `send`: one entry through the app's API client (which adds the access token
// and renews it once on a 401), mapped to what the outbox should do with it.
//
// The server's contract for these writes: the JSON body carries `client_id` (the entry's id);
// the first delivery answers 201, a repeat of the same client id answers 200 with the record
// already stored. Both are `sent`. A refusal (4xx other than 401, 408, 429) is `rejected`, with
// the server's code and sentence, for the learner to fix or discard. Everything else, meaning
// no connection, a timeout, 5xx, 401 (the session could not be renewed: the page signs in
// again), 408 and 429, is `retry`.
//
// An entry goes only with its owner's session: when the client is signed in as someone else
// (or nobody), the entry is not sent and stays queued (`retry`, `session_expired`).
import { api, type ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import type { EntryError, Send, SendResult } from './outbox';

/** Longest wait for one answer, so a dead connection cannot hold the replay (and its lock). */
export const SEND_TIMEOUT_MS = 30_000;

/** Statuses that say "not now" rather than "never". */
const RETRY_STATUSES = new Set([401, 408, 429]);

/** What the outbox should do after the client's error. */
export function classify(e: ApiError): Exclude<SendResult, { outcome: 'sent' }> {
  const error: EntryError = {
    status: e.status,
    code: e.code,
    message: e.message,
    serverMessage: e.serverMessage,
    details: e.details,
  };
  const refused = e.status >= 400 && e.status < 500 && !RETRY_STATUSES.has(e.status);
  return refused ? { outcome: 'rejected', error } : { outcome: 'retry', error };
}

/** `AbortSignal.timeout` (TimeoutError), or an abort after `ms` where it is missing (Safari before 16). */
function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
}

/**
 * A `send` for the outbox over `client` (the app's client by default). Anything the client
 * does not throw as an answer (a bug) is thrown on, and the outbox keeps the entry.
 */
export function createSend(client: ApiClient = api, timeoutMs = SEND_TIMEOUT_MS): Send {
  return async (entry) => {
    try {
      // After a reload the token is gone from memory until the first renewal.
      if (!client.hasToken) await client.refresh();
      if (client.userId !== entry.userId) return classify(new ApiError(401, 'session_expired', null));
      await client.request(entry.method, entry.path, {
        body: { ...entry.body, client_id: entry.id },
        background: true,
        signal: timeoutSignal(timeoutMs),
      });
      return { outcome: 'sent' };
    } catch (err) {
      if (err instanceof ApiError) return classify(err);
      // The client passes an abort through as it is; only the fallback timeout aborts so.
      if (err instanceof DOMException && err.name === 'AbortError') return classify(new ApiError(0, 'network', null));
      throw err;
    }
  };
}
