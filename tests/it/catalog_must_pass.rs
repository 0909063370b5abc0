//! Must-pass questions in course files: `must_pass = true` with `review = "lesson#anchor"`,
//! resolved to a section of a lesson of the same course; the loader refuses a missing lesson
//! or section on the question's line, a must-pass question without a review target, and a
//! quiz whose draw from a bank is smaller than the bank's must-pass questions.

use std::path::{Path, PathBuf};

use benchside::catalog::load::{Problem, load_dir};

use crate::support::{copy_tree, fixtures};

const SAFETY_BANK: &str = "demo-course/modules/01-safety/questions.toml";
const SAFETY_MODULE: &str = "demo-course/modules/01-safety/module.toml";

/// A copy of the valid fixture whose `safety` question `slug` gets `extra` lines.
pub fn with_question_lines(slug: &str, extra: &str) -> PathBuf {
    let dir = copy_tree(&fixtures("valid"));
    edit_question(&dir, slug, extra);
    dir
}

/// Adds `extra` lines to the `safety` question `slug` of the course tree under `dir`.
pub fn edit_question(dir: &Path, slug: &str, extra: &str) {
    let file = dir.join(SAFETY_BANK);
    let text = std::fs::read_to_string(&file).unwrap();
    let key = format!("slug = \"{slug}\"\n");
    assert!(text.contains(&key), "the fixture has question `{slug}`");
    std::fs::write(&file, text.replacen(&key, &format!("{key}{extra}\n"), 1)).unwrap();
}

/// The 1-based line of `[[questions]]` that opens question `slug`.
fn question_line(dir: &Path, slug: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(SAFETY_BANK)).unwrap();
    let at = text.find(&format!("slug = \"{slug}\"")).unwrap();
    text[..at].lines().count()
}

fn problems(dir: &Path) -> Vec<Problem> {
    load_dir(dir).expect_err("the course is refused")
}

#[test]
fn a_must_pass_question_resolves_its_review_to_a_lesson_section() {
    let dir = with_question_lines("recap", "must_pass = true\nreview = \"sharps#sharps\"");
    let courses = load_dir(&dir).unwrap_or_else(|p| panic!("{p:?}"));
    let bank = courses[0].modules[0].bank.as_ref().unwrap();
    let recap = bank.questions.iter().find(|q| q.slug == "recap").unwrap();
    assert!(recap.must_pass);
    let review = recap.review.as_ref().unwrap();
    assert_eq!(review.href, "/courses/demo-course/lessons/sharps#sharps");
    assert_eq!(review.label, "Sharps: Sharps");
    let ppe = bank.questions.iter().find(|q| q.slug == "ppe").unwrap();
    assert!(!ppe.must_pass && ppe.review.is_none());
    // Marking it changes the question's content hash (so an import rewrites it).
    let plain = load_dir(&fixtures("valid")).unwrap();
    let before = &plain[0].modules[0].bank.as_ref().unwrap().questions[0];
    assert_eq!(before.slug, "recap");
    assert_ne!(before.content_hash, recap.content_hash);
}

#[test]
fn review_targets_are_checked_on_the_question_line() {
    let cases = [
        (
            "must_pass = true",
            "a must-pass question names the lesson section to review",
        ),
        (
            "must_pass = true\nreview = \"sharps#no-such-section\"",
            "review: lesson `sharps` has no section `#no-such-section` (its sections: sharps, references)",
        ),
        (
            "must_pass = true\nreview = \"no-such-lesson#sharps\"",
            "review names a missing lesson `no-such-lesson`",
        ),
        (
            "must_pass = true\nreview = \"sharps\"",
            "review `sharps` is not `lesson-slug#section-anchor`",
        ),
        (
            "review = \"sharps#sharps\"",
            "`review` belongs to a must-pass question (`must_pass = true`)",
        ),
    ];
    for (extra, message) in cases {
        let dir = with_question_lines("container", extra);
        let found = problems(&dir);
        assert_eq!(found.len(), 1, "{extra}: {found:?}");
        assert_eq!(found[0].file, PathBuf::from(SAFETY_BANK), "{extra}");
        assert_eq!(found[0].line, question_line(&dir, "container"), "{extra}");
        assert!(
            found[0].message.starts_with(message),
            "{extra}: {}",
            found[0].message
        );
    }
}

#[test]
fn a_draw_that_cannot_hold_the_must_pass_questions_is_refused() {
    let dir = with_question_lines("recap", "must_pass = true\nreview = \"sharps#sharps\"");
    edit_question(
        &dir,
        "container",
        "must_pass = true\nreview = \"sharps#sharps\"",
    );
    // Drawing all three holds both: accepted.
    assert!(load_dir(&dir).is_ok());
    let module = dir.join(SAFETY_MODULE);
    let text = std::fs::read_to_string(&module).unwrap();
    let from = "{ bank = \"safety\", count = 3 }";
    assert!(text.contains(from));
    std::fs::write(
        &module,
        text.replace(from, "{ bank = \"safety\", count = 1 }"),
    )
    .unwrap();
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].file, PathBuf::from(SAFETY_MODULE));
    let quiz_line = text[..text.find("[quiz]").unwrap()].lines().count() + 1;
    assert_eq!(found[0].line, quiz_line);
    assert_eq!(
        found[0].message,
        "quiz `safety-quiz` draws 1 questions from bank `safety`, which holds 2 must-pass \
         questions; each must-pass question is always drawn, so draw at least 2"
    );
}
