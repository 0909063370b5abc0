// The offline app shell: after one visit the service worker has the shell, so with the network
// cut the app still opens, on any client route (even one never visited), and says that the
// server cannot be reached. Server paths are never answered from the shell, and no API
// response is ever put in a cache.
import { expect, test } from '@playwright/test';
import { base, PHONE } from './helpers';

test.use({ viewport: PHONE });

test('the shell opens offline after a first visit, and only the shell is cached', async ({ page, context, request }) => {
  // The worker's files are always revalidated, never kept for a year.
  for (const path of ['/sw.js', '/manifest.webmanifest', '/sw-outbox.js']) {
    const res = await request.get(`${base()}${path}`);
    expect(res.status(), path).toBe(200);
    expect(res.headers()['cache-control'], path).toBe('no-cache');
  }
  const manifest = await (await request.get(`${base()}/manifest.webmanifest`)).json();
  expect(manifest).toMatchObject({ name: 'Benchside', theme_color: '#0b4f6c', start_url: '/' });

  // First visit, online: the catalog loads and the worker installs and takes control.
  await page.goto(`${base()}/courses`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');

  await context.setOffline(true);
  try {
    // A deep link never visited: the shell answers it, the page says the server is out of reach.
    await page.goto(`${base()}/courses/demo-course`);
    await expect(page.getByRole('link', { name: 'Benchside' }).first()).toBeVisible();
    await expect(page.getByText('Benchside could not be reached')).toBeVisible();

    // Reloading the catalog works too.
    await page.goto(`${base()}/courses`);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

    // Server pages are not the app's: offline they fail like any page would.
    for (const path of ['/api/docs/', '/healthz']) {
      const failed = await page.goto(`${base()}${path}`).then(
        () => null,
        (e: unknown) => String(e),
      );
      expect(failed, path).toMatch(/ERR_INTERNET_DISCONNECTED/);
    }
  } finally {
    await context.setOffline(false);
  }

  // The caches hold the build and nothing from the API.
  await page.goto(`${base()}/courses`);
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
  expect(cached).toContain('/index.html');
  expect(cached.some((u) => u.startsWith('/assets/') && u.endsWith('.js'))).toBe(true);
  expect(cached.filter((u) => u.startsWith('/api/'))).toEqual([]);
});
