// The cohort admin pages (cohorts, members, codes, bulk upload, dashboard, charts, outcomes,
// exports, audit) with answers the real server would need a long setup to give: every risk
// flag, every refused-row outcome, weeks of chart data (fixtures/adminContract.ts, typed by the
// generated OpenAPI types, so they keep the server's shapes). Every page accessible at 1280 and
// 360 px without overflow, the bulk upload's refused rows shown row by row and announced, the
// real run only after a clean check, the dashboard's sort sent to the server. The session and
// every other request are the real server's; admin-cohorts.spec.ts runs the journey against the
// real routes.
import { expect, test, type Page, type Route } from '@playwright/test';
import { base, checkPage, createAdmin, DESKTOP, signIn, uniqueEmail } from './helpers';
import { APPLIED, AUDIT, CHARTS, CODES, COHORT, COHORTS, DASHBOARD, DRY_RUN_CLEAN, DRY_RUN_WITH_ERRORS, MEMBERS, OUTCOMES } from './fixtures/adminContract';

const PASSWORD = 'Contract-Pages-Password-42';
test.use({ viewport: DESKTOP });

const json = (route: Route, body: unknown, status = 200) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

/** Answers the cohort admin routes from the fixtures; records the requests. */
async function mockContract(page: Page, seen: string[]) {
  let imports = 0;
  await page.route(/\/api\/v1\/admin\/(cohorts|codes|enrolments|audit)(\/|\?|$)/, async (route) => {
    const url = new URL(route.request().url());
    const path = url.pathname.replace('/api/v1/admin', '');
    const method = route.request().method();
    seen.push(`${method} ${path}${url.search}`);
    const c = `/cohorts/${COHORT.id}`;
    if (method === 'GET' && path === '/cohorts') return json(route, COHORTS);
    if (method === 'GET' && path === c) return json(route, COHORT);
    if (method === 'GET' && path === `${c}/members`) return json(route, MEMBERS);
    if (method === 'GET' && path === `${c}/codes`) return json(route, CODES);
    if (method === 'GET' && path === `${c}/dashboard`) return json(route, DASHBOARD);
    if (method === 'GET' && path === `${c}/charts`) return json(route, CHARTS);
    if (method === 'GET' && path === `${c}/outcomes`) return json(route, OUTCOMES);
    if (method === 'GET' && path === '/audit') return json(route, AUDIT);
    if (method === 'GET' && path.startsWith(`${c}/exports/`)) {
      return route.fulfill({ status: 200, contentType: 'text/csv; charset=utf-8', body: '\uFEFFemail,name\nana@example.org,Ana López\n' });
    }
    if (method === 'POST' && path === `${c}/imports`) {
      imports += 1;
      const dry = url.searchParams.get('dry_run') === 'true';
      return json(route, dry ? (imports === 1 ? DRY_RUN_WITH_ERRORS : DRY_RUN_CLEAN) : APPLIED);
    }
    return json(route, { error: { code: 'not_found', message: 'Not in the fixtures.', details: {} } }, 404);
  });
}

async function adminPage(page: Page): Promise<string[]> {
  const email = uniqueEmail('contract-admin');
  createAdmin(email, 'Contract Admin', PASSWORD);
  const seen: string[] = [];
  await mockContract(page, seen);
  await signIn(page, email, PASSWORD);
  return seen;
}

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Cohort sections' }).getByRole('link', { name, exact: true }).click();

test('cohorts, members, codes, outcomes, exports and the audit log: accessible at both widths', async ({ page }) => {
  test.setTimeout(180_000);
  const seen = await adminPage(page);
  await page.goto(`${base()}/admin/cohorts`);
  await expect(page.getByRole('link', { name: COHORT.name })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(COHORT.name) })).toContainText('12 of 30 places');
  await checkPage(page, 'contract-cohorts');
  // Edit fills the form with the cohort; the form's checks run in the browser.
  await page.getByRole('button', { name: `Edit ${COHORT.name}` }).click();
  await expect(page.getByRole('heading', { name: `Edit ${COHORT.name}` })).toBeFocused();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(COHORT.name);
  await page.getByLabel('Target completion date (optional)').fill('2027-01-01');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The target date must be on or after the start date.')).toBeVisible();
  await expect(page.getByLabel('Target completion date (optional)')).toBeFocused();

  await page.getByRole('link', { name: COHORT.name }).click();
  await expect(page.getByRole('heading', { name: COHORT.name, level: 1 })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Cohort sections' }).getByRole('link', { name: 'Members' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('rowheader', { name: /Björn Ødegaard/ })).toBeVisible();
  await page.getByRole('button', { name: 'Manage Ana López' }).click();
  await expect(page.getByRole('heading', { name: 'Manage Ana López' })).toBeFocused();
  await expect(page.getByLabel('Cohort of Demo Course')).toContainText('Summer 2027 day group');
  await checkPage(page, 'contract-cohort-members');

  await tab(page, 'Codes');
  await expect(page.getByRole('rowheader', { name: 'PHLB-7KQ3-M9XD' })).toBeVisible();
  await expect(page.getByRole('row', { name: /PHLB-7KQ3-M9XD/ })).toContainText('12 of 30 used');
  await checkPage(page, 'contract-cohort-codes');

  await tab(page, 'Outcomes');
  await expect(page.getByRole('row', { name: /Completion rate/ })).toContainText('18.8%');
  await expect(page.getByRole('row', { name: /Externship completed/ })).toContainText('Not yet');
  await checkPage(page, 'contract-cohort-outcomes');

  await tab(page, 'Exports');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download progress (CSV)' }).click();
  expect((await download).suggestedFilename()).toMatch(/^spring-2027-evening-group-progress-\d{4}-\d{2}-\d{2}\.csv$/);
  await checkPage(page, 'contract-cohort-exports');

  await page.goto(`${base()}/admin/audit`);
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByRole('row', { name: /enrolment\.moved/ })).toContainText('from: Spring; to: Summer');
  await page.getByLabel('Actor (account ID)').fill('not-a-uuid');
  await page.getByRole('button', { name: 'Apply the filters' }).click();
  await expect(page.getByLabel('Actor (account ID)')).toBeFocused();
  await page.getByLabel('Actor (account ID)').fill('');
  await page.getByLabel('Event', { exact: true }).fill('cohort.');
  await page.getByRole('button', { name: 'Apply the filters' }).click();
  await expect.poll(() => seen.some((s) => s.startsWith('GET /audit?action=cohort.'))).toBe(true);
  await checkPage(page, 'contract-audit');
});

test('bulk upload: refused rows shown row by row and announced; the real run only after a clean check', async ({ page }) => {
  test.setTimeout(120_000);
  const seen = await adminPage(page);
  await page.goto(`${base()}/admin/cohorts/${COHORT.id}/import`);
  await expect(page.getByRole('heading', { name: 'Bulk upload', level: 2 })).toBeVisible();
  const file = { name: 'learners.csv', mimeType: 'text/csv', buffer: Buffer.from('email,name\nivy@example.org,Ivy\n') };
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
  // Announced (an alert) and focused, so a screen reader reads the outcome at once.
  const alert = page.getByRole('alert').filter({ hasText: '3 rows are refused' });
  await expect(alert).toBeVisible();
  await expect(page.locator('.import-result')).toBeFocused();
  const refused = page.getByRole('table', { name: /Refused rows/ });
  await expect(refused.getByRole('row')).toHaveCount(4);
  await expect(refused.getByRole('row', { name: /^3 not-an-email/ })).toContainText('The address has no @.');
  await expect(refused.getByRole('row', { name: /^4 ivy@example.org/ })).toContainText('Same email as line 2.');
  await expect(refused.getByRole('row', { name: /^5 zoe@example.org/ })).toContainText('Unknown cohort');
  await expect(page.getByRole('button', { name: /^Enrol \d+ learners$/ })).toHaveCount(0);
  await checkPage(page, 'contract-import-errors');
  // Every row on request.
  await page.getByLabel(/Only the refused rows/).uncheck();
  await expect(page.getByRole('table', { name: /Every row/ }).getByRole('row')).toHaveCount(5);

  await page.getByLabel('CSV file').setInputFiles({ ...file, name: 'fixed.csv' });
  await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
  await expect(page.getByText(/2 rows read, none refused/)).toBeVisible();
  await page.getByRole('button', { name: 'Enrol 2 learners' }).click();
  await expect(page.getByText('Done: 1 account invited, 1 existing account enrolled, 0 already enrolled.')).toBeVisible();
  expect(seen.filter((s) => s.startsWith('POST'))).toEqual([
    `POST /cohorts/${COHORT.id}/imports?dry_run=true`,
    `POST /cohorts/${COHORT.id}/imports?dry_run=true`,
    `POST /cohorts/${COHORT.id}/imports?dry_run=false`,
  ]);
  await checkPage(page, 'contract-import-done');
});

test('dashboard and charts: flags with reasons, sorting sent to the server, every chart with its table', async ({ page }) => {
  test.setTimeout(120_000);
  const seen = await adminPage(page);
  await page.goto(`${base()}/admin/cohorts/${COHORT.id}/dashboard`);
  const ana = page.getByRole('row', { name: /Ana López/ });
  await expect(ana).toContainText('Inactive');
  await expect(ana).toContainText('No activity for 21 days.');
  await expect(ana).toContainText('6 of 60 lessons');
  await expect(page.getByRole('columnheader', { name: 'At risk' })).toHaveAttribute('aria-sort', 'descending');
  await page.getByRole('button', { name: 'Learner' }).click();
  await expect(page.getByRole('columnheader', { name: 'Learner' })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByLabel('Only learners at risk').check();
  await expect.poll(() => seen.some((s) => s.includes('/dashboard?sort=name&order=asc&page=1&per_page=50&at_risk=true'))).toBe(true);
  await checkPage(page, 'contract-dashboard');

  await tab(page, 'Charts');
  for (const name of ['Completion over time', 'Module funnel', 'Safety quiz']) {
    const block = page.getByRole('region', { name });
    await expect(block.getByRole('img', { name: new RegExp(`^${name}: chart\. `) })).toBeVisible();
    await expect(block.locator('svg').first()).toBeVisible();
    await expect(block.getByRole('table')).toBeVisible();
  }
  await expect(page.getByRole('table', { name: 'Learners who reached each module' }).getByRole('row', { name: /2\. Collection/ })).toContainText('69%');
  await checkPage(page, 'contract-charts');
});
