// The log as the learner reads it, as pure functions: the server's entries grouped (a quick
// entry of N identical attempts is one row of N), the entries still in this device's outbox
// merged in as "not yet sent" (an entry the server already has shows once, as the server's),
// sorted, and split into sections by where they stand.
import type { JsonObject, OutboxEntry } from '../../offline/outbox';
import { shiftMinutes } from './form';
import type { CollectionPart, CollectionType, Entry, EntryKind, EntryState, ShiftPart } from './types';

/** Where an item stands: an entry state, or `unsent` (still in the outbox). */
export type ItemState = EntryState | 'unsent';
/** The log's sections: a state, or `superseded` (replaced by a correction). */
export type SectionId = ItemState | 'superseded';

export interface LogItem {
  /** The first entry's ID, or the outbox entry's: the React key and the `#entry-…` anchor. */
  key: string;
  source: 'server' | 'outbox';
  kind: EntryKind;
  state: ItemState;
  superseded: boolean;
  date: string;
  placementId: string;
  shift: ShiftPart | null;
  collection: CollectionPart | null;
  /** Collection attempts in this row (1 for a shift). */
  count: number;
  notes: string | null;
  rejectedReason: string | null;
  reviewNote: string | null;
  amendReason: string | null;
  /** The server's records behind the row (none for an outbox item). */
  entries: Entry[];
  /** For a superseded row: the key of the row with its correction. */
  correctedIn: string | null;
  /** When it was made, for ordering within a day. */
  createdAt: string;
}

const collectionSignature = (e: Entry): string =>
  JSON.stringify([
    e.placement_id,
    e.date,
    e.collection?.shift_id ?? null,
    e.collection?.type,
    e.collection?.method,
    e.collection?.age_group,
    e.collection?.successful,
    e.collection?.unaided,
    e.notes ?? null,
    e.state,
    e.superseded,
    e.rejected_reason ?? null,
    e.review_note ?? null,
    e.amend_reason ?? null,
  ]);

function itemOf(entries: Entry[]): LogItem {
  const e = entries[0]!;
  return {
    key: e.id,
    source: 'server',
    kind: e.kind,
    state: e.state,
    superseded: e.superseded,
    date: e.date,
    placementId: e.placement_id,
    shift: e.shift ?? null,
    collection: e.collection ?? null,
    count: e.kind === 'collection' ? entries.length : 1,
    notes: e.notes ?? null,
    rejectedReason: e.rejected_reason ?? null,
    reviewNote: e.review_note ?? null,
    amendReason: e.amend_reason ?? null,
    entries,
    correctedIn: null,
    createdAt: e.created_at,
  };
}

/**
 * The server's entries as rows: each shift alone, identical collection attempts (same day,
 * placement, shift, details, notes and standing) together. Superseded rows point at the row
 * holding their correction.
 */
export function groupEntries(entries: readonly Entry[]): LogItem[] {
  const items: LogItem[] = [];
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    if (e.kind !== 'collection') {
      items.push(itemOf([e]));
      continue;
    }
    const sig = collectionSignature(e);
    const g = groups.get(sig);
    if (g) g.push(e);
    else {
      const list = [e];
      groups.set(sig, list);
      items.push(itemOf(list));
    }
  }
  // Re-read the groups (they grew after their row was made).
  const rows = items.map((i) => (i.kind === 'collection' ? itemOf(i.entries) : i));
  const rowOf = new Map<string, string>();
  for (const r of rows) for (const e of r.entries) rowOf.set(e.id, r.key);
  const correction = new Map<string, string>();
  for (const e of entries) if (e.amends_id) correction.set(e.amends_id, rowOf.get(e.id)!);
  for (const r of rows) {
    if (r.superseded) r.correctedIn = r.entries.map((e) => correction.get(e.id)).find(Boolean) ?? null;
  }
  return rows;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A queued entry (its body as the page queued it) as a row. */
export function queuedItem(q: OutboxEntry): LogItem | null {
  const b: JsonObject = q.body;
  const base = {
    key: q.id,
    source: 'outbox' as const,
    state: 'unsent' as const,
    superseded: false,
    date: str(b.date),
    placementId: str(b.placement_id),
    notes: strOrNull(b.notes),
    rejectedReason: null,
    reviewNote: null,
    amendReason: null,
    entries: [],
    correctedIn: null,
    createdAt: q.createdAt,
  };
  if (q.kind === 'shift') {
    const start = str(b.start);
    const end = str(b.end);
    return {
      ...base,
      kind: 'shift',
      count: 1,
      collection: null,
      shift: { start, end, minutes: shiftMinutes(start, end) ?? 0, department: strOrNull(b.department), activities: strOrNull(b.activities) },
    };
  }
  if (q.kind === 'collection') {
    return {
      ...base,
      kind: 'collection',
      count: typeof b.count === 'number' ? b.count : 1,
      shift: null,
      collection: {
        shift_id: strOrNull(b.shift_id),
        type: str(b.type) as CollectionType,
        method: str(b.method) as CollectionPart['method'],
        age_group: str(b.age_group) as CollectionPart['age_group'],
        successful: b.successful === true,
        unaided: b.unaided === true,
      },
    };
  }
  return null;
}

/** Whether an outbox entry is one of this enrolment's log writes (`paths.base` is its externship path). */
export function isLogEntryOf(q: OutboxEntry, base: string): boolean {
  return q.path.startsWith(`${base}/`) && (q.kind === 'shift' || q.kind === 'collection');
}

/**
 * The log: this enrolment's queued entries (not yet confirmed by the server) and the server's
 * rows. A queued entry whose client ID the server already lists (sent, the outbox not yet
 * cleared) shows once, as the server's.
 */
export function mergeLog(server: readonly Entry[], queued: readonly OutboxEntry[], base: string): LogItem[] {
  const known = new Set(server.map((e) => e.client_id));
  const mine = queued
    .filter((q) => isLogEntryOf(q, base) && !known.has(q.id))
    .map(queuedItem)
    .filter((i): i is LogItem => i !== null);
  return sortItems([...mine, ...groupEntries(server)]);
}

/** Newest day first; within a day shifts (latest start first), then collections (latest made first). */
export function sortItems(items: readonly LogItem[]): LogItem[] {
  return [...items].sort((a, b) => {
    if (a.date !== b.date) return a.date < b.date ? 1 : -1;
    if (a.kind !== b.kind) return a.kind === 'shift' ? -1 : 1;
    const sa = a.shift?.start ?? '';
    const sb = b.shift?.start ?? '';
    if (sa !== sb) return sa < sb ? 1 : -1;
    return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
  });
}

export interface SectionInfo {
  id: SectionId;
  title: string;
  hint: string;
}

/** The sections, in the order they are shown: what needs the learner first. */
export const SECTIONS: readonly SectionInfo[] = [
  { id: 'unsent', title: 'Not yet sent', hint: 'Kept on this device until Benchside confirms it; it goes by itself when you are online.' },
  { id: 'draft', title: 'Drafts', hint: 'Not sent to your supervisor yet. You can still change or delete them.' },
  { id: 'rejected', title: 'Rejected by your supervisor', hint: 'Correct them, then send them to your supervisor again.' },
  { id: 'returned', title: 'Returned by your program', hint: 'Correct them, then send them to your supervisor again.' },
  { id: 'submitted', title: 'Awaiting attestation', hint: 'Sent to your supervisor, who has not answered yet.' },
  { id: 'attested', title: 'Awaiting approval', hint: 'Attested by your supervisor; your program approves them next.' },
  { id: 'approved', title: 'Approved', hint: 'These count toward your requirements.' },
  { id: 'superseded', title: 'Replaced by a correction', hint: 'Kept for the record; they no longer count.' },
];

export const sectionOf = (i: LogItem): SectionId => (i.superseded ? 'superseded' : i.state);

export interface Section extends SectionInfo {
  items: LogItem[];
  /** Attempts and shifts in the section (a row of 5 attempts counts 5). */
  count: number;
}

/** The non-empty sections, or only `filter`'s. */
export function sectionsOf(items: readonly LogItem[], filter: SectionId | 'all' = 'all'): Section[] {
  return SECTIONS.filter((s) => filter === 'all' || s.id === filter)
    .map((s) => {
      const list = items.filter((i) => sectionOf(i) === s.id);
      return { ...s, items: list, count: list.reduce((n, i) => n + i.count, 0) };
    })
    .filter((s) => s.items.length > 0);
}

/** Drafts the server holds per placement (what "Send to supervisor" sends). */
export function draftsByPlacement(entries: readonly Entry[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of entries) if (e.state === 'draft' && !e.superseded) m.set(e.placement_id, (m.get(e.placement_id) ?? 0) + 1);
  return m;
}

/** Whether the row can be corrected by an amendment (the server's `is_amendable`). */
export function canCorrect(i: LogItem): boolean {
  return i.source === 'server' && !i.superseded && (i.state === 'rejected' || i.state === 'returned' || i.state === 'attested' || i.state === 'approved');
}
