// Which quiz questions are weak, as the server flags them (`weak`, `weak_reasons`; the rule is
// `weak_reasons` in src/quizzes/views.rs): a discrimination under 0.2 (strong and weak learners
// answer it alike), or, over enough responses, more than 95% right (too easy) or under 5% (too
// hard). Here: the words for the reasons, and the table's rows.
import type { WeakReason } from './contract';
import type { ItemStats } from './types';

/** The server's thresholds, for the words below (src/quizzes/views.rs). */
export const DISCRIMINATION_FLOOR = 0.2;
export const TOO_EASY = 95;
export const TOO_HARD = 5;
/** Fewer graded responses than this say nothing yet (the server computes no discrimination under it). */
export const MIN_RESPONSES = 10;

export type Item = ItemStats;

export const WEAK_LABEL: Record<WeakReason, string> = {
  low_discrimination: `Does not tell strong from weak learners (discrimination under ${DISCRIMINATION_FLOOR})`,
  too_easy: `Nearly everyone gets it right (more than ${TOO_EASY}%)`,
  too_hard: `Nearly everyone gets it wrong (under ${TOO_HARD}%)`,
};

export function weakReasons(i: Pick<Item, 'weak' | 'weak_reasons'>): WeakReason[] {
  return i.weak ? i.weak_reasons : [];
}

export interface ItemRow {
  item: Item;
  reasons: WeakReason[];
  /** Too few responses to judge. */
  thin: boolean;
}

/** Rows for the table: weak questions first (most reasons first), then by bank and slug. */
export function itemRows(items: readonly Item[], onlyWeak: boolean): ItemRow[] {
  return items
    .map((item) => ({ item, reasons: weakReasons(item), thin: item.answered < MIN_RESPONSES }))
    .filter((r) => !onlyWeak || r.reasons.length > 0)
    .sort(
      (a, b) =>
        b.reasons.length - a.reasons.length ||
        a.item.bank.localeCompare(b.item.bank) ||
        a.item.slug.localeCompare(b.item.slug),
    );
}
