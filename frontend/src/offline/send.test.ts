import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import type { OutboxEntry } from './outbox';
import { createSend } from './send';

const user = { id: 'u1', email: 'a@example.org', name: 'Ana', role: 'learner', email_verified: true, created_at: '' };
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const envelope = (code: string, message: string, details: Record<string, unknown> = {}) => ({ error: { code, message, details } });

const entry: OutboxEntry = {
  id: '0b9c2f7e-4d1a-4c57-9a51-0f3f7c1f2b11',
  method: 'POST',
  path: '/api/v1/enrolments/e1/externship/collections',
  body: { site: 's1', site_of_draw: 'antecubital', successful: true },
  createdAt: '2026-12-01T08:00:00.000Z',
  attempts: 1,
  kind: 'collection',
  label: 'Venipuncture at 08:00',
  userId: 'u1',
};

/** A client signed in with token `t1`, over a server that answers `answer` to the write. */
function clientWith(answer: (init: RequestInit) => Response | Promise<Response>, opts: { refresh?: 'ok' | 'fail' } = {}) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init: RequestInit = {}) => {
    requests.push({ url: String(url), init });
    if (String(url) === '/api/v1/auth/refresh') {
      return opts.refresh === 'ok'
        ? json(200, { access_token: 't2', token_type: 'Bearer', expires_in: 900, user })
        : json(401, envelope('invalid_refresh_token', 'No.'));
    }
    return answer(init);
  });
  const onSessionExpired = vi.fn();
  const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch, onSessionExpired });
  client.setSession({ access_token: 't1', token_type: 'Bearer', expires_in: 900, user } as never);
  return { client, requests, onSessionExpired };
}

describe('the outbox sender', () => {
  it('posts the body with the entry id as client_id and the bearer token; 201 is sent', async () => {
    const { client, requests } = clientWith(() => json(201, { id: 'c1' }));
    await expect(createSend(client)(entry)).resolves.toEqual({ outcome: 'sent' });
    expect(requests).toHaveLength(1);
    const { url, init } = requests[0]!;
    expect(url).toBe(entry.path);
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer t1');
    expect(JSON.parse(init.body as string)).toEqual({ ...entry.body, client_id: entry.id });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('takes the 200 replay of an already stored client id as sent', async () => {
    const { client } = clientWith(() => json(200, { id: 'c1' }));
    await expect(createSend(client)(entry)).resolves.toEqual({ outcome: 'sent' });
  });

  it('rejects a refusal with the server code, sentence and details', async () => {
    const { client } = clientWith(() =>
      json(422, envelope('phi_suspected', 'The note looks like it holds a phone number: "555-123-4567".', { field: 'note', kind: 'phone' })),
    );
    await expect(createSend(client)(entry)).resolves.toEqual({
      outcome: 'rejected',
      error: {
        status: 422,
        code: 'phi_suspected',
        message: 'The note looks like it holds a phone number: "555-123-4567".',
        serverMessage: 'The note looks like it holds a phone number: "555-123-4567".',
        details: { field: 'note', kind: 'phone' },
      },
    });
  });

  it.each([400, 403, 404, 409, 413, 422])('rejects %i', async (status) => {
    const { client } = clientWith(() => json(status, envelope('invalid_body', 'No.')));
    const r = await createSend(client)(entry);
    expect(r.outcome).toBe('rejected');
  });

  it.each([408, 429, 500, 502, 503])('keeps %i for a retry', async (status) => {
    const { client } = clientWith(() => json(status, envelope('server_busy', 'Busy.')));
    const r = await createSend(client)(entry);
    expect(r).toMatchObject({ outcome: 'retry', error: { status } });
  });

  it('keeps a 401 for a retry without sending the learner to sign in', async () => {
    const { client, onSessionExpired } = clientWith(() => json(401, envelope('token_expired', 'Expired.')));
    const r = await createSend(client)(entry);
    expect(r).toMatchObject({ outcome: 'retry', error: { status: 401, code: 'session_expired' } });
    expect(onSessionExpired).not.toHaveBeenCalled();
  });

  it('sends once more with a renewed token after a 401', async () => {
    const { client, requests } = clientWith(
      (init) => ((init.headers as Record<string, string>).Authorization === 'Bearer t2' ? json(201, {}) : json(401, envelope('token_expired', 'Expired.'))),
      { refresh: 'ok' },
    );
    await expect(createSend(client)(entry)).resolves.toEqual({ outcome: 'sent' });
    expect(requests.map((r) => r.url)).toEqual([entry.path, '/api/v1/auth/refresh', entry.path]);
  });

  it('keeps an entry when the network fails', async () => {
    const { client } = clientWith(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(createSend(client)(entry)).resolves.toMatchObject({ outcome: 'retry', error: { status: 0, code: 'network' } });
  });

  it('gives up on a silent connection after the timeout and keeps the entry', async () => {
    const { client } = clientWith(
      (init) =>
        new Promise<Response>((_, reject) => {
          init.signal!.addEventListener('abort', () => reject(init.signal!.reason));
        }),
    );
    await expect(createSend(client, 20)(entry)).resolves.toMatchObject({ outcome: 'retry', error: { status: 0, code: 'network' } });
  });

  it("sends an entry only with its owner's session: signed in as another user, it stays queued unsent", async () => {
    const { client, requests } = clientWith(() => json(201, { id: 'c1' }));
    const other = { ...entry, userId: 'u2' };
    await expect(createSend(client)(other)).resolves.toMatchObject({ outcome: 'retry', error: { code: 'session_expired' } });
    expect(requests).toHaveLength(0);
    client.clearSession();
    await expect(createSend(client)(entry)).resolves.toMatchObject({ outcome: 'retry', error: { code: 'session_expired' } });
  });

  it('renews the session after a reload (no token in memory) before it compares the owner', async () => {
    const { client, requests } = clientWith(() => json(201, { id: 'c1' }), { refresh: 'ok' });
    client.clearSession();
    await expect(createSend(client)(entry)).resolves.toEqual({ outcome: 'sent' });
    expect(requests.map((r) => r.url)).toEqual(['/api/v1/auth/refresh', entry.path]);
  });

  it('throws on what is not an answer (a bug), so the outbox keeps the entry', async () => {
    const broken = { hasToken: true, userId: 'u1', request: async () => Promise.reject(new RangeError('bug')) } as unknown as ApiClient;
    await expect(createSend(broken)(entry)).rejects.toThrow('bug');
  });
});
