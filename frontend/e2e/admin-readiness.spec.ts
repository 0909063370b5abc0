// Exam readiness on an admin's cohort page (issue 15), in the browser against the real server:
// two members of a cohort answer the safety quiz differently; the cohort's "Exam readiness" tab
// shows, per domain, the published weight, a bar and the members' mean percent correct with
// what it rests on, the same figures as `GET /api/v1/admin/cohorts/{id}/readiness`, and marks
// the weakest domain.
//
// The demo course declares no exam outline, so this test writes one into the database for its
// duration and removes it after (specs run one at a time). Its outline `e2e-cohort` splits the
// safety quiz over two domains, so that the weakest is not simply the only one answered:
// Safety (published 20-30 %) has `recap` and `ppe`; Drawing (no weight) has `container` and the
// collection bank.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { apiAs, base, checkPage, createAdmin, DESKTOP, signIn, signUpAndVerify, sql, uniqueEmail } from './helpers';

const PASSWORD = 'Cohort-Readiness-Domains-58';
const COURSE = `(SELECT id FROM courses WHERE slug = 'demo-course')`;
const EXAM = 'e2e-cohort';
const EXAM_NAME = 'E2E Cohort Exam';

function addOutline() {
  sql(`INSERT INTO exam_outlines (course_id, slug, position, name, body, source, source_title)
       VALUES (${COURSE}, '${EXAM}', 0, '${EXAM_NAME}', 'E2E', 'https://example.org/e2e-cohort-outline', 'E2E cohort outline')`);
  sql(`INSERT INTO exam_domains (course_id, exam_slug, slug, position, title, weight_low, weight_high)
       VALUES (${COURSE}, '${EXAM}', 'safe', 0, 'Safety', 20, 30), (${COURSE}, '${EXAM}', 'draw', 1, 'Drawing', NULL, NULL)`);
  sql(`INSERT INTO question_domains (question_id, course_id, exam_slug, domain_slug)
       SELECT q.id, b.course_id, '${EXAM}',
              CASE WHEN b.slug = 'safety' AND q.slug IN ('recap', 'ppe') THEN 'safe' ELSE 'draw' END
         FROM questions q JOIN question_banks b ON b.id = q.bank_id
        WHERE b.course_id = ${COURSE} AND q.retired_at IS NULL`);
}

function removeOutline() {
  sql(`DELETE FROM exam_outlines WHERE slug = '${EXAM}' AND course_id = ${COURSE}`);
}

function day(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

async function newPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: DESKTOP });
  return ctx.newPage();
}

interface Answers {
  ppe: string[];
  container: string;
}

/** The signed-in member completes the safety lessons and submits the safety quiz with these answers. */
async function takeSafetyQuiz(page: Page, enrolment: string, answers: Answers): Promise<void> {
  for (const lesson of ['sharps', 'gloves']) {
    await page.goto(`${base()}/learn/${enrolment}/lessons/${lesson}`);
    await page.getByRole('button', { name: 'Mark this lesson complete' }).click();
    await expect(page.getByText('Lesson complete')).toBeVisible();
  }
  await page.getByRole('link', { name: /Next: Safety quiz/ }).click();
  await expect(page.getByRole('heading', { name: 'Safety quiz', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  await page.getByLabel('All questions on one page').check();
  const question = (prompt: string) => page.locator('fieldset.question').filter({ has: page.locator('.prompt', { hasText: prompt }) });
  await question('Used needles may be recapped by hand.').getByLabel('False', { exact: true }).check();
  for (const choice of answers.ppe) await question('Which are PPE?').getByLabel(choice, { exact: true }).check();
  await question('Where do sharps go?').getByLabel(answers.container, { exact: true }).check();
  await expect(page.getByText('All answers saved')).toBeVisible();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await page.getByRole('button', { name: 'Submit now' }).click();
  await page.waitForURL(/\/result$/);
}

interface Domain {
  slug: string;
  title: string;
  weight: { low: number; high: number } | null;
  questions: number;
  learners: number | null;
  percent: number | null;
}
interface Readiness {
  cohort_id: string;
  exams: { slug: string; name: string; weakest: string | null; domains: Domain[] }[];
}

test('admin: a cohort’s exam readiness tab shows each domain’s mean percent, as the API gives it, and the weakest domain', async ({ browser }) => {
  test.setTimeout(240_000);
  addOutline();
  try {
    const stamp = Date.now();
    const adminEmail = uniqueEmail('readiness-admin');
    createAdmin(adminEmail, 'Readiness Admin', PASSWORD);
    const admin = await apiAs(adminEmail, PASSWORD);
    const cohortName = `Readiness ${stamp}`;
    const cohort = await admin<{ id: string }>('POST', '/admin/cohorts', { course: 'demo-course', name: cohortName, starts_on: day(-7) }, 201);

    // Two members: Ana gets `recap` and `container` right and `ppe` wrong (Safety 1 of 2,
    // Drawing 1 of 1); Ben gets `recap` and `ppe` right and `container` wrong (Safety 2 of 2,
    // Drawing 0 of 1).
    const members = [
      { name: `Ana Member ${stamp}`, answers: { ppe: ['Watch'], container: 'Sharps container' } },
      { name: `Ben Member ${stamp}`, answers: { ppe: ['Gloves', 'Gown'], container: 'Bin' } },
    ];
    for (const m of members) {
      const email = uniqueEmail('readiness-member');
      const page = await newPage(browser);
      await signUpAndVerify(page, m.name, email, PASSWORD);
      const member = await admin<{ enrolment_id: string }>('POST', `/admin/cohorts/${cohort.id}/members`, { email }, 201);
      await signIn(page, email, PASSWORD);
      await takeSafetyQuiz(page, member.enrolment_id, m.answers);
      await page.context().close();
    }

    // What the server says, and what the answers above make it: Safety the mean of 50 % and
    // 100 %, Drawing the mean of 100 % and 0 %, so Drawing is the weakest.
    const api = await admin<Readiness>('GET', `/admin/cohorts/${cohort.id}/readiness`);
    expect(api.cohort_id).toBe(cohort.id);
    const exam = api.exams.find((e) => e.slug === EXAM)!;
    expect(exam, 'the test outline in the API answer').toBeTruthy();
    expect(exam.domains.map((d) => [d.slug, d.percent, d.learners, d.questions])).toEqual([
      ['safe', 75, 2, 4],
      ['draw', 50, 2, 2],
    ]);
    expect(exam.weakest).toBe('draw');

    // ---- The admin opens the cohort's readiness tab. ----
    const page = await newPage(browser);
    await signIn(page, adminEmail, PASSWORD);
    await page.goto(`${base()}/admin/cohorts/${cohort.id}`);
    await expect(page.getByRole('heading', { name: cohortName, level: 1 })).toBeVisible();
    await page.getByRole('navigation', { name: 'Cohort sections' }).getByRole('link', { name: 'Exam readiness' }).click();
    await page.waitForURL(new RegExp(`/admin/cohorts/${cohort.id}/readiness$`));
    await expect(page.getByRole('heading', { name: EXAM_NAME, level: 3 })).toBeVisible();

    const table = page.getByRole('table', { name: `${EXAM_NAME}: mean percent correct per domain` });
    const rows = table.locator('tbody tr');
    await expect(rows).toHaveCount(exam.domains.length);
    for (const [i, d] of exam.domains.entries()) {
      const row = rows.nth(i);
      await expect(row.getByRole('rowheader')).toContainText(d.title);
      const weight = d.weight ? `${d.weight.low}–${d.weight.high} %` : 'weight not published here';
      const basis = `${d.learners} learners, ${d.questions} answers`;
      await expect(row.getByRole('cell')).toHaveText([weight, `${Math.round(d.percent!)} %`, basis]);
      // The bar is as long as the percent.
      await expect(row.locator('.readiness-bar-fill')).toHaveAttribute('style', `width: ${d.percent}%;`);
    }
    // The exact figures the answers give.
    await expect(table.getByRole('row', { name: /Safety/ }).getByRole('cell')).toHaveText(['20–30 %', '75 %', '2 learners, 4 answers']);
    await expect(table.getByRole('row', { name: /Drawing/ }).getByRole('cell')).toHaveText(['weight not published here', '50 %', '2 learners, 2 answers']);

    // The weakest domain, as the page names it: one row, the one the API names.
    const weakestTitle = exam.domains.find((d) => d.slug === exam.weakest)!.title;
    expect(weakestTitle).toBe('Drawing');
    await expect(table.getByText('Weakest', { exact: true })).toHaveCount(1);
    await expect(table.getByRole('rowheader', { name: `${weakestTitle} Weakest` })).toBeVisible();
    await expect(table.getByRole('row', { name: /Safety/ })).not.toContainText('Weakest');
    await checkPage(page, 'admin-cohort-readiness');
  } finally {
    removeOutline();
  }
});
