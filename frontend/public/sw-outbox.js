// Background Sync for the outbox, imported by the generated service worker (sw.js, through
// Workbox's `importScripts`; see vite.config.ts). The service worker holds no access token and
// sends nothing itself: on the `outbox` sync event it asks the open pages to replay the queue
// (src/offline/sync.ts, SYNC_TAG and REPLAY_MESSAGE). With no page open there is nothing to do:
// the app replays when it next starts.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'benchside:outbox-replay' });
    }),
  );
});
