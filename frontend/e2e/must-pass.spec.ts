// A must-pass (safety) item in the browser (issue 15, docs/api-quizzes.md): an attempt that
// gets it wrong does not pass even with a score above the pass mark, and its result page names
// the item, says why it matters and links the lesson section to review.
//
// The demo course has no must-pass item of its own, so this test marks one in the database for
// its duration (the question `recap`, reviewed at the `sharps` lesson's "Sharps" section) and
// lowers the safety quiz's pass mark to 60 % (2 of 3 right is 66 %), and puts both back after.
// An attempt takes its must-pass flags and pass mark when it starts, so only this test's
// attempt sees them; specs run one at a time (playwright.config.ts: one worker).
import { expect, test } from '@playwright/test';
import { checkPage, learnerAtSafetyQuiz, PHONE, sql } from './helpers';

const PASSWORD = 'Must-Pass-Order-77';

test.use({ viewport: PHONE });

const RECAP = `slug = 'recap' AND bank_id IN (SELECT b.id FROM question_banks b JOIN courses c ON c.id = b.course_id WHERE c.slug = 'demo-course' AND b.slug = 'safety')`;
const SAFETY_QUIZ = `slug = 'safety-quiz' AND course_id = (SELECT id FROM courses WHERE slug = 'demo-course')`;

function markMustPass(on: boolean) {
  if (on) {
    sql(`UPDATE questions SET must_pass = true, review_href = '/courses/demo-course/lessons/sharps#sharps', review_label = 'Sharps: Sharps' WHERE ${RECAP}`);
    sql(`UPDATE quizzes SET pass_percent = 60 WHERE ${SAFETY_QUIZ}`);
  } else {
    sql(`UPDATE questions SET must_pass = false, review_href = NULL, review_label = NULL WHERE ${RECAP}`);
    sql(`UPDATE quizzes SET pass_percent = 80 WHERE ${SAFETY_QUIZ}`);
  }
}

test('a must-pass item wrong fails an attempt above the pass mark, and the result says which, why and where to review', async ({ page }) => {
  markMustPass(true);
  try {
    const id = await learnerAtSafetyQuiz(page, 'mustpass', PASSWORD);
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await page.getByLabel('All questions on one page').check();
    const question = (prompt: string) => page.locator('fieldset.question').filter({ has: page.locator('.prompt', { hasText: prompt }) });
    // The must-pass item wrong, the other two right: 2 of 3, above the 60 % pass mark.
    await question('Used needles may be recapped by hand.').getByLabel('True', { exact: true }).check();
    for (const t of ['Gloves', 'Gown']) await question('Which are PPE?').getByLabel(t, { exact: true }).check();
    await question('Where do sharps go?').getByLabel('Sharps container', { exact: true }).check();
    await expect(page.getByText('All answers saved')).toBeVisible();
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByRole('button', { name: 'Submit now' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f-]+\/result$/);

    await expect(page.getByText('Not passed.')).toBeVisible();
    await expect(page.getByText('66%').first()).toBeVisible();
    const missed = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Safety items to review' }) });
    await expect(missed).toBeVisible();
    // Why it failed despite the score...
    await expect(missed).toContainText('Your score of 66% reaches the pass mark, but you did not answer a must-pass safety question correctly.');
    // ...which item...
    await expect(missed.locator('.prompt')).toHaveText('Used needles may be recapped by hand.');
    // ...why it matters (its explanation)...
    await expect(missed.getByText('Why it matters:')).toBeVisible();
    await expect(missed.locator('.explanation')).toHaveText('OSHA forbids it.');
    // ...and the section to review, in the learner's own lesson page.
    const review = missed.getByRole('link', { name: 'Review: Sharps: Sharps' });
    await expect(review).toHaveAttribute('href', `/learn/${id}/lessons/sharps#sharps`);
    await checkPage(page, '45-result-must-pass');
    await review.click();
    await page.waitForURL(new RegExp(`/learn/${id}/lessons/sharps#sharps$`));
    await expect(page.locator('#sharps')).toBeVisible();
    await expect(page.locator('#sharps')).toBeFocused();
  } finally {
    markMustPass(false);
  }
});
