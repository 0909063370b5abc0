// Errors as people read them. Every failure the client sees becomes an ApiError whose
// `message` is a sentence for the learner, never a bare code or a blank.

export const MESSAGES: Record<string, string> = {
  network: 'Benchside could not be reached. Check your connection and try again.',
  session_expired: 'Your session has ended. Please sign in again.',
  unauthenticated: 'Please sign in to continue.',
  invalid_token: 'Your session has ended. Please sign in again.',
  token_expired: 'This link has expired. Ask for a new one.',
  token_used: 'This link has already been used.',
  session_revoked: 'Your session was ended (for example after a password change). Please sign in again.',
  invalid_credentials: 'That email address and password do not match an account.',
  email_not_verified:
    'Please confirm your email address first: open the link we sent you. You can ask for a new link below.',
  account_disabled: 'This account is disabled. Contact your program coordinator.',
  email_taken: 'An account already uses this email address. Sign in, or reset your password.',
  invalid_email: 'Enter a valid email address, like name@example.org.',
  invalid_name: 'Enter your name (1 to 200 characters).',
  password_too_short: 'Use at least 10 characters for your password.',
  password_too_long: 'That password is too long.',
  password_too_common: 'That password is too common. Choose one that is harder to guess.',
  wrong_password: 'Your current password is not right.',
  nothing_to_change: 'Nothing was changed.',
  rate_limited: 'Too many tries. Please wait a minute and try again.',
  server_busy: 'Benchside is busy right now. Please try again in a moment.',
  database_unavailable: 'Benchside is having trouble right now. Please try again in a moment.',
  database_timeout: 'That took too long. Please try again.',
  internal_error: 'Something went wrong on our side. Please try again; if it keeps happening, contact support.',
  not_found: 'We could not find that page.',
  forbidden: 'You do not have access to this.',
  code_not_found: 'That enrolment code was not recognised. Check it and try again.',
  code_expired: 'That enrolment code has expired. Ask your program coordinator for a new one.',
  code_used_up: 'That enrolment code has been used up. Ask your program coordinator for a new one.',
  enrolment_inactive: 'This enrolment is not active. Ask your program coordinator to re-activate it.',
  lesson_locked: 'This lesson is locked until you finish the earlier modules.',
  quiz_locked: 'This quiz is locked for now.',
  attempts_exhausted: 'You have used every attempt at this quiz.',
  quiz_cooldown: 'You can try this quiz again later.',
  attempt_closed: 'This attempt is closed: it was submitted or its time ran out.',
  unknown_question: 'One answer did not belong to this attempt and was not saved.',
  invalid_answer: 'One answer could not be saved. Check it and try again.',
  invalid_body: 'Some details are missing or not valid.',
  invalid_input: 'Some details are not valid.',
  invalid_json: 'Something went wrong sending your request. Please try again.',
  invalid_query: 'That search could not be understood.',
  payload_too_large: 'That is too much text to send at once.',
};

/** Codes whose server message is more precise than our generic sentence. */
const PREFER_SERVER = new Set([
  'lesson_locked',
  'quiz_locked',
  'quiz_cooldown',
  'enrolment_inactive',
  'invalid_body',
  'invalid_answer',
  'password_too_short',
]);

export class ApiError extends Error {
  readonly status: number;
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
}

export function humanMessage(status: number, code: string, serverMessage: string | null): string {
  const server = serverMessage?.trim() || null;
  if (server && PREFER_SERVER.has(code)) return server;
  const known = MESSAGES[code];
  if (known) return known;
  if (server) return server;
  if (status >= 500) return MESSAGES.internal_error!;
  if (status === 404) return MESSAGES.not_found!;
  if (status === 403) return MESSAGES.forbidden!;
  return 'Something went wrong. Please try again.';
}

/** A sentence for any thrown value. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return MESSAGES.internal_error!;
}
