// Names for the generated OpenAPI types (../../api/schema.d.ts, from docs/openapi.json) of the
// cohort admin routes: cohorts, codes, members, bulk import, dashboard, charts, outcomes,
// exports, audit and the item statistics' weakness flags. Every name here is an alias of a
// generated schema, or of a generated route's query parameter or path, so a field the server
// renames fails the typecheck. Nothing here is written by hand.
//
// Dates are `YYYY-MM-DD` strings, datetimes RFC 3339 strings, IDs UUID strings (the audit
// event's `id` is a number).
import type { components, operations, paths } from '../../api/schema';

type S = components['schemas'];
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type PersonRef = S['PersonRef'];

// ---- Cohorts ---------------------------------------------------------------------------------

export type Cohort = S['Cohort'];
export type CohortCourse = S['CohortCourse'];
export type CohortPage = S['CohortPage'];
/** Member counts by state, as a cohort carries them. */
export type Members = S['Members'];
/** Which cohorts the list shows (`GET /admin/cohorts?status=`). */
export type CohortStatusFilter = NonNullable<NonNullable<paths['/api/v1/admin/cohorts']['get']['parameters']['query']>['status']>;
/** `POST /admin/cohorts` (admin only). */
export type CreateCohort = S['CreateCohort'];
/** `PATCH /admin/cohorts/{id}` (admin only): any of these. */
export type UpdateCohort = S['UpdateCohort'];

export type CodeStatus = S['CodeStatus'];
export type Code = S['Code'];
export type CodeList = S['CodeList'];
/** `POST /admin/cohorts/{id}/codes`: without `code`, the server generates a readable one. */
export type CreateCode = S['CreateCode'];
/** `PATCH /admin/codes/{id}`. */
export type UpdateCode = S['UpdateCode'];

/** A member's effective state (`expired`: active past its access period). */
export type MemberState = S['EnrolmentState'];
export type Member = S['Member'];
export type MemberPage = S['MemberPage'];
export type AddMember = S['AddMember'];
export type MoveMember = S['MoveMember'];
export type WithdrawMember = S['WithdrawMember'];
export type ExtendMember = S['ExtendMember'];

// ---- Bulk enrolment ----------------------------------------------------------------------------

export type ImportOutcome = S['ImportOutcome'];
export type ImportReport = S['ImportReport'];
export type ImportSummary = S['ImportSummary'];
export type RowReport = S['RowReport'];

// ---- Dashboard, charts, outcomes ---------------------------------------------------------------

export type DashboardSort = NonNullable<Query<'dashboard'>['sort']>;
export type SortOrder = NonNullable<Query<'dashboard'>['order']>;
export type RiskKind = S['RiskKind'];
export type Risk = S['Risk'];
export type ModuleRef = S['ModuleRef'];
export type Learner = S['Learner'];
export type MemberExternship = S['MemberExternship'];
export type CohortDashboard = S['CohortDashboard'];
export type DashboardCohort = S['DashboardCohort'];
export type Charts = S['Charts'];
/** Rates are 0..1, or null when there is nothing to divide. */
export type Outcomes = S['Outcomes'];
/** `GET /admin/cohorts/{id}/readiness`: the members' mean percent correct per exam domain. */
export type CohortReadiness = S['CohortReadiness'];

/** The CSV exports of a cohort: `GET /admin/cohorts/{id}/exports/{kind}.csv`. */
export type ExportKind = keyof paths extends infer P ? (P extends `/api/v1/admin/cohorts/{id}/exports/${infer K}.csv` ? K : never) : never;

// ---- Audit -------------------------------------------------------------------------------------

export type AuditEvent = S['AuditEvent'];
export type AuditActor = S['AuditActor'];
export type AuditPage = S['AuditPage'];

// ---- Item statistics ---------------------------------------------------------------------------

export type WeakReason = S['WeakReason'];
