// Shared helpers of the end-to-end tests: the server's address, mail read from the SMTP sink the
// server delivers to (smtp-sink.ts), accessibility checks with axe-core, screenshots at phone and desktop widths, and
// SQL on the server's database for what no page can set up.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { binary } from './global-setup';

export const base = () => {
  const b = process.env.E2E_BASE_URL;
  if (!b) throw new Error('E2E_BASE_URL is not set (global setup did not run)');
  return b;
};
const mailApi = () => {
  const m = process.env.E2E_MAIL_API;
  if (!m) throw new Error('E2E_MAIL_API is not set (global setup did not run)');
  return m;
};

/** The messages the SMTP sink has received for `to` (envelope recipient), oldest first, as sent. */
export async function mailTo(to: string): Promise<string[]> {
  const r = await fetch(`${mailApi()}/messages?to=${encodeURIComponent(to.toLowerCase())}`);
  if (!r.ok) throw new Error(`the SMTP sink answered ${r.status}`);
  return ((await r.json()) as { data: string }[]).map((m) => m.data);
}

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

export function uniqueEmail(tag: string): string {
  return `${tag}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Waits for a mail to `to`, in the SMTP sink, whose text holds a link to `page` and returns the link. */
export async function linkFromMail(to: string, page: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const re = new RegExp(`https?://[^\\s"<>]+/${page}\\?token=[^\\s"<>&]+`);
  while (Date.now() < deadline) {
    for (const raw of await mailTo(to)) {
      const m = decodeQuotedPrintable(raw).match(re);
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} with a /${page} link within ${timeoutMs} ms`);
}

/** Zero serious or critical WCAG 2.1 A/AA violations on the page as it is now. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `accessibility of ${label}`).toEqual([]);
}

/** Checks the page at 360 px and 1280 px: accessible at both, screenshots saved. */
export async function checkPage(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const [tag, size] of [
    ['360', PHONE],
    ['1280', DESKTOP],
  ] as const) {
    await page.setViewportSize(size);
    await expectAccessible(page, `${name} at ${tag} px`);
    // Nothing wider than the screen on a phone.
    if (tag === '360') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name}: horizontal overflow at 360 px`).toBeLessThanOrEqual(1);
    }
    await page.screenshot({ path: `test-results/screens/${name}-${tag}.png`, fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

export async function signUpAndVerify(page: Page, name: string, email: string, password: string): Promise<void> {
  await page.goto(`${base()}/sign-up`);
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  const link = await linkFromMail(email, 'verify-email');
  await page.goto(link);
  await expect(page.getByText('Address confirmed')).toBeVisible();
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${base()}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'My learning' })).toBeVisible();
}

/** Enrols the signed-in learner in the demo course; returns the enrolment ID. */
export async function enrolInDemo(page: Page): Promise<string> {
  await page.goto(`${base()}/courses/demo-course`);
  await page.getByRole('button', { name: 'Enrol in this course' }).click();
  await page.waitForURL(/\/learn\/[0-9a-f-]+$/);
  return page.url().split('/learn/')[1]!;
}

/**
 * Runs one SQL statement on the e2e server's database with psql and returns its unaligned
 * output. Only for what no page can set up (an attempt's deadline, say); assert through pages.
 */
export function sql(statement: string): string {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set (global setup did not run)');
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', statement], { encoding: 'utf8' }).trim();
}

/** The attempt ID of the player or result page shown. */
export function attemptIdOf(page: Page): string {
  const m = page.url().match(/\/attempts\/([0-9a-f-]{36})/);
  if (!m) throw new Error(`not an attempt page: ${page.url()}`);
  return m[1]!;
}

/**
 * A new learner, signed in and enrolled in the demo course, with the safety module's lessons
 * (`sharps`, `gloves`) complete, on the landing page of `safety-quiz`. Returns the enrolment ID.
 */
export async function learnerAtSafetyQuiz(page: Page, tag: string, password: string): Promise<string> {
  const email = uniqueEmail(tag);
  await signUpAndVerify(page, 'Quiz Learner', email, password);
  await signIn(page, email, password);
  const id = await enrolInDemo(page);
  for (const lesson of ['sharps', 'gloves']) {
    await page.goto(`${base()}/learn/${id}/lessons/${lesson}`);
    await page.getByRole('button', { name: 'Mark this lesson complete' }).click();
    await expect(page.getByText('Lesson complete')).toBeVisible();
  }
  await page.getByRole('link', { name: /Next: Safety quiz/ }).click();
  await expect(page.getByRole('heading', { name: 'Safety quiz', level: 1 })).toBeVisible();
  return id;
}

/**
 * Like `linkFromMail`, for a mailbox that gets several such mails: waits for a link to `page`
 * in a mail to `to` that is not one of `seen` (links already used).
 */
export async function newLinkFromMail(to: string, page: string, seen: readonly string[], timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const re = new RegExp(`https?://[^\\s"<>]+/${page}\\?token=[^\\s"<>&]+`, 'g');
  while (Date.now() < deadline) {
    for (const raw of await mailTo(to)) {
      const fresh = (decodeQuotedPrintable(raw).match(re) ?? []).find((l) => !seen.includes(l));
      if (fresh) return fresh;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no new mail to ${to} with a /${page} link within ${timeoutMs} ms`);
}

/**
 * A verified admin account, made the way an operator makes one: `benchside create-admin` on
 * the e2e server's database (the password on standard input).
 */
export function createAdmin(email: string, name: string, password: string): void {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set (global setup did not run)');
  execFileSync(binary(), ['create-admin', '--email', email, '--name', name], {
    input: `${password}\n`,
    env: { ...process.env, DATABASE_URL: url, BENCHSIDE_ENV: 'development', RUST_LOG: 'warn' },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

/** A JSON client signed in as `email` (setup through the real server's API): each call checks
 * the status it expects and returns the parsed body. */
export async function apiAs(email: string, password: string) {
  const login = await fetch(`${base()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status).toBe(200);
  const { access_token: token } = (await login.json()) as { access_token: string };
  return async <T>(method: string, path: string, body?: unknown, status = 200): Promise<T> => {
    const r = await fetch(`${base()}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    expect(r.status, `${method} ${path}: ${text}`).toBe(status);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
