// Readiness by certification exam domain, as people read it: the published weight (or that
// none is published here), the percent correct with what it rests on, and the weakest domain
// with the lessons that teach it. Pure, so the panels stay thin.
import type { DomainReadiness, ExamReadiness } from '../api/types';

export const NO_WEIGHT = 'weight not published here';

/** "26 %", "15–20 %", or that the body's weight is not stated. */
export function weightText(d: Pick<DomainReadiness, 'weight'>): string {
  const w = d.weight;
  if (!w) return NO_WEIGHT;
  return w.low === w.high ? `${w.low} %` : `${w.low}–${w.high} %`;
}

/** "67 %" (rounded to a whole percent for the bar's label), or "no answers yet". */
export function percentText(d: Pick<DomainReadiness, 'percent'>): string {
  return d.percent == null ? 'no answers yet' : `${Math.round(d.percent)} %`;
}

/** The bar's width, 0 to 100 (0 before any answer). */
export function barValue(d: Pick<DomainReadiness, 'percent'>): number {
  return d.percent == null ? 0 : Math.max(0, Math.min(100, d.percent));
}

/** What a learner's figure rests on: "2 of 3 questions correct". */
export function basisText(d: Pick<DomainReadiness, 'questions' | 'correct'>): string {
  if (d.questions === 0) return 'no questions answered yet';
  const n = d.questions === 1 ? 'question' : 'questions';
  return `${d.correct ?? 0} of ${d.questions} ${n} correct`;
}

/** What a cohort's figure rests on: "3 learners, 12 answers". */
export function cohortBasisText(d: Pick<DomainReadiness, 'questions' | 'learners'>): string {
  const l = d.learners ?? 0;
  if (l === 0) return 'no answers yet';
  return `${l} ${l === 1 ? 'learner' : 'learners'}, ${d.questions} ${d.questions === 1 ? 'answer' : 'answers'}`;
}

/** The exam's weakest domain, as the server chose it (`null` before any answer). */
export function weakestDomain(exam: ExamReadiness): DomainReadiness | null {
  return exam.domains.find((d) => d.slug === exam.weakest) ?? null;
}

/** Whether anything has been answered in any domain of the exam. */
export function hasAnswers(exam: ExamReadiness): boolean {
  return exam.domains.some((d) => d.questions > 0);
}

/** One sentence for the exam: the weakest domain, or that there is nothing to go on yet. */
export function summaryText(exam: ExamReadiness): string {
  const w = weakestDomain(exam);
  if (!w) return 'Take the module quizzes to see where you stand in each domain of this exam.';
  return `Your weakest domain is ${w.title}: ${percentText(w)} (${basisText(w)}).`;
}
