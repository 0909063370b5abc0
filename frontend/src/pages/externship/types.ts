// The externship API's shapes, as aliases of the generated OpenAPI types (docs/openapi.json,
// tag `externship`), and the paths of the learner's routes.
import type { components } from '../../api/schema';

type S = components['schemas'];
export type Overview = S['Overview'];
export type Placement = S['Placement'];
export type Department = S['Department'];
export type Entry = S['Entry'];
export type EntryState = S['EntryState'];
export type EntryKind = S['EntryKind'];
export type ShiftPart = S['ShiftPart'];
export type CollectionPart = S['CollectionPart'];
export type CollectionType = S['CollectionType'];
export type CollectionMethod = S['CollectionMethod'];
export type AgeGroup = S['AgeGroup'];
export type ShiftFields = S['ShiftFields'];
export type CollectionFields = S['CollectionFields'];
export type NewShift = S['NewShift'];
export type NewCollections = S['NewCollections'];
export type Collections = S['Collections'];
export type EntryFields = S['EntryFields'];
export type Amendment = S['Amendment'];
export type Submission = S['Submission'];
export type Attestation = S['Attestation'];
export type AttestationStatus = S['AttestationStatus'];
export type Summary = S['Summary'];
export type Measure = S['Measure'];
export type Readiness = S['Readiness'];

/** The learner's externship routes of enrolment `id`. */
export function externshipPaths(id: string) {
  const base = `/api/v1/enrolments/${encodeURIComponent(id)}/externship`;
  return {
    base,
    overview: base,
    entries: `${base}/entries`,
    entry: (entry: string) => `${base}/entries/${encodeURIComponent(entry)}`,
    amendments: (entry: string) => `${base}/entries/${encodeURIComponent(entry)}/amendments`,
    shifts: `${base}/shifts`,
    collections: `${base}/collections`,
    submissions: `${base}/submissions`,
    attestations: `${base}/attestations`,
    resend: (request: string) => `${base}/attestations/${encodeURIComponent(request)}/resend`,
    summary: `${base}/summary`,
    csv: (scope: 'approved' | 'all') => `${base}/export.csv?scope=${scope}`,
    pdf: `${base}/logbook.pdf`,
  };
}
export type ExternshipPaths = ReturnType<typeof externshipPaths>;
