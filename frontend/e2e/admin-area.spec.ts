// The admin area's screens over routes already on the server: accounts (search, a role change
// to staff, disable and re-enable), certificates (find one, reissue it, revoke the new one) and
// item statistics (after a submitted attempt). A staff account sees only its sections, and the
// admin-only pages tell it so; a learner sees no admin link. axe at 1280 and 360 px on each page.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, checkPage, createAdmin, DESKTOP, enrolInDemo, learnerAtSafetyQuiz, signIn, signUpAndVerify, sql, uniqueEmail } from './helpers';

const PASSWORD = 'Admin-Area-Password-42';

async function newPage(browser: Browser, viewport = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  return ctx.newPage();
}

async function adminSignedIn(browser: Browser): Promise<Page> {
  const email = uniqueEmail('area-admin');
  createAdmin(email, 'Area Admin', PASSWORD);
  const admin = await newPage(browser);
  await signIn(admin, email, PASSWORD);
  return admin;
}

const adminNav = (p: Page) => p.getByRole('navigation', { name: 'Admin' });

test('accounts: find one, make it staff, disable and re-enable; staff see only their sections', async ({ browser }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const staffEmail = uniqueEmail(`future-staff-${stamp}`);
  const learner = await newPage(browser);
  await signUpAndVerify(learner, `Sam Staff ${stamp}`, staffEmail, PASSWORD);
  const otherEmail = uniqueEmail(`other-${stamp}`);
  await signUpAndVerify(learner, `Olu Other ${stamp}`, otherEmail, PASSWORD);
  await signIn(learner, staffEmail, PASSWORD);
  await expect(learner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);

  const admin = await adminSignedIn(browser);
  await admin.getByRole('link', { name: 'Admin' }).click();
  await adminNav(admin).getByRole('link', { name: 'Users' }).click();
  await expect(admin.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  // The admin's own row offers no changes.
  await admin.getByLabel('Name or email').fill(`${stamp}`);
  await admin.getByRole('button', { name: 'Search' }).click();
  await expect(admin.getByRole('rowheader', { name: `Sam Staff ${stamp}` })).toBeVisible();
  await expect(admin.getByRole('rowheader', { name: `Olu Other ${stamp}` })).toBeVisible();
  await expect(admin.getByText('Accounts matching the filters: 2')).toBeVisible();
  await checkPage(admin, 'admin-users');

  // The role change: staff. The notice is focused and says the sessions ended.
  await admin.getByLabel(`Role for Sam Staff ${stamp}`).selectOption('staff');
  await admin.getByRole('button', { name: `Save role for Sam Staff ${stamp}` }).click();
  await expect(admin.getByText(`Sam Staff ${stamp} is now staff. Their sessions have ended.`)).toBeVisible();
  expect(sql(`SELECT role FROM users WHERE email = '${staffEmail.toLowerCase()}'`)).toBe('staff');
  // A filter by role finds them.
  await admin.getByLabel('Role', { exact: true }).selectOption('staff');
  await admin.getByRole('button', { name: 'Search' }).click();
  await expect(admin.getByRole('rowheader', { name: `Sam Staff ${stamp}` })).toBeVisible();
  await expect(admin.getByRole('rowheader', { name: `Olu Other ${stamp}` })).toHaveCount(0);

  // Disable and re-enable the other account.
  await admin.getByLabel('Role', { exact: true }).selectOption('');
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('button', { name: `Disable Olu Other ${stamp}` }).click();
  await expect(admin.getByText(`Disabled Olu Other ${stamp}’s account and ended its sessions.`)).toBeVisible();
  expect(sql(`SELECT disabled_at IS NOT NULL FROM users WHERE email = '${otherEmail.toLowerCase()}'`)).toBe('t');
  await admin.getByRole('button', { name: `Enable Olu Other ${stamp}` }).click();
  await expect(admin.getByText(`Re-enabled Olu Other ${stamp}’s account.`)).toBeVisible();
  expect(sql(`SELECT disabled_at IS NULL FROM users WHERE email = '${otherEmail.toLowerCase()}'`)).toBe('t');

  // The new staff member signs in again (the role change ended their session): an Admin link,
  // a navigation without the admin-only sections, and those pages refused by name.
  await signIn(learner, staffEmail, PASSWORD);
  await learner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(learner.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible();
  const links = await adminNav(learner).getByRole('link').allInnerTexts();
  expect(links.map((l) => l.trim())).toEqual(['Admin', 'Cohorts', 'Certificates', 'Review']);
  for (const path of ['/admin/users', '/admin/audit', '/admin/item-statistics', '/admin/externship/sites']) {
    await learner.goto(`${base()}${path}`);
    await expect(learner.getByRole('heading', { name: 'This page is not available' })).toBeVisible();
  }
});

test('certificates: find one, reissue it, revoke the new one', async ({ browser }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const holder = `Grace Holder ${stamp}`;
  const learner = await newPage(browser);
  const email = uniqueEmail('area-cert');
  await signUpAndVerify(learner, holder, email, PASSWORD);
  await signIn(learner, email, PASSWORD);
  const enrolment = await enrolInDemo(learner);
  // The course's other requirements are met with SQL (no page of this spec is about them).
  sql(
    `INSERT INTO quiz_outcomes (enrolment_id, quiz_id, best_percent, passed_at, attempts_used)
     SELECT '${enrolment}', id, 90, now(), 1 FROM quizzes WHERE slug IN ('safety-quiz', 'collection-quiz', 'final-exam')`,
  );
  sql(
    `UPDATE enrolments SET externship_met_at = now(), externship_minutes = 1200,
       externship_counts = '{"venipuncture": 6, "skin-puncture": 3}'::jsonb WHERE id = '${enrolment}'`,
  );
  for (const lesson of ['sharps', 'gloves', 'order']) {
    await learner.goto(`${base()}/learn/${enrolment}/lessons/${lesson}`);
    await learner.getByRole('button', { name: 'Mark this lesson complete' }).click();
    await expect(learner.getByText('Lesson complete')).toBeVisible();
  }
  // The certificate is issued by a job.
  await expect.poll(() => sql(`SELECT count(*) FROM certificates WHERE enrolment_id = '${enrolment}'`), { timeout: 30_000 }).toBe('1');
  const serialOf = (where: string) => sql(`SELECT 'BS-' || lpad(serial::text, 6, '0') FROM certificates WHERE ${where}`);
  const serial = serialOf(`enrolment_id = '${enrolment}'`);

  const admin = await adminSignedIn(browser);
  await admin.goto(`${base()}/admin`);
  await adminNav(admin).getByRole('link', { name: 'Certificates' }).click();
  await expect(admin.getByRole('heading', { name: 'Certificates', level: 1 })).toBeVisible();
  await admin.getByLabel('Holder, course, code or serial').fill(holder);
  await admin.getByRole('button', { name: 'Search' }).click();
  const row = admin.getByRole('row').filter({ hasText: holder });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('rowheader')).toContainText(serial);
  await expect(row.getByRole('cell', { name: 'Valid' })).toBeVisible();
  await checkPage(admin, 'admin-certificates');

  // Reissue: the reason is required, then a new serial replaces the old one.
  await admin.getByRole('button', { name: `Reissue ${serial}` }).click();
  await expect(admin.getByRole('heading', { name: `Reissue ${serial}` })).toBeFocused();
  await admin.getByRole('button', { name: 'Reissue the certificate' }).click();
  await expect(admin.getByText('Say why it is reissued.')).toBeVisible();
  await admin.getByLabel('Reason').fill('Name corrected after marriage.');
  await admin.getByRole('button', { name: 'Reissue the certificate' }).click();
  await expect(admin.getByText(new RegExp(`^Reissued ${serial} as BS-\\d{6} under the name ${holder}\\.$`))).toBeVisible();
  const newer = serialOf(`enrolment_id = '${enrolment}' AND superseded_by IS NULL`);
  expect(newer).not.toBe(serial);
  await expect(admin.getByRole('row').filter({ hasText: serial }).getByRole('cell', { name: 'Replaced' })).toBeVisible();
  await checkPage(admin, 'admin-certificates-reissued');

  // Revoke the new one.
  await admin.getByRole('button', { name: `Revoke ${newer}` }).click();
  await admin.getByLabel('Reason').fill('Issued in error during a test.');
  await admin.getByRole('button', { name: 'Revoke the certificate' }).click();
  await expect(admin.getByText(`Revoked ${newer}. Its verification page now says so, and ${holder} has been told why.`)).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: newer }).getByRole('cell', { name: /^Revoked/ })).toBeVisible();
  expect(sql(`SELECT revoked_at IS NOT NULL FROM certificates WHERE 'BS-' || lpad(serial::text, 6, '0') = '${newer}'`)).toBe('t');
  // The state filter finds it among the revoked ones.
  await admin.getByLabel('State').selectOption('revoked');
  await expect(admin.getByRole('row').filter({ hasText: newer })).toHaveCount(1);
  await expect(admin.getByRole('row').filter({ hasText: serial })).toHaveCount(0);
});

test('item statistics: the course’s questions after a submitted attempt', async ({ browser }) => {
  test.setTimeout(180_000);
  const learner = await newPage(browser);
  await learnerAtSafetyQuiz(learner, 'area-stats', PASSWORD);
  await learner.getByRole('button', { name: 'Start the quiz' }).click();
  await learner.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await learner.getByRole('button', { name: 'Submit answers' }).click();
  await learner.getByRole('button', { name: 'Submit now' }).click();
  await learner.waitForURL(/\/attempts\/[0-9a-f-]+\/result$/);

  const admin = await adminSignedIn(browser);
  await admin.goto(`${base()}/admin`);
  await adminNav(admin).getByRole('link', { name: 'Item statistics' }).click();
  await expect(admin.getByRole('heading', { name: 'Item statistics', level: 1 })).toBeVisible();
  await admin.getByLabel('Course').selectOption('demo-course');
  const summary = admin.getByRole('status').filter({ hasText: /submitted attempts?; \d+ weak/ });
  await expect(summary).toBeVisible();
  const attempts = Number((await summary.innerText()).match(/^(\d+) submitted/)![1]);
  expect(attempts).toBeGreaterThanOrEqual(1);
  const table = admin.getByRole('table', { name: /^Questions/ });
  await expect(table).toBeVisible();
  // Every question of the course's quizzes has a row; one shown to this learner was answered.
  const rows = table.getByRole('row');
  expect(await rows.count()).toBeGreaterThan(3);
  await expect(table.getByText('Too few responses').first()).toBeVisible();
  await checkPage(admin, 'admin-item-statistics');
  // Only weak questions: none can be weak on so few responses, unless other runs added some.
  await admin.getByLabel(/Only weak questions/).check();
  await expect(admin.getByText('No question is flagged as weak.').or(admin.getByRole('table', { name: /flagged as weak/ }))).toBeVisible();
});
