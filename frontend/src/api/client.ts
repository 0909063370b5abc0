// The typed fetch client. The access token lives only in memory; the refresh token is an
// httpOnly cookie the browser sends to /api/v1/auth. A 401 renews the session once (one
// refresh at a time per tab, and one at a time across tabs with the Web Locks API, because
// the server ends the whole session when one refresh token is presented twice) and retries.
// When renewal fails, `onSessionExpired` sends the learner to sign in with a return path.
import { ApiError } from './errors';
import type { Session, User } from './types';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  /** Send the bearer token and renew on 401 (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /**
   * A request the learner did not make just now (the offline outbox's replay): when the
   * session cannot be renewed it still fails with `session_expired` and signs the user out,
   * but does not call `onSessionExpired`, so it does not itself send the learner to sign in
   * (a page that needs the session still does, once it sees the user signed out).
   */
  background?: boolean;
  query?: Record<string, string | number | undefined | null>;
  /** `blob`: a successful answer is returned as a Blob (a CSV or PDF download), not parsed. */
  as?: 'json' | 'blob';
  /** The browser's HTTP cache mode (`no-store`: an answer that must be current, a verification). */
  cache?: RequestCache;
  /** A body sent as it is, with its own content type (a CSV upload), instead of JSON `body`. */
  raw?: { body: string | Blob; contentType: string };
}

export interface LockManagerLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}

export interface ClientOptions {
  fetch?: typeof fetch;
  baseUrl?: string;
  /** Called once when a session cannot be renewed. */
  onSessionExpired?: () => void;
  /** Called whenever the signed-in user changes (null: signed out). */
  onUser?: (user: User | null) => void;
  locks?: LockManagerLike | null;
}

const REFRESH_PATH = '/api/v1/auth/refresh';

export class ApiClient {
  private token: string | null = null;
  private user: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly fetchFn: typeof fetch;
  private readonly baseUrl: string;
  private readonly locks: LockManagerLike | null;
  onSessionExpired: () => void;
  onUser: (user: User | null) => void;

  constructor(opts: ClientOptions = {}) {
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.baseUrl = opts.baseUrl ?? '';
    this.locks = opts.locks ?? null;
    this.onSessionExpired = opts.onSessionExpired ?? (() => {});
    this.onUser = opts.onUser ?? (() => {});
  }

  get hasToken(): boolean {
    return this.token !== null;
  }

  /** The ID of the user whose token the client holds (null: none). */
  get userId(): string | null {
    return this.token === null ? null : this.user;
  }

  /** Accepts a session from sign-in (or a password change). */
  setSession(session: Session): void {
    this.token = session.access_token;
    this.user = session.user.id;
    this.onUser(session.user);
  }

  clearSession(): void {
    this.token = null;
    this.user = null;
    this.onUser(null);
  }

  /**
   * Renews the access token with the refresh cookie. Concurrent callers share one request.
   * Resolves false (never throws) when there is no session to renew.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      const run = async (): Promise<boolean> => {
        try {
          const res = await this.fetchFn(this.baseUrl + REFRESH_PATH, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
          });
          if (!res.ok) {
            this.token = null;
            this.onUser(null);
            return false;
          }
          const session = (await res.json()) as Session;
          this.setSession(session);
          return true;
        } catch {
          // Offline: keep what we have; the caller reports the network error.
          return false;
        }
      };
      const locked = this.locks ? () => this.locks!.request('benchside-refresh', run) : run;
      this.refreshing = locked().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    if (auth && !this.token) {
      // A fresh page load: the token is gone from memory, the cookie may still be good.
      await this.refresh();
    }
    const sentWith = this.token;
    let res = await this.send(method, path, opts, auth);
    if (res.status === 401 && auth) {
      // Another request may have renewed the token while this one was on the way.
      const renewed = this.token !== null && this.token !== sentWith ? true : await this.refresh();
      if (renewed) res = await this.send(method, path, opts, auth);
      if (res.status === 401) {
        this.token = null;
        this.onUser(null);
        if (!opts.background) this.onSessionExpired();
        throw new ApiError(401, 'session_expired', null);
      }
    }
    if (opts.as === 'blob' && res.ok) return (await res.blob()) as T;
    return this.read<T>(res);
  }

  get<T>(path: string, opts?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, opts);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }
  put<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  patch<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body });
  }

  private async send(method: Method, path: string, opts: RequestOptions, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.as === 'blob' ? '*/*' : 'application/json' };
    if (opts.raw) headers['Content-Type'] = opts.raw.contentType;
    else if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.token) headers.Authorization = `Bearer ${this.token}`;
    let url = this.baseUrl + path;
    if (opts.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) {
        if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
      }
      const s = q.toString();
      if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    try {
      return await this.fetchFn(url, {
        method,
        headers,
        credentials: 'same-origin',
        body: opts.raw ? opts.raw.body : opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        ...(opts.cache ? { cache: opts.cache } : {}),
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', null);
    }
  }

  private async read<T>(res: Response): Promise<T> {
    if (res.status === 204 || res.status === 304) {
      return undefined as T;
    }
    const text = await res.text().catch(() => '');
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (res.ok) return body as T;
    const err = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)
      ?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? null, err?.details ?? {});
  }
}

/** The app's one client. */
export const api = new ApiClient({
  locks:
    typeof navigator !== 'undefined' && 'locks' in navigator
      ? (navigator.locks as unknown as LockManagerLike)
      : null,
});
