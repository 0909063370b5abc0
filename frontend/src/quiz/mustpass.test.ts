import { describe, expect, it } from 'vitest';
import { mustPassHeadline, reviewHref, type MustPassMiss } from './mustpass';

const miss = (n: number): MustPassMiss => ({
  key: `q${n}`,
  number: n,
  prompt_html: '<p>How many identifiers?</p>',
  explanation_html: '<p>Two.</p>',
  review_href: '/courses/phlebotomy-technician/lessons/identifying-the-patient#the-rule-at-least-two-identifiers',
  review_label: 'Identifying the patient: The rule: at least two identifiers',
});

describe('must-pass items in a result', () => {
  it('links the section in the learner’s own lesson page, keeping the anchor', () => {
    expect(reviewHref(miss(1).review_href, 'e-1')).toBe('/learn/e-1/lessons/identifying-the-patient#the-rule-at-least-two-identifiers');
    expect(reviewHref('/courses/c/lessons/sharps', 'e-1')).toBe('/learn/e-1/lessons/sharps');
    expect(reviewHref('https://example.org/x', 'e-1')).toBe('https://example.org/x');
  });

  it('says the score reached the pass mark when it did, and counts the items', () => {
    expect(mustPassHeadline([miss(1)], 90, 75)).toBe(
      'Your score of 90% reaches the pass mark, but you did not answer a must-pass safety question correctly. Every must-pass question must be right to pass.',
    );
    expect(mustPassHeadline([miss(1), miss(4)], 50, 75)).toBe(
      'You did not answer 2 must-pass safety questions correctly. Every must-pass question must be right to pass.',
    );
  });
});
