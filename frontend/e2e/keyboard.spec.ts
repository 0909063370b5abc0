// Keyboard use of the main pages: the skip link, a visible focus indicator, signing in and
// reaching a lesson with the keyboard alone.
import { expect, test, type Page } from '@playwright/test';
import { base, DESKTOP, signUpAndVerify, uniqueEmail } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';
test.use({ viewport: DESKTOP });

async function focusOutline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return 'none';
    const s = getComputedStyle(el);
    return `${s.outlineStyle} ${s.outlineWidth}`;
  });
}

test('skip link, visible focus, and sign-in to a lesson by keyboard alone', async ({ page }) => {
  const email = uniqueEmail('keyboard');
  await signUpAndVerify(page, 'Keyboard Learner', email, PASSWORD);
  await page.goto(`${base()}/sign-in`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // The first Tab reaches the skip link, which moves focus to the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeInViewport();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email address')).toBeFocused();
  expect(await focusOutline(page)).toMatch(/^solid [3-9]/);

  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'My learning' })).toBeVisible();
  // Focus moved to the new page's heading.
  await expect(page.getByRole('heading', { name: 'My learning' })).toBeFocused();

  // Tab to the Courses link, open it, then the course, then enrol: all with the keyboard.
  const courses = page.getByRole('link', { name: 'Courses', exact: true });
  for (let i = 0; i < 20 && !(await courses.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(courses).toBeFocused();
  expect(await focusOutline(page)).toMatch(/^solid [3-9]/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Courses', level: 1 })).toBeFocused();
  const course = page.getByRole('link', { name: 'Demo Course' });
  for (let i = 0; i < 20 && !(await course.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Demo Course', level: 1 })).toBeFocused();
  const enrol = page.getByRole('button', { name: 'Enrol in this course' });
  for (let i = 0; i < 20 && !(await enrol.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(enrol).toBeFocused();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/learn\/[0-9a-f-]+$/);
  const go = page.getByRole('link', { name: /Continue: Sharps/ });
  for (let i = 0; i < 30 && !(await go.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Sharps', level: 1 })).toBeFocused();
  const done = page.getByRole('button', { name: 'Mark this lesson complete' });
  for (let i = 0; i < 40 && !(await done.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Lesson complete')).toBeVisible();
});
