// The quizzes API, typed from docs/api-quizzes.md (the contract the server is built to). When
// that server side is merged and docs/openapi.json describes it, these can move to the
// generated types.

export type QuizStatus = 'available' | 'open' | 'locked' | 'cooldown' | 'exhausted';
export type ReviewPolicy = 'after_submit' | 'after_pass' | 'after_attempts_used';

export interface AttemptSummary {
  id: string;
  number: number;
  state: 'open' | 'submitted';
  started_at: string;
  submitted_at: string | null;
  percent: number | null;
  passed: boolean | null;
}

export interface QuizInfo {
  slug: string;
  title: string;
  module: string | null;
  final: boolean;
  required: boolean;
  pass_percent: number;
  question_count: number;
  time_limit_minutes: number;
  max_attempts: number;
  cooldown_minutes: number;
  review: ReviewPolicy;
  scoring: string;
  status: QuizStatus;
  locked_reason: string | null;
  available_at: string | null;
  attempts_used: number;
  attempts_left: number | null;
  best_percent: number | null;
  passed: boolean;
  open_attempt: string | null;
  attempts: AttemptSummary[];
}

export interface Choice { key: string; html: string }
export interface TextItem { key: string; text: string }

export type Question =
  | { key: string; type: 'single'; prompt_html: string; choices: Choice[] }
  | { key: string; type: 'multiple'; prompt_html: string; choices: Choice[] }
  | { key: string; type: 'true_false'; prompt_html: string }
  | { key: string; type: 'matching'; prompt_html: string; left: TextItem[]; right: TextItem[] }
  | { key: string; type: 'ordering'; prompt_html: string; items: TextItem[] }
  | { key: string; type: 'numeric'; prompt_html: string; unit: string | null };

export type QuestionType = Question['type'];

export type Answer =
  | { choice: string }
  | { choices: string[] }
  | { value: boolean }
  | { pairs: Record<string, string> }
  | { order: string[] }
  | { value: number };

export type Answers = Record<string, Answer>;

export interface QuestionResult {
  key: string;
  credit: number;
  correct: boolean;
  answer?: Answer | null;
  correct_answer?: Answer | null;
  explanation_html?: string | null;
}

export interface AttemptResult {
  score: number;
  max_score: number;
  percent: number;
  passed: boolean;
  submitted_at: string;
  late: boolean;
  review_available: boolean;
  review_unavailable_reason: string | null;
  questions: QuestionResult[];
}

export interface Attempt {
  id: string;
  enrolment_id: string;
  quiz: { slug: string; title: string; pass_percent: number; review: ReviewPolicy };
  number: number;
  state: 'open' | 'submitted';
  started_at: string;
  deadline: string | null;
  seconds_left: number | null;
  server_time: string;
  questions: Question[];
  answers: Answers;
  saved_at: string | null;
  result: AttemptResult | null;
}

export interface SaveResult {
  saved: number;
  saved_at: string;
  deadline: string | null;
  seconds_left: number | null;
}
