//! The learning views: the response types and how each is built from an enrolment's outline
//! and progress facts (pure; the routes in `handlers.rs` read, then call these).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::cache::{LessonContent, Raw};
use super::progress::{self, ExternshipRules, ExternshipStanding, Facts, Outline, OutlineQuiz};
use super::state::{EnrolmentState, QuizStanding};
use super::store::{CourseBrief, EnrolmentRow, LessonRow};
use crate::http::{AppError, AppResult};

/// An enrolment: a learner's place in one course.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Enrolment {
    pub id: Uuid,
    pub course_slug: String,
    pub course_title: String,
    /// The course content version at enrolment.
    pub course_version: i32,
    #[schema(required = true)]
    pub cohort_id: Option<Uuid>,
    /// An active enrolment past its access period reads `expired`.
    pub state: EnrolmentState,
    pub started_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    #[schema(required = true)]
    pub completed_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    /// Time on task reported by lesson heartbeats.
    pub time_spent_seconds: i64,
}

impl Enrolment {
    pub fn new(row: &EnrolmentRow, slug: &str, title: &str) -> Enrolment {
        Enrolment {
            id: row.id,
            course_slug: slug.to_string(),
            course_title: title.to_string(),
            course_version: row.course_version,
            cohort_id: row.cohort_id,
            state: row.effective_state(Utc::now()),
            started_at: row.started_at,
            access_expires_at: row.access_expires_at,
            completed_at: row.completed_at,
            withdrawn_at: row.withdrawn_at,
            last_activity_at: row.last_activity_at,
            time_spent_seconds: row.time_spent_seconds,
        }
    }
}

/// A lesson named in a progress view.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonRef {
    #[schema(value_type = String)]
    pub module: Raw,
    #[schema(value_type = String)]
    pub slug: Raw,
    #[schema(value_type = String)]
    pub title: Raw,
}

/// A required quiz and how the learner stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuizState {
    #[schema(value_type = String)]
    pub slug: Raw,
    #[schema(value_type = String)]
    pub title: Raw,
    pub state: QuizStanding,
    #[schema(required = true)]
    pub best_percent: Option<i32>,
    pub attempts_used: i32,
}

pub fn quiz_state(facts: &Facts, quiz: &OutlineQuiz) -> QuizState {
    let f = facts.quizzes.get(&quiz.slug);
    QuizState {
        slug: quiz.json.slug.clone(),
        title: quiz.json.title.clone(),
        state: facts.quiz_state(&quiz.slug),
        best_percent: f
            .filter(|f| f.attempts_used > 0 || f.passed)
            .map(|f| f.best_percent),
        attempts_used: f.map(|f| f.attempts_used).unwrap_or(0),
    }
}

/// One enrolment on the dashboard.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DashboardEntry {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    /// Completed lessons and passed required quizzes over all of them, rounded down.
    pub percent_complete: i32,
    /// Where to resume: the last opened incomplete lesson, else the first incomplete open one.
    /// `null` when every open lesson is done (a quiz or the externship comes next).
    pub next_lesson: Option<LessonRef>,
    pub required_quizzes: Vec<QuizState>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    pub enrolments: Vec<DashboardEntry>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonProgressView {
    #[schema(value_type = String)]
    pub slug: Raw,
    #[schema(value_type = String)]
    pub title: Raw,
    pub estimated_minutes: i32,
    pub completed: bool,
    #[schema(required = true)]
    pub completed_at: Option<DateTime<Utc>>,
    pub locked: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ModuleProgress {
    #[schema(value_type = String)]
    pub slug: Raw,
    #[schema(value_type = String)]
    pub title: Raw,
    pub locked: bool,
    /// Why it is locked, in plain words (`null` when open).
    #[schema(required = true)]
    pub unlocks_when: Option<String>,
    pub lessons: Vec<LessonProgressView>,
    #[schema(required = true)]
    pub quiz: Option<QuizState>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExternshipProgress {
    pub required: bool,
    pub met: bool,
    /// Approved hours so far (attested by the supervisor and approved by the program).
    pub hours_logged: f64,
    pub hours_required: f64,
    pub procedures: Vec<ProcedureProgress>,
}

/// One procedure requirement: approved successful unaided collections against the minimum.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProcedureProgress {
    pub slug: String,
    pub name: String,
    pub logged: i64,
    pub required: i64,
}

/// "Why am I not complete?"
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompletionView {
    pub complete: bool,
    /// Plain sentences of what is missing (empty when complete): the lessons (naming the
    /// first three), each quiz (or, beyond three, the first three), the externship.
    pub missing: Vec<String>,
    pub lessons_missing: Vec<LessonRef>,
    pub quizzes_missing: Vec<QuizState>,
    #[schema(required = true)]
    pub externship: Option<ExternshipProgress>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnrolmentDetail {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    #[serde(flatten)]
    pub progress: DetailProgress,
}

// A function of the outline and the facts alone, so it is kept as JSON per enrolment
// (`cache::DetailBodies`, written by the handler).
/// An enrolment's progress: module by module, the course quizzes and what is missing for
/// completion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DetailProgress {
    pub percent_complete: i32,
    pub next_lesson: Option<LessonRef>,
    pub modules: Vec<ModuleProgress>,
    /// Course-level quizzes (the final exam).
    pub course_quizzes: Vec<QuizState>,
    pub completion: CompletionView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonBody {
    pub slug: String,
    #[schema(value_type = String)]
    pub title: Raw,
    #[schema(value_type = Vec<String>)]
    pub objectives: Raw,
    /// Sanitized HTML, rendered at import.
    #[schema(value_type = String)]
    pub body_html: Raw,
    pub estimated_minutes: i32,
}

/// A lesson as delivered to an enrolled learner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonView {
    pub enrolment_id: Uuid,
    pub course_slug: String,
    pub module: String,
    pub lesson: LessonBody,
    #[schema(required = true)]
    pub previous: Option<String>,
    #[schema(required = true)]
    pub next: Option<String>,
    pub completed: bool,
    #[schema(required = true)]
    pub completed_at: Option<DateTime<Utc>>,
}

/// A free-preview lesson.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewView {
    pub course_slug: String,
    pub course_title: String,
    pub module: String,
    pub lesson: LessonBody,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompletionResult {
    pub lesson: String,
    pub completed: bool,
    /// The first completion time (later calls keep it).
    pub completed_at: DateTime<Utc>,
    pub percent_complete: i32,
    /// The enrolment's state afterwards (`completed` once every requirement is met).
    pub enrolment_state: EnrolmentState,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HeartbeatResult {
    pub lesson_time_spent_seconds: i64,
    pub enrolment_time_spent_seconds: i64,
}

// ---- builders -------------------------------------------------------------------------------

/// A lesson's body as served: its slug, and the rest from the content cache.
pub fn body(row: LessonRow, content: &LessonContent) -> LessonBody {
    LessonBody {
        slug: row.slug,
        title: content.title.clone(),
        objectives: content.objectives.clone(),
        body_html: content.body_html.clone(),
        estimated_minutes: content.estimated_minutes,
    }
}

pub fn lesson_ref(outline: &Outline, mi: usize, l: &progress::OutlineLesson) -> LessonRef {
    LessonRef {
        module: outline.modules[mi].json.slug.clone(),
        slug: l.json.slug.clone(),
        title: l.json.title.clone(),
    }
}

/// One enrolment on the dashboard.
pub fn dashboard_entry(
    row: &EnrolmentRow,
    course: &CourseBrief,
    outline: &Outline,
    facts: &Facts,
) -> DashboardEntry {
    DashboardEntry {
        percent_complete: progress::percent_complete(outline, facts),
        next_lesson: next_lesson(outline, facts),
        required_quizzes: required_quiz_states(outline, facts),
        enrolment: Enrolment::new(row, &course.slug, &course.title),
    }
}

/// An enrolment's detail as sent: `enrolment`'s fields, then `progress` (a JSON object, as
/// [`DetailProgress`] serializes), in one object, as [`EnrolmentDetail`] serializes.
pub fn detail_body(enrolment: &Enrolment, progress: &str) -> AppResult<Vec<u8>> {
    let mut body = serde_json::to_vec(enrolment).map_err(AppError::internal)?;
    let (Some(b'}'), Some(rest)) = (body.pop(), progress.strip_prefix('{')) else {
        return Err(AppError::internal(anyhow::anyhow!(
            "an enrolment detail part is not a JSON object"
        )));
    };
    if body.len() > 1 && rest != "}" {
        body.push(b',');
    }
    body.extend_from_slice(rest.as_bytes());
    Ok(body)
}

/// Module-by-module progress, the course quizzes and what is missing for completion.
pub fn detail_progress(outline: &Outline, facts: &Facts) -> DetailProgress {
    let open = progress::open_modules(outline, facts);
    let sentences = progress::lock_sentences(outline, facts, &open);
    let modules = outline
        .modules
        .iter()
        .zip(open.iter().zip(sentences))
        .map(|(m, (&open, unlocks_when))| {
            let locked = !open;
            ModuleProgress {
                slug: m.json.slug.clone(),
                title: m.json.title.clone(),
                locked,
                unlocks_when,
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| LessonProgressView {
                        slug: l.json.slug.clone(),
                        title: l.json.title.clone(),
                        estimated_minutes: l.estimated_minutes,
                        completed: facts.is_completed(&l.slug),
                        completed_at: facts.completed.get(&l.slug).copied(),
                        locked,
                    })
                    .collect(),
                quiz: m.quiz.as_ref().map(|q| quiz_state(facts, q)),
            }
        })
        .collect();
    DetailProgress {
        percent_complete: progress::percent_complete(outline, facts),
        next_lesson: next_lesson(outline, facts),
        course_quizzes: outline
            .quizzes
            .iter()
            .map(|q| quiz_state(facts, q))
            .collect(),
        completion: completion_view(outline, facts),
        modules,
    }
}

pub fn required_quiz_states(outline: &Outline, facts: &Facts) -> Vec<QuizState> {
    outline
        .required_quizzes()
        .into_iter()
        .map(|q| quiz_state(facts, q))
        .collect()
}

pub fn next_lesson(outline: &Outline, facts: &Facts) -> Option<LessonRef> {
    progress::next_lesson(outline, facts).map(|(mi, l)| lesson_ref(outline, mi, l))
}

/// How many lessons or quizzes a "what is missing" sentence names: the full lists are beside
/// it (`lessons_missing`, `quizzes_missing`), and a sentence naming every lesson of a course
/// is no help to a reader.
const NAMED: usize = 3;

/// The first [`NAMED`] titles of (slug, title) pairs, quoted and joined in words.
fn first_titles(items: &[(String, String)]) -> String {
    let titles: Vec<String> = items
        .iter()
        .take(NAMED)
        .map(|(_, t)| format!("\"{t}\""))
        .collect();
    progress::join_words(&titles)
}

pub fn completion_view(outline: &Outline, facts: &Facts) -> CompletionView {
    let missing = progress::missing(outline, facts);
    let mut sentences = Vec::new();
    if !missing.lessons.is_empty() {
        let n = missing.lessons.len();
        sentences.push(format!(
            "Complete {n} more lesson{}{} {}.",
            if n == 1 { "" } else { "s" },
            if n > NAMED { ", starting with" } else { ":" },
            first_titles(&missing.lessons)
        ));
    }
    let quizzes = missing.quizzes.len();
    if quizzes > NAMED {
        sentences.push(format!(
            "Pass {quizzes} more quizzes, starting with {}.",
            first_titles(&missing.quizzes)
        ));
    } else {
        for (_, title) in &missing.quizzes {
            sentences.push(format!("Pass the quiz \"{title}\"."));
        }
    }
    let externship = outline
        .externship
        .as_ref()
        .map(|e| externship_progress(outline, e, &facts.externship));
    if missing.externship {
        sentences.push(externship_sentence(outline, &facts.externship));
    }
    CompletionView {
        complete: missing.is_empty(),
        missing: sentences,
        lessons_missing: missing
            .lessons
            .iter()
            .filter_map(|(slug, _)| {
                outline
                    .find_lesson(slug)
                    .map(|(mi, li)| lesson_ref(outline, mi, &outline.modules[mi].lessons[li]))
            })
            .collect(),
        quizzes_missing: missing
            .quizzes
            .iter()
            .filter_map(|(slug, _)| outline.quiz(slug).map(|q| quiz_state(facts, q)))
            .collect(),
        externship,
    }
}

fn externship_progress(
    outline: &Outline,
    rules: &ExternshipRules,
    standing: &ExternshipStanding,
) -> ExternshipProgress {
    ExternshipProgress {
        required: outline.completion.externship,
        met: standing.met,
        hours_logged: standing.minutes as f64 / 60.0,
        hours_required: rules.total_hours,
        procedures: rules
            .procedures
            .iter()
            .map(|p| ProcedureProgress {
                slug: p.slug.clone(),
                name: p.name.clone(),
                logged: standing.counts.get(&p.slug).copied().unwrap_or(0),
                required: p.min_count,
            })
            .collect(),
    }
}

/// "Complete your clinical externship: 100 hours attested ... (12.5 approved so far) ...".
fn externship_sentence(outline: &Outline, standing: &ExternshipStanding) -> String {
    let Some(e) = &outline.externship else {
        return "Complete your clinical externship.".into();
    };
    let mut s = format!(
        "Complete your clinical externship: {} hours attested by your site supervisor and \
         approved ({} approved so far)",
        fmt_hours(e.total_hours),
        fmt_hours((standing.minutes as f64 / 6.0).floor() / 10.0)
    );
    let procs: Vec<String> = e
        .procedures
        .iter()
        .map(|p| format!("{} {}", p.min_count, p.name.to_lowercase()))
        .collect();
    if !procs.is_empty() {
        s.push_str(&format!(", and {}", progress::join_words(&procs)));
    }
    if let Some(n) = e.min_total_procedures {
        s.push_str(&format!(" ({n} procedures in all)"));
    }
    s.push('.');
    s
}

fn fmt_hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A course of `n` one-lesson modules, each with a required quiz.
    fn course(n: usize) -> Outline {
        let modules: Vec<_> = (1..=n)
            .map(|i| {
                json!({"slug": format!("m{i}"), "title": format!("Module {i}"),
                  "lessons": [{"slug": format!("l{i}"), "title": format!("Lesson {i}"), "estimated_minutes": 5}],
                  "quiz": {"slug": format!("q{i}"), "title": format!("Quiz {i}"), "required": true, "pass_percent": 80}})
            })
            .collect();
        let quizzes: Vec<_> = (1..=n).map(|i| format!("q{i}")).collect();
        Outline::parse(
            &json!({"sequential": true, "modules": modules,
                "completion": {"all_lessons": true, "required_quizzes": quizzes, "externship": false}})
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn a_detail_body_is_the_detail_as_serde_writes_it() {
        let outline = course(3);
        let mut facts = Facts::default();
        facts.completed.insert("l1".into(), Utc::now());
        facts.opened.insert("l1".into());
        let enrolment = Enrolment {
            id: Uuid::new_v4(),
            course_slug: "c".into(),
            course_title: "A \"quoted\" title".into(),
            course_version: 2,
            cohort_id: None,
            state: EnrolmentState::Active,
            started_at: Utc::now(),
            access_expires_at: Utc::now(),
            completed_at: None,
            withdrawn_at: None,
            last_activity_at: Utc::now(),
            time_spent_seconds: 7,
        };
        let progress = serde_json::to_string(&detail_progress(&outline, &facts)).unwrap();
        let body = detail_body(&enrolment, &progress).unwrap();
        let whole = EnrolmentDetail {
            enrolment,
            progress: detail_progress(&outline, &facts),
        };
        assert_eq!(
            String::from_utf8(body).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
        assert!(detail_body(&whole.enrolment, "[]").is_err());
    }

    #[test]
    fn missing_sentences_name_at_most_three_items_and_the_lists_hold_all() {
        let many = completion_view(&course(5), &Facts::default());
        assert_eq!(
            many.missing,
            vec![
                "Complete 5 more lessons, starting with \"Lesson 1\", \"Lesson 2\" and \"Lesson 3\".",
                "Pass 5 more quizzes, starting with \"Quiz 1\", \"Quiz 2\" and \"Quiz 3\".",
            ]
        );
        assert_eq!(many.lessons_missing.len(), 5);
        assert_eq!(many.quizzes_missing.len(), 5);
        let few = completion_view(&course(2), &Facts::default());
        assert_eq!(
            few.missing,
            vec![
                "Complete 2 more lessons: \"Lesson 1\" and \"Lesson 2\".",
                "Pass the quiz \"Quiz 1\".",
                "Pass the quiz \"Quiz 2\".",
            ]
        );
    }
}
