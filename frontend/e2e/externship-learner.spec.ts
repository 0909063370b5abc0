// The learner's clinical externship against the real server: enrol in the phlebotomy course,
// get placed at a site (admin API), log shifts and 30 collection attempts in a few taps, some
// of them offline (the outbox keeps them, the badge counts them, they go on reconnect, each
// once), a note with patient information refused in the browser, a refused entry fixed,
// drafts sent to the supervisor and the request sent again, the CSV downloaded. The page is
// checked with axe at 360 px and 1280 px.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { base, checkPage, linkFromMail, PHONE, signIn, signUpAndVerify, uniqueEmail } from './helpers';
import { adminToken, day, entriesOf, hasLogbookPdf, importRealCourses, placeEnrolment } from './externship';

const PASSWORD = 'Tourniquet-Minute-42';

test.use({ viewport: PHONE });

/** The quick-log form's submit button ("Log 10 venipunctures"). */
const logButton = (page: Page) => page.getByRole('button', { name: /^Log \d+ / });

async function quickLog(page: Page, type: 'Venipuncture' | 'Skin puncture', preset: 1 | 5 | 10, taps = 1): Promise<void> {
  const form = page.getByRole('region', { name: 'Quick-log collections' });
  await form.getByRole('radio', { name: type, exact: true }).check();
  await form.getByRole('button', { name: `${preset} ${preset === 1 ? 'attempt' : 'attempts'}`, exact: true }).click();
  for (let i = 0; i < taps; i++) {
    // The button pauses after each tap (no double logging); click waits until it is enabled again.
    await logButton(page).click();
    await expect(form.getByRole('status').filter({ hasText: 'Logged' })).toBeVisible();
  }
}

test('log shifts and 30 collections, offline too, each stored once; PHI refused; send to the supervisor', async ({ page, context }) => {
  test.setTimeout(180_000);
  importRealCourses();
  const admin = await adminToken();

  // A learner enrols in the phlebotomy course and is placed at a site.
  const email = uniqueEmail('extern');
  await signUpAndVerify(page, 'Sam Okafor', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  await page.goto(`${base()}/courses/phlebotomy-technician`);
  await page.getByRole('button', { name: 'Enrol in this course' }).click();
  await page.waitForURL(/\/learn\/[0-9a-f-]+$/);
  const enrolment = page.url().split('/learn/')[1]!;
  const placed = await placeEnrolment(admin, enrolment);

  // From the progress page to the externship page.
  await page.reload();
  await page.getByRole('link', { name: 'Clinical externship: your log and progress' }).click();
  await expect(page.getByRole('heading', { name: 'Clinical externship', level: 1 })).toBeVisible();
  await expect(page.getByText('Nothing logged yet')).toBeVisible();
  // The phlebotomy course logs venipunctures and skin punctures, and has no departments.
  const quick = page.getByRole('region', { name: 'Quick-log collections' });
  await expect(quick.getByRole('radio')).toHaveCount(2 + 3 + 3 + 2 + 2);
  await expect(quick.getByRole('radio', { name: 'Arterial puncture' })).toHaveCount(0);
  const shiftForm = page.getByRole('region', { name: 'Log a shift' });
  await expect(shiftForm.getByLabel('Department')).toHaveCount(0);
  // Progress from the summary, with the numbers in words; readiness labelled as information.
  await expect(page.getByRole('progressbar', { name: /Clinical hours.*0 of 100 hours/ })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: /Successful unaided venipunctures.*0 of 50/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Certification readiness (information only)' })).toBeVisible();

  // Shift 1, yesterday. A note with a record number is refused before anything is sent.
  const notes = shiftForm.getByLabel('Notes', { exact: true });
  await shiftForm.getByLabel('Date the shift started').fill(day(-1));
  await shiftForm.getByLabel('Start', { exact: true }).fill('07:00');
  await shiftForm.getByLabel('End', { exact: true }).fill('15:00');
  await expect(shiftForm.getByText('8 h', { exact: true })).toBeVisible();
  await notes.fill('Drew MRN 4482913 twice, difficult veins');
  await expect(shiftForm.getByText('“4482913”: This looks like a record number')).toBeVisible();
  await expect(notes).toHaveAttribute('aria-invalid', 'true');
  await shiftForm.getByRole('button', { name: 'Log shift' }).click();
  await expect(notes).toBeFocused();
  await expect(page.getByText(/not yet sent/)).toHaveCount(0);
  expect(await entriesOf(admin, enrolment)).toHaveLength(0);
  const note = 'Difficult veins, used a 23G winged set';
  await notes.fill(note);
  await expect(shiftForm.getByText(`${note.length} of 500 characters`)).toBeVisible();
  await shiftForm.getByRole('button', { name: 'Log shift' }).click();
  await expect(shiftForm.getByRole('status')).toContainText('Logged: Shift on');
  await expect(page.getByRole('heading', { name: /^Drafts/ })).toBeVisible();

  // 10 venipunctures online, in one tap.
  await quickLog(page, 'Venipuncture', 10);
  await expect.poll(async () => (await entriesOf(admin, enrolment)).length).toBe(11);

  // Offline: a shift that overlaps shift 1 (the server will refuse it), and 20 attempts in
  // four logs, one of them a double tap.
  await context.setOffline(true);
  await expect(page.getByText('You are offline.')).toBeVisible();
  await shiftForm.getByLabel('Date the shift started').fill(day(-1));
  await shiftForm.getByLabel('Start', { exact: true }).fill('14:00');
  await shiftForm.getByLabel('End', { exact: true }).fill('18:00');
  await shiftForm.getByRole('button', { name: 'Log shift' }).click();
  await expect(shiftForm.getByRole('status')).toContainText('kept on this device');
  await expect(page.getByText('1 not yet sent')).toBeVisible();
  await quickLog(page, 'Venipuncture', 5);
  await logButton(page).dblclick();
  await expect(page.getByText('3 not yet sent')).toBeVisible();
  await quickLog(page, 'Skin puncture', 5, 2);
  await expect(page.getByText('5 not yet sent')).toBeVisible();
  const unsent = page.getByRole('region', { name: /^Not yet sent/ });
  await expect(unsent.getByRole('listitem')).toHaveCount(5);
  await expect(unsent.getByText('5 × Skin puncture')).toHaveCount(2);
  // Nothing of it reached the server.
  expect(await entriesOf(admin, enrolment)).toHaveLength(11);
  await checkPage(page, 'externship-offline');

  // Back online: everything goes, each once; the overlapping shift comes back refused.
  await context.setOffline(false);
  await expect(page.getByText(/not yet sent/)).toHaveCount(0, { timeout: 20_000 });
  const failed = page.getByRole('region', { name: '1 entry was not accepted' });
  await expect(failed).toBeVisible();
  await expect(failed.getByText(/overlaps/)).toBeVisible();
  await expect.poll(async () => (await entriesOf(admin, enrolment)).length).toBe(11 + 20);

  // Fix it: today, 07:00 to 11:00, and it goes.
  await failed.getByRole('button', { name: /^Fix/ }).click();
  await failed.getByLabel('Date the shift started').fill(day(0));
  await failed.getByLabel('Start', { exact: true }).fill('07:00');
  await failed.getByLabel('End', { exact: true }).fill('11:00');
  await failed.getByRole('button', { name: 'Save and send again' }).click();
  await expect(page.getByRole('heading', { name: /not accepted/ })).toHaveCount(0);

  // The server has exactly 2 shifts and 30 attempts (10 + 5 + 5 + 5 + 5), none doubled.
  await expect.poll(async () => (await entriesOf(admin, enrolment)).length).toBe(32);
  const all = await entriesOf(admin, enrolment);
  expect(all.filter((e) => e.kind === 'shift')).toHaveLength(2);
  const collections = all.filter((e) => e.kind === 'collection');
  expect(collections).toHaveLength(30);
  expect(collections.filter((e) => e.collection?.type === 'venipuncture')).toHaveLength(20);
  expect(collections.filter((e) => e.collection?.type === 'skin-puncture')).toHaveLength(10);
  const perClientId = new Map<string, number>();
  for (const e of collections) perClientId.set(e.client_id, (perClientId.get(e.client_id) ?? 0) + 1);
  expect([...perClientId.values()].sort((a, b) => a - b)).toEqual([5, 5, 5, 5, 10]);
  expect(all.every((e) => e.state === 'draft')).toBe(true);

  // The log: two shifts and grouped attempts under Drafts.
  const drafts = page.getByRole('region', { name: /^Drafts/ });
  await expect(drafts.getByRole('heading', { name: /^Drafts/ })).toContainText('32');
  await expect(drafts.getByText(/^Shift, /)).toHaveCount(2);

  // Send to the supervisor: one request, listed as waiting; then again (the old link stops).
  await page.getByRole('button', { name: 'Send 32 drafts to Dana Reyes' }).click();
  const send = page.getByRole('region', { name: 'Send to your supervisor' });
  await expect(send.getByRole('status')).toContainText(`Sent 32 entries to Dana Reyes (${placed.supervisor.email})`);
  await expect(send.getByText('32 entries to Dana Reyes', { exact: true })).toBeVisible();
  await expect(send.getByText('Waiting', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Awaiting attestation/ })).toContainText('32');
  await expect(send.getByText('The link in the earlier email stops working.')).toBeVisible();
  await send.getByRole('button', { name: 'Send again to Dana Reyes' }).click();
  await expect(send.getByRole('status')).toContainText('The link in the earlier email no longer works.');
  await expect(send.getByText('Replaced', { exact: true })).toBeVisible();
  await expect(send.getByText('Waiting', { exact: true })).toHaveCount(1);
  // Progress shows what is waiting: 8 + 4 hours and the 30 attempts.
  await expect(page.getByText('12 hours and 30 collections awaiting attestation or approval (not counted yet).')).toBeVisible();

  // The CSV of everything downloads with the session's token.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Everything (CSV)' }).click();
  const file = await download;
  const csv = readFileSync((await file.path())!, 'utf8');
  expect(csv.trim().split('\n').length).toBeGreaterThanOrEqual(33);
  if (await hasLogbookPdf(admin, enrolment)) {
    const pdf = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Logbook (PDF)' }).click();
    expect((await pdf).suggestedFilename()).toMatch(/\.pdf$/);
  }

  await checkPage(page, 'externship-sent');
});

test('departments, editing and deleting drafts, and correcting an entry the supervisor rejected', async ({ page }) => {
  test.setTimeout(150_000);
  importRealCourses();
  const admin = await adminToken();
  const email = uniqueEmail('extern-mlt');
  await signUpAndVerify(page, 'Lee Park', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  await page.goto(`${base()}/courses/mlt-foundations`);
  await page.getByRole('button', { name: 'Enrol in this course' }).click();
  await page.waitForURL(/\/learn\/[0-9a-f-]+$/);
  const enrolment = page.url().split('/learn/')[1]!;
  const placed = await placeEnrolment(admin, enrolment, { departments: ['chemistry', 'hematology'] });
  await page.goto(`${base()}/learn/${enrolment}/externship`);

  // No collections in this course; the departments are the placement's.
  await expect(page.getByRole('heading', { name: 'Log a shift' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Quick-log collections' })).toHaveCount(0);
  const shiftForm = page.getByRole('region', { name: 'Log a shift' });
  const department = shiftForm.getByLabel('Department');
  await expect(department.getByRole('option')).toHaveText(['Choose a department', 'Chemistry', 'Hematology']);
  await expect(page.getByRole('progressbar', { name: /Microbiology.*0 of 50 hours/ })).toBeVisible();

  const logShift = async (date: string, start: string, end: string, dept: string) => {
    await shiftForm.getByLabel('Date the shift started').fill(date);
    await shiftForm.getByLabel('Start', { exact: true }).fill(start);
    await shiftForm.getByLabel('End', { exact: true }).fill(end);
    await department.selectOption({ label: dept });
    await shiftForm.getByRole('button', { name: 'Log shift' }).click();
    await expect(shiftForm.getByRole('status')).toContainText('Logged: Shift on');
  };
  // A department is required: the form says so and focuses it.
  await shiftForm.getByLabel('Start', { exact: true }).fill('07:00');
  await shiftForm.getByLabel('End', { exact: true }).fill('15:00');
  await shiftForm.getByRole('button', { name: 'Log shift' }).click();
  await expect(shiftForm.getByText('Choose the department you worked in.')).toBeVisible();
  await expect(department).toBeFocused();
  await logShift(day(-1), '07:00', '15:00', 'Chemistry');
  await logShift(day(-2), '08:00', '12:00', 'Hematology');
  await logShift(day(-3), '09:00', '10:00', 'Chemistry');
  const drafts = page.getByRole('region', { name: /^Drafts/ });
  await expect(drafts.getByText(/^Shift, /)).toHaveCount(3);

  // Delete one draft, edit another.
  await drafts.getByRole('button', { name: /^Delete the shift on/ }).last().click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByText(/^Deleted the shift on/)).toBeVisible();
  await expect(drafts.getByText(/^Shift, /)).toHaveCount(2);
  await drafts.getByRole('button', { name: /^Edit the shift on/ }).last().click();
  const editor = drafts.locator('.ext-editor');
  await expect(editor.getByLabel('Start', { exact: true })).toHaveValue('08:00');
  await editor.getByLabel('End', { exact: true }).fill('13:00');
  await editor.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Changes saved.')).toBeVisible();
  await expect(drafts.getByText('Shift, 08:00–13:00, 5 h')).toBeVisible();

  // Send both; the supervisor rejects the long one (with a reason) and attests the other.
  await page.getByRole('button', { name: 'Send 2 drafts to Dana Reyes' }).click();
  await expect(page.getByRole('region', { name: 'Send to your supervisor' }).getByText('2 entries to Dana Reyes', { exact: true })).toBeVisible();
  const link = await linkFromMail(placed.supervisor.email, 'attest');
  const token = new URL(link).searchParams.get('token')!;
  const entries = await entriesOf(admin, enrolment);
  const long = entries.find((e) => e.shift?.start === '07:00')!;
  const short = entries.find((e) => e.id !== long.id)!;
  const decided = await fetch(`${base()}/api/v1/attestations/${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      signature: 'Dana Reyes',
      decisions: [
        { entry_id: long.id, decision: 'reject', reason: 'You left at 13:00 that day.' },
        { entry_id: short.id, decision: 'attest' },
      ],
      competencies: [],
    }),
  });
  expect(decided.status).toBe(200);

  // The learner sees the reason and corrects the entry: a new draft, the original replaced.
  await page.reload();
  const rejected = page.getByRole('region', { name: /^Rejected by your supervisor/ });
  await expect(rejected.getByText('You left at 13:00 that day.')).toBeVisible();
  await expect(page.getByRole('region', { name: /^Awaiting approval/ }).getByText('Shift, 08:00–13:00, 5 h')).toBeVisible();
  await expect(page.getByText('5 hours awaiting attestation or approval (not counted yet).')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Send to your supervisor' }).getByText('Answered', { exact: true })).toBeVisible();
  await rejected.getByRole('button', { name: /^Correct the shift on/ }).click();
  const amend = rejected.locator('.ext-editor');
  await expect(amend.getByLabel('Start', { exact: true })).toHaveValue('07:00');
  await expect(amend.getByLabel('Department')).toHaveValue('chemistry');
  await amend.getByLabel('End', { exact: true }).fill('13:00');
  await amend.getByRole('button', { name: 'Save correction' }).click();
  await expect(amend.getByText('Say what you corrected, for your supervisor.')).toBeVisible();
  await amend.getByLabel('What you corrected').fill('I left at 13:00, not 15:00.');
  await checkPage(page, 'externship-correcting');
  await amend.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.getByText('Correction saved as a draft: send it to your supervisor.')).toBeVisible();
  const replaced = page.getByRole('region', { name: /^Replaced by a correction/ });
  await expect(replaced.getByText('Shift, 07:00–15:00, 8 h')).toBeVisible();
  await expect(page.getByRole('region', { name: /^Rejected by your supervisor/ })).toHaveCount(0);
  await replaced.getByRole('link', { name: /^See the correction/ }).click();
  const correction = page.getByRole('region', { name: /^Drafts/ }).getByRole('listitem').filter({ hasText: 'Correction: I left at 13:00, not 15:00.' });
  await expect(correction).toBeFocused();
  await expect(correction).toContainText('Shift, 07:00–13:00, 6 h');
  await expect(page.getByRole('button', { name: 'Send 1 draft to Dana Reyes' })).toBeVisible();
  await checkPage(page, 'externship-corrected');
});
