// Logging new shifts and collections. Both go through the outbox (`submit`) with an ID made
// on this device, which the server takes as the idempotency key: they work offline, and a
// repeat delivery is stored once.
import { ApiError } from '../../api/errors';
import { NotOwnerError, type NewEntry, type OutboxEntry } from '../../offline/outbox';
import { CollectionForm } from './CollectionForm';
import { collectionsBody, emptyCollection, emptyShift, shiftFields, type CollectionDraft, type ShiftDraft } from './form';
import { collectionLabel, shiftLabel } from './outboxLabels';
import { ShiftForm } from './ShiftForm';
import type { Entry, ExternshipPaths, Overview, Placement } from './types';

interface Props {
  overview: Overview;
  entries: readonly Entry[];
  paths: ExternshipPaths;
  today: string;
  placements: Placement[];
  userId: string;
  online: boolean;
  submit: (entry: NewEntry) => Promise<OutboxEntry>;
}

async function queue(submit: Props['submit'], entry: NewEntry): Promise<void> {
  try {
    await submit(entry);
  } catch (e) {
    // Signed out in another tab meanwhile: nothing was stored.
    if (e instanceof NotOwnerError) throw new ApiError(401, 'session_expired', null);
    throw e;
  }
}

const after = (online: boolean) => (online ? '' : ' It is kept on this device and sent when you are back online.');

export function QuickLog({ overview, entries, paths, today, placements, userId, online, submit }: Props) {
  const log = async (d: CollectionDraft) => {
    const label = collectionLabel(d);
    await queue(submit, { id: crypto.randomUUID(), method: 'POST', path: paths.collections, body: collectionsBody(d), kind: 'collection', label, userId });
    return `Logged ${label}.${after(online)}`;
  };
  return (
    <section aria-labelledby="ext-quick-h" className="ext-section ext-panel">
      <h2 id="ext-quick-h">Quick-log collections</h2>
      <CollectionForm mode="create" overview={overview} today={today} entries={entries} initial={emptyCollection(placements[0], today, overview.collection_types)} onSubmit={log} />
    </section>
  );
}

export function LogShift({ overview, paths, today, placements, userId, online, submit }: Props) {
  const log = async (d: ShiftDraft) => {
    const label = shiftLabel(d);
    await queue(submit, { id: crypto.randomUUID(), method: 'POST', path: paths.shifts, body: shiftFields(d), kind: 'shift', label, userId });
    return `Logged: ${label}.${after(online)}`;
  };
  return (
    <section aria-labelledby="ext-shift-h" className="ext-section ext-panel">
      <h2 id="ext-shift-h">Log a shift</h2>
      <ShiftForm mode="create" overview={overview} today={today} initial={emptyShift(placements[0], today)} onSubmit={log} />
    </section>
  );
}
