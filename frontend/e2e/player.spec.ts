// The quiz player in the browser, against a stand-in of the quizzes API (fake-quizzes.ts, the
// contract of docs/api-quizzes.md) over a real signed-in session and enrolment. Runs today;
// the quiz journeys against the real quizzes server are in quiz.spec.ts.
import { expect, test, type Page } from '@playwright/test';
import { CORRECT, FakeQuizzes } from './fake-quizzes';
import { base, checkPage, enrolInDemo, PHONE, signIn, signUpAndVerify, uniqueEmail } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';
test.use({ viewport: PHONE });

async function enrolled(page: Page, tag: string): Promise<string> {
  const email = uniqueEmail(tag);
  await signUpAndVerify(page, 'Player Learner', email, PASSWORD);
  await signIn(page, email, PASSWORD);
  return enrolInDemo(page);
}

test('every question type by mouse and keyboard, autosaved, submitted after confirmation, reviewed', async ({ page }) => {
  const id = await enrolled(page, 'player');
  const fake = new FakeQuizzes({ enrolmentId: id });
  await fake.install(page);
  await page.goto(`${base()}/learn/${id}/quizzes/${fake.slug}`);
  await expect(page.getByRole('heading', { name: 'Practice quiz', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await expect(page.getByRole('heading', { name: /Question 1/ })).toBeVisible();
  await checkPage(page, '50-player-single');

  // q1 single, by keyboard: arrow keys move the choice within the radio group.
  await page.getByLabel('Light blue').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByLabel('Lavender')).toBeChecked();
  await page.getByRole('button', { name: 'Next question' }).click();

  // q2 multiple, by mouse (touch-sized labels).
  await page.getByText('Gloves', { exact: true }).click();
  await page.getByText('Face shield', { exact: true }).click();
  await expect(page.getByLabel('Gloves')).toBeChecked();
  await page.getByRole('button', { name: 'Next question' }).click();

  // q3 true/false.
  await page.getByLabel('False').check();
  await page.getByRole('button', { name: 'Next question' }).click();

  // q4 matching with selects.
  await page.getByLabel('Lavender').selectOption({ label: 'EDTA' });
  await page.getByLabel('Light blue').selectOption({ label: 'Sodium citrate' });
  await checkPage(page, '51-player-matching');
  await page.getByRole('button', { name: 'Next question' }).click();

  // q5 ordering with move buttons, by keyboard; focus stays with the moved item.
  await expect(page.getByText('Not answered yet')).toBeVisible();
  await page.getByRole('button', { name: 'Move Lavender (EDTA) down' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Move Lavender (EDTA) down' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Move Lavender (EDTA) up' })).toBeFocused();
  await expect(page.locator('.ordering .order-text')).toHaveText(['Blood culture', 'Light blue (citrate)', 'Lavender (EDTA)']);
  await expect(page.getByText('Lavender (EDTA) moved to position 3 of 3.')).toBeAttached();
  await checkPage(page, '52-player-ordering');
  await page.getByRole('button', { name: 'Next question' }).click();

  // q6 numeric: a typed non-number is explained, not saved.
  const num = page.getByLabel('Your answer (min)');
  await num.fill('one');
  await expect(page.getByText('Enter a number, like 4.5.')).toBeVisible();
  await expect(num).toHaveAttribute('aria-invalid', 'true');
  await num.fill('1');
  await expect(page.getByText('Enter a number, like 4.5.')).toHaveCount(0);

  // Every question shows as answered in the palette, and the server has every answer.
  await expect(page.getByRole('button', { name: /, answered$/ })).toHaveCount(6);
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible();
  expect(fake.answers).toEqual(CORRECT);

  // All on one page, then submit with confirmation (cancel once).
  await page.getByLabel('All questions on one page').check();
  await expect(page.locator('fieldset.question')).toHaveCount(6);
  await checkPage(page, '53-player-all');
  await page.getByRole('button', { name: 'Submit answers' }).click();
  const dialog = page.getByRole('dialog', { name: 'Submit your answers?' });
  await expect(dialog).toContainText('You answered all 6 questions.');
  await page.getByRole('button', { name: 'Keep working' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await page.getByRole('button', { name: 'Submit now' }).click();
  await page.waitForURL(/\/result$/);
  await expect(page.getByText('Passed.')).toBeVisible();
  await expect(page.locator('.score-big')).toHaveText('100%');
  await expect(page.getByText('Explanation for q5.')).toBeVisible();
  await checkPage(page, '54-result');
  // The mode choice is remembered.
  await page.getByRole('link', { name: 'Quiz overview' }).click();
  await expect(page.getByRole('cell', { name: 'Passed' })).toBeVisible();
});

test('offline answers are kept on the device through a reload and saved on reconnect', async ({ page }) => {
  const id = await enrolled(page, 'offline');
  const fake = new FakeQuizzes({ enrolmentId: id });
  await fake.install(page);
  await page.goto(`${base()}/learn/${id}/quizzes/${fake.slug}`);
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  fake.offline = true;
  await page.getByLabel('Lavender').check();
  await expect(page.getByRole('status').filter({ hasText: 'Offline: answers kept on this device' })).toBeVisible();
  await expect(page.getByText(/will be saved when you reconnect/)).toBeVisible();
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('benchside.attempt.')));
  expect(stored).toHaveLength(1);

  await page.reload();
  await expect(page.getByLabel('Lavender')).toBeChecked();
  expect(fake.answers).toEqual({});
  fake.offline = false;
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible({ timeout: 15_000 });
  expect(fake.answers).toEqual({ q1: { choice: 'c2' } });
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('benchside.attempt.')))).toEqual([]);
});

test('the timer warns through a live region and submits when time is up', async ({ page }) => {
  await page.clock.install();
  const id = await enrolled(page, 'timer');
  const fake = new FakeQuizzes({ enrolmentId: id, timeLimitSeconds: 70 });
  await fake.install(page);
  await page.goto(`${base()}/learn/${id}/quizzes/${fake.slug}`);
  await expect(page.getByText('2 minutes', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  const clock = page.locator('.timer time');
  await expect(clock).toHaveText(/^1:(0\d|10)$/);
  await page.clock.runFor(15_000);
  await expect(page.locator('.timer [role="alert"]')).toHaveText('1 minute left on this quiz.');
  await expect(page.locator('.timer')).toHaveClass(/timer-low/);
  await checkPage(page, '55-player-timer');
  await page.clock.runFor(60_000);
  await page.waitForURL(/\/result$/, { timeout: 15_000 });
  await expect(page.getByText('Not passed.')).toBeVisible();
});
