// Which quiz questions are weak: a discrimination under 0.2 (strong and weak learners answer it
// alike), or nearly everyone right (too easy) or wrong (too hard). The server flags them
// (`weak`, `weak_reasons`, in the contract); until its answer carries the flags, the same rule
// is applied here to the statistics it already sends.
import type { ItemWeakness, WeakReason } from './contract';
import type { ItemStats } from './types';

export const DISCRIMINATION_FLOOR = 0.2;
/** Percent correct at or above which a question is too easy, at or below which too hard. */
export const TOO_EASY = 95;
export const TOO_HARD = 5;
/** Fewer graded responses than this say nothing yet (the server's floor for discrimination). */
export const MIN_RESPONSES = 10;

export type Item = Omit<ItemStats, 'weak' | 'weak_reasons'> & ItemWeakness;

export const WEAK_LABEL: Record<WeakReason, string> = {
  low_discrimination: 'Does not tell strong from weak learners (discrimination under 0.2)',
  too_easy: `Nearly everyone gets it right (${TOO_EASY}% or more)`,
  too_hard: `Nearly everyone gets it wrong (${TOO_HARD}% or less)`,
};

export function weakReasons(i: Item): WeakReason[] {
  if (i.weak_reasons !== undefined) return i.weak ? i.weak_reasons : [];
  const out: WeakReason[] = [];
  if (i.discrimination !== null && i.discrimination !== undefined && i.discrimination < DISCRIMINATION_FLOOR) out.push('low_discrimination');
  const pc = i.percent_correct;
  if (pc !== null && pc !== undefined && i.answered >= MIN_RESPONSES) {
    if (pc >= TOO_EASY) out.push('too_easy');
    else if (pc <= TOO_HARD) out.push('too_hard');
  }
  return out;
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
