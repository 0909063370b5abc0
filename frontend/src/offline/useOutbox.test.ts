import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOutbox, type NewEntry, type Outbox } from './outbox';
import { watchOutbox, type OutboxState } from './useOutbox';

let box: Outbox;
afterEach(() => box.close());

const shift = (id: string): NewEntry => ({ id, method: 'POST', path: '/api/v1/x', body: { n: id }, kind: 'shift', label: `Shift ${id}` });

describe('watchOutbox (the state behind useOutbox)', () => {
  it('gives the pending count and the refused entries now and after each change, until stopped', async () => {
    box = createOutbox({ name: `watch-test-${crypto.randomUUID()}`, locks: null, owner: 'u1' });
    const states: OutboxState[] = [];
    const stop = watchOutbox(box, (s) => states.push(s));
    await vi.waitFor(() => expect(states).toEqual([{ pending: 0, queued: [], failed: [] }]));

    await box.enqueue(shift('a'));
    await box.enqueue(shift('b'));
    await vi.waitFor(() => expect(states.at(-1)).toMatchObject({ pending: 2, failed: [] }));
    expect(states.at(-1)?.queued.map((e) => e.id)).toEqual(['a', 'b']);

    await box.replay(async (e) =>
      e.id === 'a'
        ? { outcome: 'rejected', error: { status: 422, code: 'phi_suspected', message: 'No.', serverMessage: 'No.', details: {} } }
        : { outcome: 'sent' },
    );
    await vi.waitFor(() => expect(states.at(-1)?.failed.map((f) => [f.id, f.error.code])).toEqual([['a', 'phi_suspected']]));
    expect(states.at(-1)?.pending).toBe(0);

    await box.requeue('a', { n: 'fixed' });
    await vi.waitFor(() => expect(states.at(-1)).toMatchObject({ pending: 1, queued: [{ id: 'a', body: { n: 'fixed' } }], failed: [] }));

    stop();
    const seen = states.length;
    await box.discard('a');
    await new Promise((r) => setTimeout(r, 20));
    expect(states).toHaveLength(seen);
  });
});
