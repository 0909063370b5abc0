// The readiness tables as rendered markup: the weakest domain's badge is a word of its own, and
// a cohort's table sits in a focusable region that scrolls sideways on a narrow screen.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DomainReadiness, ExamReadiness } from '../api/types';
import { CohortReadinessTables } from './panel';

const domain = (over: Partial<DomainReadiness>): DomainReadiness => ({
  slug: 'd',
  title: 'Domain',
  weight: null,
  questions: 0,
  percent: null,
  lessons: [],
  ...over,
});

const exam: ExamReadiness = {
  slug: 'e',
  name: 'Exam',
  body: 'Body',
  source: 'https://example.org',
  source_title: 'Outline',
  edition: null,
  domains: [
    domain({ slug: 'safe', title: 'Safety', weight: { low: 20, high: 30 }, questions: 4, learners: 2, percent: 75 }),
    domain({ slug: 'draw', title: 'Drawing', questions: 2, learners: 2, percent: 50 }),
  ],
  weakest: 'draw',
};

/** Each row header's text, as a screen reader or a search for the text gets it. */
function rowHeaders(html: string): string[] {
  return [...html.matchAll(/<th scope="row">(.*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}

describe('cohort readiness tables', () => {
  it('separates the weakest badge from the domain title', () => {
    const html = renderToStaticMarkup(createElement(CohortReadinessTables, { exams: [exam] }));
    expect(rowHeaders(html)).toEqual(['Safety', 'Drawing Weakest']);
  });

  it('shows each domain’s mean percent, bar and basis', () => {
    const html = renderToStaticMarkup(createElement(CohortReadinessTables, { exams: [exam] }));
    expect(html).toContain('width:75%');
    expect(html).toContain('75 %');
    expect(html).toContain('2 learners, 4 answers');
    expect(html).toContain('2 learners, 2 answers');
  });

  it('puts each exam’s table in a focusable, labelled region that scrolls sideways', () => {
    const html = renderToStaticMarkup(createElement(CohortReadinessTables, { exams: [exam] }));
    expect(html).toMatch(/<div class="table-wrap" role="region" aria-label="Exam: domains" tabindex="0"><table class="table readiness-table">/);
  });
});
