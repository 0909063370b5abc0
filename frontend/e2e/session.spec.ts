// Sessions in the browser against the real server: a reload renews the token from the refresh
// cookie (several requests at once share one refresh, or the server would end the session for
// reuse); a session ended elsewhere sends the learner to sign in and back to the same page.
import { expect, test } from '@playwright/test';
import { base, enrolInDemo, PHONE, signIn, signUpAndVerify, uniqueEmail } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';
test.use({ viewport: PHONE });

test('reloads renew the session once, even with parallel requests', async ({ page }) => {
  const email = uniqueEmail('renew');
  await signUpAndVerify(page, 'Renew Learner', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  const id = await enrolInDemo(page);
  const refreshes: number[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.status());
  });
  for (let i = 0; i < 3; i++) {
    await page.goto(`${base()}/learn/${id}/lessons/sharps`);
    await expect(page.getByRole('heading', { name: 'Sharps', level: 1 })).toBeVisible();
    await expect(page.locator('nav[aria-label="Modules and lessons"]')).toBeAttached();
  }
  expect(refreshes).toEqual([200, 200, 200]);
});

test('a session ended elsewhere goes to sign-in and comes back to the page', async ({ page, request }) => {
  const email = uniqueEmail('revoked');
  await signUpAndVerify(page, 'Revoked Learner', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  const id = await enrolInDemo(page);
  await page.goto(`${base()}/learn/${id}/lessons/sharps`);
  await expect(page.getByRole('heading', { name: 'Sharps', level: 1 })).toBeVisible();

  // Elsewhere: sign in and change the password, which ends every other session.
  const login = await request.post(`${base()}/api/v1/auth/login`, { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  const token = (await login.json()).access_token as string;
  const fresh = 'Specimen-Label-Check-19';
  const changed = await request.post(`${base()}/api/v1/me/password`, {
    data: { current_password: PASSWORD, new_password: fresh },
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(changed.status()).toBe(200);
  await page.waitForTimeout(2500); // revocations reach every process within 2 s

  await page.getByRole('button', { name: 'Show course contents' }).click();
  await page.getByRole('link', { name: 'Gloves' }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Flearn%2F.*reason=expired/);
  await expect(page.getByText('Your session has ended')).toBeVisible();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(fresh);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Gloves', level: 1 })).toBeVisible();
  expect(page.url()).toContain(`/learn/${id}/lessons/gloves`);
});
