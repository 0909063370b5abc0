// The quiz part of the journey (docs/api-quizzes.md) against the real quizzes server: pass and
// unlock, fail and retry, keyboard only, reload mid-quiz.
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, learnerAtSafetyQuiz as atSafetyQuiz, PHONE } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';

test.use({ viewport: PHONE });

// The demo course's safety bank (tests/fixtures/courses/valid/demo-course/modules/01-safety).
const RIGHT: Record<string, { kind: 'tf'; value: boolean } | { kind: 'choices'; texts: string[] }> = {
  'Used needles may be recapped by hand.': { kind: 'tf', value: false },
  'Which are PPE?': { kind: 'choices', texts: ['Gloves', 'Gown'] },
  'Where do sharps go?': { kind: 'choices', texts: ['Sharps container'] },
};
const WRONG: typeof RIGHT = {
  'Used needles may be recapped by hand.': { kind: 'tf', value: true },
  'Which are PPE?': { kind: 'choices', texts: ['Watch'] },
  'Where do sharps go?': { kind: 'choices', texts: ['Bin'] },
};

function learnerAtSafetyQuiz(page: Page, tag: string): Promise<string> {
  return atSafetyQuiz(page, tag, PASSWORD);
}

async function useAllOnOnePage(page: Page) {
  await page.getByLabel('All questions on one page').check();
}

/** Answers every question on the page from `key` (by the prompt's text), with the mouse. */
async function answerAll(page: Page, key: typeof RIGHT) {
  const questions = page.locator('fieldset.question');
  const n = await questions.count();
  for (let i = 0; i < n; i++) {
    const q = questions.nth(i);
    const prompt = (await q.locator('.prompt').innerText()).trim();
    const a = key[prompt];
    if (!a) throw new Error(`unexpected question: ${prompt}`);
    if (a.kind === 'tf') await q.getByLabel(a.value ? 'True' : 'False').check();
    else for (const t of a.texts) await q.getByLabel(t, { exact: true }).check();
  }
}

async function submit(page: Page) {
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await expect(page.getByRole('dialog', { name: 'Submit your answers?' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit now' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+\/result$/);
}

test('pass the module quiz: the next module unlocks and the dashboard shows progress', async ({ page }) => {
  const id = await learnerAtSafetyQuiz(page, 'pass');
  await checkPage(page, '40-quiz-landing');
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await expect(page.getByRole('status').filter({ hasText: /saved|No changes/ })).toBeVisible();
  await checkPage(page, '41-player-one');
  await useAllOnOnePage(page);
  await answerAll(page, RIGHT);
  await expect(page.getByText('All answers saved')).toBeVisible();
  await checkPage(page, '42-player-all');
  await submit(page);
  await expect(page.getByText('Passed.')).toBeVisible();
  await expect(page.getByText('100%')).toBeVisible();
  await checkPage(page, '43-result');
  await page.getByRole('link', { name: 'Continue the course' }).click();
  await expect(page.getByText('Locked')).toHaveCount(0);
  await page.goto(`${base()}/learn/${id}/lessons/order`);
  await expect(page.getByRole('heading', { name: 'Order', level: 1 })).toBeVisible();
  await page.goto(`${base()}/dashboard`);
  await expect(page.getByText('Safety quiz: passed')).toBeVisible();
});

test('a failed quiz shows the result and lets the learner try again', async ({ page }) => {
  await learnerAtSafetyQuiz(page, 'fail');
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await useAllOnOnePage(page);
  await answerAll(page, WRONG);
  await expect(page.getByText('All answers saved')).toBeVisible();
  await submit(page);
  await expect(page.getByText('Not passed.')).toBeVisible();
  await checkPage(page, '44-result-failed');
  await page.getByRole('link', { name: 'Try again' }).click();
  await expect(page.getByRole('cell', { name: 'Not passed' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start a new attempt' })).toBeVisible();
});

test('the quiz can be taken with the keyboard only', async ({ page }) => {
  await learnerAtSafetyQuiz(page, 'keys');
  await page.getByRole('button', { name: 'Start the quiz' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await useAllOnOnePage(page);
  const questions = page.locator('fieldset.question');
  const n = await questions.count();
  for (let i = 0; i < n; i++) {
    const q = questions.nth(i);
    const prompt = (await q.locator('.prompt').innerText()).trim();
    const a = RIGHT[prompt]!;
    const target = a.kind === 'tf' ? [a.value ? 'True' : 'False'] : a.texts;
    for (const t of target) {
      const input = q.getByLabel(t, { exact: true });
      await input.focus();
      await page.keyboard.press('Space');
      await expect(input).toBeChecked();
    }
  }
  await expect(page.getByText('All answers saved')).toBeVisible();
  await page.getByRole('button', { name: 'Submit answers' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Submit now' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/result$/);
  await expect(page.getByText('Passed.')).toBeVisible();
});

test('a reload mid-quiz keeps the answers and the timer', async ({ page }) => {
  await learnerAtSafetyQuiz(page, 'reload');
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await useAllOnOnePage(page);
  const first = page.locator('fieldset.question').first();
  const prompt = (await first.locator('.prompt').innerText()).trim();
  const a = RIGHT[prompt]!;
  const label = a.kind === 'tf' ? (a.value ? 'True' : 'False') : a.texts[0]!;
  // Offline: the answer stays on the device.
  await page.context().setOffline(true);
  await first.getByLabel(label, { exact: true }).check();
  await expect(page.getByText(/Offline: answers kept on this device|Saving failed/)).toBeVisible();
  const timer = page.locator('.timer time');
  const hasTimer = (await timer.count()) > 0;
  const before = hasTimer ? await timer.innerText() : '';
  await page.context().setOffline(false);
  await page.reload();
  await expect(page.locator('fieldset.question').first().getByLabel(label, { exact: true })).toBeChecked();
  await expect(page.getByText('All answers saved')).toBeVisible();
  if (hasTimer) {
    const toSeconds = (t: string) => t.split(':').reduce((s, x) => s * 60 + Number(x), 0);
    expect(toSeconds(await timer.innerText())).toBeLessThanOrEqual(toSeconds(before));
  }
});
