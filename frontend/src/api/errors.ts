// Errors as people read them. Every failure the client sees becomes an ApiError whose
// `message` is a sentence for the learner, never a bare code or a blank.
//
// SERVER_MESSAGES has a sentence for every code in the server's ErrorCode enum (generated from
// docs/openapi.json into schema.d.ts), so a code added on the server fails the typecheck until
// it has one here; errors.test.ts also reads the enum from docs/openapi.json at test time, and
// checks every number a sentence states against the server's limits there. Sentences that state
// a limit take the number from rules.ts, never write it out.
import { NAME, NEW_PASSWORD } from './rules';
import type { ErrorCode } from './types';

/** Codes the client makes up itself; the server never sends them. */
export type ClientErrorCode = 'network' | 'session_expired';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

export const SERVER_MESSAGES: Record<ErrorCode, string> = {
  // generic (framework and HTTP)
  bad_request: 'Benchside could not understand that request. Please reload the page and try again.',
  unauthenticated: 'Please sign in to continue.',
  forbidden: 'Your account does not have access to this.',
  not_found: 'We could not find that. It may have been removed, or the link may be wrong.',
  method_not_allowed: 'Benchside could not do that from this page. Please reload the page and try again.',
  not_acceptable: 'Benchside could not answer that request. Please reload the page and try again.',
  request_timeout: 'Your request took too long to reach Benchside. Check your connection and try again.',
  length_required: 'Benchside could not read that request. Please reload the page and try again.',
  payload_too_large: 'That was too much to send at once. Please shorten it and try again.',
  uri_too_long: 'That web address is too long. Go back and try again.',
  unsupported_media_type: 'Benchside could not read that request. Please reload the page and try again.',
  rate_limited: 'Too many tries in a short time. Please wait a little and try again.',
  headers_too_large: 'Your browser sent more with this request than Benchside accepts. Please reload the page and try again.',
  service_unavailable: 'Benchside is not available right now. Please try again shortly.',
  internal_error: 'Something went wrong on our side. Please try again; if it keeps happening, contact support.',
  client_error: 'Benchside did not accept that request. Please reload the page and try again.',
  server_busy: 'Benchside is busy right now. Please try again in a moment.',
  database_unavailable: 'Benchside is having trouble right now. Please try again in a moment.',
  database_timeout: 'That took too long. Please try again in a moment.',
  invalid_json: 'Something went wrong sending your request. Please reload the page and try again.',
  invalid_body: 'Some details are missing or not valid. Check what you entered and try again.',
  invalid_query: 'That search could not be run. Try a shorter search, or start again from the first page.',
  invalid_input: 'Some of what you typed has characters Benchside cannot store. Remove them and try again.',
  // accounts and sessions
  invalid_token: 'This link is not valid. Open the newest link we emailed you, or ask for a new one.',
  token_expired: 'This link has expired. Ask for a new one.',
  token_used: 'This link has already been used. Ask for a new one if you still need it.',
  session_revoked: 'Your session was ended (for example after a password change). Please sign in again.',
  invalid_credentials: 'That email address and password do not match an account.',
  email_not_verified:
    'Please confirm your email address first: open the link we sent you. You can ask for a new link below.',
  account_disabled: 'This account is disabled. Contact your program coordinator.',
  email_taken: 'An account already uses this email address. Sign in, or reset your password.',
  invalid_email: 'Enter a valid email address, like name@example.org.',
  invalid_name: `Enter your name (${NAME.minLength} to ${NAME.maxLength} characters).`,
  password_too_short: `Use at least ${NEW_PASSWORD.minLength} characters for your password.`,
  password_too_long: `Use at most ${NEW_PASSWORD.maxLength} characters for your password.`,
  password_too_common: 'That password is too common or too easy to guess (like your email address). Choose another one.',
  password_required: 'Enter a password.',
  wrong_password: 'Your current password is not right. Check it and try again.',
  nothing_to_change: 'There is nothing to save: change something first.',
  cannot_change_own_account: 'You cannot change your own role or disable your own account. Ask another administrator.',
  invalid_refresh_token: 'Your session has ended. Please sign in again.',
  missing_refresh_token: 'Your session has ended. Please sign in again.',
  refresh_token_reused:
    'Your session was used from somewhere else, so it was ended to keep your account safe. Please sign in again.',
  // learning
  code_not_found: 'That enrolment code was not recognised. Check it with your program coordinator and try again.',
  code_expired: 'That enrolment code has expired. Ask your program coordinator for a new one.',
  code_used_up: 'That enrolment code has been used up. Ask your program coordinator for a new one.',
  enrolment_inactive: 'This enrolment is not active. Ask your program coordinator to re-activate it.',
  enrolment_completed: 'You have completed this course, so there is nothing to withdraw from.',
  enrolment_not_inactive: 'Only a withdrawn or expired enrolment can be re-activated.',
  lesson_locked: 'This lesson is locked until you finish the earlier modules.',
  invalid_heartbeat: 'Your time on this lesson could not be recorded just now. Reloading the page may help.',
  // quizzes
  quiz_locked: 'This quiz is locked for now.',
  attempts_exhausted: 'You have used every attempt at this quiz.',
  quiz_cooldown: 'You can try this quiz again later.',
  attempt_closed: 'This attempt is closed: it was submitted or its time ran out.',
  unknown_question: 'One answer did not belong to this attempt and was not saved.',
  invalid_answer: 'One answer could not be saved. Check it and try again.',
  // externship
  no_externship: 'This course has no clinical externship.',
  phi_suspected: 'That looks like patient information. Never record a patient\'s details in your log: remove it and try again.',
  shift_overlaps: 'This shift overlaps another shift in your log.',
  date_in_future: 'Log what has already happened: that date is in the future.',
  outside_placement: 'That date is outside your placement\'s dates.',
  daily_limit_exceeded: 'That is more hours than can be logged on one day.',
  too_many_collections: 'That is more attempts than the time allows. Check the count.',
  unknown_department: 'Choose one of your placement\'s departments.',
  collection_type_not_in_course: 'This course does not log that type of collection.',
  shift_mismatch: 'A collection must be on its shift\'s date and placement.',
  placement_cancelled: 'This placement was cancelled; nothing more can be logged at it.',
  client_id_reused: 'This entry clashes with one already sent. Discard it and log it again.',
  entry_locked: 'Only a draft can be changed. Send a correction (an amendment) instead.',
  entry_not_amendable: 'This entry cannot be corrected now: a draft is edited, and a sent one waits for your supervisor.',
  already_certified: 'This enrolment already has a certificate; reissue it instead.',
  enrolment_not_completed: 'Only a completed course earns a certificate.',
  certificate_revoked: 'This certificate has been revoked.',
  certificate_superseded: 'This certificate has been replaced by a newer one.',
  already_amended: 'This entry has already been corrected; correct the newer entry instead.',
  nothing_to_submit: 'There is nothing to send: log a shift or a collection first.',
  site_name_taken: 'A site with this name is already in the directory.',
  site_archived: 'This site is archived. Restore it before placing learners there.',
  attestation_used: 'This link has been used, and the decision it carried is recorded.',
  attestation_expired: 'This link has expired. The learner can send you a new one.',
  attestation_voided: 'This link was replaced by a newer one. Use the link in the latest email.',
  attestation_not_pending: 'This request has been answered or replaced already.',
  entry_not_in_request: 'Some entries are not on this request. Reload the page and try again.',
  unknown_competency: 'One competency is not part of this course. Reload the page and try again.',
  not_attested: 'Some entries are no longer waiting for review. Reload the list and try again.',
  key_not_found: 'This signing key is not published here. Check the address in the credential.',
  status_list_not_found: 'This revocation list does not exist. Check the address in the credential.',
  // cohorts and bulk enrolment (the admin area)
  unknown_course: 'There is no published course with that name. Choose one from the list.',
  target_before_start: 'The target date must be on or after the start date.',
  invalid_staff: 'Only staff or administrator accounts can own a cohort. Check the people chosen.',
  capacity_below_members: 'The capacity cannot be lower than the number of learners already in the cohort.',
  code_taken: 'This code is already in use. Choose another, or leave it empty to have one generated.',
  cohort_archived: 'This cohort is archived and takes no new learners. Restore it first.',
  cohort_full: 'This cohort is full. Raise its capacity or choose another cohort.',
  cohort_course_mismatch: 'A learner can only move to a cohort of the same course.',
  account_not_found: 'No account has this email address. Check it, or invite the learner with a bulk upload.',
  already_enrolled: 'This learner is already enrolled in the course.',
  csv_too_many_rows: 'The file has too many rows for one upload. Split it into smaller files.',
  csv_header: 'The first line of the file must name the columns: email, name (and optionally cohort).',
  csv_encoding: 'The file is not saved as Unicode text. Save it from your spreadsheet as a Unicode (UTF) CSV file and upload it again.',
  csv_malformed: 'The file is not valid CSV. Check the line named below (often a quote left open).',
  import_rejected: 'Nothing was imported: some rows were refused. Fix them and upload the file again.',
  import_stale: 'Nothing was imported: some addresses got an account while the file was being imported. Check the file again.',
};

/** Sentences for the codes the client makes up (`network`, `session_expired`). */
export const CLIENT_MESSAGES: Record<ClientErrorCode, string> = {
  network: 'Benchside could not be reached. Check your connection and try again.',
  session_expired: 'Your session has ended. Please sign in again.',
};

/** The app's sentence for a code, when it has one. */
export function sentenceFor(code: string): string | undefined {
  if (Object.hasOwn(SERVER_MESSAGES, code)) return SERVER_MESSAGES[code as ErrorCode];
  if (Object.hasOwn(CLIENT_MESSAGES, code)) return CLIENT_MESSAGES[code as ClientErrorCode];
  return undefined;
}

/** Codes whose server message is more precise than our sentence: it names the lesson, quiz, time, answer or line. */
const PREFER_SERVER = new Set<string>([
  'lesson_locked',
  'quiz_locked',
  'quiz_cooldown',
  'enrolment_inactive',
  'invalid_answer',
  'phi_suspected',
  'outside_placement',
  'daily_limit_exceeded',
  'too_many_collections',
  'unknown_department',
  // the bulk upload's file faults: the server names the line at fault
  'csv_header',
  'csv_encoding',
  'csv_malformed',
  'csv_too_many_rows',
] satisfies ErrorCode[]);

export class ApiError extends Error {
  readonly status: number;
  /** The server's code, a client code (`network`, `session_expired`) or `http_<status>`. */
  readonly code: string;
  readonly details: Record<string, unknown>;
  /** The server's own sentence, when there was one. */
  readonly serverMessage: string | null;

  constructor(status: number, code: string, serverMessage: string | null, details: Record<string, unknown> = {}) {
    super(humanMessage(status, code, serverMessage));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.serverMessage = serverMessage;
  }

  /** Whether the error has one of these codes (typed: a code the server drops fails the typecheck). */
  is(...codes: ApiErrorCode[]): boolean {
    return (codes as string[]).includes(this.code);
  }
}

export function humanMessage(status: number, code: string, serverMessage: string | null): string {
  const server = serverMessage?.trim() || null;
  if (server && PREFER_SERVER.has(code)) return server;
  const known = sentenceFor(code);
  if (known) return known;
  if (server) return server;
  if (status >= 500) return SERVER_MESSAGES.internal_error;
  if (status === 404) return SERVER_MESSAGES.not_found;
  if (status === 403) return SERVER_MESSAGES.forbidden;
  return 'Something went wrong. Please try again.';
}

/** A sentence for any thrown value. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return SERVER_MESSAGES.internal_error;
}
