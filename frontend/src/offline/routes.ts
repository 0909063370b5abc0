// Which navigations the service worker may answer with the cached app shell (index.html).
// It mirrors the server's own fallback in src/http/spa.rs: the server's paths (`/api/...`,
// which includes the API reference at `/api/docs/`, `/healthz`, `/readyz`) and paths that name
// a file (spa.rs's FILE_EXTENSIONS) always go to the network, so an offline learner never gets
// the app where a server page or a missing file was asked for. vite.config.ts hands the
// patterns to Workbox as `navigateFallbackDenylist`, which tests them against the pathname
// plus the query string.

/** spa.rs `FILE_EXTENSIONS`: a path ending in one of these names a file, not a client route. */
const FILE_EXTENSIONS = [
  'js', 'mjs', 'css', 'map', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'txt',
  'json', 'webmanifest', 'woff', 'woff2', 'xml', 'wasm', 'br', 'gz',
] as const;

/** spa.rs `is_server_path`: `/api`, `/healthz`, `/readyz` and everything under them. */
const SERVER_PATH = /^\/(?:api|healthz|readyz)(?:[/?]|$)/;
/** A path whose last segment has a file extension (before any query string). */
const FILE_PATH = new RegExp(`^[^?]*\\.(?:${FILE_EXTENSIONS.join('|')})(?:\\?|$)`, 'i');

/** The navigations the service worker leaves to the network. */
export const NAVIGATE_FALLBACK_DENYLIST: readonly RegExp[] = [SERVER_PATH, FILE_PATH];

/** Whether the service worker answers a navigation to `pathAndQuery` with the app shell. */
export function isShellNavigation(pathAndQuery: string): boolean {
  return !NAVIGATE_FALLBACK_DENYLIST.some((re) => re.test(pathAndQuery));
}
