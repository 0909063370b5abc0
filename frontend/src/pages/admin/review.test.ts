import { describe, expect, it } from 'vitest';
import { entry } from '../attest/fixtures';
import {
  allState,
  approveBody,
  describeResult,
  EMPTY_NOTES,
  noteId,
  prune,
  returnBody,
  selectedInOrder,
  setAll,
  SHARED_NOTE_ID,
  toggle,
  validateReturn,
} from './review';
import type { ReviewItem } from './types';

const item = (id: string, enrolment = 'en1', learner = 'Ana Learner'): ReviewItem => ({
  entry: entry({ id, state: 'attested' }),
  enrolment_id: enrolment,
  learner_name: learner,
  course_title: 'Demo Course',
  site_name: 'Riverside Clinic',
  supervisor_name: 'Sam Supervisor',
  signature_name: 'Sam Supervisor',
});

describe('selecting rows', () => {
  const ids = ['a', 'b', 'c'];
  it('toggles rows and the whole page', () => {
    let s = toggle(new Set(), 'b', true);
    expect(allState(s, ids)).toBe('some');
    s = setAll(s, ids, true);
    expect(allState(s, ids)).toBe('all');
    s = toggle(s, 'a', false);
    expect([...s].sort()).toEqual(['b', 'c']);
    s = setAll(s, ids, false);
    expect(allState(s, ids)).toBe('none');
    expect(allState(new Set(), [])).toBe('none');
  });

  it('clears only this page, and forgets rows that left it', () => {
    const s = setAll(new Set(['x']), ids, false);
    expect([...s]).toEqual(['x']);
    expect([...prune(new Set(['a', 'x', 'c']), ids)]).toEqual(['a', 'c']);
  });

  it('keeps the table’s order', () => {
    expect(selectedInOrder(new Set(['c', 'a']), [item('a'), item('b'), item('c')])).toEqual(['a', 'c']);
  });
});

describe('review bodies', () => {
  it('approves the selection', () => {
    expect(approveBody(['a', 'b'])).toEqual({
      decisions: [
        { entry_id: 'a', decision: 'approve' },
        { entry_id: 'b', decision: 'approve' },
      ],
    });
  });

  it('returns with one note for all, or a note each', () => {
    expect(returnBody(['a', 'b'], { ...EMPTY_NOTES, shared: ' Fix the times ' })).toEqual({
      decisions: [
        { entry_id: 'a', decision: 'return', note: 'Fix the times' },
        { entry_id: 'b', decision: 'return', note: 'Fix the times' },
      ],
    });
    const each = { mode: 'each' as const, shared: 'ignored', each: { a: 'Wrong department', b: 'Wrong day' } };
    expect(returnBody(['a', 'b'], each).decisions.map((d) => d.note)).toEqual(['Wrong department', 'Wrong day']);
  });

  it('needs a note free of patient information', () => {
    expect(validateReturn(['a'], EMPTY_NOTES)).toEqual([{ id: SHARED_NOTE_ID, message: expect.stringContaining('correct') }]);
    expect(validateReturn(['a'], { ...EMPTY_NOTES, shared: 'Patient 123-45-6789' })[0]?.message).toContain('Social Security');
    const each = { mode: 'each' as const, shared: '', each: { a: 'ok' } };
    expect(validateReturn(['a', 'b'], each)).toEqual([{ id: noteId('b'), message: expect.any(String) }]);
  });
});

describe('the result of a review', () => {
  it('says what was done and names the completed courses', () => {
    const items = [item('a'), item('b', 'en2', 'Bo Learner')];
    expect(describeResult({ approved: 2, returned: 0, completed: ['en2'] }, items)).toEqual({
      message: 'Approved 2 entries.',
      completed: [{ enrolmentId: 'en2', learner: 'Bo Learner', course: 'Demo Course' }],
    });
    expect(describeResult({ approved: 1, returned: 1, completed: [] }, items).message).toBe(
      'Approved 1 entry and returned 1 entry to the learner.',
    );
    expect(describeResult({ approved: 0, returned: 3, completed: ['gone'] }, items)).toEqual({
      message: 'Returned 3 entries to the learner.',
      completed: [{ enrolmentId: 'gone', learner: 'A learner', course: 'their course' }],
    });
  });
});
