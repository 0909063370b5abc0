// What an attestation link shows: the form (pending), the recorded decision, or why it cannot
// be used; and, once decided, what was attested, rejected and rated. Pure.
import { ApiError } from '../../api/errors';
import { ratingLabel } from './form';
import type { Entry, Rating, SupervisorPage } from './types';

export type LinkView = 'form' | 'decided' | 'expired' | 'replaced';
export type LoadProblem = 'missing' | 'unknown' | 'rate_limited' | 'offline' | 'other';

export function viewOf(page: SupervisorPage): LinkView {
  if (page.status === 'decided') return 'decided';
  if (page.status === 'voided' || page.link_replaced) return 'replaced';
  if (page.status === 'expired') return 'expired';
  return 'form';
}

export function problemOf(err: unknown): LoadProblem {
  if (!(err instanceof ApiError)) return 'other';
  if (err.status === 404) return 'unknown';
  if (err.is('rate_limited')) return 'rate_limited';
  if (err.is('network')) return 'offline';
  return 'other';
}

export interface RatingLine {
  slug: string;
  name: string;
  rating: Rating;
  label: string;
  comment: string | null;
}

export interface Outcome {
  /** Entries the supervisor attested (whatever the program did with them since). */
  attested: Entry[];
  rejected: Entry[];
  ratings: RatingLine[];
}

/** States an entry can have once the supervisor attested it. */
const ATTESTED = new Set<Entry['state']>(['attested', 'approved', 'returned']);

export function outcomeOf(page: SupervisorPage): Outcome {
  const names = new Map(page.competencies.map((c) => [c.slug, c.name]));
  return {
    attested: page.entries.filter((e) => ATTESTED.has(e.state)),
    rejected: page.entries.filter((e) => e.state === 'rejected'),
    ratings: page.ratings.map((r) => ({
      slug: r.competency,
      name: names.get(r.competency) ?? r.competency,
      rating: r.rating,
      label: ratingLabel(r.rating),
      comment: r.comment?.trim() || null,
    })),
  };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
