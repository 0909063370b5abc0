//! Progress arithmetic: what is locked, what comes next, what is still missing. Pure functions
//! over a course's stored outline (`courses.outline`, written at import) and the learner's
//! facts (completed lessons, quiz outcomes), so every route computes them the same way and
//! the dashboard needs no query per enrolment.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::raw::Raw;
use super::state::QuizStanding;

/// The parts of the stored outline that progress needs. Only live content is in it: retired
/// lessons and quizzes are not, so they never count.
#[derive(Debug, Clone, Deserialize)]
pub struct Outline {
    #[serde(default)]
    pub sequential: bool,
    #[serde(default)]
    pub modules: Vec<OutlineModule>,
    /// Course-level quizzes (the final exam).
    #[serde(default)]
    pub quizzes: Vec<OutlineQuiz>,
    pub completion: CompletionRules,
    #[serde(default)]
    pub externship: Option<ExternshipRules>,
    /// The slug of every lesson and quiz ID of the course, retired ones too (not part of the
    /// stored outline: the content cache fills it, [`Outline::name_items`]).
    #[serde(skip)]
    items: HashMap<Uuid, String>,
}

/// A slug and title as JSON strings, written once when the outline is parsed: every response
/// that names a module, lesson or quiz sends these as they are instead of escaping the text
/// again (escaping was a quarter of an enrolment detail's instructions).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub slug: Raw,
    pub title: Raw,
}

impl Names {
    fn of(slug: &str, title: &str) -> Names {
        Names {
            slug: Raw::of(slug),
            title: Raw::of(title),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct OutlineModule {
    pub slug: String,
    pub title: String,
    #[serde(skip)]
    pub json: Names,
    #[serde(default)]
    pub lessons: Vec<OutlineLesson>,
    #[serde(default)]
    pub quiz: Option<OutlineQuiz>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OutlineLesson {
    pub slug: String,
    pub title: String,
    #[serde(skip)]
    pub json: Names,
    pub estimated_minutes: i32,
    #[serde(default)]
    pub free_preview: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OutlineQuiz {
    pub slug: String,
    pub title: String,
    #[serde(skip)]
    pub json: Names,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub pass_percent: i32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CompletionRules {
    #[serde(default)]
    pub all_lessons: bool,
    #[serde(default)]
    pub required_quizzes: Vec<String>,
    #[serde(default)]
    pub externship: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExternshipRules {
    pub total_hours: f64,
    #[serde(default)]
    pub departments: Vec<DepartmentRule>,
    #[serde(default)]
    pub procedures: Vec<ProcedureRule>,
    #[serde(default)]
    pub min_total_procedures: Option<i64>,
    /// The most hours a learner may log on one day.
    #[serde(default = "twelve_hours")]
    pub max_hours_per_day: f64,
    #[serde(default)]
    pub competencies: Vec<CompetencyRule>,
    /// Certifying bodies' published thresholds: readiness information, not requirements.
    #[serde(default)]
    pub certifications: Vec<CertificationRule>,
}

fn twelve_hours() -> f64 {
    12.0
}

/// A competency the supervisor rates: `observations` satisfactory ratings are needed.
#[derive(Debug, Clone, Deserialize)]
pub struct CompetencyRule {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub observations: i64,
}

/// One certifying body's published threshold, kept as data beside the course with its source.
#[derive(Debug, Clone, Deserialize)]
pub struct CertificationRule {
    pub slug: String,
    pub name: String,
    pub body: String,
    pub source: String,
    pub source_title: String,
    #[serde(default)]
    pub clinical_hours: Option<f64>,
    #[serde(default)]
    pub procedures: Vec<ThresholdRule>,
    #[serde(default)]
    pub min_total_procedures: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ThresholdRule {
    pub slug: String,
    pub min_count: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentRule {
    pub slug: String,
    pub name: String,
    pub min_hours: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProcedureRule {
    pub slug: String,
    pub name: String,
    pub min_count: i64,
}

impl Outline {
    pub fn parse(json: &str) -> Result<Outline, serde_json::Error> {
        let mut outline: Outline = serde_json::from_str(json)?;
        for m in &mut outline.modules {
            m.json = Names::of(&m.slug, &m.title);
            for l in &mut m.lessons {
                l.json = Names::of(&l.slug, &l.title);
            }
            if let Some(q) = &mut m.quiz {
                q.json = Names::of(&q.slug, &q.title);
            }
        }
        for q in &mut outline.quizzes {
            q.json = Names::of(&q.slug, &q.title);
        }
        Ok(outline)
    }

    /// Records the slugs of the course's lesson and quiz IDs (see [`Outline::slug_of`]).
    pub fn name_items(&mut self, items: impl IntoIterator<Item = (Uuid, String)>) {
        self.items.extend(items);
    }

    /// The slug of a lesson or quiz of the course, by ID.
    pub fn slug_of(&self, id: &Uuid) -> Option<&str> {
        self.items.get(id).map(String::as_str)
    }

    /// (module index, lesson index) of a live lesson.
    pub fn find_lesson(&self, slug: &str) -> Option<(usize, usize)> {
        self.modules.iter().enumerate().find_map(|(mi, m)| {
            m.lessons
                .iter()
                .position(|l| l.slug == slug)
                .map(|li| (mi, li))
        })
    }

    /// Every live lesson in course order, with its module index.
    pub fn lessons(&self) -> impl Iterator<Item = (usize, &OutlineLesson)> {
        self.modules
            .iter()
            .enumerate()
            .flat_map(|(mi, m)| m.lessons.iter().map(move |l| (mi, l)))
    }

    /// The lessons before and after `slug` in course order.
    pub fn neighbours(&self, slug: &str) -> (Option<&OutlineLesson>, Option<&OutlineLesson>) {
        let all: Vec<&OutlineLesson> = self.lessons().map(|(_, l)| l).collect();
        match all.iter().position(|l| l.slug == slug) {
            Some(i) => (i.checked_sub(1).map(|p| all[p]), all.get(i + 1).copied()),
            None => (None, None),
        }
    }

    /// A quiz anywhere in the course (module quizzes and course-level ones).
    pub fn quiz(&self, slug: &str) -> Option<&OutlineQuiz> {
        self.modules
            .iter()
            .filter_map(|m| m.quiz.as_ref())
            .chain(self.quizzes.iter())
            .find(|q| q.slug == slug)
    }

    /// The quizzes completion requires, in course order.
    pub fn required_quizzes(&self) -> Vec<&OutlineQuiz> {
        self.modules
            .iter()
            .filter_map(|m| m.quiz.as_ref())
            .chain(self.quizzes.iter())
            .filter(|q| self.completion.required_quizzes.contains(&q.slug))
            .collect()
    }
}

/// What a learner has done in one enrolment, keyed by slug (lesson and quiz slugs are the
/// stable identities of content across re-imports).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Lesson slug -> first completion time.
    pub completed: HashMap<String, DateTime<Utc>>,
    /// Lessons opened at least once.
    pub opened: HashSet<String>,
    /// The lesson opened last (from `enrolments.last_lesson_id`).
    pub last_lesson: Option<String>,
    pub quizzes: HashMap<String, QuizFact>,
    /// The approved externship standing (written by the externship module on approval).
    pub externship: ExternshipStanding,
}

/// What the externship module last recorded for an enrolment from its approved records: the
/// completion engine reads `met`, views show the figures. See [`crate::learning::record_externship`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternshipStanding {
    /// Every externship requirement of the course is met by approved records.
    pub met: bool,
    /// Approved minutes in all.
    pub minutes: i64,
    /// Approved successful unaided collections by type (procedure slug).
    pub counts: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuizFact {
    pub best_percent: i32,
    pub attempts_used: i32,
    pub passed: bool,
}

impl Facts {
    pub fn is_completed(&self, lesson: &str) -> bool {
        self.completed.contains_key(lesson)
    }

    pub fn quiz_passed(&self, quiz: &str) -> bool {
        self.quizzes.get(quiz).is_some_and(|q| q.passed)
    }

    /// Passed, attempted and not passed, or not attempted.
    pub fn quiz_state(&self, quiz: &str) -> QuizStanding {
        match self.quizzes.get(quiz) {
            Some(q) if q.passed => QuizStanding::Passed,
            Some(q) if q.attempts_used > 0 => QuizStanding::NotPassed,
            _ => QuizStanding::NotAttempted,
        }
    }
}

/// Why a module is locked: what, in earlier modules, still has to be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// Incomplete lessons of earlier modules: (module slug, lesson slug).
    pub lessons: Vec<(String, String)>,
    /// Required module quizzes of earlier modules not yet passed.
    pub quizzes: Vec<String>,
}

impl Lock {
    /// One sentence for people.
    pub fn explain(&self, outline: &Outline) -> String {
        self.explain_for(outline, "lesson")
    }

    /// One sentence for people about what `what` ("lesson", "quiz") waits for.
    pub fn explain_for(&self, outline: &Outline, what: &str) -> String {
        let mut parts = Vec::new();
        if !self.lessons.is_empty() {
            let titles: Vec<String> = self
                .lessons
                .iter()
                .filter_map(|(_, l)| outline.find_lesson(l))
                .map(|(mi, li)| format!("\"{}\"", outline.modules[mi].lessons[li].title))
                .collect();
            parts.push(format!("complete {}", join_words(&titles)));
        }
        if !self.quizzes.is_empty() {
            let titles: Vec<String> = self
                .quizzes
                .iter()
                .map(|q| {
                    format!(
                        "\"{}\"",
                        outline.quiz(q).map(|q| q.title.as_str()).unwrap_or(q)
                    )
                })
                .collect();
            parts.push(format!("pass {}", join_words(&titles)));
        }
        format!("This {what} opens when you {}.", parts.join(" and "))
    }
}

/// The lock on module `module` (None: open). Only sequential courses lock: a module opens
/// when every lesson of all earlier modules is complete and each earlier module's required
/// quiz is passed.
pub fn module_lock(outline: &Outline, facts: &Facts, module: usize) -> Option<Lock> {
    if !outline.sequential {
        return None;
    }
    let mut lock = Lock {
        lessons: Vec::new(),
        quizzes: Vec::new(),
    };
    for m in outline.modules.iter().take(module) {
        for l in &m.lessons {
            if !facts.is_completed(&l.slug) {
                lock.lessons.push((m.slug.clone(), l.slug.clone()));
            }
        }
        if let Some(q) = &m.quiz
            && q.required
            && !facts.quiz_passed(&q.slug)
        {
            lock.quizzes.push(q.slug.clone());
        }
    }
    (!lock.lessons.is_empty() || !lock.quizzes.is_empty()).then_some(lock)
}

/// Whether each module is open, in one pass over the course (the same rule as
/// [`module_lock`]: in a sequential course a module opens when every earlier module's lessons
/// are complete and its required quiz is passed).
pub fn open_modules(outline: &Outline, facts: &Facts) -> Vec<bool> {
    let mut before_done = true;
    outline
        .modules
        .iter()
        .map(|m| {
            let open = before_done || !outline.sequential;
            before_done = before_done
                && m.lessons.iter().all(|l| facts.is_completed(&l.slug))
                && m.quiz
                    .as_ref()
                    .is_none_or(|q| !q.required || facts.quiz_passed(&q.slug));
            open
        })
        .collect()
}

/// Why each locked module is locked, in plain words (None: open). The first locked module
/// names what is left to do (all of it in the module before it); a later one names the module
/// before it, so the sentences do not repeat the whole course.
pub fn lock_sentences(outline: &Outline, facts: &Facts, open: &[bool]) -> Vec<Option<String>> {
    let first_locked = open.iter().position(|o| !o);
    (0..outline.modules.len())
        .map(|mi| match first_locked {
            Some(first) if mi == first => {
                module_lock(outline, facts, mi).map(|l| l.explain(outline))
            }
            Some(first) if mi > first => Some(format!(
                "This lesson opens when you finish \"{}\" and every module before it.",
                outline.modules[mi - 1].title
            )),
            _ => None,
        })
        .collect()
}

/// The lesson to open next (resume): the last opened lesson if it is incomplete and open,
/// else the first incomplete lesson in an open module.
pub fn next_lesson<'a>(outline: &'a Outline, facts: &Facts) -> Option<(usize, &'a OutlineLesson)> {
    let open_modules = open_modules(outline, facts);
    let open = |mi: usize| open_modules[mi];
    if let Some(last) = &facts.last_lesson
        && let Some((mi, li)) = outline.find_lesson(last)
        && !facts.is_completed(last)
        && open(mi)
    {
        return Some((mi, &outline.modules[mi].lessons[li]));
    }
    outline
        .lessons()
        .find(|(mi, l)| !facts.is_completed(&l.slug) && open(*mi))
}

/// Percent complete, rounded down: completed live lessons plus passed required quizzes, over
/// live lessons plus required quizzes. The externship is reported apart.
pub fn percent_complete(outline: &Outline, facts: &Facts) -> i32 {
    let lessons: Vec<&OutlineLesson> = outline.lessons().map(|(_, l)| l).collect();
    let quizzes = outline.required_quizzes();
    let total = lessons.len() + quizzes.len();
    if total == 0 {
        return 0;
    }
    let done = lessons
        .iter()
        .filter(|l| facts.is_completed(&l.slug))
        .count()
        + quizzes
            .iter()
            .filter(|q| facts.quiz_passed(&q.slug))
            .count();
    (done * 100 / total) as i32
}

/// What is still missing for course completion.
#[derive(Debug, Clone, Default)]
pub struct Missing {
    /// Incomplete lessons (when the course requires all lessons).
    pub lessons: Vec<(String, String)>,
    /// Required quizzes not passed: (slug, title).
    pub quizzes: Vec<(String, String)>,
    /// The externship is required and its approved records do not yet meet it.
    pub externship: bool,
}

impl Missing {
    pub fn is_empty(&self) -> bool {
        self.lessons.is_empty() && self.quizzes.is_empty() && !self.externship
    }
}

pub fn missing(outline: &Outline, facts: &Facts) -> Missing {
    let lessons = if outline.completion.all_lessons {
        outline
            .lessons()
            .filter(|(_, l)| !facts.is_completed(&l.slug))
            .map(|(_, l)| (l.slug.clone(), l.title.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let quizzes = outline
        .required_quizzes()
        .into_iter()
        .filter(|q| !facts.quiz_passed(&q.slug))
        .map(|q| (q.slug.clone(), q.title.clone()))
        .collect();
    Missing {
        lessons,
        quizzes,
        externship: outline.completion.externship && !facts.externship.met,
    }
}

/// The completed-item counts kept on an enrolment's row (lessons and quizzes, live or retired)
/// and its externship standing: enough to tell, without the facts, that a course cannot be
/// complete yet.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub lessons_completed: i32,
    pub quizzes_passed: i32,
    pub externship_met: bool,
}

impl Counts {
    /// Whether these counts prove a requirement of `outline` missing: fewer completed lessons
    /// than the course has live ones (when all are required), fewer passed quizzes than it
    /// requires, or a required externship not met. The counts include retired content, so
    /// they can only overstate: `false` means "read the facts to know".
    pub fn show_missing(&self, outline: &Outline) -> bool {
        let rules = &outline.completion;
        let lessons = outline.lessons().count();
        (rules.all_lessons && (self.lessons_completed as usize) < lessons)
            || (self.quizzes_passed as usize) < outline.required_quizzes().len()
            || (rules.externship && !self.externship_met)
    }
}

/// "a", "a and b", "a, b and c".
pub fn join_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outline(sequential: bool) -> Outline {
        Outline::parse(&json!({
            "sequential": sequential,
            "modules": [
                {"slug": "m1", "title": "One", "lessons": [
                    {"slug": "a", "title": "A", "estimated_minutes": 5, "free_preview": true},
                    {"slug": "b", "title": "B", "estimated_minutes": 5, "free_preview": false}],
                 "quiz": {"slug": "q1", "title": "Quiz one", "required": true, "pass_percent": 80}},
                {"slug": "m2", "title": "Two", "lessons": [
                    {"slug": "c", "title": "C", "estimated_minutes": 5, "free_preview": false}],
                 "quiz": {"slug": "q2", "title": "Quiz two", "required": false, "pass_percent": 80}},
                {"slug": "m3", "title": "Three", "lessons": [
                    {"slug": "d", "title": "D", "estimated_minutes": 5, "free_preview": false}],
                 "quiz": null}
            ],
            "quizzes": [{"slug": "final", "title": "Final", "required": true, "pass_percent": 70}],
            "completion": {"all_lessons": true, "required_quizzes": ["q1", "final"], "externship": false},
            "externship": null
        }).to_string())
        .unwrap()
    }

    #[test]
    fn counts_below_the_requirements_show_something_missing_without_the_facts() {
        let o = outline(true);
        let counts = |lessons, quizzes| Counts {
            lessons_completed: lessons,
            quizzes_passed: quizzes,
            externship_met: false,
        };
        // 4 live lessons, 2 required quizzes.
        assert!(counts(3, 2).show_missing(&o));
        assert!(counts(4, 1).show_missing(&o));
        assert!(
            !counts(4, 2).show_missing(&o),
            "enough: only the facts can tell"
        );
        assert!(
            !counts(9, 5).show_missing(&o),
            "retired content counts too: more is never proof"
        );
        let mut with_externship = o.clone();
        with_externship.completion.externship = true;
        assert!(counts(4, 2).show_missing(&with_externship));
        let met = Counts {
            externship_met: true,
            ..counts(4, 2)
        };
        assert!(!met.show_missing(&with_externship));
        let mut some_lessons = o;
        some_lessons.completion.all_lessons = false;
        assert!(!counts(0, 2).show_missing(&some_lessons));
    }

    fn done(facts: &mut Facts, lessons: &[&str]) {
        for l in lessons {
            facts.completed.insert(l.to_string(), Utc::now());
        }
    }

    fn pass(facts: &mut Facts, quiz: &str) {
        facts.quizzes.insert(
            quiz.into(),
            QuizFact {
                best_percent: 90,
                attempts_used: 1,
                passed: true,
            },
        );
    }

    #[test]
    fn modules_open_after_earlier_lessons_and_required_quizzes() {
        let o = outline(true);
        let mut f = Facts::default();
        assert_eq!(module_lock(&o, &f, 0), None);
        let lock = module_lock(&o, &f, 1).unwrap();
        assert_eq!(lock.lessons.len(), 2);
        assert_eq!(lock.quizzes, vec!["q1".to_string()]);
        assert_eq!(
            lock.explain(&o),
            "This lesson opens when you complete \"A\" and \"B\" and pass \"Quiz one\"."
        );
        done(&mut f, &["a", "b"]);
        assert!(module_lock(&o, &f, 1).is_some(), "the quiz is still needed");
        pass(&mut f, "q1");
        assert_eq!(module_lock(&o, &f, 1), None);
        // Module 2's quiz is not required: finishing its lesson opens module 3.
        assert!(module_lock(&o, &f, 2).is_some());
        done(&mut f, &["c"]);
        assert_eq!(module_lock(&o, &f, 2), None);
        // Nothing locks in a self-paced (non-sequential) course.
        assert_eq!(module_lock(&outline(false), &Facts::default(), 2), None);
    }

    #[test]
    fn open_modules_agrees_with_module_lock_and_later_locks_name_the_module_before() {
        let o = outline(true);
        let mut f = Facts::default();
        let agree = |f: &Facts| {
            let open = open_modules(&o, f);
            for (mi, &is_open) in open.iter().enumerate() {
                assert_eq!(is_open, module_lock(&o, f, mi).is_none(), "module {mi}");
            }
            open
        };
        assert_eq!(agree(&f), vec![true, false, false]);
        let s = lock_sentences(&o, &f, &open_modules(&o, &f));
        assert_eq!(s[0], None);
        assert_eq!(
            s[1].as_deref(),
            Some("This lesson opens when you complete \"A\" and \"B\" and pass \"Quiz one\".")
        );
        assert_eq!(
            s[2].as_deref(),
            Some("This lesson opens when you finish \"Two\" and every module before it.")
        );
        done(&mut f, &["a", "b"]);
        assert_eq!(agree(&f), vec![true, false, false]);
        pass(&mut f, "q1");
        assert_eq!(agree(&f), vec![true, true, false]);
        let s = lock_sentences(&o, &f, &open_modules(&o, &f));
        assert_eq!(
            s[2].as_deref(),
            Some("This lesson opens when you complete \"C\".")
        );
        done(&mut f, &["c"]);
        assert_eq!(agree(&f), vec![true, true, true]);
        assert_eq!(
            lock_sentences(&o, &f, &open_modules(&o, &f)),
            vec![None, None, None]
        );
        assert_eq!(
            open_modules(&outline(false), &Facts::default()),
            vec![true; 3]
        );
    }

    #[test]
    fn resume_prefers_the_last_opened_incomplete_lesson() {
        let o = outline(true);
        let mut f = Facts::default();
        assert_eq!(next_lesson(&o, &f).unwrap().1.slug, "a");
        f.last_lesson = Some("b".into());
        assert_eq!(next_lesson(&o, &f).unwrap().1.slug, "b");
        done(&mut f, &["b"]);
        assert_eq!(next_lesson(&o, &f).unwrap().1.slug, "a");
        done(&mut f, &["a"]);
        assert!(next_lesson(&o, &f).is_none(), "the quiz stands in the way");
        pass(&mut f, "q1");
        assert_eq!(next_lesson(&o, &f).unwrap().1.slug, "c");
    }

    #[test]
    fn percent_and_missing_count_live_lessons_and_required_quizzes() {
        let o = outline(true);
        let mut f = Facts::default();
        assert_eq!(percent_complete(&o, &f), 0);
        done(&mut f, &["a", "b", "gone"]);
        // 2 of 4 lessons + 0 of 2 quizzes; a retired lesson ("gone") does not count.
        assert_eq!(percent_complete(&o, &f), 33);
        let m = missing(&o, &f);
        assert_eq!(m.lessons.len(), 2);
        assert_eq!(m.quizzes.len(), 2);
        done(&mut f, &["c", "d"]);
        pass(&mut f, "q1");
        pass(&mut f, "final");
        assert_eq!(percent_complete(&o, &f), 100);
        assert!(missing(&o, &f).is_empty());
    }

    #[test]
    fn neighbours_cross_module_boundaries() {
        let o = outline(true);
        let (p, n) = o.neighbours("b");
        assert_eq!(
            (p.unwrap().slug.as_str(), n.unwrap().slug.as_str()),
            ("a", "c")
        );
        let (p, n) = o.neighbours("a");
        assert!(p.is_none() && n.is_some());
        assert!(o.neighbours("d").1.is_none());
    }

    #[test]
    fn words_are_joined_for_people() {
        let w = |v: &[&str]| join_words(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(w(&[]), "");
        assert_eq!(w(&["a"]), "a");
        assert_eq!(w(&["a", "b"]), "a and b");
        assert_eq!(w(&["a", "b", "c"]), "a, b and c");
    }
}
