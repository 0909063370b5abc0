// How queued entries are named in the outbox (the failed list shows these labels).
import { formatDay } from './labels';
import { TYPE_LABEL, TYPE_PLURAL } from './labels';
import type { CollectionDraft, ShiftDraft } from './form';

export function shiftLabel(d: Pick<ShiftDraft, 'date' | 'start' | 'end'>): string {
  return `Shift on ${formatDay(d.date)}, ${d.start.slice(0, 5)}–${d.end.slice(0, 5)}`;
}

export function collectionLabel(d: Pick<CollectionDraft, 'date' | 'type' | 'count'>): string {
  const what = d.type ? (d.count === 1 ? TYPE_LABEL[d.type].toLowerCase() : TYPE_PLURAL[d.type]) : 'collections';
  return `${d.count} ${what} on ${formatDay(d.date)}`;
}
