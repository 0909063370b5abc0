// The quiz player in the browser against the real server and database: the demo course's
// `safety-quiz` (true/false, multiple, single) and `collection-quiz` (ordering, matching,
// numeric), from tests/fixtures/courses/valid/demo-course. Questions and choices are shuffled
// per attempt, so everything is found by its visible text. The journeys around the quiz (pass
// and unlock, fail and retry, keyboard only, reload) are in quiz.spec.ts.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { attemptIdOf, base, checkPage, learnerAtSafetyQuiz, PHONE, sql } from './helpers';

const PASSWORD = 'Venipuncture-Order-42';
test.use({ viewport: PHONE });

const RECAP = 'Used needles may be recapped by hand.';
const PPE = 'Which are PPE?';
const CONTAINER = 'Where do sharps go?';
const ORDER = 'Order these.';
const MATCH = 'Match cap to additive.';
const INVERSIONS = 'How many inversions for a citrate tube (lower bound)?';
/** The right answer's label for the safety questions answered with one click. */
const SAFETY_ONE: Record<string, string> = { [RECAP]: 'False', [PPE]: 'Gloves', [CONTAINER]: 'Sharps container' };

async function promptOf(q: Locator): Promise<string> {
  return (await q.locator('.prompt').innerText()).trim();
}

/** How many answers the server holds for the attempt. */
function savedAnswers(attempt: string): number {
  return Number(sql(`SELECT count(*) FROM quiz_attempts, jsonb_object_keys(answers) WHERE id = '${attempt}'`));
}

async function startQuiz(page: Page) {
  await page.getByRole('button', { name: /^Start (the quiz|a new attempt)$/ }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await expect(page.getByRole('heading', { name: /Question 1/ })).toBeVisible();
}

async function submitAfterConfirmation(page: Page, count: number) {
  await page.getByRole('button', { name: 'Submit answers' }).click();
  const dialog = page.getByRole('dialog', { name: 'Submit your answers?' });
  await expect(dialog).toContainText(`You answered all ${count} questions.`);
  await page.getByRole('button', { name: 'Keep working' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await page.getByRole('button', { name: 'Submit now' }).click();
  await page.waitForURL(/\/result$/);
}

/** Puts the ordering question's items in `want` order with the Move buttons, by keyboard. */
async function orderByKeyboard(page: Page, q: Locator, want: string[]) {
  const texts = q.locator('.ordering .order-text');
  let moved = false;
  for (let pos = 0; pos < want.length; pos++) {
    const item = want[pos]!;
    let at = (await texts.allInnerTexts()).indexOf(item);
    while (at > pos) {
      await q.getByRole('button', { name: `Move ${item} up` }).focus();
      await page.keyboard.press('Enter');
      at -= 1;
      moved = true;
      await expect(texts.nth(at)).toHaveText(item);
      await expect(page.getByText(`${item} moved to position ${at + 1} of ${want.length}.`)).toBeAttached();
    }
  }
  if (!moved) {
    // Shuffled into the right order already: move the first item down and back, which gives
    // the order; focus stays with the moved item.
    const first = want[0]!;
    await q.getByRole('button', { name: `Move ${first} down` }).focus();
    await page.keyboard.press('Enter');
    await expect(q.getByRole('button', { name: `Move ${first} down` })).toBeFocused();
    await q.getByRole('button', { name: `Move ${first} up` }).focus();
    await page.keyboard.press('Enter');
  }
  await expect(texts).toHaveText(want);
}

test('every question type by mouse and keyboard, autosaved, submitted after confirmation, reviewed', async ({ page }) => {
  const id = await learnerAtSafetyQuiz(page, 'player', PASSWORD);

  // Safety quiz: true/false, multiple and single, one question at a time.
  await startQuiz(page);
  const safety = attemptIdOf(page);
  await checkPage(page, '50-player-one');
  for (let i = 0; i < 3; i++) {
    const q = page.locator('fieldset.question');
    await expect(q).toHaveCount(1);
    const prompt = await promptOf(q);
    if (prompt === CONTAINER) {
      // Single, by keyboard: Space picks the focused choice, an arrow key moves the choice
      // within the radio group (two choices: either way reaches the other).
      await q.getByLabel('Bin', { exact: true }).focus();
      await page.keyboard.press('Space');
      await expect(q.getByLabel('Bin', { exact: true })).toBeChecked();
      await page.keyboard.press('ArrowDown');
      await expect(q.getByLabel('Sharps container', { exact: true })).toBeChecked();
    } else if (prompt === PPE) {
      // Multiple, by mouse on the (touch-sized) labels.
      await q.getByText('Gloves', { exact: true }).click();
      await q.getByText('Gown', { exact: true }).click();
      await expect(q.getByLabel('Gloves', { exact: true })).toBeChecked();
      await expect(q.getByLabel('Gown', { exact: true })).toBeChecked();
      await expect(q.getByLabel('Watch', { exact: true })).not.toBeChecked();
    } else if (prompt === RECAP) {
      // True/false, by keyboard.
      await q.getByLabel('False', { exact: true }).focus();
      await page.keyboard.press('Space');
      await expect(q.getByLabel('False', { exact: true })).toBeChecked();
    } else {
      throw new Error(`unexpected question: ${prompt}`);
    }
    if (i < 2) await page.getByRole('button', { name: 'Next question' }).click();
  }
  await expect(page.getByRole('button', { name: /, answered$/ })).toHaveCount(3);
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible();
  expect(savedAnswers(safety)).toBe(3);
  await submitAfterConfirmation(page, 3);
  await expect(page.getByText('Passed.')).toBeVisible();
  await expect(page.locator('.score-big')).toHaveText('100%');
  // Review policy after_submit (the default): every explanation is shown.
  for (const e of ['OSHA forbids it.', 'Gloves and gowns.', 'A sharps container.']) await expect(page.getByText(e)).toBeVisible();
  await checkPage(page, '54-result');

  // Collection quiz (open now the safety quiz is passed): ordering, matching, numeric.
  await page.goto(`${base()}/learn/${id}/quizzes/collection-quiz`);
  await expect(page.getByRole('heading', { name: 'Collection quiz', level: 1 })).toBeVisible();
  await startQuiz(page);
  const collection = attemptIdOf(page);
  for (let i = 0; i < 3; i++) {
    const q = page.locator('fieldset.question');
    const prompt = await promptOf(q);
    if (prompt === ORDER) {
      // Ordering with the Move buttons, by keyboard.
      await expect(q.getByText('Not answered yet')).toBeVisible();
      await orderByKeyboard(page, q, ['Blood culture', 'Citrate', 'EDTA']);
      await expect(q.getByText('Not answered yet')).toHaveCount(0);
      await checkPage(page, '52-player-ordering');
    } else if (prompt === MATCH) {
      // Matching with selects, by mouse.
      await q.getByLabel('Lavender').selectOption({ label: 'EDTA' });
      await q.getByLabel('Light blue').selectOption({ label: 'Citrate' });
      await checkPage(page, '51-player-matching');
    } else if (prompt === INVERSIONS) {
      // Numeric: a typed non-number is explained, not saved.
      const num = q.getByLabel('Your answer');
      await num.fill('three');
      await expect(page.getByText('Enter a number, like 4.5.')).toBeVisible();
      await expect(num).toHaveAttribute('aria-invalid', 'true');
      await num.fill('3');
      await expect(page.getByText('Enter a number, like 4.5.')).toHaveCount(0);
    } else {
      throw new Error(`unexpected question: ${prompt}`);
    }
    if (i < 2) await page.getByRole('button', { name: 'Next question' }).click();
  }
  await expect(page.getByRole('button', { name: /, answered$/ })).toHaveCount(3);
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible();
  expect(savedAnswers(collection)).toBe(3);

  // All on one page, then submit with confirmation (cancelled once).
  await page.getByLabel('All questions on one page').check();
  await expect(page.locator('fieldset.question')).toHaveCount(3);
  await checkPage(page, '53-player-all');
  await submitAfterConfirmation(page, 3);
  await expect(page.getByText('Passed.')).toBeVisible();
  await expect(page.locator('.score-big')).toHaveText('100%');
  for (const e of ['CLSI GP41.', 'Tube chart.', 'BD: 3-4.']) await expect(page.getByText(e)).toBeVisible();
  await checkPage(page, '54-result-collection');
  await page.getByRole('link', { name: 'Quiz overview' }).click();
  await expect(page.getByRole('cell', { name: 'Passed' })).toBeVisible();
});

test('offline answers are kept on the device through closing the page and saved on reconnect', async ({ page: first, context }) => {
  let page = first;
  await learnerAtSafetyQuiz(page, 'offline', PASSWORD);
  await startQuiz(page);
  const attempt = attemptIdOf(page);
  const url = page.url();
  const stored = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('benchside.attempt.')));

  // Offline: the answer stays on the device, and the server has none.
  const one = page.locator('fieldset.question');
  const firstLabel = SAFETY_ONE[await promptOf(one)]!;
  // Offline for the page, and for the whole context at the network layer too: a save the
  // closing page's timers start as its target detaches would otherwise escape the emulation.
  const saves = '**/api/v1/attempts/*/answers';
  await context.route(saves, (route) => route.abort('internetdisconnected'));
  await context.setOffline(true);
  await one.getByLabel(firstLabel, { exact: true }).check();
  await expect(page.getByRole('status').filter({ hasText: 'Offline: answers kept on this device' })).toBeVisible();
  await expect(page.getByText(/will be saved when you reconnect/)).toBeVisible();
  expect(await stored()).toHaveLength(1);
  expect(savedAnswers(attempt)).toBe(0);

  // The page is closed while offline (a reload cannot load it offline); back online, it is
  // opened again, comes back with the answer from the device, and saves it.
  await page.close();
  expect(savedAnswers(attempt)).toBe(0);
  await context.unroute(saves);
  await context.setOffline(false);
  page = await context.newPage();
  await page.goto(url);
  await expect(page.locator('fieldset.question').getByLabel(firstLabel, { exact: true })).toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible({ timeout: 15_000 });
  expect(savedAnswers(attempt)).toBe(1);
  expect(await stored()).toEqual([]);

  // Offline again, without a reload: the answer is saved when the connection comes back.
  await page.getByRole('button', { name: 'Next question' }).click();
  const second = page.locator('fieldset.question');
  const secondLabel = SAFETY_ONE[await promptOf(second)]!;
  await context.setOffline(true);
  await second.getByLabel(secondLabel, { exact: true }).check();
  await expect(page.getByRole('status').filter({ hasText: 'Offline: answers kept on this device' })).toBeVisible();
  expect(await stored()).toHaveLength(1);
  await context.setOffline(false);
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible({ timeout: 15_000 });
  expect(savedAnswers(attempt)).toBe(2);
  expect(await stored()).toEqual([]);
});

test('the timer warns through a live region and submits when time is up', async ({ page }) => {
  await page.clock.install();
  await learnerAtSafetyQuiz(page, 'timer', PASSWORD);
  await startQuiz(page);
  const attempt = attemptIdOf(page);
  const q = page.locator('fieldset.question');
  await q.getByLabel(SAFETY_ONE[await promptOf(q)]!, { exact: true }).check();
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved' })).toBeVisible();

  // The demo quizzes are untimed: give this attempt a deadline 65 seconds away, as a time limit
  // would, and reload so the page takes `seconds_left` from the server.
  sql(`UPDATE quiz_attempts SET deadline = now() + interval '65 seconds' WHERE id = '${attempt}' AND state = 'open'`);
  await page.reload();
  const clock = page.locator('.timer time');
  await expect(clock).toHaveText(/^1:0[1-9]$/);
  await expect(page.locator('.timer')).not.toHaveClass(/timer-low/);
  await page.clock.runFor(10_000);
  await expect(page.locator('.timer [role="alert"]')).toHaveText('1 minute left on this quiz.');
  await expect(page.locator('.timer')).toHaveClass(/timer-low/);
  await checkPage(page, '55-player-timer');

  // A minute passes on both sides: the server's deadline (plus its 5-second grace) is behind,
  // and the page's clock runs out, so the page submits by itself and the server closes the
  // attempt as of the deadline.
  sql(
    `UPDATE quiz_attempts SET started_at = now() - interval '2 minutes', deadline = now() - interval '10 seconds'
      WHERE id = '${attempt}' AND state = 'open'`,
  );
  await page.clock.runFor(60_000);
  await page.waitForURL(/\/result$/, { timeout: 15_000 });
  await expect(page.getByText('Time ran out, so the answers saved by the deadline were marked.')).toBeVisible();
  await expect(page.getByText('Not passed.')).toBeVisible();
  expect(sql(`SELECT state || ' ' || late || ' ' || (submitted_at = deadline) FROM quiz_attempts WHERE id = '${attempt}'`)).toBe(
    'submitted true true',
  );
  await checkPage(page, '56-result-late');
});
