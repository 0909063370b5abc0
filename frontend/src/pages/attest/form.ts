// The supervisor's decision form as data: what is chosen for each entry and competency, the
// checks the browser runs before anything is sent (a reason to reject, no patient information,
// the lengths the server accepts, a typed signature), the request body, and where a server
// refusal belongs. Pure: the page renders it, the tests drive it.
import { ApiError } from '../../api/errors';
import { describePhi, findPhi } from '../../offline/phi';
import {
  MAX_SIGNATURE,
  MAX_TEXT,
  type AttestationDecision,
  type Decision,
  type Entry,
  type Rating,
  type SupervisorPage,
} from './types';

export interface EntryChoice {
  decision: Decision;
  reason: string;
}

export interface RatingChoice {
  rating: Rating | null;
  comment: string;
}

export interface DecisionForm {
  /** By entry ID: every entry still waiting on this request. */
  entries: Record<string, EntryChoice>;
  /** By competency slug. */
  ratings: Record<string, RatingChoice>;
  signature: string;
}

export const RATINGS: readonly { value: Rating; label: string }[] = [
  { value: 'satisfactory', label: 'Satisfactory' },
  { value: 'needs_improvement', label: 'Needs improvement' },
  { value: 'not_observed', label: 'Not observed' },
];

export function ratingLabel(r: Rating): string {
  return RATINGS.find((x) => x.value === r)?.label ?? r;
}

/** The entries the supervisor decides: the ones still out for attestation on this request. */
export function waitingEntries(page: SupervisorPage): Entry[] {
  return page.entries.filter((e) => e.state === 'submitted');
}

/** Every waiting entry attested, no competency rated, no signature. */
export function initialForm(page: SupervisorPage): DecisionForm {
  const entries: Record<string, EntryChoice> = {};
  for (const e of waitingEntries(page)) entries[e.id] = { decision: 'attest', reason: '' };
  const ratings: Record<string, RatingChoice> = {};
  for (const c of page.competencies) ratings[c.slug] = { rating: null, comment: '' };
  return { entries, ratings, signature: '' };
}

export function setEntry(form: DecisionForm, id: string, patch: Partial<EntryChoice>): DecisionForm {
  const current = form.entries[id];
  if (!current) return form;
  return { ...form, entries: { ...form.entries, [id]: { ...current, ...patch } } };
}

export function setRating(form: DecisionForm, slug: string, patch: Partial<RatingChoice>): DecisionForm {
  const current = form.ratings[slug] ?? { rating: null, comment: '' };
  return { ...form, ratings: { ...form.ratings, [slug]: { ...current, ...patch } } };
}

/** "Attest all": every entry attested again (typed reasons are kept, in case of a slip). */
export function attestAll(form: DecisionForm): DecisionForm {
  const entries: Record<string, EntryChoice> = {};
  for (const [id, c] of Object.entries(form.entries)) entries[id] = { ...c, decision: 'attest' };
  return { ...form, entries };
}

export function tally(form: DecisionForm): { attest: number; reject: number } {
  const all = Object.values(form.entries);
  const reject = all.filter((c) => c.decision === 'reject').length;
  return { attest: all.length - reject, reject };
}

// ---- Field IDs: the DOM IDs of the inputs, so an error can be focused and described. ----
export const reasonId = (entryId: string) => `reason-${entryId}`;
export const commentId = (slug: string) => `comment-${slug}`;
export const ratingId = (slug: string) => `rating-${slug}`;
export const SIGNATURE_ID = 'signature';

export interface FieldError {
  /** The DOM ID of the input (or group) it is about. */
  id: string;
  message: string;
}

/** Checks one free-text field as the server will (length, patient information). */
export function checkText(value: string, what: string): string | null {
  const v = value.trim();
  if (v.length > MAX_TEXT) return `Keep the ${what} to ${MAX_TEXT} characters or fewer (it has ${v.length}).`;
  const phi = findPhi(v);
  if (phi) return describePhi(phi);
  return null;
}

/** Every problem, in the order the fields appear on the page. Empty: ready to send. */
export function validate(form: DecisionForm, page: SupervisorPage): FieldError[] {
  const errors: FieldError[] = [];
  for (const e of waitingEntries(page)) {
    const c = form.entries[e.id];
    if (!c || c.decision !== 'reject') continue;
    const id = reasonId(e.id);
    if (!c.reason.trim()) {
      errors.push({ id, message: 'Give a reason for rejecting this entry, so the learner knows what to correct.' });
      continue;
    }
    const bad = checkText(c.reason, 'reason');
    if (bad) errors.push({ id, message: bad });
  }
  for (const comp of page.competencies) {
    const r = form.ratings[comp.slug];
    if (!r) continue;
    if (r.comment.trim() && !r.rating) {
      errors.push({ id: ratingId(comp.slug), message: 'Choose a rating to go with your comment, or clear the comment.' });
    }
    const bad = r.comment.trim() ? checkText(r.comment, 'comment') : null;
    if (bad) errors.push({ id: commentId(comp.slug), message: bad });
  }
  if (waitingEntries(page).length === 0 && !Object.values(form.ratings).some((r) => r.rating)) {
    errors.push({ id: ratingId(page.competencies[0]?.slug ?? ''), message: 'Rate at least one competency.' });
  }
  const sig = form.signature.trim();
  if (!sig) errors.push({ id: SIGNATURE_ID, message: 'Type your full name to sign your decision.' });
  else if (sig.length > MAX_SIGNATURE) {
    errors.push({ id: SIGNATURE_ID, message: `Your name can be at most ${MAX_SIGNATURE} characters.` });
  }
  return errors;
}

/** The request body: one decision per waiting entry (in page order) and the chosen ratings. */
export function toRequest(form: DecisionForm, page: SupervisorPage): AttestationDecision {
  const decisions = waitingEntries(page).map((e) => {
    const c = form.entries[e.id] ?? { decision: 'attest' as const, reason: '' };
    return c.decision === 'reject'
      ? { entry_id: e.id, decision: 'reject' as const, reason: c.reason.trim() }
      : { entry_id: e.id, decision: 'attest' as const };
  });
  const competencies = page.competencies.flatMap((comp) => {
    const r = form.ratings[comp.slug];
    if (!r?.rating) return [];
    const comment = r.comment.trim();
    return [{ competency: comp.slug, rating: r.rating, ...(comment ? { comment } : {}) }];
  });
  return { signature: form.signature.trim(), decisions, competencies };
}

/** What a refused decision means for the page. */
export type Refusal =
  | { kind: 'field'; error: FieldError }
  /** The link cannot be used: show what it now is (`reload`: read the page again). */
  | { kind: 'link'; state: 'used' | 'expired' | 'replaced' | 'unknown' }
  | { kind: 'general'; message: string; reload: boolean };

function fieldFor(form: DecisionForm, field: unknown, match: unknown): string | null {
  const m = typeof match === 'string' ? match : null;
  if (field === 'signature') return SIGNATURE_ID;
  if (field === 'reason') {
    const hit = Object.entries(form.entries).find(
      ([, c]) => c.decision === 'reject' && (m === null || c.reason.includes(m)),
    );
    return hit ? reasonId(hit[0]) : null;
  }
  if (field === 'comment') {
    const hit = Object.entries(form.ratings).find(([, r]) => r.rating && (m === null || r.comment.includes(m)));
    return hit ? commentId(hit[0]) : null;
  }
  return null;
}

export function refusalOf(err: unknown, form: DecisionForm): Refusal {
  if (!(err instanceof ApiError)) return { kind: 'general', message: 'Something went wrong. Please try again.', reload: false };
  if (err.is('attestation_used')) return { kind: 'link', state: 'used' };
  if (err.is('attestation_expired')) return { kind: 'link', state: 'expired' };
  if (err.is('attestation_voided')) return { kind: 'link', state: 'replaced' };
  if (err.status === 404) return { kind: 'link', state: 'unknown' };
  if (err.is('phi_suspected', 'invalid_input')) {
    const id = fieldFor(form, err.details.field, err.details.match);
    const message =
      err.is('phi_suspected') && typeof err.details.match === 'string'
        ? `“${err.details.match}” looks like patient information. Leave patients’ details out: describe what to correct instead.`
        : err.serverMessage || err.message;
    if (id) return { kind: 'field', error: { id, message } };
    return { kind: 'general', message, reload: false };
  }
  if (err.is('entry_not_in_request', 'unknown_competency')) {
    return {
      kind: 'general',
      message: 'This request changed since the page was opened, so nothing was recorded. Reload the page and decide again.',
      reload: true,
    };
  }
  if (err.is('rate_limited')) {
    return { kind: 'general', message: 'Too many tries from this connection in a short time. Wait a minute, then send again: your choices are kept.', reload: false };
  }
  return { kind: 'general', message: `${err.message} Your choices are kept.`, reload: false };
}
