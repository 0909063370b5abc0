// Account settings against the real server: change the email address (confirmed from the new
// inbox through the mailed link) and the password (this session stays signed in).
import { expect, test } from '@playwright/test';
import { base, checkPage, linkFromMail, PHONE, signIn, signUpAndVerify, uniqueEmail } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';
test.use({ viewport: PHONE });

test('change the email address from the new inbox, and the password', async ({ page }) => {
  const email = uniqueEmail('account');
  await signUpAndVerify(page, 'Account Learner', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();

  // Email change: pending until confirmed from the new address.
  const next = uniqueEmail('account-new');
  await page.getByLabel('New email address').fill(next);
  await page.getByRole('button', { name: 'Change email address' }).click();
  await expect(page.getByText('We sent a confirmation link to')).toBeVisible();
  await page.reload();
  await expect(page.getByText('is waiting for confirmation')).toBeVisible();
  await checkPage(page, '60-account-pending');
  const link = await linkFromMail(next, 'verify-email');
  await page.goto(link);
  await expect(page.getByText('Address confirmed')).toBeVisible();
  await page.getByRole('link', { name: 'Back to your account' }).click();
  await expect(page.getByText(`Signed in as ${next}.`)).toBeVisible();

  // Password change: a wrong current password is explained; the right one keeps this session.
  const fresh = 'Hemolysis-Avoided-2026';
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password').fill(fresh);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toContainText('current password is not right');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password is changed.')).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Signed in as ${next}.`)).toBeVisible();

  // The new address and password sign in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, next, fresh);
  await expect(page).toHaveURL(`${base()}/dashboard`);
});
