// The "Must show" journey for cohorts, in the browser against the real server: an admin
// creates a cohort, uploads a CSV (the dry run shows each refused row with its reason, the fixed
// file checks clean, the real run enrols), the invited learner sets a password from the mail the
// server delivered over SMTP (read back from the e2e SMTP sink, smtp-sink.ts) and starts the
// course, the cohort's dashboard shows them with their percent and flags, and the progress
// export contains them. Staff of another cohort see none of it. axe at 1280 and 360 px on each
// admin page, the upload's row-by-row errors included.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { base, checkPage, createAdmin, DESKTOP, linkFromMail, signIn, signUpAndVerify, sql, uniqueEmail } from './helpers';

const PASSWORD = 'Cohort-Journey-Password-42';

function day(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

async function newPage(browser: Browser, viewport = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  return ctx.newPage();
}

const csv = (lines: string[]) => ({ name: 'learners.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`, 'utf8') });

test('admin: a cohort, a CSV upload with errors then clean, the invited learner starts, the dashboard and the export; staff of another cohort see none of it', async ({ browser }) => {
  test.setTimeout(300_000);
  const stamp = Date.now();
  const cohortName = `Spring ${stamp}`;
  const otherCohort = `Other ${stamp}`;

  // An existing account (enrolled by the upload) and a staff account (owner of another cohort).
  const setup = await newPage(browser);
  const existingEmail = uniqueEmail('existing');
  await signUpAndVerify(setup, `Ines Existing ${stamp}`, existingEmail, PASSWORD);
  const staffEmail = uniqueEmail('staff-other');
  await signUpAndVerify(setup, `Sol Staff ${stamp}`, staffEmail, PASSWORD);
  sql(`UPDATE users SET role = 'staff' WHERE email = '${staffEmail.toLowerCase()}'`);

  // ---- The admin creates the cohort (checked in the browser first). ----
  const adminEmail = uniqueEmail('cohort-admin');
  createAdmin(adminEmail, 'Cohort Admin', PASSWORD);
  const admin = await newPage(browser);
  await signIn(admin, adminEmail, PASSWORD);
  await admin.goto(`${base()}/admin`);
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Cohorts' }).click();
  await expect(admin.getByRole('heading', { name: 'Cohorts', level: 1 })).toBeVisible();
  const form = admin.getByRole('form', { name: 'Create a cohort' });
  // Sent empty, the form names what is missing and puts the focus on the first field.
  await form.getByRole('button', { name: 'Create cohort' }).click();
  await expect(form.getByLabel('Course')).toBeFocused();
  await form.getByLabel('Course').selectOption('demo-course');
  await form.getByLabel('Name', { exact: true }).fill(cohortName);
  await form.getByLabel('Start date').fill(day(-30));
  await form.getByLabel('Target completion date (optional)').fill(day(1));
  await form.getByLabel('Capacity (optional)').fill('10');
  await form.getByRole('button', { name: 'Create cohort' }).click();
  await expect(admin.getByText(`Created the cohort ${cohortName}.`)).toBeVisible();
  // The other cohort, owned by the staff account.
  await form.getByLabel('Course').selectOption('demo-course');
  await form.getByLabel('Name', { exact: true }).fill(otherCohort);
  await form.getByLabel('Start date').fill(day(0));
  await form.getByLabel(new RegExp(`Sol Staff ${stamp}`)).check();
  await form.getByRole('button', { name: 'Create cohort' }).click();
  await expect(admin.getByText(`Created the cohort ${otherCohort}.`)).toBeVisible();
  await checkPage(admin, 'admin-cohorts');
  await admin.getByRole('link', { name: cohortName }).click();
  await expect(admin.getByRole('heading', { name: cohortName, level: 1 })).toBeVisible();
  const cohortId = admin.url().split('/admin/cohorts/')[1]!.split('/')[0]!;
  await checkPage(admin, 'admin-cohort-members');

  // ---- The CSV upload: a dry run with errors, shown row by row and announced. ----
  const invitedEmail = uniqueEmail('invited');
  await admin.getByRole('navigation', { name: 'Cohort sections' }).getByRole('link', { name: 'Bulk upload' }).click();
  await admin.getByLabel('CSV file').setInputFiles(
    csv(['email,name', `${invitedEmail},Ivy Invited ${stamp}`, 'not-an-email,Bad Email', `${invitedEmail},Ivy Again`, `${existingEmail},Ines Existing ${stamp}`]),
  );
  await admin.getByRole('button', { name: 'Check the file (dry run)' }).click();
  const result = admin.getByRole('alert').filter({ hasText: 'rows are refused' });
  await expect(result).toContainText('4 rows read: 2 rows are refused');
  const rows = admin.getByRole('table', { name: /Refused rows/ });
  await expect(rows.getByRole('row', { name: /^3 not-an-email/ })).toContainText('Invalid email');
  await expect(rows.getByRole('row', { name: new RegExp(`^4 ${invitedEmail}`) })).toContainText('Duplicate row');
  // No real run is offered for a file with refused rows, and nothing was written.
  await expect(admin.getByRole('button', { name: /^Enrol \d+ learners$/ })).toHaveCount(0);
  expect(sql(`SELECT count(*) FROM users WHERE email = '${invitedEmail.toLowerCase()}'`)).toBe('0');
  await checkPage(admin, 'admin-cohort-import-errors');

  // ---- Fixed, it checks clean; the real run enrols. ----
  const fixed = csv(['email,name', `${invitedEmail},Ivy Invited ${stamp}`, `${existingEmail},Ines Existing ${stamp}`]);
  await admin.getByLabel('CSV file').setInputFiles(fixed);
  await admin.getByRole('button', { name: 'Check the file (dry run)' }).click();
  await expect(admin.getByText(/2 rows read, none refused: 1 new account to invite, 1 existing account to enrol/)).toBeVisible();
  await admin.getByRole('button', { name: 'Enrol 2 learners' }).click();
  await expect(admin.getByText('Done: 1 account invited, 1 existing account enrolled, 0 already enrolled.')).toBeVisible();
  // The same file again: already enrolled, every row.
  await admin.getByLabel('CSV file').setInputFiles({ ...fixed, name: 'learners-again.csv' });
  await admin.getByRole('button', { name: 'Check the file (dry run)' }).click();
  await expect(admin.getByRole('table', { name: /Every row/ }).getByText('Already enrolled')).toHaveCount(2);

  // ---- The invited learner sets a password from the mail and starts the course. ----
  const link = await linkFromMail(invitedEmail, 'invitation');
  const learner = await newPage(browser);
  await learner.goto(link);
  await expect(learner.getByRole('heading', { name: 'Set your password', level: 1 })).toBeVisible();
  await checkPage(learner, 'invitation');
  // Two different passwords are caught in the browser.
  await learner.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await learner.getByLabel('Type it again').fill(`${PASSWORD}x`);
  await learner.getByRole('button', { name: 'Set my password and start' }).click();
  await expect(learner.getByText('The two passwords are not the same.')).toBeVisible();
  await learner.getByLabel('Type it again').fill(PASSWORD);
  await learner.getByRole('button', { name: 'Set my password and start' }).click();
  await expect(learner.getByRole('heading', { name: 'My learning' })).toBeVisible();
  expect(new URL(learner.url()).pathname).toBe('/dashboard');
  await learner.getByRole('link', { name: 'Demo Course', exact: true }).click();
  await learner.waitForURL(/\/learn\/[0-9a-f-]+$/);
  const enrolment = learner.url().split('/learn/')[1]!;
  await learner.goto(`${base()}/learn/${enrolment}/lessons/sharps`);
  await learner.getByRole('button', { name: 'Mark this lesson complete' }).click();
  await expect(learner.getByText('Lesson complete')).toBeVisible();
  // Learning's rule counts the live lessons and the required quizzes: 1 of the demo course's 3
  // lessons and 3 quizzes, rounded down.
  await expect(learner.getByText(/course 16% complete/)).toBeVisible();
  // The link is used now: a clear message.
  const again = await newPage(browser);
  await again.goto(link);
  await again.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await again.getByLabel('Type it again').fill(PASSWORD);
  await again.getByRole('button', { name: 'Set my password and start' }).click();
  await expect(again.getByText('This invitation has been used')).toBeVisible();
  await expect(again.getByRole('link', { name: 'Sign in' }).last()).toBeVisible();
  await checkPage(again, 'invitation-used');
  // The password chosen from the mail signs in.
  await signIn(again, invitedEmail, PASSWORD);

  // ---- The dashboard shows them, with their percent and flags. ----
  await admin.goto(`${base()}/admin/cohorts/${cohortId}/dashboard`);
  const row = admin.getByRole('row', { name: new RegExp(`Ivy Invited ${stamp}`) });
  // The percent the learner saw, the lessons done, and the one flag that applies: a day before
  // the target date, 16% done is far behind the schedule; active today, so not inactive.
  await expect(row).toContainText('16%');
  await expect(row).toContainText('1 of 3 lessons');
  await expect(row).toContainText('Behind schedule');
  await expect(row).not.toContainText('Inactive');
  await expect(row).not.toContainText('Quiz failed twice');
  await admin.getByRole('button', { name: 'Progress' }).click();
  await expect(admin.getByRole('columnheader', { name: 'Progress' })).toHaveAttribute('aria-sort', 'ascending');
  await checkPage(admin, 'admin-cohort-dashboard');
  await admin.getByRole('navigation', { name: 'Cohort sections' }).getByRole('link', { name: 'Charts' }).click();
  await expect(admin.getByRole('heading', { name: 'Completion over time' })).toBeVisible();
  await expect(admin.getByRole('table', { name: 'Learners who reached each module' })).toBeVisible();
  await checkPage(admin, 'admin-cohort-charts');

  // ---- The progress export contains them (UTF-8 with a byte-order mark). ----
  await admin.getByRole('navigation', { name: 'Cohort sections' }).getByRole('link', { name: 'Exports' }).click();
  const download = admin.waitForEvent('download');
  await admin.getByRole('button', { name: 'Download progress (CSV)' }).click();
  const file = readFileSync((await (await download).path())!);
  expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(file.toString('utf8')).toContain(invitedEmail.toLowerCase());
  await checkPage(admin, 'admin-cohort-exports');

  // ---- Staff of the other cohort: none of it is visible. ----
  const staff = await newPage(browser);
  await signIn(staff, staffEmail, PASSWORD);
  await staff.goto(`${base()}/admin/cohorts`);
  await expect(staff.getByRole('link', { name: otherCohort })).toBeVisible();
  await expect(staff.getByRole('link', { name: cohortName })).toHaveCount(0);
  for (const tab of ['', '/import', '/dashboard', '/charts', '/exports']) {
    await staff.goto(`${base()}/admin/cohorts/${cohortId}${tab}`);
    await expect(staff.getByText('We could not find that. It may have been removed, or the link may be wrong.')).toBeVisible();
    await expect(staff.getByText(`Ivy Invited ${stamp}`)).toHaveCount(0);
  }
  await staff.goto(`${base()}/admin/users`);
  await expect(staff.getByRole('heading', { name: 'This page is not available' })).toBeVisible();
  await checkPage(staff, 'staff-cohorts');
});
