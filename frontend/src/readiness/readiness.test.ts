import { describe, expect, it } from 'vitest';
import type { DomainReadiness, ExamReadiness } from '../api/types';
import { barValue, basisText, cohortBasisText, hasAnswers, NO_WEIGHT, percentText, summaryText, weakestDomain, weightText } from './readiness';

const domain = (over: Partial<DomainReadiness>): DomainReadiness => ({
  slug: 'd',
  title: 'Domain',
  weight: null,
  questions: 0,
  percent: null,
  lessons: [],
  ...over,
});

const exam = (domains: DomainReadiness[], weakest: string | null): ExamReadiness => ({
  slug: 'e',
  name: 'Exam',
  body: 'Body',
  source: 'https://example.org',
  source_title: 'Outline',
  edition: null,
  domains,
  weakest,
});

describe('readiness text', () => {
  it('states a weight only when one is published', () => {
    expect(weightText(domain({}))).toBe(NO_WEIGHT);
    expect(weightText(domain({ weight: { low: 26, high: 26 } }))).toBe('26 %');
    expect(weightText(domain({ weight: { low: 15, high: 20 } }))).toBe('15–20 %');
  });

  it('gives the percent and its basis, and nothing before any answer', () => {
    expect(percentText(domain({}))).toBe('no answers yet');
    expect(percentText(domain({ percent: 66.7 }))).toBe('67 %');
    expect(basisText(domain({}))).toBe('no questions answered yet');
    expect(basisText(domain({ questions: 3, correct: 2 }))).toBe('2 of 3 questions correct');
    expect(basisText(domain({ questions: 1, correct: 0 }))).toBe('0 of 1 question correct');
    expect(cohortBasisText(domain({ learners: 0 }))).toBe('no answers yet');
    expect(cohortBasisText(domain({ learners: 2, questions: 5 }))).toBe('2 learners, 5 answers');
  });

  it('keeps the bar within 0 to 100', () => {
    expect(barValue(domain({}))).toBe(0);
    expect(barValue(domain({ percent: 50 }))).toBe(50);
    expect(barValue(domain({ percent: 140 }))).toBe(100);
  });

  it('names the weakest domain the server chose', () => {
    const a = domain({ slug: 'a', title: 'Safety', questions: 3, correct: 1, percent: 33.3 });
    const b = domain({ slug: 'b', title: 'Processing', questions: 2, correct: 2, percent: 100 });
    const e = exam([a, b], 'a');
    expect(weakestDomain(e)).toBe(a);
    expect(hasAnswers(e)).toBe(true);
    expect(summaryText(e)).toBe('Your weakest domain is Safety: 33 % (1 of 3 questions correct).');
    const none = exam([domain({})], null);
    expect(weakestDomain(none)).toBeNull();
    expect(hasAnswers(none)).toBe(false);
    expect(summaryText(none)).toMatch(/Take the module quizzes/);
  });
});
