// The API reference (Swagger UI at /api/docs/) with the network cut: every request that does
// not go to the server itself is refused, and the page must still render the operations and
// expand one, under the server's own Content-Security-Policy.
import { expect, test } from '@playwright/test';
import { base, DESKTOP } from './helpers';

test.use({ viewport: DESKTOP });

test('the API reference works with the network cut', async ({ page }) => {
  const origin = new URL(base()).origin;
  const refused: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    refused.push(url);
    return route.abort('internetdisconnected');
  });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));

  const res = await page.goto(`${base()}/api/docs/`);
  expect(res?.status()).toBe(200);
  // The operations of the document render, grouped by tag.
  const op = page.locator('.opblock-summary-path', { hasText: '/api/v1/enrolments/{id}/quizzes/{quiz}/attempts' });
  await expect(op.first()).toBeVisible();
  await expect(page.locator('.opblock-tag', { hasText: 'quizzes' }).first()).toBeVisible();
  // Expanding an operation shows its parameters and responses.
  await op.first().click();
  await expect(page.getByText('attempts_exhausted', { exact: false }).first()).toBeVisible();

  expect(refused, 'requests that left the server').toEqual([]);
  expect(problems, 'console errors (a CSP violation shows here)').toEqual([]);
});
