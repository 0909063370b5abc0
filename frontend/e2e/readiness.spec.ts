// Readiness by certification exam domain on the learner's enrolment page (issue 15): after a
// graded quiz, the page shows each domain's percent as a bar with the same figure in a table,
// the published weight or that none is published, and names the weakest domain with links to
// the lessons that teach it.
//
// The demo course declares no exam outline, so this test writes one into the database for its
// duration (outline `e2e`: Safety with a published 20-30 % range over the safety bank, Drawing
// with no weight over the collection bank) and removes it after; specs run one at a time.
import { expect, test } from '@playwright/test';
import { base, checkPage, learnerAtSafetyQuiz, PHONE, sql } from './helpers';

const PASSWORD = 'Readiness-Domains-31';

test.use({ viewport: PHONE });

const COURSE = `(SELECT id FROM courses WHERE slug = 'demo-course')`;

function addOutline() {
  sql(`INSERT INTO exam_outlines (course_id, slug, position, name, body, source, source_title)
       VALUES (${COURSE}, 'e2e', 0, 'E2E Exam', 'E2E', 'https://example.org/e2e-outline', 'E2E outline')`);
  sql(`INSERT INTO exam_domains (course_id, exam_slug, slug, position, title, weight_low, weight_high)
       VALUES (${COURSE}, 'e2e', 'safe', 0, 'Safety', 20, 30), (${COURSE}, 'e2e', 'draw', 1, 'Drawing', NULL, NULL)`);
  sql(`INSERT INTO question_domains (question_id, course_id, exam_slug, domain_slug)
       SELECT q.id, b.course_id, 'e2e', CASE b.slug WHEN 'safety' THEN 'safe' ELSE 'draw' END
         FROM questions q JOIN question_banks b ON b.id = q.bank_id
        WHERE b.course_id = ${COURSE} AND q.retired_at IS NULL`);
}

function removeOutline() {
  sql(`DELETE FROM exam_outlines WHERE slug = 'e2e' AND course_id = ${COURSE}`);
}

test('the enrolment page shows readiness per exam domain and the weakest domain with its lessons', async ({ page }) => {
  addOutline();
  try {
    const id = await learnerAtSafetyQuiz(page, 'readiness', PASSWORD);
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await page.getByLabel('All questions on one page').check();
    const question = (prompt: string) => page.locator('fieldset.question').filter({ has: page.locator('.prompt', { hasText: prompt }) });
    await question('Used needles may be recapped by hand.').getByLabel('False', { exact: true }).check();
    await question('Which are PPE?').getByLabel('Watch', { exact: true }).check();
    await question('Where do sharps go?').getByLabel('Sharps container', { exact: true }).check();
    await expect(page.getByText('All answers saved')).toBeVisible();
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByRole('button', { name: 'Submit now' }).click();
    await page.waitForURL(/\/result$/);

    await page.goto(`${base()}/learn/${id}`);
    const panel = page.getByRole('region', { name: 'Exam readiness' });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { name: 'E2E Exam' })).toBeVisible();
    // 2 of the 3 safety questions right; nothing answered in Drawing yet.
    await expect(panel).toContainText('Your weakest domain is Safety: 67 % (2 of 3 questions correct).');
    const lessons = panel.getByRole('list', { name: 'Lessons that teach Safety:' });
    await expect(lessons.getByRole('link')).toHaveText(['Sharps', 'Gloves']);
    await expect(lessons.getByRole('link', { name: 'Sharps' })).toHaveAttribute('href', `/learn/${id}/lessons/sharps`);
    const table = panel.getByRole('table', { name: 'E2E Exam: percent correct per domain' });
    const safety = table.getByRole('row', { name: /Safety/ });
    await expect(safety.getByRole('cell')).toHaveText(['20–30 %', '67 %', '2 of 3 questions correct']);
    const drawing = table.getByRole('row', { name: /Drawing/ });
    await expect(drawing.getByRole('cell')).toHaveText(['weight not published here', 'no answers yet', 'no questions answered yet']);
    await expect(panel.getByRole('link', { name: 'E2E outline' })).toHaveAttribute('href', 'https://example.org/e2e-outline');
    await checkPage(page, '46-enrolment-readiness');
  } finally {
    removeOutline();
  }
});
