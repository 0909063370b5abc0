// The outbox: API writes made on this device that the server has not confirmed yet (shifts
// and blood-collection attempts logged on a ward with no signal). They are kept in IndexedDB,
// so a reload, a closed tab or a flat battery loses nothing, and sent later by `replay`.
//
// - Each entry has a client-made UUID, which the server takes as the idempotency key: sending
//   an entry twice (a tab closed after the server stored it but before the entry was removed)
//   stores it once, and the second answer is a 200 with the stored record.
// - Replay sends the oldest entry first, one at a time, through the `send` it is given. An
//   entry leaves the queue only when `send` says the server answered 2xx; one the server
//   refuses moves to the `failed` store for the learner to see, fix or discard; anything
//   else (offline, 5xx, 401, 408, 429) keeps it and ends the replay until the next trigger.
// - One replay at a time: a call while one runs joins it (and makes it look once more for
//   entries added meanwhile); across tabs the Web Locks API serialises them, so no entry is
//   ever in flight twice at once.
// - `subscribe` reports the counts after every change, made in this tab or (through a
//   BroadcastChannel) in another one.
// - Every entry belongs to the user who made it (`userId`, stamped at `enqueue`). The outbox
//   has an owner, the signed-in user (`setOwner`, from the session): counts, lists, replay,
//   discard and requeue see the owner's entries only, so on a shared phone one learner's
//   queued shifts are never sent with, shown to or discarded by another; they wait on the
//   device until their owner signs in again. With no owner (signed out) nothing is sent.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { LockManagerLike } from '../api/client';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The methods an entry may use (writes only). */
export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Why a send did not succeed. */
export interface EntryError {
  /** HTTP status; 0 when the server was not reached. */
  status: number;
  /** The server's error code, a client code (`network`, `session_expired`), or `unexpected` when `send` threw. */
  code: string;
  /** A sentence for the learner. */
  message: string;
  /** The server's own sentence, when it sent one (it may name the field or the part at fault). */
  serverMessage: string | null;
  details: Record<string, unknown>;
}

export interface OutboxEntry {
  /** Made on the device (`crypto.randomUUID()`); the server's idempotency key (`client_id`). */
  id: string;
  method: WriteMethod;
  /** The API path, e.g. `/api/v1/enrolments/{id}/externship/entries`. */
  path: string;
  body: JsonObject;
  /** When the learner made the entry (ISO 8601). */
  createdAt: string;
  /** Sends tried so far. */
  attempts: number;
  /** Why the last send did not go through, while the entry waits for another. */
  lastError?: EntryError;
  /** What it is, for the pages (`shift`, `collection`). */
  kind: string;
  /** The user who made it: only that user's session sends, lists or discards it. */
  userId: string;
  /** How the pages name it to the learner ("Shift on 3 March, 7 h 30"). */
  label: string;
}

/** An entry the server refused: kept until the learner fixes and re-queues it or discards it. */
export interface FailedEntry extends OutboxEntry {
  error: EntryError;
  failedAt: string;
}

/**
 * What a page hands to `enqueue`; `id` is made here unless the page made one already, and
 * `userId` is the outbox's owner unless given (it must then be the owner).
 */
export type NewEntry = Pick<OutboxEntry, 'method' | 'path' | 'body' | 'kind' | 'label'> & { id?: string; userId?: string };

/** `enqueue` with nobody signed in, or for another user than the signed-in one. */
export class NotOwnerError extends Error {
  constructor() {
    super('The outbox takes entries from the signed-in user only.');
    this.name = 'NotOwnerError';
  }
}

/** What became of one send: `sent` (2xx), `rejected` (refused for good) or `retry` (try later). */
export type SendResult =
  | { outcome: 'sent' }
  | { outcome: 'rejected'; error: EntryError }
  | { outcome: 'retry'; error: EntryError };

/** Sends one entry to the server. Should not throw; if it does, the entry is kept and retried. */
export type Send = (entry: OutboxEntry) => Promise<SendResult>;

export interface ReplayReport {
  sent: number;
  rejected: number;
  /** Why the replay stopped with entries left (offline, server trouble), or null when it emptied the queue. */
  stopped: EntryError | null;
}

export interface OutboxCounts {
  /** Entries waiting to be sent: the "not yet sent" badge. */
  pending: number;
  /** Entries the server refused, waiting for the learner. */
  failed: number;
}

export type OutboxListener = (counts: OutboxCounts) => void;

export interface Outbox {
  /**
   * Whose entries the outbox works with (the signed-in user's ID; null when signed out).
   * Listeners hear the owner's counts at once.
   */
  setOwner(userId: string | null): void;
  owner(): string | null;
  /**
   * Stores a new entry of the owner's (an `id` already in the outbox is not added twice) and
   * returns it; rejects with NotOwnerError when nobody is signed in or `userId` is another's.
   */
  enqueue(entry: NewEntry): Promise<OutboxEntry>;
  /** The owner's entries waiting to be sent, oldest first. */
  pending(): Promise<OutboxEntry[]>;
  /** How many of the owner's entries wait to be sent. */
  count(): Promise<number>;
  /** The owner's entries the server refused, oldest refusal first. */
  failed(): Promise<FailedEntry[]>;
  /** Calls `listener` with the counts now and after every change, in this tab or another; returns the unsubscribe. */
  subscribe(listener: OutboxListener): () => void;
  /** Sends the owner's waiting entries, oldest first, one at a time; a second call while one runs joins it. */
  replay(send: Send): Promise<ReplayReport>;
  /** Removes an entry of the owner's (refused or waiting) from this device; whether there was one. */
  discard(id: string): Promise<boolean>;
  /** Puts a refused entry of the owner's back in the queue, with a corrected body if given; null when there is no such entry. */
  requeue(id: string, body?: JsonObject): Promise<OutboxEntry | null>;
  /** Closes the database and the cross-tab channel. */
  close(): void;
}

export interface OutboxOptions {
  /** The IndexedDB database; also names the replay lock and the BroadcastChannel. */
  name?: string;
  /** Cross-tab lock (default `navigator.locks` when the browser has it). */
  locks?: LockManagerLike | null;
  now?: () => Date;
  newId?: () => string;
  /** The owner to start with (default null: nobody signed in yet). */
  owner?: string | null;
}

interface PendingRow {
  /** The queue order, from the store's key generator (added by IndexedDB). */
  seq?: number;
  entry: OutboxEntry;
}

interface OutboxDB extends DBSchema {
  pending: { key: number; value: PendingRow; indexes: { id: string; owner: string } };
  failed: { key: string; value: FailedEntry; indexes: { owner: string } };
}

// 2: entries carry `userId`, indexed as `owner` (entries of version 1, which no page wrote,
// have no owner: no index lists them, so they are never sent).
const VERSION = 2;

function defaultLocks(): LockManagerLike | null {
  const nav: Navigator | undefined = globalThis.navigator;
  return nav && 'locks' in nav ? (nav.locks as unknown as LockManagerLike) : null;
}

export function createOutbox(opts: OutboxOptions = {}): Outbox {
  const name = opts.name ?? 'benchside-outbox';
  const locks = opts.locks === undefined ? defaultLocks() : opts.locks;
  const now = opts.now ?? (() => new Date());
  const newId = opts.newId ?? (() => crypto.randomUUID());
  let owner: string | null = opts.owner ?? null;

  let dbPromise: Promise<IDBPDatabase<OutboxDB>> | null = null;
  const db = (): Promise<IDBPDatabase<OutboxDB>> => {
    dbPromise ??= openDB<OutboxDB>(name, VERSION, {
      upgrade(d, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          const pending = d.createObjectStore('pending', { keyPath: 'seq', autoIncrement: true });
          pending.createIndex('id', 'entry.id', { unique: true });
          d.createObjectStore('failed', { keyPath: 'id' });
        }
        if (oldVersion < 2) {
          tx.objectStore('pending').createIndex('owner', 'entry.userId');
          tx.objectStore('failed').createIndex('owner', 'userId');
        }
      },
      // A newer version of the app wants to upgrade the database: let it, reopen on next use.
      blocking() {
        void dbPromise?.then((d) => d.close());
        dbPromise = null;
      },
      terminated() {
        dbPromise = null;
      },
    }).catch((e: unknown) => {
      dbPromise = null;
      throw e;
    });
    return dbPromise;
  };

  // Change notification: listeners in this tab, and a channel to the other tabs.
  const listeners = new Set<OutboxListener>();
  let channel: BroadcastChannel | null | undefined;
  const getChannel = (): BroadcastChannel | null => {
    if (channel === undefined) {
      channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(name);
      if (channel) channel.onmessage = () => void notifyLocal();
    }
    return channel;
  };
  let notifyVersion = 0;
  const counts = async (): Promise<OutboxCounts> => {
    const who = owner;
    if (who === null) return { pending: 0, failed: 0 };
    const tx = (await db()).transaction(['pending', 'failed']);
    const [pending, failed] = await Promise.all([
      tx.objectStore('pending').index('owner').count(who),
      tx.objectStore('failed').index('owner').count(who),
    ]);
    return { pending, failed };
  };
  const notifyLocal = async (): Promise<void> => {
    if (!listeners.size) return;
    const version = ++notifyVersion;
    try {
      const c = await counts();
      // A later change's counts are on the way: skip these older ones.
      if (version === notifyVersion) for (const l of listeners) l(c);
    } catch {
      // The database could not be read: the badge keeps its last value.
    }
  };
  const changed = (): void => {
    getChannel()?.postMessage('changed');
    void notifyLocal();
  };

  const setOwner = (userId: string | null): void => {
    if (userId === owner) return;
    owner = userId;
    void notifyLocal();
  };

  const enqueue = async (input: NewEntry): Promise<OutboxEntry> => {
    const userId = owner;
    if (userId === null || (input.userId !== undefined && input.userId !== userId)) throw new NotOwnerError();
    const entry: OutboxEntry = {
      id: input.id ?? newId(),
      method: input.method,
      path: input.path,
      body: input.body,
      createdAt: now().toISOString(),
      attempts: 0,
      kind: input.kind,
      label: input.label,
      userId,
    };
    const tx = (await db()).transaction(['pending', 'failed'], 'readwrite');
    const pending = tx.objectStore('pending');
    const existing = (await pending.index('id').get(entry.id))?.entry ?? (await tx.objectStore('failed').get(entry.id));
    if (!existing) await pending.add({ entry });
    await tx.done;
    if (existing) return existing;
    changed();
    return entry;
  };

  // The owner index lists one owner's rows in key order (`seq`: the queue's order).
  const pending = async (): Promise<OutboxEntry[]> => {
    const who = owner;
    if (who === null) return [];
    return (await (await db()).getAllFromIndex('pending', 'owner', who)).map((r) => r.entry);
  };
  const count = async (): Promise<number> => {
    const who = owner;
    return who === null ? 0 : (await db()).countFromIndex('pending', 'owner', who);
  };
  const failed = async (): Promise<FailedEntry[]> => {
    const who = owner;
    if (who === null) return [];
    return (await (await db()).getAllFromIndex('failed', 'owner', who)).sort((a, b) => a.failedAt.localeCompare(b.failedAt));
  };

  /** `who`'s oldest waiting row, with its attempt counted (stored before the send, so a crash mid-send counts too). */
  const startNext = async (who: string): Promise<{ seq: number; entry: OutboxEntry } | null> => {
    const tx = (await db()).transaction('pending', 'readwrite');
    const cursor = await tx.store.index('owner').openCursor(who);
    if (!cursor) {
      await tx.done;
      return null;
    }
    const seq = cursor.value.seq!;
    const entry = { ...cursor.value.entry, attempts: cursor.value.entry.attempts + 1 };
    await tx.store.put({ seq, entry });
    await tx.done;
    return { seq, entry };
  };

  /** Records what became of a send, unless the entry was discarded meanwhile. */
  const settle = async (seq: number, result: SendResult): Promise<void> => {
    const tx = (await db()).transaction(['pending', 'failed'], 'readwrite');
    const store = tx.objectStore('pending');
    const row = await store.get(seq);
    if (row) {
      if (result.outcome === 'sent') {
        await store.delete(seq);
      } else if (result.outcome === 'rejected') {
        await store.delete(seq);
        await tx.objectStore('failed').put({ ...row.entry, error: result.error, failedAt: now().toISOString() });
      } else {
        await store.put({ seq, entry: { ...row.entry, lastError: result.error } });
      }
    }
    await tx.done;
  };

  const sendSafely = async (send: Send, entry: OutboxEntry): Promise<SendResult> => {
    try {
      return await send(entry);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { outcome: 'retry', error: { status: 0, code: 'unexpected', message, serverMessage: null, details: {} } };
    }
  };

  const drain = async (send: Send): Promise<ReplayReport> => {
    const report: ReplayReport = { sent: 0, rejected: 0, stopped: null };
    const who = owner;
    if (who === null) return report;
    // Stops when the owner changes (a sign-out): the next owner's replay starts afresh.
    for (let next = await startNext(who); next; next = owner === who ? await startNext(who) : null) {
      const result = await sendSafely(send, next.entry);
      await settle(next.seq, result);
      changed();
      if (result.outcome === 'sent') report.sent += 1;
      else if (result.outcome === 'rejected') report.rejected += 1;
      else {
        report.stopped = result.error;
        break;
      }
    }
    return report;
  };

  const locked = async <T,>(fn: () => Promise<T>): Promise<T> => (locks ? locks.request(`${name}:replay`, fn) : fn());

  let running: Promise<ReplayReport> | null = null;
  let rerun = false;
  const replay = (send: Send): Promise<ReplayReport> => {
    if (running) {
      rerun = true;
      return running;
    }
    const run = async (): Promise<ReplayReport> => {
      const total: ReplayReport = { sent: 0, rejected: 0, stopped: null };
      try {
        for (;;) {
          rerun = false;
          const r = await locked(() => drain(send));
          total.sent += r.sent;
          total.rejected += r.rejected;
          total.stopped = r.stopped;
          // A call joined during this pass (perhaps after it had looked at the last entry): look
          // once more, unless the server is out of reach.
          if (!rerun || total.stopped) return total;
        }
      } finally {
        // In the same turn as the decision above, so a later call starts a new replay.
        running = null;
      }
    };
    running = run();
    return running;
  };

  const discard = async (id: string): Promise<boolean> => {
    const who = owner;
    if (who === null) return false;
    const tx = (await db()).transaction(['pending', 'failed'], 'readwrite');
    const failedStore = tx.objectStore('failed');
    const pendingStore = tx.objectStore('pending');
    const wasFailed = (await failedStore.get(id))?.userId === who;
    if (wasFailed) await failedStore.delete(id);
    const row = await pendingStore.index('id').get(id);
    const mine = row?.seq !== undefined && row.entry.userId === who;
    if (mine) await pendingStore.delete(row.seq!);
    await tx.done;
    const removed = wasFailed || mine;
    if (removed) changed();
    return removed;
  };

  const requeue = async (id: string, body?: JsonObject): Promise<OutboxEntry | null> => {
    const tx = (await db()).transaction(['pending', 'failed'], 'readwrite');
    const f = await tx.objectStore('failed').get(id);
    let entry: OutboxEntry | null = null;
    if (f && owner !== null && f.userId === owner) {
      entry = {
        id: f.id,
        method: f.method,
        path: f.path,
        body: body ?? f.body,
        createdAt: f.createdAt,
        attempts: 0,
        kind: f.kind,
        label: f.label,
        userId: f.userId,
      };
      await tx.objectStore('failed').delete(id);
      await tx.objectStore('pending').add({ entry });
    }
    await tx.done;
    if (entry) changed();
    return entry;
  };

  const subscribe = (listener: OutboxListener): (() => void) => {
    listeners.add(listener);
    getChannel();
    void notifyLocal();
    return () => {
      listeners.delete(listener);
    };
  };

  const close = (): void => {
    listeners.clear();
    channel?.close();
    channel = undefined;
    void dbPromise?.then((d) => d.close(), () => {});
    dbPromise = null;
  };

  return { setOwner, owner: () => owner, enqueue, pending, count, failed, subscribe, replay, discard, requeue, close };
}

/** The app's outbox (the database opens on first use). */
export const outbox: Outbox = createOutbox();

let persistence: Promise<boolean> | null = null;

/**
 * Asks the browser once per page load to keep this site's storage under pressure
 * (`navigator.storage.persist()`), so it does not evict unsent entries. Resolves whether the
 * storage is persistent; false where the browser has no such API.
 */
export function requestPersistentStorage(
  storage: Pick<StorageManager, 'persist' | 'persisted'> | undefined = globalThis.navigator?.storage,
): Promise<boolean> {
  persistence ??= (async () => {
    if (!storage?.persist) return false;
    try {
      return (await storage.persisted()) || (await storage.persist());
    } catch {
      return false;
    }
  })();
  return persistence;
}
