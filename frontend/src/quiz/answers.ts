// Pure answer-state logic for the quiz player: what counts as answered, and the edits each
// question type allows (choose, toggle, pair, move up/down, type a number).
import type { Answer, Answers, Question } from '../api/types';

export function isAnswered(q: Question, a: Answer | undefined | null): boolean {
  if (!a) return false;
  switch (q.type) {
    case 'single':
      return 'choice' in a && typeof a.choice === 'string';
    case 'multiple':
      return 'choices' in a && a.choices.length > 0;
    case 'true_false':
      return 'value' in a && typeof a.value === 'boolean';
    case 'matching':
      return 'pairs' in a && q.left.every((l) => typeof a.pairs[l.key] === 'string');
    case 'ordering':
      return 'order' in a && a.order.length === q.items.length;
    case 'numeric':
      return 'value' in a && typeof a.value === 'number' && Number.isFinite(a.value);
  }
}

export function answeredCount(questions: Question[], answers: Answers): number {
  return questions.filter((q) => isAnswered(q, answers[q.key])).length;
}

export function toggleChoice(a: Answer | undefined, key: string, order: string[]): Answer {
  const current = a && 'choices' in a ? a.choices : [];
  const next = current.includes(key) ? current.filter((k) => k !== key) : [...current, key];
  // Keep display order, so the saved answer is stable whatever the click order.
  return { choices: order.filter((k) => next.includes(k)) };
}

/** Pairs `left` with `right` ('' clears it). A right item goes to one left item only. */
export function setPair(a: Answer | undefined, left: string, right: string): Answer {
  const pairs: Record<string, string> = { ...(a && 'pairs' in a ? a.pairs : {}) };
  if (right === '') {
    delete pairs[left];
  } else {
    for (const [l, r] of Object.entries(pairs)) if (r === right && l !== left) delete pairs[l];
    pairs[left] = right;
  }
  return { pairs };
}

/** The current order of an ordering question: the saved one, else the order shown. */
export function currentOrder(q: Extract<Question, { type: 'ordering' }>, a: Answer | undefined): string[] {
  if (a && 'order' in a && a.order.length === q.items.length) return a.order;
  return q.items.map((i) => i.key);
}

/** Moves item `key` by `delta` places (-1 up, +1 down); the ends do not wrap. */
export function move(order: string[], key: string, delta: number): string[] {
  const i = order.indexOf(key);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= order.length) return order;
  const next = [...order];
  next[i] = order[j]!;
  next[j] = key;
  return next;
}

/**
 * Parses a typed number ("4", "4.5", "4,5", " -0.25 "); null when it is not a finite number.
 */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/\s+/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
