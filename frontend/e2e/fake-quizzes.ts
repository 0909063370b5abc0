// A stand-in for the quizzes API of docs/api-quizzes.md, installed with page.route, so the
// quiz player is exercised end to end in the browser now (accounts, enrolment and lessons are
// the real server's). It implements the contract's shapes, answer merging, null clearing,
// grading rules (right-minus-wrong for multiple, fraction for matching, exact for ordering,
// tolerance for numeric) and review policy `after_submit`.
import type { Page, Route } from '@playwright/test';

type Answer = Record<string, unknown>;

export const QUESTIONS = [
  { key: 'q1', type: 'single', prompt_html: '<p>Which tube holds EDTA?</p>', choices: [
    { key: 'c1', html: '<p>Light blue</p>' }, { key: 'c2', html: '<p>Lavender</p>' }, { key: 'c3', html: '<p>Gold</p>' }] },
  { key: 'q2', type: 'multiple', prompt_html: '<p>Which are personal protective equipment?</p>', choices: [
    { key: 'c1', html: '<p>Gloves</p>' }, { key: 'c2', html: '<p>Wristwatch</p>' }, { key: 'c3', html: '<p>Face shield</p>' }] },
  { key: 'q3', type: 'true_false', prompt_html: '<p>A used needle may be recapped by hand.</p>' },
  { key: 'q4', type: 'matching', prompt_html: '<p>Match each tube with its additive.</p>',
    left: [{ key: 'l1', text: 'Lavender' }, { key: 'l2', text: 'Light blue' }],
    right: [{ key: 'r1', text: 'Sodium citrate' }, { key: 'r2', text: 'EDTA' }, { key: 'r3', text: 'No additive' }] },
  { key: 'q5', type: 'ordering', prompt_html: '<p>Put the tubes in the order of draw.</p>',
    items: [{ key: 'i1', text: 'Lavender (EDTA)' }, { key: 'i2', text: 'Blood culture' }, { key: 'i3', text: 'Light blue (citrate)' }] },
  { key: 'q6', type: 'numeric', prompt_html: '<p>How many minutes may a tourniquet stay on, at most?</p>', unit: 'min' },
] as const;

export const CORRECT: Record<string, Answer> = {
  q1: { choice: 'c2' },
  q2: { choices: ['c1', 'c3'] },
  q3: { value: false },
  q4: { pairs: { l1: 'r2', l2: 'r1' } },
  q5: { order: ['i2', 'i3', 'i1'] },
  q6: { value: 1 },
};

function credit(key: string, a: Answer | undefined): number {
  if (!a) return 0;
  const c = CORRECT[key]!;
  switch (key) {
    case 'q2': {
      const right = c.choices as string[];
      const chosen = (a.choices as string[]) ?? [];
      const good = chosen.filter((x) => right.includes(x)).length;
      const bad = chosen.length - good;
      return Math.max(0, (good - bad) / right.length);
    }
    case 'q4': {
      const want = c.pairs as Record<string, string>;
      const got = (a.pairs as Record<string, string>) ?? {};
      return Object.keys(want).filter((l) => got[l] === want[l]).length / Object.keys(want).length;
    }
    case 'q6':
      return Math.abs((a.value as number) - (c.value as number)) <= 0.5 + 1e-9 ? 1 : 0;
    default:
      return JSON.stringify(a) === JSON.stringify(c) ? 1 : 0;
  }
}

export interface FakeOptions {
  enrolmentId: string;
  slug?: string;
  timeLimitSeconds?: number | null;
}

export class FakeQuizzes {
  saves: Record<string, Answer | null>[] = [];
  offline = false;
  answers: Record<string, Answer> = {};
  private attempt: Record<string, unknown> | null = null;
  private deadline: number | null = null;
  private submitted: Record<string, unknown>[] = [];
  constructor(private readonly o: FakeOptions) {}

  get slug() {
    return this.o.slug ?? 'practice-quiz';
  }

  async install(page: Page) {
    await page.route(/\/api\/v1\/(enrolments\/[^/]+\/quizzes|attempts)\//, (route) => this.handle(route));
  }

  private json(route: Route, status: number, body: unknown) {
    return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  }

  private view() {
    const a = this.attempt!;
    const now = Date.now();
    return {
      ...a,
      seconds_left: this.deadline === null ? null : Math.max(0, Math.round((this.deadline - now) / 1000)),
      server_time: new Date(now).toISOString(),
      answers: this.answers,
    };
  }

  private info() {
    const best = this.submitted.reduce<number | null>((b, s) => Math.max(b ?? 0, (s.result as { percent: number }).percent), null);
    return {
      slug: this.slug, title: 'Practice quiz', module: 'safety', final: false, required: true, pass_percent: 80,
      question_count: QUESTIONS.length, time_limit_minutes: this.o.timeLimitSeconds ? Math.ceil(this.o.timeLimitSeconds / 60) : 0,
      max_attempts: 0, cooldown_minutes: 0, review: 'after_submit', scoring: 'best',
      status: this.attempt && this.attempt.state === 'open' ? 'open' : 'available', locked_reason: null, available_at: null,
      attempts_used: this.submitted.length + (this.attempt?.state === 'open' ? 1 : 0), attempts_left: null,
      best_percent: best, passed: (best ?? 0) >= 80, open_attempt: this.attempt?.state === 'open' ? this.attempt.id : null,
      attempts: [...this.submitted].reverse().map((s) => ({ id: s.id, number: s.number, state: 'submitted', started_at: s.started_at,
        submitted_at: (s.result as { submitted_at: string }).submitted_at, percent: (s.result as { percent: number }).percent,
        passed: (s.result as { passed: boolean }).passed })),
    };
  }

  private submit(late: boolean) {
    const a = this.attempt!;
    const questions = QUESTIONS.map((q) => {
      const c = credit(q.key, this.answers[q.key]);
      return { key: q.key, credit: c, correct: c === 1, answer: this.answers[q.key] ?? null, correct_answer: CORRECT[q.key],
        explanation_html: `<p>Explanation for ${q.key}.</p>` };
    });
    const score = questions.reduce((s, q) => s + q.credit, 0);
    const percent = Math.floor((100 * score) / QUESTIONS.length);
    const done = { ...a, state: 'submitted', answers: this.answers, seconds_left: 0, result: {
      score, max_score: QUESTIONS.length, percent, passed: percent >= 80, submitted_at: new Date().toISOString(), late,
      review_available: true, review_unavailable_reason: null, questions } };
    this.submitted.push(done);
    this.attempt = done;
    return done;
  }

  private async handle(route: Route) {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname;
    const method = req.method();
    if (path.endsWith(`/quizzes/${this.slug}`) && method === 'GET') return this.json(route, 200, this.info());
    if (path.endsWith(`/quizzes/${this.slug}/attempts`) && method === 'POST') {
      if (this.attempt?.state === 'open') return this.json(route, 200, this.view());
      this.answers = {};
      const id = `00000000-0000-4000-8000-00000000000${this.submitted.length + 1}`;
      this.deadline = this.o.timeLimitSeconds ? Date.now() + this.o.timeLimitSeconds * 1000 : null;
      this.attempt = {
        id, enrolment_id: this.o.enrolmentId, quiz: { slug: this.slug, title: 'Practice quiz', pass_percent: 80, review: 'after_submit' },
        number: this.submitted.length + 1, state: 'open', started_at: new Date().toISOString(),
        deadline: this.deadline ? new Date(this.deadline).toISOString() : null, questions: QUESTIONS, saved_at: null, result: null,
      };
      return this.json(route, 201, this.view());
    }
    const m = path.match(/\/api\/v1\/attempts\/([^/]+)(\/answers|\/submit)?$/);
    if (!m || !this.attempt || m[1] !== this.attempt.id) {
      return this.json(route, 404, { error: { code: 'not_found', message: 'No such attempt.', details: {} } });
    }
    if (!m[2] && method === 'GET') {
      if (this.attempt.state === 'open' && this.deadline !== null && Date.now() > this.deadline + 5000) this.submit(true);
      return this.json(route, 200, this.attempt.state === 'open' ? this.view() : this.attempt);
    }
    if (m[2] === '/answers' && method === 'PUT') {
      if (this.offline) return route.abort('internetdisconnected');
      if (this.attempt.state !== 'open') {
        return this.json(route, 409, { error: { code: 'attempt_closed', message: 'This attempt is closed.', details: {} } });
      }
      const body = req.postDataJSON() as { answers: Record<string, Answer | null> };
      this.saves.push(body.answers);
      for (const [k, v] of Object.entries(body.answers)) {
        if (!QUESTIONS.some((q) => q.key === k)) {
          return this.json(route, 422, { error: { code: 'unknown_question', message: `No question ${k}.`, details: { question: k } } });
        }
        if (v === null) delete this.answers[k];
        else this.answers[k] = v;
      }
      this.attempt.saved_at = new Date().toISOString();
      const v = this.view();
      return this.json(route, 200, { saved: Object.keys(body.answers).length, saved_at: this.attempt.saved_at, deadline: this.attempt.deadline, seconds_left: v.seconds_left });
    }
    if (m[2] === '/submit' && method === 'POST') {
      if (this.attempt.state === 'submitted') return this.json(route, 200, this.attempt);
      return this.json(route, 200, this.submit(this.deadline !== null && Date.now() > this.deadline));
    }
    return this.json(route, 405, { error: { code: 'method_not_allowed', message: 'No.', details: {} } });
  }
}
