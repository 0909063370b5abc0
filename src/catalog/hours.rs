//! Contact hours against what a course holds. A course's `contact_hours` may not exceed the
//! time its content is estimated to take: the lessons' `estimated_minutes`, plus
//! [`QUIZ_MINUTES_PER_QUESTION`] for every question its quizzes draw (each quiz counted once),
//! plus [`CITED_READING_ALLOWANCE`] of that sum for reading the documents the lessons cite.
//! Also each lesson's reading pace (words per estimated minute), which `courses validate`
//! prints so that an estimate far from the text's length shows.

use std::path::Path;

use toml::Spanned;

use super::model::{CourseModel, ModuleModel, QuizModel};
use super::problems::{Problems, line_of};

/// Minutes allowed for one quiz question, reading it and answering (quizzes have no
/// estimated time of their own; `time_limit_minutes` is a ceiling, not an estimate).
pub const QUIZ_MINUTES_PER_QUESTION: f64 = 1.5;

/// The allowance for reading the cited primary documents, as a share of the lessons' and
/// quizzes' estimated time: 0.5 lets contact hours be at most one and a half times it.
pub const CITED_READING_ALLOWANCE: f64 = 0.5;

/// What a course's content is estimated to take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The sum of the lessons' `estimated_minutes`.
    pub lesson_minutes: i64,
    /// The questions every quiz draws, each quiz once.
    pub quiz_questions: i64,
}

impl Estimate {
    pub fn of(modules: &[ModuleModel], quizzes: &[QuizModel]) -> Self {
        let lesson_minutes = modules
            .iter()
            .flat_map(|m| &m.lessons)
            .map(|l| i64::from(l.estimated_minutes))
            .sum();
        let quiz_questions = quizzes
            .iter()
            .flat_map(|q| &q.draw)
            .map(|d| i64::from(d.count))
            .sum();
        Estimate {
            lesson_minutes,
            quiz_questions,
        }
    }

    /// Lessons and quizzes, in minutes.
    pub fn minutes(&self) -> f64 {
        self.lesson_minutes as f64 + self.quiz_questions as f64 * QUIZ_MINUTES_PER_QUESTION
    }

    /// The most contact hours the content supports, the reading allowance included.
    pub fn max_contact_hours(&self) -> f64 {
        self.minutes() * (1.0 + CITED_READING_ALLOWANCE) / 60.0
    }

    /// Does `contact_hours` fit? (A hundredth of an hour of slack for rounding.)
    pub fn allows(&self, contact_hours: f64) -> bool {
        contact_hours <= self.max_contact_hours() + 0.005
    }

    /// How the maximum is made up, for messages and the validate report.
    pub fn explain(&self) -> String {
        format!(
            "lessons {} min + quizzes {} questions × {QUIZ_MINUTES_PER_QUESTION} min = {:.0} min \
             ({:.2} h), plus {:.0} % for the cited reading: at most {:.2} h",
            self.lesson_minutes,
            self.quiz_questions,
            self.minutes(),
            self.minutes() / 60.0,
            CITED_READING_ALLOWANCE * 100.0,
            self.max_contact_hours()
        )
    }
}

/// The largest `contact_hours` accepted at all.
const MAX_CONTACT_HOURS: f64 = 100_000.0;

/// Records a problem on `contact_hours`' line unless it is a number from zero up.
pub(super) fn check_range(p: &mut Problems<'_>, file: &Path, text: &str, hours: &Spanned<f64>) {
    if !(0.0..MAX_CONTACT_HOURS).contains(hours.get_ref()) {
        p.add(
            file,
            line_of(text, hours.span().start),
            "contact_hours must be zero or more",
        );
    }
}

/// Records a problem on `contact_hours`' line when it exceeds what the content supports.
pub(super) fn check(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    contact_hours: &Spanned<f64>,
    modules: &[ModuleModel],
    quizzes: &[QuizModel],
) {
    let estimate = Estimate::of(modules, quizzes);
    let hours = *contact_hours.get_ref();
    if !estimate.allows(hours) {
        p.add(
            file,
            line_of(text, contact_hours.span().start),
            format!(
                "contact_hours {hours} is more than the course holds: {}",
                estimate.explain()
            ),
        );
    }
}

/// One lesson's reading pace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonPace {
    pub module: String,
    pub lesson: String,
    pub words: usize,
    pub minutes: i32,
}

impl LessonPace {
    pub fn words_per_minute(&self) -> usize {
        self.words / usize::try_from(self.minutes.max(1)).unwrap_or(1)
    }
}

/// Every lesson's pace, in course order.
pub fn paces(course: &CourseModel) -> Vec<LessonPace> {
    course
        .modules
        .iter()
        .flat_map(|m| {
            m.lessons.iter().map(|l| LessonPace {
                module: m.slug.clone(),
                lesson: l.slug.clone(),
                words: words(&l.body_html),
                minutes: l.estimated_minutes,
            })
        })
        .collect()
}

/// The words of rendered HTML: its text outside tags, split on whitespace.
pub fn words(html: &str) -> usize {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::{Draw, LessonModel};

    fn lesson(slug: &str, minutes: i32, body: &str) -> LessonModel {
        LessonModel {
            slug: slug.into(),
            position: 1,
            title: slug.into(),
            estimated_minutes: minutes,
            objectives: vec![],
            free_preview: false,
            body_html: body.into(),
            content_hash: String::new(),
        }
    }

    fn module(slug: &str, lessons: Vec<LessonModel>) -> ModuleModel {
        ModuleModel {
            slug: slug.into(),
            position: 1,
            title: slug.into(),
            summary: String::new(),
            lessons,
            bank: None,
            content_hash: String::new(),
        }
    }

    fn quiz(counts: &[i32]) -> QuizModel {
        QuizModel {
            slug: "q".into(),
            module_slug: None,
            title: "Q".into(),
            is_final: false,
            required: true,
            requires_other_requirements: false,
            pass_percent: 80,
            max_attempts: 0,
            time_limit_minutes: 0,
            cooldown_minutes: 0,
            review: "after_submit".into(),
            draw: counts
                .iter()
                .map(|&count| Draw {
                    bank: "b".into(),
                    count,
                })
                .collect(),
            content_hash: String::new(),
        }
    }

    /// Two lessons of 25 and 35 minutes and quizzes of 10 and 4 + 6 questions: 60 min of
    /// lessons + 20 × 1.5 = 90 min, so at most 90 × 1.5 / 60 = 2.25 contact hours.
    fn example() -> (Vec<ModuleModel>, Vec<QuizModel>) {
        let modules = vec![
            module("a", vec![lesson("one", 25, "")]),
            module("b", vec![lesson("two", 35, "")]),
        ];
        (modules, vec![quiz(&[10]), quiz(&[4, 6])])
    }

    #[test]
    fn the_estimate_adds_lessons_quiz_questions_and_the_reading_allowance() {
        let (modules, quizzes) = example();
        let e = Estimate::of(&modules, &quizzes);
        assert_eq!(
            e,
            Estimate {
                lesson_minutes: 60,
                quiz_questions: 20
            }
        );
        assert_eq!(e.minutes(), 90.0);
        assert_eq!(e.max_contact_hours(), 2.25);
        assert!(e.allows(2.25) && e.allows(1.0) && e.allows(0.0));
        assert!(!e.allows(2.3));
    }

    fn problems(hours: &str) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct Doc {
            contact_hours: Spanned<f64>,
        }
        let text = format!("title = \"x\"\n\ncontact_hours = {hours}\n");
        let doc: Doc = toml::from_str(&text).unwrap();
        let root = Path::new("courses");
        let mut p = Problems {
            root,
            list: Vec::new(),
        };
        let (modules, quizzes) = example();
        let file = root.join("c/course.toml");
        check(&mut p, &file, &text, &doc.contact_hours, &modules, &quizzes);
        p.list.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn contact_hours_over_the_allowance_are_refused_on_their_line() {
        assert_eq!(problems("2.25"), Vec::<String>::new());
        assert_eq!(problems("1.5"), Vec::<String>::new());
        let refused = problems("40.0");
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(
            refused[0].starts_with("c/course.toml:3: contact_hours 40 is more than"),
            "{}",
            refused[0]
        );
        assert!(
            refused[0].contains("lessons 60 min + quizzes 20 questions × 1.5 min = 90 min")
                && refused[0].contains("plus 50 % for the cited reading: at most 2.25 h"),
            "{}",
            refused[0]
        );
    }

    #[test]
    fn words_are_counted_outside_tags_and_paces_per_estimated_minute() {
        assert_eq!(
            words("<p>Two <em>words</em></p><h2 id=\"a b\">and three</h2>"),
            4
        );
        assert_eq!(words("<p>a</p><p>b</p>"), 2);
        assert_eq!(words(""), 0);
        let body = format!("<p>{}</p>", "word ".repeat(300));
        let course = CourseModel {
            slug: "c".into(),
            title: "C".into(),
            summary: String::new(),
            description_html: String::new(),
            level: "beginner".into(),
            estimated_hours: 1,
            contact_hours: 0.0,
            sequential: true,
            access_days: 1,
            certificate_validity_months: None,
            published: true,
            completion_all_lessons: true,
            completion_externship: false,
            modules: vec![module("m", vec![lesson("l", 10, &body)])],
            quizzes: vec![],
            externship: None,
            exams: vec![],
            assets: vec![],
            content_hash: String::new(),
        };
        let paces = paces(&course);
        assert_eq!(
            paces,
            vec![LessonPace {
                module: "m".into(),
                lesson: "l".into(),
                words: 300,
                minutes: 10
            }]
        );
        assert_eq!(paces[0].words_per_minute(), 30);
    }
}
