import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { SaveResult } from '../api/types';
import { AutosaveQueue, storageKey, type Changes } from './autosave';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

const ok = (n: number): SaveResult => ({ saved: n, saved_at: `2026-11-23T10:00:${String(n).padStart(2, '0')}Z`, deadline: null, seconds_left: 100 });

function setup(send: (c: Changes) => Promise<SaveResult>, online = () => true) {
  const storage = new MemoryStorage();
  const states: string[] = [];
  const onClosed = vi.fn();
  const q = new AutosaveQueue({
    attemptId: 'a1',
    send,
    storage,
    debounceMs: 100,
    retryDelaysMs: [1000, 5000],
    isOnline: online,
    onState: (s) => states.push(s.status),
    onClosed,
  });
  const stored = () => {
    const raw = storage.getItem(storageKey('a1'));
    return raw ? (JSON.parse(raw) as { changes: Changes }).changes : null;
  };
  return { q, storage, states, stored, onClosed };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('autosave queue', () => {
  it('merges quick changes into one request and clears local storage once confirmed', async () => {
    const send = vi.fn(async (c: Changes) => ok(Object.keys(c).length));
    const { q, stored, states } = setup(send);
    q.set('q1', { choice: 'c1' });
    q.set('q1', { choice: 'c2' });
    q.set('q2', { value: true });
    expect(stored()).toEqual({ q1: { choice: 'c2' }, q2: { value: true } });
    expect(send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({ q1: { choice: 'c2' }, q2: { value: true } });
    expect(stored()).toBeNull();
    expect(q.getState().status).toBe('saved');
    expect(q.getState().savedAt).toBe('2026-11-23T10:00:02Z');
    expect(states).toContain('saving');
  });

  it('keeps an edit made while a save is in flight and sends it next', async () => {
    let release: (r: SaveResult) => void = () => {};
    const send = vi.fn(
      (c: Changes) => new Promise<SaveResult>((res) => (release = () => res(ok(Object.keys(c).length)))),
    );
    const { q, stored } = setup(send);
    q.set('q1', { choice: 'c1' });
    await vi.advanceTimersByTimeAsync(100);
    expect(send).toHaveBeenCalledTimes(1);
    q.set('q1', { choice: 'c3' });
    expect(stored()).toEqual({ q1: { choice: 'c3' } });
    release(ok(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(stored()).toEqual({ q1: { choice: 'c3' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(2);
    expect(send).toHaveBeenLastCalledWith({ q1: { choice: 'c3' } });
    release(ok(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(stored()).toBeNull();
  });

  it('goes offline on a network error, keeps answers locally, retries with backoff and on reconnect', async () => {
    let online = false;
    const send = vi.fn(async (c: Changes) => {
      if (!online) throw new ApiError(0, 'network', null);
      return ok(Object.keys(c).length);
    });
    const { q, stored } = setup(send, () => online);
    q.set('q1', { choice: 'c1' });
    await vi.advanceTimersByTimeAsync(100);
    expect(q.getState().status).toBe('offline');
    expect(q.getState().message).toMatch(/kept on this device/);
    expect(stored()).toEqual({ q1: { choice: 'c1' } });
    // A change while offline merges into the retry, newest value wins.
    q.set('q1', { choice: 'c2' });
    q.set('q3', null);
    await vi.advanceTimersByTimeAsync(1000);
    expect(send).toHaveBeenCalledTimes(2);
    expect(q.getState().status).toBe('offline');
    online = true;
    q.online();
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenLastCalledWith({ q1: { choice: 'c2' }, q3: null });
    expect(q.getState().status).toBe('saved');
    expect(stored()).toBeNull();
  });

  it('retries server errors (5xx) and reports "retrying" rather than offline', async () => {
    let fail = true;
    const send = vi.fn(async () => {
      if (fail) throw new ApiError(503, 'server_busy', 'busy');
      return ok(1);
    });
    const { q } = setup(send);
    q.set('q1', { value: 3 });
    await vi.advanceTimersByTimeAsync(100);
    expect(q.getState().status).toBe('retrying');
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(q.getState().status).toBe('saved');
  });

  it('restores unsaved changes after a reload over the server copy and sends them', async () => {
    const send = vi.fn(async (c: Changes) => ok(Object.keys(c).length));
    const first = setup(async () => {
      throw new ApiError(0, 'network', null);
    }, () => false);
    first.q.set('q1', { choice: 'c2' });
    first.q.set('q2', null);
    await vi.advanceTimersByTimeAsync(100);
    first.q.dispose();

    // "Reload": a new queue over the same storage.
    const q2 = new AutosaveQueue({ attemptId: 'a1', send, storage: first.storage, debounceMs: 100 });
    const shown = q2.restore({ q1: { choice: 'c1' }, q2: { value: true }, q3: { value: 4 } });
    expect(shown).toEqual({ q1: { choice: 'c2' }, q3: { value: 4 } });
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledWith({ q1: { choice: 'c2' }, q2: null });
    expect(first.storage.getItem(storageKey('a1'))).toBeNull();
  });

  it('skips local changes the server already has', async () => {
    const send = vi.fn(async () => ok(0));
    const storage = new MemoryStorage();
    storage.setItem(storageKey('a1'), JSON.stringify({ v: 1, changes: { q1: { choice: 'c1' } } }));
    const q = new AutosaveQueue({ attemptId: 'a1', send, storage });
    q.restore({ q1: { choice: 'c1' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(send).not.toHaveBeenCalled();
    expect(storage.getItem(storageKey('a1'))).toBeNull();
  });

  it('stops when the attempt is closed', async () => {
    const send = vi.fn(async () => {
      throw new ApiError(409, 'attempt_closed', 'closed');
    });
    const { q, stored, onClosed } = setup(send);
    q.set('q1', { choice: 'c1' });
    await vi.advanceTimersByTimeAsync(100);
    expect(q.getState().status).toBe('closed');
    expect(onClosed).toHaveBeenCalledTimes(1);
    expect(stored()).toBeNull();
    q.set('q2', { choice: 'c1' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('drops an answer the server refuses and saves the others', async () => {
    const send = vi.fn(async (c: Changes) => {
      if ('q2' in c) throw new ApiError(422, 'invalid_answer', 'bad', { question: 'q2', reason: 'not a permutation' });
      return ok(Object.keys(c).length);
    });
    const { q, stored } = setup(send);
    q.set('q1', { choice: 'c1' });
    q.set('q2', { order: ['i1'] });
    await vi.advanceTimersByTimeAsync(100);
    expect(q.getState().status).toBe('error');
    await vi.advanceTimersByTimeAsync(10);
    expect(send).toHaveBeenLastCalledWith({ q1: { choice: 'c1' } });
    expect(q.getState().status).toBe('saved');
    expect(stored()).toBeNull();
  });

  it('flushAll sends everything before a submit, and rejects when offline', async () => {
    const send = vi.fn(async (c: Changes) => ok(Object.keys(c).length));
    const { q } = setup(send);
    q.set('q1', { choice: 'c1' });
    await q.flushAll();
    expect(send).toHaveBeenCalledTimes(1);
    expect(q.hasUnsaved()).toBe(false);

    const off = setup(async () => {
      throw new ApiError(0, 'network', null);
    }, () => false);
    off.q.set('q1', { choice: 'c1' });
    await expect(off.q.flushAll()).rejects.toMatchObject({ code: 'network' });
    expect(off.stored()).toEqual({ q1: { choice: 'c1' } });
  });
});
