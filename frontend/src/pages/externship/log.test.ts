import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../offline/outbox';
import { entry, shiftEntry } from './fixtures.test-helpers';
import { canCorrect, draftsByPlacement, groupEntries, isLogEntryOf, mergeLog, queuedItem, sectionsOf, sortItems } from './log';
import { externshipPaths } from './types';

const paths = externshipPaths('e1');
const queued = (over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  id: 'q1',
  method: 'POST',
  path: paths.collections,
  body: { placement_id: 'p1', date: '2026-03-11', type: 'skin-puncture', method: 'syringe', age_group: 'pediatric', successful: true, unaided: false, notes: null, count: 5 },
  createdAt: '2026-03-11T09:00:00Z',
  attempts: 0,
  kind: 'collection',
  label: '5 skin punctures',
  userId: 'u1',
  ...over,
});

describe('grouping entries into rows', () => {
  it('puts identical attempts of a quick entry in one row of N, and keeps every shift alone', () => {
    const quick = [1, 2, 3].map(() => entry({ client_id: 'same' }));
    const failedOne = entry({ collection: { ...quick[0]!.collection!, successful: false } });
    const s1 = shiftEntry();
    const s2 = shiftEntry();
    const rows = groupEntries([...quick, failedOne, s1, s2]);
    expect(rows.map((r) => [r.kind, r.count])).toEqual([
      ['collection', 3],
      ['collection', 1],
      ['shift', 1],
      ['shift', 1],
    ]);
    expect(rows[0]!.entries.map((e) => e.id)).toEqual(quick.map((e) => e.id));
    expect(rows[0]!.key).toBe(quick[0]!.id);
  });

  it('splits a row when the supervisor decided its attempts differently', () => {
    const a = entry({ state: 'attested' });
    const b = entry({ state: 'rejected', rejected_reason: 'Not observed' });
    const c = entry({ state: 'attested' });
    expect(groupEntries([a, b, c]).map((r) => [r.state, r.count, r.rejectedReason])).toEqual([
      ['attested', 2, null],
      ['rejected', 1, 'Not observed'],
    ]);
  });

  it('links a superseded row to the row holding its correction', () => {
    const old = shiftEntry({ id: 'old', state: 'rejected', superseded: true });
    const fix = shiftEntry({ id: 'fix', amends_id: 'old', amend_reason: 'End time was 15:00' });
    const rows = groupEntries([old, fix]);
    expect(rows.find((r) => r.key === 'old')!.correctedIn).toBe('fix');
    expect(rows.find((r) => r.key === 'fix')!.correctedIn).toBeNull();
  });
});

describe('merging the outbox into the log', () => {
  it('shows queued entries of this enrolment as not yet sent, with their count and times', () => {
    const shift = queued({ id: 'q2', kind: 'shift', path: paths.shifts, body: { placement_id: 'p1', date: '2026-03-11', start: '22:00', end: '06:00', department: null, activities: 'Night draws', notes: null } });
    const elsewhere = queued({ id: 'q3', path: '/api/v1/enrolments/e2/externship/collections' });
    const items = mergeLog([entry()], [queued(), shift, elsewhere], paths.base);
    const unsent = items.filter((i) => i.state === 'unsent');
    expect(unsent.map((i) => [i.key, i.kind, i.count])).toEqual([
      ['q2', 'shift', 1],
      ['q1', 'collection', 5],
    ]);
    expect(unsent[0]!.shift).toEqual({ start: '22:00', end: '06:00', minutes: 480, department: null, activities: 'Night draws' });
    expect(unsent[1]!.collection).toMatchObject({ type: 'skin-puncture', method: 'syringe', age_group: 'pediatric', unaided: false });
  });

  it('shows an entry once when the server has it and the outbox has not let go of it yet', () => {
    const stored = [1, 2, 3, 4, 5].map(() => entry({ client_id: 'q1', date: '2026-03-11' }));
    const items = mergeLog(stored, [queued()], paths.base);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ source: 'server', state: 'draft', count: 5 });
  });

  it('knows which outbox entries are log writes of this enrolment', () => {
    expect(isLogEntryOf(queued(), paths.base)).toBe(true);
    expect(isLogEntryOf(queued({ kind: 'heartbeat' }), paths.base)).toBe(false);
    expect(isLogEntryOf(queued({ path: '/api/v1/enrolments/e10/externship/shifts' }), paths.base)).toBe(false);
    expect(queuedItem(queued({ kind: 'other' }))).toBeNull();
  });
});

describe('ordering and sections', () => {
  it('sorts newest day first, shifts before collections, later starts first', () => {
    const items = sortItems(
      groupEntries([
        entry({ id: 'c-old', date: '2026-03-01' }),
        shiftEntry({ id: 's-early', date: '2026-03-05', shift: { start: '06:00', end: '10:00', minutes: 240, department: null, activities: null } }),
        entry({ id: 'c-new', date: '2026-03-05', notes: 'x' }),
        shiftEntry({ id: 's-late', date: '2026-03-05', shift: { start: '18:00', end: '22:00', minutes: 240, department: null, activities: null } }),
      ]),
    );
    expect(items.map((i) => i.key)).toEqual(['s-late', 's-early', 'c-new', 'c-old']);
  });

  it('splits the log by state in the order the learner acts on, counting attempts, and filters', () => {
    const items = mergeLog(
      [
        ...[1, 2, 3].map(() => entry({ state: 'approved' })),
        shiftEntry({ state: 'rejected', rejected_reason: 'I was not on shift' }),
        shiftEntry({ state: 'submitted' }),
        shiftEntry({ state: 'returned', superseded: true }),
        entry({ state: 'draft' }),
      ],
      [queued()],
      paths.base,
    );
    expect(sectionsOf(items).map((s) => [s.id, s.count])).toEqual([
      ['unsent', 5],
      ['draft', 1],
      ['rejected', 1],
      ['submitted', 1],
      ['approved', 3],
      ['superseded', 1],
    ]);
    expect(sectionsOf(items, 'approved').map((s) => s.id)).toEqual(['approved']);
    expect(sectionsOf(items, 'attested')).toEqual([]);
  });

  it('counts the drafts per placement that a submission would send, and says what can be corrected', () => {
    const list = [entry(), entry(), entry({ placement_id: 'p2' }), entry({ state: 'submitted' }), entry({ superseded: true })];
    expect(Object.fromEntries(draftsByPlacement(list))).toEqual({ p1: 2, p2: 1 });
    const [draft, rejected, submitted, approved, replaced] = groupEntries([
      shiftEntry(),
      shiftEntry({ state: 'rejected' }),
      shiftEntry({ state: 'submitted' }),
      shiftEntry({ state: 'approved' }),
      shiftEntry({ state: 'approved', superseded: true }),
    ]);
    expect([draft, rejected, submitted, approved, replaced].map((i) => canCorrect(i!))).toEqual([false, true, false, true, false]);
  });
});
