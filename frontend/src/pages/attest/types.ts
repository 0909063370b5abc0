// Names for the generated OpenAPI types the supervisor's page and the admin screens use (kept
// beside these pages rather than in api/types.ts, so the externship screens built in parallel
// do not edit the same lines; they can move there once merged).
import type { components } from '../../api/schema';

type S = components['schemas'];
export type SupervisorPage = S['SupervisorPage'];
export type Entry = S['Entry'];
export type EntryState = S['EntryState'];
export type Department = S['Department'];
export type Competency = S['Competency'];
export type RatingView = S['RatingView'];
export type Rating = S['Rating'];
export type Decision = S['Decision'];
export type EntryDecision = S['EntryDecision'];
export type CompetencyRating = S['CompetencyRating'];
export type AttestationDecision = S['AttestationDecision'];
export type CollectionType = S['CollectionType'];
export type CollectionMethod = S['CollectionMethod'];
export type AgeGroup = S['AgeGroup'];

/**
 * The most characters of a reason or comment (the server's `MAX_TEXT` in
 * src/externship/input.rs; the OpenAPI document does not state it yet).
 */
export const MAX_TEXT = 500;
/** The most characters of a typed signature (src/externship/attest.rs `check_body`). */
export const MAX_SIGNATURE = 200;
