import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LockManagerLike } from '../api/client';
import {
  createOutbox,
  NotOwnerError,
  type EntryError,
  type NewEntry,
  type Outbox,
  type OutboxCounts,
  type OutboxEntry,
  type OutboxOptions,
  type Send,
  type SendResult,
} from './outbox';

const opened: Outbox[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

/** A fresh outbox over its own database (pass `name` to open the same one again, as another tab would). */
function box(opts: OutboxOptions = {}): Outbox {
  let n = 0;
  const o = createOutbox({
    name: `outbox-test-${crypto.randomUUID()}`,
    locks: null,
    owner: 'u1',
    // Distinct, increasing times, so refusals sort predictably.
    now: () => new Date(Date.UTC(2026, 11, 1, 8, 0, n++)),
    ...opts,
  });
  opened.push(o);
  return o;
}

const shift = (label: string, extra: Partial<NewEntry> = {}): NewEntry => ({
  method: 'POST',
  path: '/api/v1/enrolments/e1/externship/entries',
  body: { hours: 8, note: label },
  kind: 'shift',
  label,
  ...extra,
});

const err = (status: number, code: string): EntryError => ({ status, code, message: `${code}!`, serverMessage: null, details: {} });
const SENT: SendResult = { outcome: 'sent' };
const retry = (status = 0, code = 'network'): SendResult => ({ outcome: 'retry', error: err(status, code) });
const rejected = (code = 'invalid_body'): SendResult => ({ outcome: 'rejected', error: err(422, code) });

/** A controllable send: each call waits until the test answers it. */
function manualSend() {
  const calls: { entry: OutboxEntry; answer: (r: SendResult) => void }[] = [];
  const send: Send = (entry) => new Promise((answer) => calls.push({ entry, answer }));
  const next = async () => {
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(0));
    return calls.shift()!;
  };
  return { send, calls, next };
}

/** An in-memory stand-in for navigator.locks: one holder per name at a time, the rest wait in order. */
function memoryLocks(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, cb: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(() => cb());
      tails.set(name, run.catch(() => undefined));
      return run;
    },
  };
}

describe('outbox: storing', () => {
  it('stores entries with a client id, time and no attempts, oldest first', async () => {
    const o = box({ newId: (() => { let i = 0; return () => `id-${++i}`; })() });
    const a = await o.enqueue(shift('first'));
    await o.enqueue(shift('second'));
    await o.enqueue(shift('third', { id: 'own-id' }));
    expect(a).toEqual({
      id: 'id-1',
      method: 'POST',
      path: '/api/v1/enrolments/e1/externship/entries',
      body: { hours: 8, note: 'first' },
      createdAt: '2026-12-01T08:00:00.000Z',
      attempts: 0,
      kind: 'shift',
      label: 'first',
      userId: 'u1',
    });
    expect((await o.pending()).map((e) => [e.id, e.label])).toEqual([
      ['id-1', 'first'],
      ['id-2', 'second'],
      ['own-id', 'third'],
    ]);
    expect(await o.count()).toBe(3);
  });

  it('makes UUIDs by default', async () => {
    const o = createOutbox({ name: `outbox-test-${crypto.randomUUID()}`, locks: null, owner: 'u1' });
    opened.push(o);
    const e = await o.enqueue(shift('x'));
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not add the same client id twice', async () => {
    const o = box();
    const first = await o.enqueue(shift('a', { id: 'same' }));
    const again = await o.enqueue(shift('b', { id: 'same' }));
    expect(again).toEqual(first);
    expect(await o.count()).toBe(1);
  });

  it('keeps entries when the database is closed and opened again (a reload)', async () => {
    const name = `outbox-test-${crypto.randomUUID()}`;
    const first = box({ name });
    await first.enqueue(shift('a', { id: 'a' }));
    await first.replay(async () => rejected());
    await first.enqueue(shift('b', { id: 'b' }));
    first.close();
    const reopened = box({ name });
    expect((await reopened.pending()).map((e) => e.id)).toEqual(['b']);
    expect((await reopened.failed()).map((e) => e.id)).toEqual(['a']);
  });
});

describe('outbox: replay', () => {
  it('sends oldest first, one at a time, and removes an entry only after the server confirmed it', async () => {
    const o = box();
    for (const l of ['a', 'b', 'c']) await o.enqueue(shift(l, { id: l }));
    const m = manualSend();
    const done = o.replay(m.send);

    const first = await m.next();
    expect(first.entry.id).toBe('a');
    expect(first.entry.attempts).toBe(1);
    // While it is in flight it is still stored, and nothing else is sent.
    expect((await o.pending()).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(m.calls).toHaveLength(0);
    first.answer(SENT);

    const second = await m.next();
    expect(second.entry.id).toBe('b');
    expect((await o.pending()).map((e) => e.id)).toEqual(['b', 'c']);
    second.answer(SENT);
    (await m.next()).answer(SENT);

    await expect(done).resolves.toEqual({ sent: 3, rejected: 0, stopped: null });
    expect(await o.count()).toBe(0);
  });

  it('moves an entry the server refuses to the failed store and goes on with the next', async () => {
    const o = box();
    await o.enqueue(shift('bad', { id: 'bad' }));
    await o.enqueue(shift('good', { id: 'good' }));
    const sent: string[] = [];
    const report = await o.replay(async (e) => {
      sent.push(e.id);
      return e.id === 'bad' ? rejected('phi_suspected') : SENT;
    });
    expect(report).toEqual({ sent: 1, rejected: 1, stopped: null });
    expect(sent).toEqual(['bad', 'good']);
    expect(await o.count()).toBe(0);
    const failed = await o.failed();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id: 'bad', label: 'bad', attempts: 1, error: err(422, 'phi_suspected') });
    expect(failed[0]!.failedAt).toMatch(/^2026-12-01T08:00:/);
  });

  it('stops at an entry to retry, keeps it with the reason, and sends nothing after it', async () => {
    const o = box();
    await o.enqueue(shift('a', { id: 'a' }));
    await o.enqueue(shift('b', { id: 'b' }));
    const send = vi.fn<Send>(async () => retry(503, 'server_busy'));
    const report = await o.replay(send);
    expect(report).toEqual({ sent: 0, rejected: 0, stopped: err(503, 'server_busy') });
    expect(send).toHaveBeenCalledTimes(1);
    const [a, b] = await o.pending();
    expect(a).toMatchObject({ id: 'a', attempts: 1, lastError: err(503, 'server_busy') });
    expect(b).toMatchObject({ id: 'b', attempts: 0 });
    expect(b!.lastError).toBeUndefined();

    // Next time it goes through, oldest first still.
    const order: string[] = [];
    await o.replay(async (e) => (order.push(`${e.id}:${e.attempts}`), SENT));
    expect(order).toEqual(['a:2', 'b:1']);
    expect(await o.count()).toBe(0);
  });

  it('keeps an entry when send throws', async () => {
    const o = box();
    await o.enqueue(shift('a'));
    const report = await o.replay(async () => {
      throw new Error('boom');
    });
    expect(report.stopped).toMatchObject({ status: 0, code: 'unexpected', message: 'boom' });
    expect(await o.count()).toBe(1);
  });

  it('is single-flight: a second call joins the running replay and picks up entries added meanwhile', async () => {
    const o = box();
    await o.enqueue(shift('a', { id: 'a' }));
    const m = manualSend();
    const one = o.replay(m.send);
    const two = o.replay(m.send);
    expect(two).toBe(one);
    const a = await m.next();
    await o.enqueue(shift('b', { id: 'b' }));
    expect(o.replay(m.send)).toBe(one);
    a.answer(SENT);
    const b = await m.next();
    expect(b.entry.id).toBe('b');
    b.answer(SENT);
    await expect(one).resolves.toEqual({ sent: 2, rejected: 0, stopped: null });
    // Finished: the next call is a new replay.
    const three = o.replay(m.send);
    expect(three).not.toBe(one);
    await expect(three).resolves.toEqual({ sent: 0, rejected: 0, stopped: null });
  });

  it('sends an entry added after the running replay looked for the last time', async () => {
    const sent: string[] = [];
    const send: Send = async (e) => (sent.push(e.id), SENT);
    let o: Outbox | null = null;
    let joined: Promise<unknown> | null = null;
    // A lock that, once the pass inside it is over (it found nothing more), lets a page add an
    // entry and call replay before the running replay has finished.
    const locks: LockManagerLike = {
      async request<T>(_name: string, cb: () => Promise<T>): Promise<T> {
        const result = await cb();
        if (!joined) {
          await o!.enqueue(shift('b', { id: 'b' }));
          joined = o!.replay(send);
        }
        return result;
      },
    };
    o = box({ locks });
    await o.enqueue(shift('a', { id: 'a' }));
    const run = o.replay(send);
    await expect(run).resolves.toEqual({ sent: 2, rejected: 0, stopped: null });
    expect(joined).toBe(run);
    expect(sent).toEqual(['a', 'b']);
    expect(await o.count()).toBe(0);
  });

  it('never sends an entry twice at once across tabs (Web Locks), and each exactly once', async () => {
    const name = `outbox-test-${crypto.randomUUID()}`;
    const locks = memoryLocks();
    const tabA = box({ name, locks });
    const tabB = box({ name, locks });
    for (const l of ['a', 'b', 'c', 'd']) await tabA.enqueue(shift(l, { id: l }));
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const send = (tab: string): Send => async (e) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      sent.push(`${tab}:${e.id}`);
      inFlight -= 1;
      return SENT;
    };
    const [ra, rb] = await Promise.all([tabA.replay(send('A')), tabB.replay(send('B'))]);
    expect(most).toBe(1);
    expect(sent.map((s) => s.split(':')[1])).toEqual(['a', 'b', 'c', 'd']);
    expect(ra.sent + rb.sent).toBe(4);
    expect(await tabB.count()).toBe(0);
  });

  it('does not bring back an entry discarded while it was in flight', async () => {
    const o = box();
    await o.enqueue(shift('a', { id: 'a' }));
    const m = manualSend();
    const run = o.replay(m.send);
    const a = await m.next();
    expect(await o.discard('a')).toBe(true);
    a.answer(retry());
    await run;
    expect(await o.count()).toBe(0);
    expect(await o.failed()).toEqual([]);
  });
});

describe('outbox: refused entries', () => {
  it('discards a refused entry, and says when there was nothing to discard', async () => {
    const o = box();
    await o.enqueue(shift('a', { id: 'a' }));
    await o.replay(async () => rejected());
    expect(await o.discard('a')).toBe(true);
    expect(await o.failed()).toEqual([]);
    expect(await o.discard('a')).toBe(false);
  });

  it('re-queues a refused entry with a corrected body, at the back, with no attempts', async () => {
    const o = box();
    await o.enqueue(shift('a', { id: 'a' }));
    await o.replay(async () => rejected('phi_suspected'));
    await o.enqueue(shift('b', { id: 'b' }));
    const back = await o.requeue('a', { hours: 8, note: 'fixed' });
    expect(back).toMatchObject({ id: 'a', body: { hours: 8, note: 'fixed' }, attempts: 0, createdAt: '2026-12-01T08:00:00.000Z' });
    expect(back).not.toHaveProperty('error');
    expect(back).not.toHaveProperty('lastError');
    expect((await o.pending()).map((e) => e.id)).toEqual(['b', 'a']);
    expect(await o.failed()).toEqual([]);
    expect(await o.requeue('nope')).toBeNull();
  });
});

describe('outbox: subscribe', () => {
  it('reports the counts at once and after every change', async () => {
    const o = box();
    const seen: OutboxCounts[] = [];
    const stop = o.subscribe((c) => seen.push(c));
    await vi.waitFor(() => expect(seen).toEqual([{ pending: 0, failed: 0 }]));
    await o.enqueue(shift('a', { id: 'a' }));
    await o.enqueue(shift('b', { id: 'b' }));
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 2, failed: 0 }));
    await o.replay(async (e) => (e.id === 'a' ? rejected() : SENT));
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 0, failed: 1 }));
    await o.discard('a');
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 0, failed: 0 }));
    stop();
    const before = seen.length;
    await o.enqueue(shift('c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(before);
  });

  it('hears changes made in another tab (BroadcastChannel)', async () => {
    const name = `outbox-test-${crypto.randomUUID()}`;
    const tabA = box({ name });
    const tabB = box({ name });
    const seen: OutboxCounts[] = [];
    tabB.subscribe((c) => seen.push(c));
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    await tabA.enqueue(shift('a'));
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 1, failed: 0 }));
    await tabA.replay(async () => SENT);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 0, failed: 0 }));
  });
});

describe('outbox: one owner at a time (the signed-in user)', () => {
  it('stamps the owner on each entry, and takes none with nobody signed in or for another user', async () => {
    const o = box({ owner: null });
    await expect(o.enqueue(shift('a'))).rejects.toBeInstanceOf(NotOwnerError);
    o.setOwner('u1');
    expect(o.owner()).toBe('u1');
    expect((await o.enqueue(shift('a'))).userId).toBe('u1');
    await expect(o.enqueue(shift('b', { userId: 'u2' }))).rejects.toBeInstanceOf(NotOwnerError);
    expect(await o.count()).toBe(1);
  });

  it("lists, counts, replays, discards and requeues the owner's entries only; the others wait for theirs", async () => {
    const o = box();
    await o.enqueue(shift('ana-1', { id: 'a1' }));
    o.setOwner('u2');
    await o.enqueue(shift('ben-1', { id: 'b1' }));
    await o.enqueue(shift('ben-2', { id: 'b2' }));
    expect((await o.pending()).map((e) => e.id)).toEqual(['b1', 'b2']);
    expect(await o.count()).toBe(2);

    // Ben's replay sends Ben's entries, never Ana's.
    const sent: string[] = [];
    await o.replay(async (e) => {
      sent.push(`${e.userId}:${e.id}`);
      return e.id === 'b2' ? rejected() : SENT;
    });
    expect(sent).toEqual(['u2:b1', 'u2:b2']);
    expect(await o.discard('a1')).toBe(false);

    // Ana signs in again: her entry is there and goes; Ben's refusal is not hers to see or touch.
    o.setOwner('u1');
    expect(await o.failed()).toEqual([]);
    expect(await o.requeue('b2')).toBeNull();
    expect(await o.discard('b2')).toBe(false);
    expect((await o.pending()).map((e) => e.id)).toEqual(['a1']);
    await o.replay(async (e) => {
      sent.push(`${e.userId}:${e.id}`);
      return SENT;
    });
    expect(sent.at(-1)).toBe('u1:a1');

    // Signed out: nothing is listed or sent.
    await o.enqueue(shift('ana-2', { id: 'a2' }));
    o.setOwner(null);
    expect(await o.pending()).toEqual([]);
    expect(await o.count()).toBe(0);
    expect(await o.replay(async () => SENT)).toEqual({ sent: 0, rejected: 0, stopped: null });
    o.setOwner('u2');
    expect((await o.failed()).map((e) => e.id)).toEqual(['b2']);
  });

  it('stops a replay when the owner changes mid-way, and tells listeners the new counts', async () => {
    const o = box();
    await o.enqueue(shift('a', { id: 'a' }));
    await o.enqueue(shift('b', { id: 'b' }));
    const seen: OutboxCounts[] = [];
    o.subscribe((c) => seen.push(c));
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 2, failed: 0 }));
    const m = manualSend();
    const run = o.replay(m.send);
    const first = await m.next();
    o.setOwner('u2');
    first.answer(SENT);
    expect(await run).toMatchObject({ sent: 1 });
    expect(m.calls).toHaveLength(0);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 0, failed: 0 }));
    o.setOwner('u1');
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ pending: 1, failed: 0 }));
  });
});

describe('requestPersistentStorage', () => {
  it('asks the browser once, and not at all when storage is already persistent', async () => {
    vi.resetModules();
    const { requestPersistentStorage } = await import('./outbox');
    const storage = { persisted: vi.fn(async () => false), persist: vi.fn(async () => true) };
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(storage.persist).toHaveBeenCalledTimes(1);

    vi.resetModules();
    const fresh = await import('./outbox');
    const already = { persisted: vi.fn(async () => true), persist: vi.fn(async () => true) };
    expect(await fresh.requestPersistentStorage(already)).toBe(true);
    expect(already.persist).not.toHaveBeenCalled();
  });

  it('resolves false where the browser has no storage API, or refuses', async () => {
    vi.resetModules();
    const a = await import('./outbox');
    expect(await a.requestPersistentStorage(undefined)).toBe(false);
    vi.resetModules();
    const b = await import('./outbox');
    const failing = { persisted: async () => false, persist: async () => Promise.reject(new Error('no')) };
    expect(await b.requestPersistentStorage(failing)).toBe(false);
  });
});
