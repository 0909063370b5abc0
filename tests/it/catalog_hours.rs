//! course.toml's `contact_hours` against what the course holds: lesson minutes, 1.5 minutes
//! per quiz question and 50 % for the cited reading. More is refused on the key's line, by
//! the loader and by `courses validate`, which also prints each lesson's words per estimated
//! minute.

use std::path::PathBuf;

use benchside::catalog::load::load_dir;

use crate::cli::benchside;
use crate::support::{copy_tree, fixtures};

const COURSE_TOML: &str = "demo-course/course.toml";
/// The fixture's value (its 3 lessons of 10, 5 and 15 minutes and its quizzes of 3, 3 and
/// 3 + 3 questions: 30 + 12 × 1.5 = 48 minutes, so at most 48 × 1.5 / 60 = 1.2 hours).
const FIXTURE_HOURS: &str = "contact_hours = 1.0\n";

/// A copy of the valid fixture with `contact_hours = {value}`, and the key's line.
fn with_contact_hours(value: &str) -> (PathBuf, usize) {
    let dir = copy_tree(&fixtures("valid"));
    let file = dir.join(COURSE_TOML);
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text
        .find(FIXTURE_HOURS)
        .unwrap_or_else(|| panic!("`{FIXTURE_HOURS}` in the fixture"));
    let line = text[..at].lines().count() + 1;
    let edited = text.replacen(FIXTURE_HOURS, &format!("contact_hours = {value}\n"), 1);
    std::fs::write(&file, edited).unwrap();
    (dir, line)
}

#[test]
fn contact_hours_beyond_the_content_are_refused_on_their_line() {
    let (dir, line) = with_contact_hours("1.25");
    let problems = load_dir(&dir).unwrap_err();
    let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(problems[0].file, PathBuf::from(COURSE_TOML));
    assert_eq!(problems[0].line, line);
    assert!(
        shown[0].contains("contact_hours 1.25 is more than the course holds")
            && shown[0].contains("lessons 30 min + quizzes 12 questions × 1.5 min = 48 min")
            && shown[0].contains("at most 1.20 h"),
        "{}",
        shown[0]
    );
    // At the limit, and the fixture's own value, are accepted.
    let (dir, _) = with_contact_hours("1.2");
    assert!(load_dir(&dir).is_ok());
    assert!(load_dir(&fixtures("valid")).is_ok());
    // A negative number is refused on the same line.
    let (dir, line) = with_contact_hours("-1.0");
    let problems = load_dir(&dir).unwrap_err();
    assert_eq!(
        problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect::<Vec<_>>(),
        vec![(line, "contact_hours must be zero or more")]
    );
}

#[test]
fn courses_validate_refuses_the_course_and_reports_each_lessons_pace() {
    let (dir, line) = with_contact_hours("40.0");
    let out = benchside(&["courses", "validate"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "{}:{line}: contact_hours 40 is more than the course holds",
            dir.join(COURSE_TOML).display()
        )),
        "{text}"
    );

    let out = benchside(&["courses", "validate"])
        .arg(fixtures("valid"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "demo-course: 2 modules, 3 lessons, 6 questions, 3 quizzes",
            "  contact hours 1: lessons 30 min + quizzes 12 questions × 1.5 min = 48 min \
             (0.80 h), plus 50 % for the cited reading: at most 1.20 h",
            "  lesson safety/sharps: 18 words in 10 min, 1 words per minute",
            "  lesson safety/gloves: 10 words in 5 min, 2 words per minute",
            "  lesson collection/order: 6 words in 15 min, 0 words per minute",
            "ok: 1 course(s) valid",
        ],
        "{text}"
    );
}
