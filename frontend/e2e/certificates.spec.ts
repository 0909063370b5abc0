// Certificates against the real server: a learner completes the demo course (lessons through
// the pages; the quiz passes and the approved externship set with SQL, as no page of this spec
// is about them), finds the certificate, downloads the A4 PDF and copies the verification
// link; a signed-out visitor opens the link on a phone and sees it valid; an admin reissues it
// (the old code says it was replaced and leads to the new one) and revokes the new one (its
// page says so with the date); an unknown code and the code form. axe on every page.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { base, checkPage, createAdmin, enrolInDemo, expectAccessible, signIn, signUpAndVerify, sql, uniqueEmail } from './helpers';

const PASSWORD = 'Certificate-Serial-42';
const PHONE_390 = { width: 390, height: 844 };

/** A long date as the browser writes it ("2 March 2026" / "March 2, 2026"), for `iso`. */
function longDate(page: Page, iso: string): Promise<string> {
  return page.evaluate((d) => new Date(d).toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' }), iso);
}

async function apiLogin(email: string, password: string): Promise<string> {
  const res = await fetch(`${base()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, 'admin sign-in').toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

test('complete a course, download and share the certificate; check it signed out; revoked; unknown codes', async ({ page, context, browser }) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base() });

  // A learner completes the demo course: the quizzes passed and the externship met (SQL),
  // then the three lessons through the reader; the last one completes the course.
  const email = uniqueEmail('cert');
  await signUpAndVerify(page, 'Grace Mbeki', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  const enrolment = await enrolInDemo(page);
  sql(
    `INSERT INTO quiz_outcomes (enrolment_id, quiz_id, best_percent, passed_at, attempts_used)
     SELECT '${enrolment}', id, 90, now(), 1 FROM quizzes WHERE slug IN ('safety-quiz', 'collection-quiz', 'final-exam')`,
  );
  sql(
    `UPDATE enrolments SET externship_met_at = now(), externship_minutes = 1200,
       externship_counts = '{"venipuncture": 6, "skin-puncture": 3}'::jsonb WHERE id = '${enrolment}'`,
  );
  for (const lesson of ['sharps', 'gloves', 'order']) {
    await page.goto(`${base()}/learn/${enrolment}/lessons/${lesson}`);
    await page.getByRole('button', { name: 'Mark this lesson complete' }).click();
    await expect(page.getByText('Lesson complete')).toBeVisible();
  }
  await expect(page.getByText('Course complete', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'View certificate' }).click();
  await expect(page.getByRole('heading', { name: 'My certificates', level: 1 })).toBeVisible();

  // The certificate is issued by a job: it shows within a few seconds.
  const card = page.getByRole('article', { name: 'Demo Course' });
  await expect(async () => {
    await page.reload();
    await expect(card).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(card.getByText('Grace Mbeki')).toBeVisible();
  await expect(card.getByText('1 contact hour', { exact: true })).toBeVisible();
  await expect(card.getByText('Valid', { exact: true })).toBeVisible();
  const code = (await card.locator('.cert-code').innerText()).trim();
  expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  await expect(card.getByText(/^BS-\d{6}$/)).toBeVisible();
  const certId = (await card.locator('xpath=..').getAttribute('id'))!.replace('certificate-', '');
  await checkPage(page, 'certificates');

  // The dashboard points to it too.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'My learning' }).click();
  await expect(page.getByRole('link', { name: 'View certificate for Demo Course' })).toBeVisible();
  await nav.getByRole('link', { name: 'Certificates' }).click();
  await expect(card).toBeVisible();

  // The A4 PDF, fetched with the session's token.
  await card.getByLabel('A4').check();
  const pdfResponse = page.waitForResponse((r) => r.url().includes(`/api/v1/certificates/${certId}.pdf?paper=a4`));
  const download = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Download PDF' }).click();
  const res = await pdfResponse;
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/pdf');
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^benchside-certificate-BS-\d{6}-A4\.pdf$/);
  expect(readFileSync((await file.path())!).subarray(0, 4).toString('latin1')).toBe('%PDF');

  // The verification link, copied: confirmed in the live region.
  await card.getByRole('button', { name: 'Copy the verification link' }).click();
  await expect(card.getByRole('status')).toContainText('Verification link copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(`${base()}/verify/${code}`);
  // Where the browser refuses to copy, the link is shown in a field, selected, to copy by hand.
  await page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: () => Promise.reject(new Error('denied')) } });
  });
  await card.getByRole('button', { name: 'Copy the verification link' }).click();
  await expect(card.getByRole('status')).toContainText('did not let us copy');
  await expect(card.getByLabel('Verification link')).toHaveValue(link);
  await expect(card.getByLabel('Verification link')).toBeFocused();

  // LinkedIn opens in a new tab, without access to this one.
  const linkedin = card.getByRole('link', { name: /Add to LinkedIn/ });
  await expect(linkedin).toHaveAttribute('target', '_blank');
  await expect(linkedin).toHaveAttribute('rel', /noopener/);

  // A signed-out visitor on a phone: the verdict first, from the network, no session asked for.
  const visitor = await browser.newContext({ viewport: PHONE_390 });
  const phone = await visitor.newPage();
  const sessionCalls: string[] = [];
  phone.on('request', (r) => {
    if (r.url().includes('/api/v1/auth/')) sessionCalls.push(r.url());
  });
  const verified = phone.waitForResponse((r) => r.url().includes(`/api/v1/verify/${code}`));
  await phone.goto(link);
  expect((await verified).status()).toBe(200);
  await expect(phone.getByRole('heading', { name: 'Valid certificate', level: 1 })).toBeVisible();
  await expect(phone.getByText('Grace Mbeki')).toBeVisible();
  await expect(phone.getByText('Demo Course')).toBeVisible();
  await expect(phone.getByText('1 contact hour', { exact: true })).toBeVisible();
  await expect(phone.getByText(code)).toBeVisible();
  await expect(phone.getByText(/^Checked with .* records on /)).toBeVisible();
  await expectAccessible(phone, 'verification (valid) at 390 px');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'horizontal overflow at 390 px').toBeLessThanOrEqual(1);
  await phone.screenshot({ path: 'test-results/screens/verify-valid-390.png', fullPage: true });
  await checkPage(phone, 'verify-valid');
  expect(sessionCalls).toEqual([]);

  // An admin reissues it (after a name change, say): the old code's page, reloaded, says it
  // was replaced and leads to the new one.
  const adminEmail = uniqueEmail('cert-admin');
  createAdmin(adminEmail, 'Cert Admin', 'Admin-Password-Long-1');
  const token = await apiLogin(adminEmail, 'Admin-Password-Long-1');
  const admin = (path: string, reason: string) =>
    fetch(`${base()}/api/v1/admin/certificates/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ reason }),
    });
  const reissued = await admin(`${certId}/reissue`, 'Name corrected.');
  expect(reissued.status, await reissued.clone().text()).toBe(201);
  const newer = (await reissued.json()) as { id: string; code: string };
  expect(newer.code).not.toBe(code);
  await phone.reload();
  await expect(phone.getByRole('heading', { name: 'Replaced by a newer certificate', level: 1 })).toBeVisible();
  await expectAccessible(phone, 'verification (replaced) at 390 px');
  await phone.getByRole('link', { name: /Check the newer certificate/ }).click();
  await expect(phone).toHaveURL(`${base()}/verify/${newer.code}`);
  await expect(phone.getByRole('heading', { name: 'Valid certificate', level: 1 })).toBeFocused();

  // The learner sees both, newest first: the old one replaced, without downloads.
  await page.reload();
  const oldCard = page.locator(`#certificate-${certId}`);
  const newCard = page.locator(`#certificate-${newer.id}`);
  await expect(page.locator('.cert-card').first()).toHaveAttribute('id', `certificate-${newer.id}`);
  await expect(newCard.getByText('Valid', { exact: true })).toBeVisible();
  await expect(oldCard.getByText('Replaced', { exact: true })).toBeVisible();
  await expect(oldCard.getByText(/A newer certificate replaced this one/)).toBeVisible();
  await expect(oldCard.getByRole('button', { name: 'Download PDF' })).toHaveCount(0);
  await oldCard.getByRole('link', { name: 'See the newer certificate' }).click();
  await expect(page).toHaveURL(new RegExp(`#certificate-${newer.id}$`));
  await checkPage(page, 'certificates-replaced');

  // The admin revokes the new one: its page, reloaded, says so with the date, from the network
  // (never a cached verdict).
  const revoke = await admin(`${newer.id}/revoke`, 'Issued in error during a test.');
  expect(revoke.status, await revoke.clone().text()).toBe(200);
  const revokedAt = sql(`SELECT to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM certificates WHERE id = '${newer.id}'`);
  const again = phone.waitForResponse((r) => r.url().includes(`/api/v1/verify/${newer.code}`));
  await phone.reload();
  const fresh = await again;
  expect(fresh.status()).toBe(200);
  expect(fresh.fromServiceWorker()).toBe(false);
  await expect(phone.getByRole('heading', { name: `Revoked on ${await longDate(phone, revokedAt)}`, level: 1 })).toBeVisible();
  await expect(phone.getByText('withdrew this certificate. It is not valid.')).toBeVisible();
  await expectAccessible(phone, 'verification (revoked) at 390 px');

  // The learner's card says it too, with the reason, and offers no downloads (the server refuses them).
  await page.reload();
  await expect(newCard.getByText('Revoked', { exact: true })).toBeVisible();
  await expect(newCard.getByText(/Issued in error during a test/)).toBeVisible();
  await expect(newCard.getByRole('button', { name: 'Download PDF' })).toHaveCount(0);
  await expect(newCard.getByRole('button', { name: 'Copy the verification link' })).toHaveCount(0);

  // An unknown code: said plainly, with the form to try again.
  await phone.goto(`${base()}/verify/00000-00000-00000`);
  await expect(phone.getByRole('heading', { name: 'No certificate has this code', level: 1 })).toBeVisible();
  await expect(phone.getByLabel('Try the code again')).toHaveValue('00000-00000-00000');
  await checkPage(phone, 'verify-unknown');

  // The code form: typed in lower case with spaces, it opens the code's page.
  await phone.goto(`${base()}/verify`);
  await expect(phone.getByRole('heading', { name: 'Check a certificate', level: 1 })).toBeVisible();
  await phone.getByLabel('Certificate code').fill('nope');
  await phone.getByRole('button', { name: 'Check the certificate' }).click();
  await expect(phone.getByText('That is not a certificate code.')).toBeVisible();
  await expect(phone.getByLabel('Certificate code')).toBeFocused();
  await checkPage(phone, 'verify-form');
  await phone.getByLabel('Certificate code').fill(` ${newer.code.toLowerCase().replace(/-/g, ' ')} `);
  await phone.getByRole('button', { name: 'Check the certificate' }).click();
  await expect(phone).toHaveURL(`${base()}/verify/${newer.code}`);
  await expect(phone.getByRole('heading', { name: /^Revoked on /, level: 1 })).toBeVisible();
  await expect(phone.getByRole('heading', { name: /^Revoked on /, level: 1 })).toBeFocused();
  expect(sessionCalls).toEqual([]);
  await visitor.close();
});

test('no certificates yet: the page says how to earn one', async ({ page }) => {
  const email = uniqueEmail('nocert');
  await signUpAndVerify(page, 'New Learner', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
  await expect(page.getByRole('heading', { name: 'My certificates', level: 1 })).toBeVisible();
  await expect(page.getByText('Complete a course to earn a certificate.')).toBeVisible();
  await checkPage(page, 'certificates-empty');
});
