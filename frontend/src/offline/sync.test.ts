import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { createOutbox, type NewEntry, type OutboxEntry, type ReplayReport, type Send } from './outbox';
import { createSend } from './send';
import { createSync, REPLAY_MESSAGE, SYNC_TAG, type SyncEnvironment } from './sync';

/** Stand-ins for window, document and navigator (with a service worker that has Background Sync). */
function browser(online = true) {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  const register = vi.fn(async (_tag: string) => undefined);
  const serviceWorker = Object.assign(new EventTarget(), {
    getRegistration: vi.fn(async () => ({ scope: '/', sync: { register } })),
  });
  const storage = { persisted: vi.fn(async () => false), persist: vi.fn(async () => true) };
  const nav = { onLine: online, serviceWorker, storage };
  const env: SyncEnvironment = { window: win, document: doc, navigator: nav };
  const setVisibility = (state: DocumentVisibilityState) => {
    doc.visibilityState = state;
    doc.dispatchEvent(new Event('visibilitychange'));
  };
  const message = (data: unknown) => serviceWorker.dispatchEvent(new MessageEvent('message', { data }));
  return { env, win, nav, register, storage, setVisibility, message };
}

const done = (): ReplayReport => ({ sent: 0, rejected: 0, stopped: null });
const stopped = (): ReplayReport => ({ sent: 0, rejected: 0, stopped: { status: 503, code: 'server_busy', message: 'Busy.', serverMessage: null, details: {} } });

/** An outbox stand-in that counts replays and answers the given reports in turn. */
function countingOutbox(reports: (() => ReplayReport)[] = []) {
  const replay = vi.fn(async (_send: Send) => (reports.shift() ?? done)());
  const enqueue = vi.fn(
    async (e: NewEntry): Promise<OutboxEntry> => ({ ...e, id: e.id ?? 'new', userId: e.userId ?? 'u1', createdAt: '2026-12-01T08:00:00.000Z', attempts: 0 }),
  );
  return { replay, enqueue };
}

const entry: NewEntry = { method: 'POST', path: '/api/v1/x', body: { hours: 8 }, kind: 'shift', label: 'Shift' };
const settle = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('sync triggers', () => {
  it('replays at start, when back online, when the tab is shown and when the service worker asks', async () => {
    const b = browser();
    const box = countingOutbox();
    const stop = createSync({ outbox: box, env: b.env }).start();
    expect(box.replay).toHaveBeenCalledTimes(1);

    b.win.dispatchEvent(new Event('online'));
    expect(box.replay).toHaveBeenCalledTimes(2);

    b.setVisibility('hidden');
    expect(box.replay).toHaveBeenCalledTimes(2);
    b.setVisibility('visible');
    expect(box.replay).toHaveBeenCalledTimes(3);

    b.message({ type: REPLAY_MESSAGE });
    expect(box.replay).toHaveBeenCalledTimes(4);
    b.message({ type: 'something-else' });
    b.message('not an object');
    expect(box.replay).toHaveBeenCalledTimes(4);

    stop();
    b.win.dispatchEvent(new Event('online'));
    b.setVisibility('visible');
    b.message({ type: REPLAY_MESSAGE });
    expect(box.replay).toHaveBeenCalledTimes(4);
  });

  it('installs the triggers once however often start is called', async () => {
    const b = browser();
    const box = countingOutbox();
    const s = createSync({ outbox: box, env: b.env });
    const stop = s.start();
    expect(s.start()).toBe(stop);
    b.win.dispatchEvent(new Event('online'));
    expect(box.replay).toHaveBeenCalledTimes(2);
    stop();
  });

  it('sends a new entry at once when online, and asks for Background Sync when offline', async () => {
    const b = browser(true);
    const box = countingOutbox();
    const s = createSync({ outbox: box, env: b.env });
    const stored = await s.submit(entry);
    expect(stored).toMatchObject({ id: 'new', kind: 'shift' });
    expect(box.enqueue).toHaveBeenCalledWith(entry);
    expect(box.replay).toHaveBeenCalledTimes(1);

    b.nav.onLine = false;
    await s.submit(entry);
    await settle();
    expect(box.replay).toHaveBeenCalledTimes(1);
    expect(b.register).toHaveBeenCalledWith(SYNC_TAG);
  });

  it('asks the browser to keep the storage when the first entry is added', async () => {
    vi.resetModules();
    const fresh = await import('./sync');
    const b = browser();
    const s = fresh.createSync({ outbox: countingOutbox(), env: b.env });
    await s.submit(entry);
    await s.submit(entry);
    await settle();
    expect(b.storage.persist).toHaveBeenCalledTimes(1);
  });

  it('tries again after a growing delay when a replay stopped while online, and asks for Background Sync', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const b = browser(true);
    const box = countingOutbox([stopped, stopped, stopped, done]);
    const stop = createSync({ outbox: box, env: b.env, retryDelaysMs: [1000, 5000] }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(box.replay).toHaveBeenCalledTimes(1);
    expect(b.register).toHaveBeenCalledWith(SYNC_TAG);

    await vi.advanceTimersByTimeAsync(999);
    expect(box.replay).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(box.replay).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(4999);
    expect(box.replay).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(box.replay).toHaveBeenCalledTimes(3);
    // The last delay repeats; then the queue empties and no more timers are set.
    await vi.advanceTimersByTimeAsync(5000);
    expect(box.replay).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(box.replay).toHaveBeenCalledTimes(4);
    stop();
  });

  it('sets no timer while offline (the online event will come), nor after stop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const b = browser(false);
    const box = countingOutbox([stopped, stopped]);
    const s = createSync({ outbox: box, env: b.env, retryDelaysMs: [1000] });
    const stop = s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(box.replay).toHaveBeenCalledTimes(1);
    stop();
    b.nav.onLine = true;
    await s.replayNow();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(box.replay).toHaveBeenCalledTimes(2);
  });

  it('makes the signed-in user the outbox owner and sends their entries at once; signing out sends nothing', async () => {
    const b = browser();
    const setOwner = vi.fn();
    const box = { ...countingOutbox(), setOwner };
    const s = createSync({ outbox: box, env: b.env });
    s.setUser('u1');
    expect(setOwner).toHaveBeenLastCalledWith('u1');
    expect(box.replay).toHaveBeenCalledTimes(1);
    s.setUser(null);
    expect(setOwner).toHaveBeenLastCalledWith(null);
    expect(box.replay).toHaveBeenCalledTimes(1);
  });

  it('end to end over IndexedDB: logged offline, sent with its client id when the connection is back', async () => {
    const bodies: unknown[] = [];
    const fetch = vi.fn(async (_url: string | URL | Request, init: RequestInit = {}) => {
      bodies.push(JSON.parse(init.body as string));
      return new Response('{}', { status: 201, headers: { 'Content-Type': 'application/json' } });
    });
    const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch });
    client.setSession({ access_token: 't', token_type: 'Bearer', expires_in: 900, user: { id: 'u1' } } as never);
    const box = createOutbox({ name: `sync-test-${crypto.randomUUID()}`, locks: null, owner: 'u1' });
    const b = browser(false);
    const s = createSync({ outbox: box, send: createSend(client), env: b.env });
    const stop = s.start();
    const stored = await s.submit(entry);
    await settle();
    expect(fetch).not.toHaveBeenCalled();
    expect(await box.count()).toBe(1);

    b.nav.onLine = true;
    b.win.dispatchEvent(new Event('online'));
    await vi.waitFor(async () => expect(await box.count()).toBe(0));
    expect(bodies).toEqual([{ hours: 8, client_id: stored.id }]);
    stop();
    box.close();
  });
});

describe('the service worker side (public/sw-outbox.js)', () => {
  /** Runs the script against a stand-in `self` with two open pages. */
  function load() {
    const handlers = new Map<string, (e: unknown) => void>();
    const pages = [{ postMessage: vi.fn() }, { postMessage: vi.fn() }];
    const matchAll = vi.fn(async () => pages);
    const self = { addEventListener: (type: string, fn: (e: unknown) => void) => handlers.set(type, fn), clients: { matchAll } };
    const source = readFileSync(new URL('../../public/sw-outbox.js', import.meta.url), 'utf8');
    new Function('self', source)(self);
    const fire = async (tag: string) => {
      const waits: Promise<unknown>[] = [];
      handlers.get('sync')!({ tag, waitUntil: (p: Promise<unknown>) => waits.push(p) });
      await Promise.all(waits);
    };
    return { fire, pages, matchAll };
  }

  it('asks every open page to replay on the outbox sync event', async () => {
    const sw = load();
    await sw.fire(SYNC_TAG);
    expect(sw.matchAll).toHaveBeenCalledWith({ type: 'window', includeUncontrolled: true });
    for (const p of sw.pages) expect(p.postMessage).toHaveBeenCalledWith({ type: REPLAY_MESSAGE });
  });

  it('ignores other sync tags', async () => {
    const sw = load();
    await sw.fire('something-else');
    expect(sw.matchAll).not.toHaveBeenCalled();
  });
});
