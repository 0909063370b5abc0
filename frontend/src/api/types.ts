// Names for the generated OpenAPI types (schema.d.ts, from docs/openapi.json), and the shapes
// the OpenAPI document leaves open (the course outline is a free-form object there).
import type { components } from './schema';

type S = components['schemas'];
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
export type ErrorEnvelope = S['ErrorEnvelope'];
export type RegisterRequest = S['RegisterRequest'];
export type LoginRequest = S['LoginRequest'];
export type UpdateMeRequest = S['UpdateMeRequest'];
export type ChangePasswordRequest = S['ChangePasswordRequest'];

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
    min_total_procedures: number;
    notes_html: string;
  } | null;
}
