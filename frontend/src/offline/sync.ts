// When the outbox is replayed. The page does the sending (the service worker holds no tokens):
//
// - when the app starts, when the browser says it is back `online`, and when the tab becomes
//   visible again (a phone unlocked, the app brought back);
// - after each entry is added, when the browser believes it is online;
// - when the service worker posts `benchside:outbox-replay`: it does so on a Background Sync
//   `sync` event (Chromium only), registered after each entry is added and after a replay
//   that stopped with entries left, so the browser wakes the app once the connection is back;
// - after a replay that stopped while the browser believed it was online (the ward's Wi-Fi with
//   no way out, the server busy), again after a growing delay;
// - when a user signs in (`setUser`, from the session): the outbox sends only its owner's
//   entries, so entries left by a user who signed out go once that user is back.
import { createSend } from './send';
import { outbox as appOutbox, requestPersistentStorage, type NewEntry, type Outbox, type OutboxEntry, type ReplayReport, type Send } from './outbox';

/** The Background Sync tag, and the message the service worker posts for it (public/sw-outbox.js). */
export const SYNC_TAG = 'outbox';
export const REPLAY_MESSAGE = 'benchside:outbox-replay';

/** Waits after a replay that stopped while online; the last one repeats. */
const RETRY_DELAYS_MS = [15_000, 60_000, 300_000] as const;

interface BackgroundSyncRegistration extends Pick<ServiceWorkerRegistration, 'scope'> {
  /** SyncManager, where the browser has one (Chromium). */
  sync?: { register(tag: string): Promise<void> };
}

/** What the triggers listen to (the browser's own objects in the app; stand-ins in tests). */
export interface SyncEnvironment {
  window: EventTarget;
  document: EventTarget & { readonly visibilityState: DocumentVisibilityState };
  navigator: {
    readonly onLine: boolean;
    serviceWorker?: EventTarget & { getRegistration(): Promise<BackgroundSyncRegistration | undefined> };
    storage?: Pick<StorageManager, 'persist' | 'persisted'>;
  };
}

export interface SyncOptions {
  outbox?: Pick<Outbox, 'enqueue' | 'replay'> & Partial<Pick<Outbox, 'setOwner'>>;
  send?: Send;
  /** Defaults to the page's window, document and navigator, read when `start` or `submit` runs. */
  env?: SyncEnvironment;
  retryDelaysMs?: readonly number[];
}

export interface OutboxSync {
  /** Replays now and on every trigger from then on; returns the function that stops the triggers (a second call returns the same). */
  start(): () => void;
  /** Adds an entry to the outbox and starts sending it (or asks to be woken when back online). */
  submit(entry: NewEntry): Promise<OutboxEntry>;
  /** Replays now (the "Send now" button); joins a replay that is already running. */
  replayNow(): Promise<ReplayReport>;
  /** The signed-in user (null: signed out) becomes the outbox's owner; their entries are sent now. */
  setUser(userId: string | null): void;
}

function browserEnvironment(): SyncEnvironment {
  return { window, document, navigator };
}

export function createSync(opts: SyncOptions = {}): OutboxSync {
  const box = opts.outbox ?? appOutbox;
  const send = opts.send ?? createSend();
  const delays = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  const env = (): SyncEnvironment => opts.env ?? browserEnvironment();

  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryIndex = 0;
  /** Set while the triggers are installed. */
  let stopTriggers: (() => void) | null = null;

  const clearRetry = () => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  };

  const registerBackgroundSync = async (): Promise<void> => {
    try {
      const registration = await env().navigator.serviceWorker?.getRegistration();
      await registration?.sync?.register(SYNC_TAG);
    } catch {
      // No service worker yet, or the browser refused: the page's own triggers remain.
    }
  };

  /** The report last acted on: callers that joined one replay share its report, and act once. */
  let handled: ReplayReport | null = null;
  const replayNow = async (): Promise<ReplayReport> => {
    const report = await box.replay(send);
    if (report === handled) return report;
    handled = report;
    clearRetry();
    if (!report.stopped) {
      retryIndex = 0;
    } else {
      void registerBackgroundSync();
      if (stopTriggers && env().navigator.onLine) {
        const delay = delays[Math.min(retryIndex, delays.length - 1)]!;
        retryIndex += 1;
        retryTimer = setTimeout(trigger, delay);
      }
    }
    return report;
  };

  /** A replay nobody waits for: a failure to read the database shows in the badge staying put. */
  function trigger(): void {
    replayNow().catch(() => undefined);
  }

  const submit = async (entry: NewEntry): Promise<OutboxEntry> => {
    const stored = await box.enqueue(entry);
    void requestPersistentStorage(env().navigator.storage);
    if (env().navigator.onLine) trigger();
    else void registerBackgroundSync();
    return stored;
  };

  const start = (): (() => void) => {
    if (stopTriggers) return stopTriggers;
    const { window: win, document: doc, navigator: nav } = env();
    const onVisible = () => {
      if (doc.visibilityState === 'visible') trigger();
    };
    const onMessage = (e: Event) => {
      if ((e as MessageEvent).data?.type === REPLAY_MESSAGE) trigger();
    };
    win.addEventListener('online', trigger);
    doc.addEventListener('visibilitychange', onVisible);
    nav.serviceWorker?.addEventListener('message', onMessage);
    stopTriggers = () => {
      stopTriggers = null;
      clearRetry();
      win.removeEventListener('online', trigger);
      doc.removeEventListener('visibilitychange', onVisible);
      nav.serviceWorker?.removeEventListener('message', onMessage);
    };
    trigger();
    return stopTriggers;
  };

  const setUser = (userId: string | null): void => {
    box.setOwner?.(userId);
    clearRetry();
    retryIndex = 0;
    if (userId !== null && env().navigator.onLine) trigger();
  };

  return { start, submit, replayNow, setUser };
}

/** The app's triggers over the app's outbox and API client (started in main.tsx). */
export const sync: OutboxSync = createSync();
