// Installs the service worker (made by vite-plugin-pwa at build; see vite.config.ts), which
// keeps the app shell for offline use and wakes the page for Background Sync. main.tsx calls
// this in production builds only: in `npm run dev` there is no sw.js, and a worker would cache
// Vite's development modules.

/** Registers `/sw.js` for the whole site once the page has loaded, where the browser can. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Not allowed here (a private window, plain http): the app works online without it.
    });
  };
  // After the load, so the worker's precaching does not compete with the first visit.
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
