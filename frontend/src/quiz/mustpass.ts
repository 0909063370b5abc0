// Must-pass (safety) items in a quiz result (docs/api-quizzes.md, `result.must_pass_missed`).
import type { AttemptResult } from '../api/types';

export type MustPassMiss = AttemptResult['must_pass_missed'][number];

/**
 * The learner's own lesson page for a review target: the API gives the course's lesson URL
 * (`/courses/<course>/lessons/<lesson>#<anchor>`); an enrolled learner reads lessons under
 * `/learn/<enrolment>/lessons/<lesson>`, so the section is linked there directly (the course
 * URL would redirect and lose the anchor). Anything else is returned as it is.
 */
export function reviewHref(href: string, enrolmentId: string): string {
  const m = /^\/courses\/[^/]+\/lessons\/([^/#?]+)(#.*)?$/.exec(href);
  if (!m) return href;
  return `/learn/${encodeURIComponent(enrolmentId)}/lessons/${m[1]}${m[2] ?? ''}`;
}

/** The sentence that says why an attempt with missed must-pass items did not pass. */
export function mustPassHeadline(missed: readonly MustPassMiss[], percent: number, passPercent: number): string {
  const items = missed.length === 1 ? 'a must-pass safety question' : `${missed.length} must-pass safety questions`;
  const score = percent >= passPercent ? `Your score of ${percent}% reaches the pass mark, but you` : 'You';
  return `${score} did not answer ${items} correctly. Every must-pass question must be right to pass.`;
}
