import { describe, expect, it } from 'vitest';
import type { Question } from '../api/types';
import { answeredCount, currentOrder, isAnswered, move, parseNumber, setPair, toggleChoice } from './answers';

const single: Question = { key: 'q1', type: 'single', prompt_html: '', choices: [{ key: 'c1', html: 'a' }, { key: 'c2', html: 'b' }] };
const multi: Question = { key: 'q2', type: 'multiple', prompt_html: '', choices: [{ key: 'c1', html: '' }, { key: 'c2', html: '' }, { key: 'c3', html: '' }] };
const tf: Question = { key: 'q3', type: 'true_false', prompt_html: '' };
const matching: Question = {
  key: 'q4', type: 'matching', prompt_html: '',
  left: [{ key: 'l1', text: 'Lavender' }, { key: 'l2', text: 'Light blue' }],
  right: [{ key: 'r1', text: 'EDTA' }, { key: 'r2', text: 'Citrate' }, { key: 'r3', text: 'None' }],
};
const ordering = {
  key: 'q5', type: 'ordering' as const, prompt_html: '',
  items: [{ key: 'i1', text: 'a' }, { key: 'i2', text: 'b' }, { key: 'i3', text: 'c' }],
};
const numeric: Question = { key: 'q6', type: 'numeric', prompt_html: '', unit: '%' };

describe('quiz answer state', () => {
  it('knows when each question type is answered', () => {
    expect(isAnswered(single, { choice: 'c1' })).toBe(true);
    expect(isAnswered(single, undefined)).toBe(false);
    expect(isAnswered(multi, { choices: [] })).toBe(false);
    expect(isAnswered(multi, { choices: ['c2'] })).toBe(true);
    expect(isAnswered(tf, { value: false })).toBe(true);
    expect(isAnswered(matching, { pairs: { l1: 'r1' } })).toBe(false);
    expect(isAnswered(matching, { pairs: { l1: 'r1', l2: 'r2' } })).toBe(true);
    expect(isAnswered(ordering, { order: ['i2', 'i1', 'i3'] })).toBe(true);
    expect(isAnswered(numeric, { value: 4.5 })).toBe(true);
    expect(isAnswered(numeric, null)).toBe(false);
    expect(answeredCount([single, multi, tf], { q1: { choice: 'c2' }, q3: { value: true } })).toBe(2);
  });

  it('toggles choices and keeps them in display order', () => {
    const order = ['c1', 'c2', 'c3'];
    let a = toggleChoice(undefined, 'c3', order);
    a = toggleChoice(a, 'c1', order);
    expect(a).toEqual({ choices: ['c1', 'c3'] });
    expect(toggleChoice(a, 'c3', order)).toEqual({ choices: ['c1'] });
  });

  it('gives a right item to one left item only, and clears a pair', () => {
    let a = setPair(undefined, 'l1', 'r1');
    a = setPair(a, 'l2', 'r1');
    expect(a).toEqual({ pairs: { l2: 'r1' } });
    a = setPair(a, 'l1', 'r2');
    expect(a).toEqual({ pairs: { l2: 'r1', l1: 'r2' } });
    expect(setPair(a, 'l2', '')).toEqual({ pairs: { l1: 'r2' } });
  });

  it('moves ordering items up and down without wrapping', () => {
    const start = currentOrder(ordering, undefined);
    expect(start).toEqual(['i1', 'i2', 'i3']);
    expect(move(start, 'i3', -1)).toEqual(['i1', 'i3', 'i2']);
    expect(move(start, 'i1', -1)).toEqual(start);
    expect(move(start, 'i3', 1)).toEqual(start);
    expect(currentOrder(ordering, { order: ['i3', 'i2', 'i1'] })).toEqual(['i3', 'i2', 'i1']);
  });

  it('parses typed numbers, including a decimal comma', () => {
    expect(parseNumber('4')).toBe(4);
    expect(parseNumber(' 4,5 ')).toBe(4.5);
    expect(parseNumber('-0.25')).toBe(-0.25);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1e3')).toBe(1000);
    for (const bad of ['', 'abc', '4.5.6', 'Infinity', 'NaN', '1e999', '4 %']) expect(parseNumber(bad), bad).toBeNull();
  });
});
