// Names for the generated OpenAPI types (schema.d.ts, from docs/openapi.json). Everything here
// is an alias of a generated type, except two kinds of shape the OpenAPI document leaves open:
// the course outline (a free-form object there) and the quiz questions and answers (see
// "Narrowings" below).
import type { components } from './schema';

type S = components['schemas'];
export type ErrorCode = S['ErrorCode'];
export type ErrorEnvelope = S['ErrorEnvelope'];
export type Role = S['Role'];
export type User = S['User'];
export type Session = S['Session'];
export type CourseSummary = S['CourseSummary'];
export type CoursePage = S['CoursePage'];
export type Dashboard = S['Dashboard'];
export type DashboardEntry = S['DashboardEntry'];
export type Enrolment = S['Enrolment'];
export type EnrolmentDetail = S['EnrolmentDetail'];
export type ModuleProgress = S['ModuleProgress'];
export type LessonProgressView = S['LessonProgressView'];
export type LessonRef = S['LessonRef'];
export type LessonView = S['LessonView'];
export type PreviewView = S['PreviewView'];
export type QuizState = S['QuizState'];
export type CompletionView = S['CompletionView'];
export type CompletionResult = S['CompletionResult'];
export type EnrolmentReadiness = S['EnrolmentReadiness'];
export type ExamReadiness = S['ExamReadiness'];
export type DomainReadiness = S['DomainReadiness'];
export type RegisterRequest = S['RegisterRequest'];
export type LoginRequest = S['LoginRequest'];
export type UpdateMeRequest = S['UpdateMeRequest'];
export type ChangePasswordRequest = S['ChangePasswordRequest'];
export type HeartbeatRequest = S['HeartbeatRequest'];
export type AcceptInvitationRequest = S['AcceptInvitationRequest'];

// Certificates.
export type Certificate = S['Certificate'];
export type CertificateStatus = S['Status'];
export type CertificateLinks = S['CertificateLinks'];
export type ExternshipFacts = S['ExternshipFacts'];
export type Verification = S['Verification'];

// Quizzes.
export type QuizInfo = S['QuizView'];
export type AttemptSummary = S['AttemptSummary'];
export type SaveResult = S['SaveResult'];
export type Choice = S['ChoiceView'];
export type TextItem = S['ItemView'];

// ---- Narrowings --------------------------------------------------------------------------
// The one place where the app's types say more than the OpenAPI document. The server describes
// a question as one flat object whose `type` is a string (the arrays that apply are set, the
// others null), and answers as free-form objects; their shapes are in the schemas'
// descriptions and docs/api-quizzes.md. Each narrowing replaces fields of a generated type
// (`Narrow` refuses a field the generated type does not have), and `Question` must stay
// assignable to the generated `QuestionView`, so a renamed or retyped field fails the typecheck.

/** `T` with the fields of `N` replaced; every field of `N` must exist in `T`. */
type Narrow<T, N extends { [K in keyof N]: K extends keyof T ? unknown : never }> = Omit<T, keyof N> & N;

type QuestionBase = Pick<S['QuestionView'], 'key' | 'prompt_html'>;
export type Question =
  | (QuestionBase & { type: 'single'; choices: Choice[] })
  | (QuestionBase & { type: 'multiple'; choices: Choice[] })
  | (QuestionBase & { type: 'true_false' })
  | (QuestionBase & { type: 'matching'; left: TextItem[]; right: TextItem[] })
  | (QuestionBase & { type: 'ordering'; items: TextItem[] })
  | (QuestionBase & { type: 'numeric'; unit?: string | null });
export type QuestionType = Question['type'];
type Assert<T extends true> = T;
export type QuestionFitsTheSchema = Assert<Question extends S['QuestionView'] ? true : false>;

/** An answer, by question type: single, multiple, true/false, matching, ordering, numeric. */
export type Answer =
  | { choice: string }
  | { choices: string[] }
  | { value: boolean }
  | { pairs: Record<string, string> }
  | { order: string[] }
  | { value: number };
/** Question key -> answer. */
export type Answers = Record<string, Answer>;

export type QuestionResult = Narrow<S['QuestionResult'], { answer?: Answer | null; correct_answer?: Answer | null }>;
export type AttemptResult = Narrow<S['ResultView'], { questions: QuestionResult[] }>;
export type Attempt = Narrow<S['AttemptView'], { questions: Question[]; answers: Answers; result?: AttemptResult | null }>;

/** A quiz as the public outline describes it (`GET /api/v1/courses/{slug}`). */
export interface OutlineQuiz {
  slug: string;
  title: string;
  final: boolean;
  required: boolean;
  requires_other_requirements: boolean;
  pass_percent: number;
  max_attempts: number;
  time_limit_minutes: number;
  cooldown_minutes: number;
  review: string;
  question_count: number;
}

export interface OutlineLesson {
  slug: string;
  title: string;
  estimated_minutes: number;
  free_preview: boolean;
}

export interface OutlineModule {
  slug: string;
  title: string;
  summary: string;
  lessons: OutlineLesson[];
  quiz: OutlineQuiz | null;
}

export interface CourseOutline {
  slug: string;
  title: string;
  summary: string;
  description_html: string;
  level: string;
  estimated_hours: number;
  contact_hours: number;
  sequential: boolean;
  access_days: number;
  /** How long the course's certificates stay valid, in whole months (1-600); null: they do not expire. */
  certificate_validity_months: number | null;
  version: number;
  module_count: number;
  lesson_count: number;
  modules: OutlineModule[];
  quizzes: OutlineQuiz[];
  completion: { all_lessons: boolean; required_quizzes: string[]; externship: boolean };
  externship: {
    total_hours: number;
    departments: { slug: string; name: string; min_hours: number }[];
    procedures: { slug: string; name: string; min_count: number }[];
    min_total_procedures: number | null;
    notes_html: string | null;
    /** The most hours a learner may log on one day. */
    max_hours_per_day: number;
    /** Skills the site supervisor observes, each a number of satisfactory times. */
    competencies: OutlineCompetency[];
    /** Certifying bodies' published thresholds: readiness information, not requirements. */
    certifications: OutlineCertification[];
  } | null;
}

export interface OutlineCompetency {
  slug: string;
  name: string;
  description: string | null;
  observations: number;
}

export interface OutlineCertification {
  slug: string;
  name: string;
  body: string;
  source: string;
  source_title: string;
  clinical_hours: number | null;
  procedures: { slug: string; min_count: number }[];
  min_total_procedures: number | null;
  note: string | null;
}
