// The learner's journey against the real server: sign up, confirm the address from the mail,
// sign in, find and enrol in a course, read lessons up to the locked module. Every page is
// checked with axe (no serious or critical WCAG 2.1 AA violation) at 360 px and 1280 px.
import { expect, test } from '@playwright/test';
import { SERVER_MESSAGES } from '../src/api/errors';
import { base, checkPage, enrolInDemo, linkFromMail, PHONE, signIn, signUpAndVerify, uniqueEmail } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';

test.use({ viewport: PHONE });

test('sign up, verify from the mail, sign in, enrol, read lessons up to a locked module', async ({ page }) => {
  const email = uniqueEmail('journey');

  // Sign up.
  await page.goto(`${base()}/`);
  await expect(page.getByRole('heading', { name: /Train for the lab/ })).toBeVisible();
  await checkPage(page, '01-home');
  await page.getByRole('link', { name: 'Create a free account' }).click();
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await checkPage(page, '02-sign-up');
  // A short password is refused with a message next to the field, not a code: the app's
  // sentence, with the server's limit from docs/openapi.json.
  await page.getByLabel('Full name').fill('Ana López');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText(SERVER_MESSAGES.password_too_short)).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await checkPage(page, '03-check-inbox');

  // Signing in before confirming explains what to do.
  await page.goto(`${base()}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('confirm your email address');

  // The link from the mail lands on the web app and confirms the address.
  const link = await linkFromMail(email, 'verify-email');
  expect(link.startsWith(base())).toBe(true);
  await page.goto(link);
  await expect(page.getByText('Address confirmed')).toBeVisible();
  await checkPage(page, '04-verified');

  // Sign in: an empty dashboard with a way forward.
  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'My learning' })).toBeVisible();
  await expect(page.getByText('You are not enrolled in a course yet.')).toBeVisible();
  await checkPage(page, '05-dashboard-empty');

  // Catalog search, with an empty result and then a match.
  await page.getByRole('link', { name: 'Courses', exact: true }).click();
  await page.getByLabel('Search courses').fill('zzzz-nothing');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No course matches')).toBeVisible();
  await page.getByLabel('Search courses').fill('demo');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: 'Demo Course' })).toBeVisible();
  await checkPage(page, '06-catalog');
  await page.getByRole('link', { name: 'Demo Course' }).click();

  // Course page: outline, requirements, contact hours; enrol.
  await expect(page.getByRole('heading', { name: 'Demo Course', level: 1 })).toBeVisible();
  await expect(page.getByText('1 hour', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Course outline' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Requirements for the certificate' })).toBeVisible();
  await checkPage(page, '07-course');
  await page.getByRole('button', { name: 'Enrol in this course' }).click();
  await page.waitForURL(/\/learn\/[0-9a-f-]+$/);
  const enrolment = page.url().split('/learn/')[1]!;

  // Enrolment overview with "what is left".
  await expect(page.getByRole('heading', { name: 'What is left to complete' })).toBeVisible();
  await expect(page.getByText('Locked').first()).toBeVisible();
  await checkPage(page, '08-enrolment');

  // First lesson: image, objectives, mark complete.
  await page.getByRole('link', { name: /Continue: Sharps/ }).click();
  await expect(page.getByRole('heading', { name: 'Sharps', level: 1 })).toBeVisible();
  const img = page.locator('.prose img').first();
  await expect(img).toBeVisible();
  expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
  await checkPage(page, '09-lesson');
  // The module sidebar opens on a phone.
  await page.getByRole('button', { name: 'Show course contents' }).click();
  await expect(page.getByRole('navigation', { name: 'Modules and lessons' })).toBeVisible();
  await checkPage(page, '10-lesson-sidebar');
  await page.getByRole('button', { name: 'Hide course contents' }).click();
  await page.getByRole('button', { name: 'Mark this lesson complete' }).click();
  await expect(page.getByText('Lesson complete')).toBeVisible();

  // A lesson link inside the lesson body goes to the enrolled lesson.
  await page.locator('.prose a', { hasText: 'the next lesson' }).click();
  await expect(page.getByRole('heading', { name: 'Gloves', level: 1 })).toBeVisible();
  expect(page.url()).toContain(`/learn/${enrolment}/lessons/gloves`);

  // Reload: the session comes back from the refresh cookie.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Gloves', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Mark this lesson complete' }).click();
  await expect(page.getByText('Lesson complete')).toBeVisible();
  // The next module is locked behind the quiz: the reader points to the quiz.
  await expect(page.getByRole('link', { name: /Next: Safety quiz/ })).toBeVisible();

  // The next module's lesson is locked, and says what unlocks it.
  await page.goto(`${base()}/learn/${enrolment}/lessons/order`);
  await expect(page.getByRole('heading', { name: 'This lesson is locked' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Safety quiz' })).toBeVisible();
  await checkPage(page, '11-locked');

  // The dashboard shows progress and where to continue.
  await page.getByRole('link', { name: 'My learning' }).click();
  await expect(page.getByRole('heading', { name: 'My learning' })).toBeVisible();
  const progress = page.getByRole('progressbar', { name: /Demo Course/ });
  await expect(progress).toHaveAttribute('value', /^[1-9][0-9]?$/);
  await checkPage(page, '12-dashboard');

  // Account page.
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
  await page.getByLabel('Full name').fill('Ana María López');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByText('Your name is saved.')).toBeVisible();
  await checkPage(page, '13-account');

  // Sign out: a protected page sends to sign-in with the way back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.goto(`${base()}/learn/${enrolment}`);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Flearn%2F/);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/learn/${enrolment}$`));
  await expect(page.getByRole('heading', { name: 'Demo Course' })).toBeVisible();
});

test('password reset from the mailed link', async ({ page }) => {
  const email = uniqueEmail('reset');
  await signUpAndVerify(page, 'Reset Learner', email, PASSWORD);
  await page.goto(`${base()}/sign-in`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await checkPage(page, '20-forgot');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText('Check your inbox')).toBeVisible();
  const link = await linkFromMail(email, 'reset-password');
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await checkPage(page, '21-reset');
  const fresh = 'Centrifuge-Spin-Down-77';
  await page.getByLabel('New password').fill(fresh);
  await page.getByLabel('Type it again').fill(fresh + 'x');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByText('The two passwords are not the same.')).toBeVisible();
  await page.getByLabel('Type it again').fill(fresh);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByText('Password changed')).toBeVisible();
  // The link works once.
  await page.goto(link);
  await page.getByLabel('New password').fill(fresh);
  await page.getByLabel('Type it again').fill(fresh);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  await signIn(page, email, fresh);
});

test('the server keeps the API separate and answers deep links with the app', async ({ page, request }) => {
  const api = await request.get(`${base()}/api/v1/nothing-here`);
  expect(api.status()).toBe(404);
  expect((await api.json()).error.code).toBe('not_found');

  const deep = await request.get(`${base()}/courses/demo-course`);
  expect(deep.status()).toBe(200);
  expect(deep.headers()['cache-control']).toBe('no-cache');
  expect(deep.headers()['content-security-policy']).toContain("script-src 'self'");
  const html = await deep.text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
  const asset = await request.get(`${base()}${script}`, { headers: { 'accept-encoding': 'br' } });
  expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(asset.headers()['content-encoding']).toBe('br');

  // A page for an unknown client route, and no CSP violations while rendering.
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`${base()}/no/such/page`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await checkPage(page, '30-not-found');
  await page.goto(`${base()}/courses/no-such-course`);
  await expect(page.getByRole('heading', { name: 'Course not found' })).toBeVisible();
  expect(violations).toEqual([]);
});

test('enrolling twice returns to the same enrolment and an unknown code is explained', async ({ page }) => {
  const email = uniqueEmail('code');
  await signUpAndVerify(page, 'Code Learner', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  await page.getByLabel('Enrolment code').fill('NOPE-NOPE-1');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByText('That enrolment code was not recognised')).toBeVisible();
  const id = await enrolInDemo(page);
  await page.goto(`${base()}/courses/demo-course`);
  await page.getByRole('link', { name: /Start learning|Continue learning/ }).click();
  await expect(page).toHaveURL(new RegExp(`/learn/${id}$`));
});
