import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './errors';
import type { Session } from './types';

const user = { id: 'u1', email: 'a@example.org', name: 'Ana', role: 'learner', email_verified: true, created_at: '' };
const session = (token: string) => ({ access_token: token, token_type: 'Bearer', expires_in: 900, user });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A fake server: `valid` is the access token it accepts; refresh hands out the next one. */
function fakeServer(opts: { refreshOk?: boolean; refreshDelay?: number } = {}) {
  let valid = 't1';
  let n = 1;
  const calls: string[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const path = String(url);
    calls.push(`${init?.method ?? 'GET'} ${path}`);
    if (path === '/api/v1/auth/refresh') {
      if (opts.refreshDelay) await new Promise((r) => setTimeout(r, opts.refreshDelay));
      if (opts.refreshOk === false) return json(401, { error: { code: 'invalid_refresh_token', message: 'No.', details: {} } });
      n += 1;
      valid = `t${n}`;
      return json(200, session(valid));
    }
    const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
    if (auth !== `Bearer ${valid}`) return json(401, { error: { code: 'token_expired', message: 'Expired.', details: {} } });
    return json(200, { ok: true, path });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls, expire: () => (valid = 'gone') };
}

describe('ApiClient session renewal', () => {
  it('renews once through the refresh cookie when there is no token in memory (page load)', async () => {
    const s = fakeServer();
    const onUser = vi.fn();
    const c = new ApiClient({ fetch: s.fetch, onUser });
    await expect(c.get('/api/v1/me')).resolves.toEqual({ ok: true, path: '/api/v1/me' });
    expect(s.calls).toEqual(['POST /api/v1/auth/refresh', 'GET /api/v1/me']);
    expect(onUser).toHaveBeenCalledWith(user);
  });

  it('shares one refresh between many requests that get 401 at once (single flight)', async () => {
    const s = fakeServer({ refreshDelay: 20 });
    const c = new ApiClient({ fetch: s.fetch });
    c.setSession(session('t1') as never);
    s.expire();
    const results = await Promise.all([c.get('/a'), c.get('/b'), c.get('/c'), c.get('/d')]);
    expect(results.map((r) => (r as { path: string }).path)).toEqual(['/a', '/b', '/c', '/d']);
    expect(s.calls.filter((x) => x.includes('/auth/refresh'))).toHaveLength(1);
  });

  it('does not refresh again for a request that was sent before another renewal finished', async () => {
    const s = fakeServer();
    const c = new ApiClient({ fetch: s.fetch });
    c.setSession(session('t1') as never);
    s.expire();
    await c.get('/a');
    // A second wave after renewal: the token is good, no refresh.
    await c.get('/b');
    expect(s.calls.filter((x) => x.includes('/auth/refresh'))).toHaveLength(1);
  });

  it('uses the cross-tab lock around the refresh when there is one', async () => {
    const s = fakeServer();
    const names: string[] = [];
    const locks = { request: <T,>(name: string, cb: () => Promise<T>) => (names.push(name), cb()) };
    const c = new ApiClient({ fetch: s.fetch, locks });
    await c.get('/x');
    expect(names).toEqual(['benchside-refresh']);
  });

  it('reports an expired session once and throws session_expired when renewal fails', async () => {
    const s = fakeServer({ refreshOk: false });
    const onSessionExpired = vi.fn();
    const onUser = vi.fn();
    const c = new ApiClient({ fetch: s.fetch, onSessionExpired, onUser });
    c.setSession(session('t1') as never);
    s.expire();
    const err = await c.get('/a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('session_expired');
    expect((err as ApiError).message).toMatch(/sign in again/);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(onUser).toHaveBeenLastCalledWith(null);
    expect(c.hasToken).toBe(false);
  });

  it('does not send the learner to sign in for a background request whose session cannot be renewed', async () => {
    const s = fakeServer({ refreshOk: false });
    const onSessionExpired = vi.fn();
    const c = new ApiClient({ fetch: s.fetch, onSessionExpired });
    c.setSession(session('t1') as never);
    s.expire();
    const err = await c.post('/a', { x: 1 }, { background: true }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('session_expired');
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(c.hasToken).toBe(false);
  });

  it('never sends the token or renews for public requests', async () => {
    const s = fakeServer();
    const c = new ApiClient({ fetch: s.fetch });
    const err = await c.get('/public', { auth: false }).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(401);
    expect(s.calls).toEqual(['GET /public']);
  });
});

describe('ApiClient errors', () => {
  it('maps error codes to sentences, keeping codes and details', async () => {
    const fetch = vi.fn(async () =>
      json(410, { error: { code: 'code_expired', message: 'expired', details: { code: 'X' } } }),
    ) as unknown as typeof globalThis.fetch;
    const c = new ApiClient({ fetch });
    const err = (await c.post('/api/v1/enrolments/join', { code: 'X' }, { auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('code_expired');
    expect(err.message).toMatch(/expired\. Ask your program coordinator/);
    expect(err.details).toEqual({ code: 'X' });
  });

  it('turns a network failure into a human message', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof globalThis.fetch;
    const c = new ApiClient({ fetch });
    const err = (await c.get('/x', { auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/could not be reached/);
  });

  it('never shows a bare code for an unknown error, even with an empty body', async () => {
    const fetch = vi.fn(async () => new Response('', { status: 502 })) as unknown as typeof globalThis.fetch;
    const c = new ApiClient({ fetch });
    const err = (await c.get('/x', { auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toMatch(/Something went wrong on our side/);
    expect(err.message).not.toMatch(/http_502/);
  });

  it('adds query parameters, leaving out empty ones', async () => {
    const seen: string[] = [];
    const fetch = vi.fn(async (url: string) => (seen.push(url), json(200, {}))) as unknown as typeof globalThis.fetch;
    const c = new ApiClient({ fetch });
    await c.get('/api/v1/courses', { auth: false, query: { q: 'blood draw', page: 2, per_page: undefined, x: '' } });
    expect(seen).toEqual(['/api/v1/courses?q=blood+draw&page=2']);
  });
});

describe('ApiClient downloads and its user', () => {
  it('returns a successful answer as a Blob with `as: blob`, and still throws the envelope on a refusal', async () => {
    const fetch = vi.fn(async (url: string | URL | Request) =>
      String(url).endsWith('.csv')
        ? new Response('date,kind\n2026-03-01,shift\n', { status: 200, headers: { 'Content-Type': 'text/csv' } })
        : json(404, { error: { code: 'not_found', message: 'No such file.', details: {} } }),
    );
    const c = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch });
    c.setSession(session('t1') as Session);
    const blob = await c.request<Blob>('GET', '/x/export.csv', { as: 'blob' });
    expect(await blob.text()).toBe('date,kind\n2026-03-01,shift\n');
    await expect(c.request('GET', '/x/logbook.pdf', { as: 'blob' })).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('sends a raw body with its own content type (a CSV upload), not as JSON', async () => {
    const seen: { body: unknown; type: string | undefined }[] = [];
    const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      seen.push({ body: init?.body, type: (init?.headers as Record<string, string>)['Content-Type'] });
      return json(200, { ok: true });
    });
    const c = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch });
    c.setSession(session('t1') as Session);
    await c.post('/x/imports', undefined, { raw: { body: 'email,name\na@b.org,A\n', contentType: 'text/csv' } });
    await c.post('/x/json', { a: 1 });
    expect(seen).toEqual([
      { body: 'email,name\na@b.org,A\n', type: 'text/csv' },
      { body: '{"a":1}', type: 'application/json' },
    ]);
  });

  it("knows whose token it holds, and forgets it when the session ends", () => {
    const c = new ApiClient({ fetch: vi.fn() as unknown as typeof globalThis.fetch });
    expect(c.userId).toBeNull();
    c.setSession(session('t1') as Session);
    expect(c.userId).toBe('u1');
    c.clearSession();
    expect(c.userId).toBeNull();
  });
});
