//! Validated course content, ready to import. Built by [`super::load`] from the files.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct CourseModel {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description_html: String,
    pub level: String,
    pub estimated_hours: i32,
    pub contact_hours: f64,
    pub sequential: bool,
    pub access_days: i32,
    /// How long its certificates stay valid; `None`: they do not expire.
    pub certificate_validity_months: Option<i32>,
    pub published: bool,
    pub completion_all_lessons: bool,
    pub completion_externship: bool,
    pub modules: Vec<ModuleModel>,
    /// Course-level and module quizzes.
    pub quizzes: Vec<QuizModel>,
    pub externship: Option<ExternshipModel>,
    /// The certification exams' content outlines the course prepares for (`[[exams]]`).
    pub exams: Vec<ExamModel>,
    pub assets: Vec<AssetModel>,
    /// SHA-256 of every source file of the course (paths and bytes).
    pub content_hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleModel {
    pub slug: String,
    pub position: i32,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<LessonModel>,
    pub bank: Option<BankModel>,
    pub content_hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonModel {
    pub slug: String,
    pub position: i32,
    pub title: String,
    pub estimated_minutes: i32,
    pub objectives: Vec<String>,
    pub free_preview: bool,
    pub body_html: String,
    pub content_hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BankModel {
    pub slug: String,
    pub questions: Vec<QuestionModel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionModel {
    pub slug: String,
    pub position: i32,
    pub kind: String,
    pub prompt_html: String,
    pub explanation_html: String,
    pub shuffle: bool,
    /// The kind's data, e.g. `{"choices": [{"html": "...", "correct": true}, ...]}`.
    pub spec: Value,
    /// A safety item: always drawn, and an attempt that gets it wrong does not pass.
    pub must_pass: bool,
    /// The lesson section to review when it is got wrong (required when `must_pass`).
    pub review: Option<ReviewModel>,
    /// The exam domains it covers, each `<exam-slug>:<domain-slug>` of the course's outlines.
    pub domains: Vec<String>,
    pub content_hash: String,
    /// Where the question is written (file and line), for problems found once the course's
    /// outlines are known.
    #[serde(skip)]
    pub source: (std::path::PathBuf, usize),
}

/// A lesson section of the same course a question sends the learner back to.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewModel {
    pub lesson: String,
    /// The heading's `id` in the rendered lesson.
    pub anchor: String,
    /// The web app's URL of the section: `/courses/<course>/lessons/<lesson>#<anchor>`.
    pub href: String,
    /// "<lesson title>: <heading text>", filled in once the lessons are read.
    pub label: String,
    /// Where `review` is written, for problems found once the lessons are read.
    #[serde(skip)]
    pub file: std::path::PathBuf,
    #[serde(skip)]
    pub line: usize,
}

/// A certification exam's published content outline.
#[derive(Debug, Clone, Serialize)]
pub struct ExamModel {
    pub slug: String,
    /// e.g. "NHA Certified Phlebotomy Technician (CPT)". Plain text.
    pub name: String,
    /// The certifying body, short: "NHA". Plain text.
    pub body: String,
    /// An https URL of the outline (the body's own, where it can be found).
    pub source: String,
    pub source_title: String,
    /// The outline's edition or date, when known.
    pub edition: Option<String>,
    /// Plain text: where the domain names and weights come from, what is not published.
    pub note: Option<String>,
    pub domains: Vec<DomainModel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainModel {
    pub slug: String,
    pub title: String,
    /// Percent of the exam's items, `(low, high)` (equal for a single figure); `None`: no
    /// weight is published (or none could be confirmed in the body's own document).
    pub weight: Option<(i32, i32)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuizModel {
    pub slug: String,
    /// The module the quiz belongs to (`None`: course-level, such as the final exam).
    pub module_slug: Option<String>,
    pub title: String,
    pub is_final: bool,
    pub required: bool,
    pub requires_other_requirements: bool,
    pub pass_percent: i32,
    pub max_attempts: i32,
    pub time_limit_minutes: i32,
    pub cooldown_minutes: i32,
    pub review: String,
    pub draw: Vec<Draw>,
    pub content_hash: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Draw {
    pub bank: String,
    pub count: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternshipModel {
    pub total_hours: f64,
    /// The most hours a learner may log on one day (default 12).
    pub max_hours_per_day: f64,
    pub departments: Vec<Requirement>,
    /// Slugs are collection types Benchside logs: [`PROCEDURE_TYPES`].
    pub procedures: Vec<Requirement>,
    pub min_total_procedures: Option<i32>,
    pub notes_html: Option<String>,
    /// Skills a supervisor observes, each a number of satisfactory times.
    pub competencies: Vec<CompetencyModel>,
    /// Certifying bodies' published thresholds: readiness information beside the course, not
    /// completion requirements.
    pub certifications: Vec<CertificationModel>,
}

/// The collection types Benchside logs; an externship's procedure slugs are among them.
pub const PROCEDURE_TYPES: [&str; 3] = ["venipuncture", "skin-puncture", "arterial"];

/// The daily cap when a course sets none.
pub const DEFAULT_MAX_HOURS_PER_DAY: f64 = 12.0;

#[derive(Debug, Clone, Serialize)]
pub struct CompetencyModel {
    pub slug: String,
    /// Plain text.
    pub name: String,
    /// Plain text.
    pub description: Option<String>,
    /// Satisfactory supervisor observations needed (1 to 50).
    pub observations: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificationModel {
    pub slug: String,
    /// e.g. "NHA Certified Phlebotomy Technician (CPT)".
    pub name: String,
    /// The certifying body, short: "NHA".
    pub body: String,
    /// An https URL of the primary source.
    pub source: String,
    pub source_title: String,
    pub clinical_hours: Option<f64>,
    /// Minimum counts by procedure type (each among the course's procedures).
    pub procedures: Vec<CountThreshold>,
    /// Successful unaided collections of the course's procedure types together.
    pub min_total_procedures: Option<i32>,
    /// Plain text.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountThreshold {
    pub slug: String,
    pub min_count: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub slug: String,
    pub name: String,
    /// Hours (departments) or a count (procedures).
    pub minimum: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssetModel {
    /// `<module-slug>/images/<file>`.
    pub path: String,
    pub content_type: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub sha256: String,
}
