// The review queue's pure parts: which rows are selected (per page), the "select all"
// box's state, the request bodies for approving and returning, the checks on return notes,
// and the sentence that reports what a review did.
import { checkText, type FieldError } from '../attest/form';
import { plural } from '../attest/outcome';
import type { Review, ReviewItem, ReviewResult } from './types';

export type Selection = ReadonlySet<string>;

export function toggle(sel: Selection, id: string, on: boolean): Set<string> {
  const next = new Set(sel);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** Selects (or clears) every row of the page. */
export function setAll(sel: Selection, ids: readonly string[], on: boolean): Set<string> {
  const next = new Set(sel);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** The "select all" box: checked, clear, or mixed (some rows). */
export function allState(sel: Selection, ids: readonly string[]): 'all' | 'none' | 'some' {
  const n = ids.filter((id) => sel.has(id)).length;
  if (n === 0) return 'none';
  return n === ids.length ? 'all' : 'some';
}

/** Keeps only rows still on the page (after a reload). */
export function prune(sel: Selection, ids: readonly string[]): Set<string> {
  const present = new Set(ids);
  return new Set([...sel].filter((id) => present.has(id)));
}

/** The selected IDs in the order the rows appear. */
export function selectedInOrder(sel: Selection, items: readonly ReviewItem[]): string[] {
  return items.map((i) => i.entry.id).filter((id) => sel.has(id));
}

export function approveBody(ids: readonly string[]): Review {
  return { decisions: ids.map((entry_id) => ({ entry_id, decision: 'approve' as const })) };
}

export interface ReturnNotes {
  /** One note for every selected entry, or a note each. */
  mode: 'shared' | 'each';
  shared: string;
  each: Record<string, string>;
}

export const EMPTY_NOTES: ReturnNotes = { mode: 'shared', shared: '', each: {} };
export const SHARED_NOTE_ID = 'return-note';
export const noteId = (entryId: string) => `return-note-${entryId}`;

export function noteFor(notes: ReturnNotes, id: string): string {
  return (notes.mode === 'shared' ? notes.shared : (notes.each[id] ?? '')).trim();
}

export function validateReturn(ids: readonly string[], notes: ReturnNotes): FieldError[] {
  const check = (text: string, id: string): FieldError | null => {
    if (!text.trim()) return { id, message: 'Write what the learner should correct.' };
    const bad = checkText(text, 'note');
    return bad ? { id, message: bad } : null;
  };
  if (notes.mode === 'shared') {
    const e = check(notes.shared, SHARED_NOTE_ID);
    return e ? [e] : [];
  }
  return ids.flatMap((id) => {
    const e = check(notes.each[id] ?? '', noteId(id));
    return e ? [e] : [];
  });
}

export function returnBody(ids: readonly string[], notes: ReturnNotes): Review {
  return { decisions: ids.map((entry_id) => ({ entry_id, decision: 'return' as const, note: noteFor(notes, entry_id) })) };
}

export interface CompletedCourse {
  enrolmentId: string;
  learner: string;
  course: string;
}

/** What a review did, in words, with the courses it completed (named from the rows shown). */
export function describeResult(result: ReviewResult, items: readonly ReviewItem[]): { message: string; completed: CompletedCourse[] } {
  const parts: string[] = [];
  if (result.approved) parts.push(`Approved ${plural(result.approved, 'entry', 'entries')}`);
  if (result.returned) parts.push(`returned ${plural(result.returned, 'entry', 'entries')} to the learner`);
  const said = parts.join(' and ') || 'Nothing changed';
  const message = `${said.charAt(0).toUpperCase()}${said.slice(1)}.`;
  const completed = result.completed.map((id) => {
    const row = items.find((i) => i.enrolment_id === id);
    return { enrolmentId: id, learner: row?.learner_name ?? 'A learner', course: row?.course_title ?? 'their course' };
  });
  return { message, completed };
}
