// The autosave queue of the quiz player. Every change is kept in localStorage at once (so a
// reload, a crash or a dead battery loses nothing) and sent to the server in small merged
// batches; an entry leaves local storage only when the server has confirmed that exact value.
// Network failures and 5xx are retried with backoff, and at once when the browser comes back
// online; a closed attempt stops the queue.
import type { Answer, SaveResult } from '../api/types';
import { ApiError } from '../api/errors';

export type Change = Answer | null;
export type Changes = Record<string, Change>;

export type SaveStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'offline' | 'retrying' | 'closed' | 'error';

export interface AutosaveState {
  status: SaveStatus;
  /** Changes not yet confirmed by the server. */
  unsaved: number;
  savedAt: string | null;
  /** A sentence for the learner when something needs attention. */
  message: string | null;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface AutosaveOptions {
  attemptId: string;
  send: (changes: Changes) => Promise<SaveResult>;
  storage?: StorageLike | null;
  debounceMs?: number;
  retryDelaysMs?: number[];
  isOnline?: () => boolean;
  onState?: (s: AutosaveState) => void;
  onSaved?: (r: SaveResult) => void;
  onClosed?: () => void;
}

export const storageKey = (attemptId: string) => `benchside.attempt.${attemptId}.unsaved`;

const same = (a: Change | undefined, b: Change | undefined) => JSON.stringify(a) === JSON.stringify(b);

export class AutosaveQueue {
  private pending: Changes = {};
  private inflight: Changes | null = null;
  private inflightPromise: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private retryIndex = 0;
  /** What to schedule once the request in flight has settled (ms), if anything. */
  private followUp: number | null = null;
  private disposed = false;
  private state: AutosaveState = { status: 'idle', unsaved: 0, savedAt: null, message: null };
  private readonly opts: Required<Omit<AutosaveOptions, 'onState' | 'onSaved' | 'onClosed' | 'storage'>> &
    Pick<AutosaveOptions, 'onState' | 'onSaved' | 'onClosed' | 'storage'>;

  constructor(opts: AutosaveOptions) {
    this.opts = {
      debounceMs: 600,
      retryDelaysMs: [1000, 2000, 5000, 10000, 30000],
      isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine),
      ...opts,
    };
  }

  getState(): AutosaveState {
    return this.state;
  }

  /** Unconfirmed changes, newest value per question (what local storage holds). */
  unsaved(): Changes {
    return { ...(this.inflight ?? {}), ...this.pending };
  }

  hasUnsaved(): boolean {
    return Object.keys(this.unsaved()).length > 0;
  }

  /**
   * Reads changes left from an earlier visit, applies them over the server's answers and
   * queues them for sending. Returns the answers to show.
   */
  restore<T extends Record<string, Answer>>(serverAnswers: T): Record<string, Answer> {
    const merged: Record<string, Answer> = { ...serverAnswers };
    const local = this.readStorage();
    for (const [k, v] of Object.entries(local)) {
      if (same(v, serverAnswers[k] ?? null)) continue;
      this.pending[k] = v;
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    this.persist();
    if (Object.keys(this.pending).length) {
      this.update({ status: 'pending' });
      this.schedule(0);
    }
    return merged;
  }

  set(key: string, answer: Change): void {
    if (this.state.status === 'closed' || this.disposed) return;
    this.pending[key] = answer;
    this.persist();
    if (this.state.status !== 'offline' && this.state.status !== 'retrying') this.update({ status: 'pending' });
    else this.update({});
    if (!this.inflight && this.state.status !== 'retrying' && this.state.status !== 'offline') {
      this.schedule(this.opts.debounceMs);
    }
  }

  /** The browser is back online: send now. */
  online(): void {
    if (this.hasUnsaved() && this.state.status !== 'closed') {
      this.retryIndex = 0;
      this.schedule(0);
    }
  }

  /**
   * Sends everything now and waits until the server has confirmed it all. Rejects when it
   * cannot (offline, attempt closed).
   */
  async flushAll(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      if (this.inflightPromise) {
        await this.inflightPromise;
        continue;
      }
      if (!Object.keys(this.pending).length) return;
      this.clearTimer();
      await this.flush();
      if (this.state.status === 'offline' || this.state.status === 'retrying' || this.state.status === 'closed') {
        throw new ApiError(0, this.state.status === 'closed' ? 'attempt_closed' : 'network', null);
      }
    }
  }

  /** Sends the pending batch (one request at a time). */
  flush(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.inflightPromise) return this.inflightPromise;
    const batch = this.pending;
    if (!Object.keys(batch).length) return Promise.resolve();
    this.pending = {};
    this.inflight = batch;
    this.update({ status: 'saving' });
    this.inflightPromise = this.opts
      .send(batch)
      .then(
        (result) => this.succeeded(batch, result),
        (err: unknown) => this.failed(batch, err),
      )
      .finally(() => {
        this.inflightPromise = null;
        if (this.followUp !== null) {
          const ms = this.followUp;
          this.followUp = null;
          this.schedule(ms);
        }
      });
    return this.inflightPromise;
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  /** Forgets local changes (after the attempt is submitted). */
  clear(): void {
    this.pending = {};
    this.inflight = null;
    this.clearTimer();
    this.opts.storage?.removeItem(storageKey(this.opts.attemptId));
    this.update({});
  }

  private succeeded(batch: Changes, result: SaveResult): void {
    this.inflight = null;
    this.retryIndex = 0;
    this.persist();
    this.opts.onSaved?.(result);
    const more = Object.keys(this.pending).length > 0;
    this.update({ status: more ? 'pending' : 'saved', savedAt: result.saved_at, message: null });
    void batch;
    if (more) this.followUp = 0;
  }

  private failed(batch: Changes, err: unknown): void {
    this.inflight = null;
    // Newer edits made while the batch was in flight win over the batch.
    this.pending = { ...batch, ...this.pending };
    const e = err instanceof ApiError ? err : new ApiError(0, 'network', null);
    if (e.is('attempt_closed')) {
      this.pending = {};
      this.clearTimer();
      this.opts.storage?.removeItem(storageKey(this.opts.attemptId));
      this.update({ status: 'closed', message: e.message });
      this.opts.onClosed?.();
      return;
    }
    if (e.is('invalid_answer', 'unknown_question') && typeof e.details.question === 'string') {
      // The server refused one entry, and with it the whole batch: drop that entry, send the rest.
      delete this.pending[e.details.question];
      this.persist();
      this.update({ status: 'error', message: e.message });
      if (Object.keys(this.pending).length) this.followUp = 0;
      return;
    }
    if (e.status === 0 || e.status >= 500 || e.status === 429 || e.status === 408) {
      this.persist();
      const delays = this.opts.retryDelaysMs;
      const delay = delays[Math.min(this.retryIndex, delays.length - 1)]!;
      this.retryIndex += 1;
      const offline = !this.opts.isOnline() || e.status === 0;
      this.update({
        status: offline ? 'offline' : 'retrying',
        message: offline
          ? 'You are offline. Your answers are kept on this device and will be saved when you reconnect.'
          : 'Saving failed; trying again shortly. Your answers are kept on this device.',
      });
      this.followUp = delay;
      return;
    }
    this.persist();
    this.update({ status: 'error', message: e.message });
  }

  private schedule(ms: number): void {
    this.clearTimer();
    if (this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private readStorage(): Changes {
    const raw = this.opts.storage?.getItem(storageKey(this.opts.attemptId));
    if (!raw) return {};
    try {
      const parsed = JSON.parse(raw) as { v?: number; changes?: Changes };
      return parsed && parsed.v === 1 && parsed.changes && typeof parsed.changes === 'object' ? parsed.changes : {};
    } catch {
      return {};
    }
  }

  private persist(): void {
    const storage = this.opts.storage;
    if (!storage) return;
    const changes = this.unsaved();
    try {
      if (Object.keys(changes).length) storage.setItem(storageKey(this.opts.attemptId), JSON.stringify({ v: 1, changes }));
      else storage.removeItem(storageKey(this.opts.attemptId));
    } catch {
      // Storage full or blocked: the server copy still works.
    }
  }

  private update(patch: Partial<AutosaveState>): void {
    this.state = { ...this.state, ...patch, unsaved: Object.keys(this.unsaved()).length };
    this.opts.onState?.(this.state);
  }
}
