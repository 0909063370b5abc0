// The program's side of the externship against the real server: an admin adds a clinical site
// and places a learner; the learner's log and submissions go through the API (their screens
// are built elsewhere); the supervisor decides from the emailed link without an account
// (rejecting one entry, attesting the rest, rating a competency), and a used link shows the
// decision and refuses a second one; the learner corrects the rejected entry and the
// supervisor attests it from the new link; the admin returns one entry and bulk-approves the
// rest in the review queue. axe checks the supervisor's page at 360 px and the admin pages at
// 360 and 1280 px.
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  apiAs,
  base,
  checkPage,
  createAdmin,
  DESKTOP,
  enrolInDemo,
  expectAccessible,
  linkFromMail,
  newLinkFromMail,
  PHONE,
  signIn,
  signUpAndVerify,
  sql,
  uniqueEmail,
} from './helpers';

const PASSWORD = 'Venipuncture-Order-42';

/** A calendar day `n` days from today (negative: ago), as `YYYY-MM-DD` in UTC. */
function day(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

async function newPage(browser: Browser, viewport = PHONE): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  return ctx.newPage();
}

interface Entry {
  id: string;
  state: string;
  kind: string;
}

test('sites, a placement, the supervisor’s link, the review queue', async ({ browser }) => {
  test.setTimeout(240_000);
  const stamp = Date.now();
  const siteName = `Riverside Clinic ${stamp}`;
  const supervisorEmail = uniqueEmail('supervisor');

  // ---- The learner signs up and enrols (through the pages). ----
  const learner = await newPage(browser);
  const learnerEmail = uniqueEmail('extern');
  await signUpAndVerify(learner, 'Ana Extern', learnerEmail, PASSWORD);
  await signIn(learner, learnerEmail, PASSWORD);
  const enrolment = await enrolInDemo(learner);
  // The admin area is not for learners: no link, and a clear page.
  await expect(learner.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await learner.goto(`${base()}/admin/externship/review`);
  await expect(learner.getByRole('heading', { name: 'This page is not available' })).toBeVisible();

  // ---- The admin adds a site. ----
  const adminEmail = uniqueEmail('admin');
  createAdmin(adminEmail, 'Program Admin', PASSWORD);
  const admin = await newPage(browser, DESKTOP);
  await signIn(admin, adminEmail, PASSWORD);
  await admin.getByRole('link', { name: 'Admin' }).click();
  await expect(admin.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible();
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Sites' }).click();
  await expect(admin.getByRole('heading', { name: 'Clinical sites', level: 1 })).toBeVisible();
  // Checked in the browser first: the name and address are required.
  await admin.getByRole('button', { name: 'Add site' }).click();
  await expect(admin.getByLabel('Name', { exact: true })).toBeFocused();
  await expect(admin.getByText('Enter the site’s name.')).toBeVisible();
  await admin.getByLabel('Name', { exact: true }).fill(siteName);
  await admin.getByLabel('Address').fill('1 River Road, Springfield');
  await admin.getByLabel('Departments').fill('Outpatient draw station\nInpatient wards');
  await admin.getByLabel('Contact email').fill('desk@riverside.example');
  await admin.getByRole('button', { name: 'Add site' }).click();
  await expect(admin.getByText(`Added ${siteName} to the directory.`)).toBeVisible();
  await expect(admin.getByRole('rowheader', { name: siteName })).toBeVisible();
  // The same name again is refused by the server, on the field.
  await admin.getByLabel('Name', { exact: true }).fill(siteName);
  await admin.getByLabel('Address').fill('Elsewhere');
  await admin.getByRole('button', { name: 'Add site' }).click();
  await expect(admin.getByText('A site with this name is already in the directory.')).toBeVisible();
  await expect(admin.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  // A second site, archived, then found again and restored.
  const oldSite = `Old Lab ${stamp}`;
  await admin.getByLabel('Name', { exact: true }).fill(oldSite);
  await admin.getByRole('button', { name: 'Add site' }).click();
  await expect(admin.getByText(`Added ${oldSite} to the directory.`)).toBeVisible();
  await admin.getByLabel('Search by name').fill(`old lab ${stamp}`);
  await expect(admin.getByRole('rowheader', { name: siteName })).toHaveCount(0);
  await admin.getByRole('button', { name: `Archive ${oldSite}` }).click();
  await expect(admin.getByText(`Archived ${oldSite}.`)).toBeVisible();
  await expect(admin.getByText('No site matches this search.')).toBeVisible();
  await admin.getByLabel(/Show archived sites/).check();
  // The badge is a word of its own in the row's name.
  await expect(admin.getByRole('rowheader', { name: `${oldSite} Archived`, exact: true })).toBeVisible();
  await admin.getByRole('button', { name: `Restore ${oldSite}` }).click();
  await expect(admin.getByText(`Restored ${oldSite}.`)).toBeVisible();
  // Edit: only the changed field is sent.
  await admin.getByRole('button', { name: `Edit ${oldSite}` }).click();
  await expect(admin.getByRole('heading', { name: `Edit ${oldSite}` })).toBeFocused();
  await admin.getByLabel('Contact phone').fill('555 0100');
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await expect(admin.getByText(`Saved the changes to ${oldSite}.`)).toBeVisible();
  await admin.getByLabel('Search by name').fill('');
  await checkPage(admin, 'x01-admin-sites');

  // ---- The admin places the learner. ----
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Placements' }).click();
  await admin.getByLabel('Learner’s name or email').fill(learnerEmail);
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('button', { name: /^Choose Ana Extern/ }).click();
  await expect(admin.getByRole('heading', { name: 'Placements of Ana Extern' })).toBeFocused();
  await expect(admin.getByText('No placements yet.')).toBeVisible();
  await admin.getByLabel('Site', { exact: true }).selectOption({ label: siteName });
  await admin.getByLabel('Supervisor’s name').fill('Sam Supervisor');
  await admin.getByLabel('Supervisor’s email').fill(supervisorEmail);
  await admin.getByLabel('Credential (optional)').fill('PBT(ASCP)');
  await admin.getByLabel('First day').fill(day(-10));
  await admin.getByLabel('Last day').fill(day(-20));
  await admin.getByRole('button', { name: 'Create placement' }).click();
  await expect(admin.getByText('The last day must be on or after the first day.')).toBeVisible();
  await expect(admin.getByLabel('Last day')).toBeFocused();
  await admin.getByLabel('Last day').fill(day(30));
  await admin.getByLabel('Outpatient draw station').check();
  await admin.getByLabel('Inpatient wards').check();
  await admin.getByRole('button', { name: 'Create placement' }).click();
  await expect(admin.getByText(`Placed Ana Extern at ${siteName}.`)).toBeVisible();
  await expect(admin.getByRole('rowheader', { name: siteName })).toBeVisible();
  await checkPage(admin, 'x02-admin-placements');

  // ---- The learner logs two shifts and three collections, and sends them (API). ----
  const call = await apiAs(learnerEmail, PASSWORD);
  const overview = await call<{ placements: { id: string }[] }>('GET', `/enrolments/${enrolment}/externship`);
  const placementId = overview.placements[0]!.id;
  const shiftBody = (date: string, start: string, end: string, department: string) => ({
    client_id: crypto.randomUUID(),
    placement_id: placementId,
    date,
    start,
    end,
    department,
    activities: 'Routine outpatient draws',
  });
  const early = await call<Entry>('POST', `/enrolments/${enrolment}/externship/shifts`, shiftBody(day(-3), '07:00', '11:00', 'inpatient'), 201);
  const later = await call<Entry>('POST', `/enrolments/${enrolment}/externship/shifts`, shiftBody(day(-2), '07:00', '15:00', 'outpatient'), 201);
  await call('POST', `/enrolments/${enrolment}/externship/collections`, {
    client_id: crypto.randomUUID(),
    count: 3,
    placement_id: placementId,
    shift_id: later.id,
    date: day(-2),
    type: 'venipuncture',
    method: 'evacuated_tube',
    age_group: 'adult',
    successful: true,
    unaided: true,
  }, 201);
  await call('POST', `/enrolments/${enrolment}/externship/submissions`, { placement_id: placementId }, 201);

  // ---- The supervisor opens the link: one GET, nothing else. ----
  const link = await linkFromMail(supervisorEmail, 'attest');
  const sup = await newPage(browser, PHONE);
  const apiCalls: string[] = [];
  sup.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) apiCalls.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await sup.goto(link);
  await expect(sup.getByRole('heading', { name: 'Attest Ana Extern’s externship log', level: 1 })).toBeVisible();
  await expect(sup.getByText('Hello Sam Supervisor.')).toBeVisible();
  await expect(sup.getByRole('heading', { name: 'Entries to attest (5)' })).toBeVisible();
  const token = new URL(link).searchParams.get('token')!;
  expect(apiCalls).toEqual([`GET /api/v1/attestations/${token}`]);
  // No navigation that needs an account.
  await expect(sup.getByRole('link', { name: 'Sign in' })).toHaveCount(0);
  await expect(sup.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await expectAccessible(sup, 'supervisor page at 360 px');
  expect(await sup.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
  await sup.screenshot({ path: 'test-results/screens/x03-attest-360.png', fullPage: true });

  // Reject the first shift: the reason is required and checked for patient information
  // in the browser; nothing is sent until it is right.
  const firstCard = sup.getByRole('listitem').filter({ has: sup.getByRole('heading', { name: /^Shift/ }) }).first();
  await firstCard.getByText('Reject', { exact: true }).click();
  await sup.getByRole('group', { name: 'Follows the order of draw' }).getByLabel('Satisfactory').check();
  await sup.getByRole('button', { name: 'Sign and send my decision' }).click();
  const reason = firstCard.getByLabel(/Reason for rejecting/);
  await expect(reason).toBeFocused();
  await expect(firstCard.getByText(/Give a reason for rejecting/)).toBeVisible();
  await reason.fill('Left at 10:00, MRN 12345678 was on the list');
  await sup.getByLabel('Your full name').fill('Sam Supervisor');
  await sup.getByRole('button', { name: 'Sign and send my decision' }).click();
  await expect(firstCard.getByText(/“12345678”: This looks like a record number/)).toBeVisible();
  await expect(reason).toBeFocused();
  expect(apiCalls.filter((c) => c.startsWith('POST'))).toEqual([]);
  await reason.fill('The shift ended at 10:00, not 11:00.');
  await expect(sup.getByText('You are attesting 4 entries and rejecting 1 entry.')).toBeVisible();
  await expectAccessible(sup, 'supervisor form with a rejection at 360 px');
  await firstCard.screenshot({ path: 'test-results/screens/x03-attest-reject-card-360.png' });
  await sup.getByRole('button', { name: 'Sign and send my decision' }).click();
  await expect(sup.getByRole('heading', { name: 'Thank you: your decision is recorded' })).toBeFocused();
  await expect(sup.getByText('Attested: 4 entries')).toBeVisible();
  await expect(sup.getByText('Rejected: 1 entry')).toBeVisible();
  await expect(sup.getByText('The shift ended at 10:00, not 11:00.')).toBeVisible();
  await expect(sup.getByText(/Signed by Sam Supervisor on/)).toBeVisible();
  await expect(sup.locator('.ratings')).toContainText('Follows the order of draw');
  await expect(sup.locator('.ratings')).toContainText('Satisfactory');
  await expectAccessible(sup, 'supervisor decided page at 360 px');
  await sup.screenshot({ path: 'test-results/screens/x03-attest-decided-360.png', fullPage: true });

  // Reopened later: the decision, and a second decision is refused.
  await sup.goto(link);
  await expect(sup.getByRole('heading', { name: 'This request has been answered' })).toBeVisible();
  await expect(sup.getByText('The shift ended at 10:00, not 11:00.')).toBeVisible();
  const again = await fetch(`${base()}/api/v1/attestations/${token}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ signature: 'Sam Supervisor', decisions: [{ entry_id: later.id, decision: 'attest' }] }),
  });
  expect(again.status).toBe(409);
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe('attestation_used');

  // ---- The learner corrects the rejected entry and sends it again (API). ----
  const entries = await call<Entry[]>('GET', `/enrolments/${enrolment}/externship/entries`);
  expect(entries.find((e) => e.id === early.id)?.state).toBe('rejected');
  const { client_id: _unused, ...fields } = shiftBody(day(-3), '07:00', '10:00', 'inpatient');
  await call('POST', `/enrolments/${enrolment}/externship/entries/${early.id}/amendments`, {
    reason: 'The shift ended at 10:00.',
    shift: fields,
  }, 201);
  await call('POST', `/enrolments/${enrolment}/externship/submissions`, { placement_id: placementId }, 201);
  const second = await newLinkFromMail(supervisorEmail, 'attest', [link]);
  await sup.goto(second);
  await expect(sup.getByRole('heading', { name: 'Entries to attest (1)' })).toBeVisible();
  await expect(sup.getByText('Corrected by the learner:')).toBeVisible();
  await expect(sup.getByText('07:00 to 10:00, 3 h')).toBeVisible();
  await sup.getByLabel('Your full name').fill('Sam Supervisor');
  await sup.getByRole('button', { name: 'Sign and send my decision' }).click();
  await expect(sup.getByText('Attested: 1 entry')).toBeVisible();

  // ---- The admin reviews: returns one entry with a note, approves the rest at once. ----
  await admin.goto(`${base()}/admin/externship/review`);
  await expect(admin.getByRole('heading', { name: 'Review queue', level: 1 })).toBeVisible();
  const rows = admin.getByRole('row').filter({ has: admin.getByRole('button', { name: /^Ana Extern/ }) });
  await expect(rows).toHaveCount(5);
  await checkPage(admin, 'x04-admin-review');
  await admin.getByRole('checkbox', { name: /^Select Ana Extern: Venipuncture/ }).first().check();
  await expect(admin.getByText('1 entry selected')).toBeVisible();
  await admin.getByRole('button', { name: 'Return selected…' }).click();
  await expect(admin.getByRole('heading', { name: 'Return 1 entry to the learner' })).toBeFocused();
  await admin.getByRole('button', { name: 'Return the entry' }).click();
  await expect(admin.getByLabel('What should the learner correct?')).toBeFocused();
  await admin.getByLabel('What should the learner correct?').fill('Record which arm the draw was from.');
  await admin.getByRole('button', { name: 'Return the entry' }).click();
  await expect(admin.getByText('Returned 1 entry to the learner.')).toBeVisible();
  await expect(rows).toHaveCount(4);
  await admin.getByRole('checkbox', { name: 'Select every entry on this page' }).check();
  await expect(admin.getByText('4 entries selected')).toBeVisible();
  await admin.getByRole('button', { name: 'Approve selected' }).click();
  await expect(admin.getByText('Approved 4 entries.')).toBeVisible();
  await expect(admin.locator('#review-outcome')).toBeFocused();
  await expect(rows).toHaveCount(0);
  await expect(admin.getByText('Nothing is waiting for review.')).toBeVisible();
  await checkPage(admin, 'x05-admin-review-done');

  // The learner's record: approved and returned as the admin decided.
  const after = await call<Entry[]>('GET', `/enrolments/${enrolment}/externship/entries`);
  expect(after.filter((e) => e.state === 'approved')).toHaveLength(4);
  expect(after.filter((e) => e.state === 'returned')).toHaveLength(1);

  // ---- A link that expires while open, and one replaced by a resent request. ----
  const returned = after.find((e) => e.state === 'returned')!;
  await call('POST', `/enrolments/${enrolment}/externship/entries/${returned.id}/amendments`, {
    reason: 'Added which arm.',
    collection: {
      placement_id: placementId,
      shift_id: later.id,
      date: day(-2),
      type: 'venipuncture',
      method: 'evacuated_tube',
      age_group: 'adult',
      successful: true,
      unaided: true,
      notes: 'Left arm',
    },
  }, 201);
  const third = await call<{ id: string }>('POST', `/enrolments/${enrolment}/externship/submissions`, { placement_id: placementId }, 201);
  const link3 = await newLinkFromMail(supervisorEmail, 'attest', [link, second]);
  await sup.goto(link3);
  await expect(sup.getByRole('heading', { name: 'Entries to attest (1)' })).toBeVisible();
  sql(`UPDATE externship_attestations SET created_at = now() - interval '20 days', expires_at = now() - interval '1 minute' WHERE id = '${third.id}'`);
  await sup.getByLabel('Your full name').fill('Sam Supervisor');
  await sup.getByRole('button', { name: 'Sign and send my decision' }).click();
  await expect(sup.getByRole('status').filter({ hasText: 'This link has expired' })).toBeFocused();
  await expectAccessible(sup, 'expired attestation link at 360 px');
  await call('POST', `/enrolments/${enrolment}/externship/attestations/${third.id}/resend`, undefined, 201);
  const link4 = await newLinkFromMail(supervisorEmail, 'attest', [link, second, link3]);
  await sup.goto(link3);
  await expect(sup.getByText('This link was replaced by a newer one')).toBeVisible();
  await expect(sup.getByText(/Use the newest email/)).toBeVisible();
  await expectAccessible(sup, 'replaced attestation link at 360 px');
  await sup.screenshot({ path: 'test-results/screens/x03-attest-replaced-360.png' });
  await sup.goto(link4);
  await expect(sup.getByRole('heading', { name: 'Entries to attest (1)' })).toBeVisible();
  await expect(sup.getByText('Notes: Left arm')).toBeVisible();
});

test('a link that is not a request says so', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(`${base()}/attest?token=not-a-real-token`);
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
  await expectAccessible(page, 'unknown attestation link');
  await page.goto(`${base()}/attest`);
  await expect(page.getByText('The address has no attestation code in it.')).toBeVisible();
});
