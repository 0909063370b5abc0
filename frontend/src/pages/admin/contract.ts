// HAND-WRITTEN TYPES, REPLACED BY GENERATED ONES AT MERGE.
//
// The admin routes of issue 14 (cohorts, codes, members, bulk import, invitation accept,
// dashboard, charts, outcomes, exports, audit, the item statistics' weakness flags) are built in
// other branches to the shared contract (contract-admin-api.md) and are not in
// docs/openapi.json yet. This file mirrors that contract field for field, and nothing else in
// the web app declares these shapes: when the routes land, each type below becomes an alias of
// the generated `components['schemas'][...]` (as ./types.ts does for the routes already there)
// and the typecheck shows any field the server names differently.
//
// Dates are `YYYY-MM-DD` strings, datetimes RFC 3339 strings, IDs UUID strings.

/** The list shape every paged admin route answers with (`http::paging::Paging`). */
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

export interface PersonRef {
  id: string;
  name: string;
  email: string;
}

// ---- Cohorts ---------------------------------------------------------------------------------

export type CohortStatusFilter = 'active' | 'archived' | 'all';

export interface Cohort {
  id: string;
  course: { slug: string; title: string };
  name: string;
  starts_on: string;
  target_on: string | null;
  capacity: number | null;
  archived_at: string | null;
  created_at: string;
  staff: PersonRef[];
  members: { active: number; completed: number; withdrawn: number; total: number };
}

/** `POST /admin/cohorts` (admin only). */
export interface NewCohortBody {
  course: string;
  name: string;
  starts_on: string;
  target_on?: string | null;
  capacity?: number | null;
  staff?: string[];
}

/** `PATCH /admin/cohorts/{id}` (admin only): any of these. */
export interface CohortPatch {
  name?: string;
  starts_on?: string;
  target_on?: string | null;
  capacity?: number | null;
  staff?: string[];
}

export type CodeStatus = 'active' | 'expired' | 'used_up' | 'disabled';

export interface Code {
  id: string;
  cohort_id: string;
  code: string;
  max_uses: number | null;
  uses: number;
  expires_at: string | null;
  disabled_at: string | null;
  created_at: string;
  status: CodeStatus;
}

/** `POST /admin/cohorts/{id}/codes`: without `code`, the server generates a readable one. */
export interface NewCodeBody {
  code?: string;
  max_uses?: number | null;
  expires_at?: string | null;
}

/** `PATCH /admin/codes/{id}`. */
export interface CodePatch {
  disabled?: boolean;
  max_uses?: number | null;
  expires_at?: string | null;
}

export type MemberState = 'active' | 'completed' | 'withdrawn' | 'expired';

export interface Member {
  enrolment_id: string;
  user: PersonRef;
  state: MemberState;
  started_at: string;
  access_expires_at: string | null;
  completed_at: string | null;
  withdrawn_at: string | null;
}

// ---- Bulk enrolment ----------------------------------------------------------------------------

export type ImportOutcome =
  | 'invited'
  | 'enrolled'
  | 'already_enrolled'
  | 'invalid_email'
  | 'invalid_name'
  | 'duplicate_row'
  | 'capacity_exceeded'
  | 'unknown_cohort';

export interface ImportRow {
  line: number;
  email: string;
  name: string;
  cohort: string | null;
  outcome: ImportOutcome;
  reason: string | null;
}

export interface ImportReport {
  dry_run: boolean;
  applied: boolean;
  summary: { rows: number; invited: number; enrolled: number; already_enrolled: number; rejected: number };
  rows: ImportRow[];
}

/** `POST /auth/invitation/accept`; answers like login (a `Session`, in the generated types). */
export interface AcceptInvitationBody {
  token: string;
  password: string;
}

// ---- Dashboard, charts, outcomes ---------------------------------------------------------------

export type DashboardSort = 'risk' | 'name' | 'progress' | 'last_activity';
export type SortOrder = 'asc' | 'desc';
export type RiskKind = 'inactive' | 'behind_schedule' | 'quiz_failed_twice' | 'attestation_waiting';

export interface ModuleRef {
  slug: string;
  title: string;
  position: number;
}

export interface Learner {
  enrolment_id: string;
  user: PersonRef;
  state: MemberState;
  percent_complete: number;
  lessons_completed: number;
  last_activity_at: string | null;
  module_reached: ModuleRef | null;
  quizzes: { slug: string; title: string; best_score: number | null; attempts: number; passed: boolean }[];
  externship: {
    hours: number;
    hours_required: number;
    collections: number;
    collections_required: number;
    pending_attestations: number;
  } | null;
  certificate: { id: string; serial: string; status: string } | null;
  risks: { kind: RiskKind; reason: string }[];
}

export interface CohortDashboard extends Paged<Learner> {
  cohort: { id: string; name: string; starts_on: string; target_on: string | null; lessons_total: number };
}

export interface CohortCharts {
  completion: { date: string; completed: number; expected: number }[];
  funnel: { module: ModuleRef; reached: number }[];
  scores: { quiz: { slug: string; title: string }; buckets: { from: number; to: number; count: number }[] }[];
}

/** Rates are 0..1, or null when there is nothing to divide. */
export interface CohortOutcomes {
  enrolled: number;
  completed: number;
  completion_rate: number | null;
  median_days_to_complete: number | null;
  final_exam_first_attempt_pass_rate: number | null;
  externship_completion_rate: number | null;
}

export type ExportKind = 'progress' | 'attempts' | 'externship' | 'certificates';

// ---- Audit -------------------------------------------------------------------------------------

export interface AuditEvent {
  id: string;
  occurred_at: string;
  actor: { kind: string; id: string | null; name: string | null };
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  request_id: string | null;
  client_addr: string | null;
  details: unknown;
}

// ---- Item statistics ---------------------------------------------------------------------------

export type WeakReason = 'low_discrimination' | 'too_easy' | 'too_hard';

/** What the contract adds to each question of `GET /admin/courses/{slug}/questions/stats`. */
export interface ItemWeakness {
  weak?: boolean;
  weak_reasons?: WeakReason[];
}

// ---- Error codes the contract adds (not in the generated ErrorCode enum yet) -------------------

export type ContractErrorCode =
  | 'capacity_below_members'
  | 'code_taken'
  | 'cohort_course_mismatch'
  | 'csv_too_many_rows'
  | 'csv_header'
  | 'csv_encoding'
  | 'csv_malformed'
  | 'import_rejected';

/** Sentences for them, until they join SERVER_MESSAGES in api/errors.ts with the generated enum. */
export const CONTRACT_MESSAGES: Record<ContractErrorCode, string> = {
  capacity_below_members: 'The capacity cannot be lower than the number of learners already active in the cohort.',
  code_taken: 'This code is already in use. Choose another, or leave it empty to have one generated.',
  cohort_course_mismatch: 'A learner can only move to a cohort of the same course.',
  csv_too_many_rows: 'The file has too many rows for one upload. Split it into smaller files.',
  csv_header: 'The first line of the file must name the columns: email, name (and optionally cohort).',
  csv_encoding: 'The file is not saved as UTF-8 text. Save it as “CSV UTF-8” and upload it again.',
  csv_malformed: 'The file is not valid CSV. Check the line named below (often a quote left open).',
  import_rejected: 'Nothing was imported: some rows were refused. Fix them and upload the file again.',
};
