//! Readiness by certification exam domain: the course files' `[[exams]]` outlines and the
//! questions' `domains` tags (refused untagged or unknown, on the question's line), their
//! import (a re-import keeps every learner's progress and attempts), and the figures of
//! `GET /enrolments/{id}/readiness` and `GET /admin/cohorts/{id}/readiness` against a worked
//! example computed by hand.

use std::path::{Path, PathBuf};

use benchside::catalog::import::ImportStatus;
use benchside::catalog::load::{Problem, load_dir};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::support::cohort_rows::{cohort, join, staff};
use crate::support::quizzes::{How, answers, id_of, save, started, submitted};
use crate::support::{
    Account, call, complete_lesson, copy_tree, count, enrol, fixtures, import_dir, learner, text,
};

const COURSE: &str = "demo-course/course.toml";
const SAFETY_BANK: &str = "demo-course/modules/01-safety/questions.toml";
const COLLECTION_BANK: &str = "demo-course/modules/02-collection/questions.toml";

/// One outline, `tx`: Safety (a published range), Drawing (a single figure) and Processing
/// (no weight published).
const EXAMS: &str = r#"
[[exams]]
slug = "tx"
name = "Test Exam"
body = "TEST"
source = "https://example.org/outline"
source_title = "Test outline"
edition = "2026"
domains = [
  { slug = "safe", title = "Safety", weight = [20, 30] },
  { slug = "draw", title = "Drawing", weight = 45 },
  { slug = "proc", title = "Processing" },
]
"#;

/// Each fixture question's tags.
const TAGS: [(&str, &str, &str); 6] = [
    (SAFETY_BANK, "recap", r#"["tx:safe"]"#),
    (SAFETY_BANK, "ppe", r#"["tx:safe"]"#),
    (SAFETY_BANK, "container", r#"["tx:safe", "tx:proc"]"#),
    (COLLECTION_BANK, "order", r#"["tx:draw"]"#),
    (COLLECTION_BANK, "match", r#"["tx:draw", "tx:proc"]"#),
    (COLLECTION_BANK, "inversions", r#"["tx:draw"]"#),
];

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, f(text)).unwrap();
}

/// Sets question `slug`'s `domains` line (adding one after its slug line).
fn tag(dir: &Path, file: &str, slug: &str, tags: &str) {
    edit(dir, file, |text| {
        let key = format!("slug = \"{slug}\"\n");
        assert!(text.contains(&key), "the fixture has question `{slug}`");
        text.replacen(&key, &format!("{key}domains = {tags}\n"), 1)
    });
}

/// The valid fixture, unsequenced, with the `tx` outline and every question tagged; `skip`
/// leaves one question untagged.
fn course_with_exams(skip: Option<&str>) -> PathBuf {
    let dir = copy_tree(&fixtures("valid"));
    edit(&dir, COURSE, |t| {
        t.replace("sequential = true", "sequential = false") + EXAMS
    });
    for (file, slug, tags) in TAGS {
        if Some(slug) != skip {
            tag(&dir, file, slug, tags);
        }
    }
    dir
}

fn line_of(dir: &Path, file: &str, slug: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let at = text.find(&format!("slug = \"{slug}\"")).unwrap();
    text[..at].lines().count()
}

fn problems(dir: &Path) -> Vec<Problem> {
    load_dir(dir).expect_err("the course is refused")
}

#[test]
fn a_course_declares_its_exam_outlines_and_every_question_names_its_domains() {
    let dir = course_with_exams(None);
    let courses = load_dir(&dir).unwrap_or_else(|p| panic!("{p:?}"));
    let exam = &courses[0].exams[0];
    assert_eq!(
        (
            exam.slug.as_str(),
            exam.body.as_str(),
            exam.edition.as_deref()
        ),
        ("tx", "TEST", Some("2026"))
    );
    let weights: Vec<_> = exam
        .domains
        .iter()
        .map(|d| (d.slug.as_str(), d.weight))
        .collect();
    assert_eq!(
        weights,
        [
            ("safe", Some((20, 30))),
            ("draw", Some((45, 45))),
            ("proc", None)
        ]
    );
    let container = courses[0].modules[0].bank.as_ref().unwrap().questions[2].clone();
    assert_eq!(container.domains, ["tx:safe", "tx:proc"]);
}

#[test]
fn an_untagged_question_is_refused_on_its_line() {
    let dir = course_with_exams(Some("ppe"));
    let p = problems(&dir);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].file, Path::new(SAFETY_BANK));
    assert_eq!(p[0].line, line_of(&dir, SAFETY_BANK, "ppe"));
    assert!(
        p[0].message.contains("`ppe` names no exam domain"),
        "{}",
        p[0]
    );
    assert!(p[0].message.contains("tx:proc, tx:safe"), "{}", p[0]);
}

#[test]
fn an_unknown_or_repeated_domain_is_refused_on_the_questions_line() {
    let dir = course_with_exams(Some("recap"));
    tag(&dir, SAFETY_BANK, "recap", r#"["tx:safety"]"#);
    let dir2 = course_with_exams(Some("order"));
    tag(&dir2, COLLECTION_BANK, "order", r#"["tx:draw", "tx:draw"]"#);
    let p = problems(&dir);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].line, line_of(&dir, SAFETY_BANK, "recap"));
    assert!(
        p[0].message.contains("unknown domain `tx:safety`"),
        "{}",
        p[0]
    );
    let p = problems(&dir2);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].file, Path::new(COLLECTION_BANK));
    assert_eq!(p[0].line, line_of(&dir2, COLLECTION_BANK, "order"));
    assert!(
        p[0].message.contains("names domain `tx:draw` twice"),
        "{}",
        p[0]
    );
}

#[test]
fn a_course_without_outlines_may_not_tag_and_weights_are_checked() {
    // No [[exams]]: the untagged fixture loads, a tag is refused.
    load_dir(&fixtures("valid")).unwrap_or_else(|p| panic!("{p:?}"));
    let dir = copy_tree(&fixtures("valid"));
    tag(&dir, SAFETY_BANK, "recap", r#"["tx:safe"]"#);
    let p = problems(&dir);
    assert!(p[0].message.contains("declares no [[exams]]"), "{p:?}");
    // A weight out of range, and single figures that do not add up to 100.
    let dir = course_with_exams(None);
    edit(&dir, COURSE, |t| {
        t.replace("weight = [20, 30]", "weight = [30, 20]")
    });
    assert!(problems(&dir)[0].message.contains("weight is a percent"));
    let dir = course_with_exams(None);
    edit(&dir, COURSE, |t| {
        t.replace("weight = [20, 30]", "weight = 20").replace(
            r#"title = "Processing" }"#,
            r#"title = "Processing", weight = 30 }"#,
        )
    });
    let p = problems(&dir);
    assert!(p[0].message.contains("add up to 95 %"), "{p:?}");
}

#[test]
fn the_programs_declare_their_outlines_and_tag_every_question() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("courses");
    let courses = load_dir(&root).unwrap_or_else(|p| panic!("{p:?}"));
    for c in &courses {
        assert!(!c.exams.is_empty(), "{} declares an exam outline", c.slug);
        for q in c
            .modules
            .iter()
            .filter_map(|m| m.bank.as_ref())
            .flat_map(|b| &b.questions)
        {
            assert!(!q.domains.is_empty(), "{}/{} is tagged", c.slug, q.slug);
        }
    }
}

// ---- over HTTP: the worked example ------------------------------------------------------------

async fn attempt(
    app: &TestApp,
    who: &Account,
    enrolment: &str,
    quiz: &str,
    how: &[(&str, How)],
) -> String {
    let attempt = id_of(&started(app, who, enrolment, quiz).await);
    let res = save(app, who, &attempt, answers(app, &attempt, how).await).await;
    assert_eq!(res.status, 200, "{}", res.text());
    attempt
}

async fn graded(app: &TestApp, who: &Account, enrolment: &str, quiz: &str, how: &[(&str, How)]) {
    let a = attempt(app, who, enrolment, quiz, how).await;
    submitted(app, who, &a).await;
}

/// (slug, questions, correct, percent) of each domain of the first exam.
fn figures(readiness: &Value) -> Vec<(String, i64, Option<i64>, Value)> {
    readiness["exams"][0]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["slug"].as_str().unwrap().to_string(),
                d["questions"].as_i64().unwrap(),
                d["correct"].as_i64(),
                d["percent"].clone(),
            )
        })
        .collect()
}

fn lessons(readiness: &Value, domain: usize) -> Vec<String> {
    readiness["exams"][0]["domains"][domain]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap().to_string())
        .collect()
}

/// Ana's answers, latest per question across her submitted attempts:
///
/// | attempt                | recap | ppe | container | order | match | inversions |
/// |------------------------|-------|-----|-----------|-------|-------|------------|
/// | safety 1 (submitted)   | wrong | wrong | right   |       |       |            |
/// | safety 2 (submitted)   | right | wrong | right   |       |       |            |
/// | collection (submitted) |       |     |           | right | wrong | wrong      |
/// | safety 3 (open)        | wrong | wrong | wrong   |       |       |            |
///
/// Latest graded: recap right, ppe wrong, container right; order right, match wrong,
/// inversions wrong (the open attempt does not count). So Safety (recap, ppe, container) is 2
/// of 3 = 66.7 %; Drawing (order, match, inversions) 1 of 3 = 33.3 %; Processing (container,
/// match) 1 of 2 = 50.0 %; the weakest is Drawing.
///
/// Ben, in the same cohort, has one safety attempt all right: Safety 3 of 3 = 100 %,
/// Processing (container) 1 of 1 = 100 %, nothing in Drawing. The cohort's means: Safety
/// (66.67 + 100) / 2 = 83.3 % over 2 learners and 6 answers; Drawing 33.3 % over 1 learner
/// and 3 answers; Processing (50 + 100) / 2 = 75.0 % over 2 learners and 3 answers.
#[actix_web::test]
async fn readiness_per_domain_matches_the_worked_example() {
    let app = TestApp::spawn().await;
    import_dir(&app, &course_with_exams(None)).await;
    let ana = learner(&app).email("ana@example.org").await;
    let ben = learner(&app).email("ben@example.org").await;
    let a = enrol(&app, &ana, "demo-course").await.id;
    let b = enrol(&app, &ben, "demo-course").await.id;
    let path = format!("/api/v1/enrolments/{a}/readiness");

    // Before any answer: every domain at nothing, no weakest.
    let before = call(&app, "GET", &path, &ana).await.json();
    assert_eq!(before["exams"][0]["weakest"], Value::Null, "{before}");
    assert!(
        figures(&before)
            .iter()
            .all(|(_, n, c, p)| *n == 0 && *c == Some(0) && p.is_null())
    );

    graded(
        &app,
        &ana,
        &a,
        "safety-quiz",
        &[("recap", How::Wrong), ("ppe", How::Wrong)],
    )
    .await;
    graded(&app, &ana, &a, "safety-quiz", &[("ppe", How::Wrong)]).await;
    graded(
        &app,
        &ana,
        &a,
        "collection-quiz",
        &[("match", How::Wrong), ("inversions", How::Wrong)],
    )
    .await;
    let wrong = [
        ("recap", How::Wrong),
        ("ppe", How::Wrong),
        ("container", How::Wrong),
    ];
    attempt(&app, &ana, &a, "safety-quiz", &wrong).await;
    graded(&app, &ben, &b, "safety-quiz", &[]).await;

    let res = call(&app, "GET", &path, &ana).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let r = res.json();
    assert_eq!(r["enrolment_id"], json!(a));
    assert_eq!(r["course"], "demo-course");
    let exam = &r["exams"][0];
    assert_eq!(
        (
            &exam["slug"],
            &exam["name"],
            &exam["source"],
            &exam["edition"]
        ),
        (
            &json!("tx"),
            &json!("Test Exam"),
            &json!("https://example.org/outline"),
            &json!("2026")
        )
    );
    assert_eq!(
        figures(&r),
        [
            ("safe".to_string(), 3, Some(2), json!(66.7)),
            ("draw".to_string(), 3, Some(1), json!(33.3)),
            ("proc".to_string(), 2, Some(1), json!(50.0)),
        ]
    );
    assert_eq!(exam["weakest"], "draw");
    let weights: Vec<&Value> = exam["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["weight"])
        .collect();
    assert_eq!(
        weights,
        [
            &json!({"low": 20, "high": 30}),
            &json!({"low": 45, "high": 45}),
            &Value::Null
        ]
    );
    // The lessons that teach a domain: those of the modules whose banks hold its questions.
    let l = |s: &str| format!("/courses/demo-course/lessons/{s}");
    assert_eq!(lessons(&r, 0), [l("sharps"), l("gloves")]);
    assert_eq!(lessons(&r, 1), [l("order")]);
    assert_eq!(lessons(&r, 2), [l("sharps"), l("gloves"), l("order")]);

    // The cohort view: members' means.
    let admin = crate::support::admin(&app).await;
    let cohort_a = cohort(&app, "demo-course", "Cohort A", 10, None).await;
    join(&app, &a, &cohort_a).await;
    join(&app, &b, &cohort_a).await;
    let res = call(
        &app,
        "GET",
        &format!("/api/v1/admin/cohorts/{cohort_a}/readiness"),
        &admin,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let c = res.json();
    assert_eq!(c["cohort_id"], json!(cohort_a));
    let per: Vec<(String, Value, Value, Value)> = c["exams"][0]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = d["slug"].as_str().unwrap().to_string();
            (
                s,
                d["learners"].clone(),
                d["questions"].clone(),
                d["percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        per,
        [
            ("safe".to_string(), json!(2), json!(6), json!(83.3)),
            ("draw".to_string(), json!(1), json!(3), json!(33.3)),
            ("proc".to_string(), json!(2), json!(3), json!(75.0)),
        ]
    );
    assert_eq!(c["exams"][0]["weakest"], "draw");
}

#[actix_web::test]
async fn readiness_is_the_learners_and_their_cohort_staffs_only() {
    let app = TestApp::spawn().await;
    import_dir(&app, &course_with_exams(None)).await;
    let ana = learner(&app).email("ana@example.org").await;
    let ben = learner(&app).email("ben@example.org").await;
    let a = enrol(&app, &ana, "demo-course").await.id;
    enrol(&app, &ben, "demo-course").await;
    graded(&app, &ana, &a, "safety-quiz", &[]).await;
    let cohort_a = cohort(&app, "demo-course", "Cohort A", 10, None).await;
    let cohort_b = cohort(&app, "demo-course", "Cohort B", 10, None).await;
    join(&app, &a, &cohort_a).await;
    let staff_a = staff(&app, "sa@example.org", &[&cohort_a]).await;
    let staff_b = staff(&app, "sb@example.org", &[&cohort_b]).await;
    let path = format!("/api/v1/enrolments/{a}/readiness");

    // Another learner, and staff of another cohort: the same 404 as a missing enrolment.
    for who in [&ben, &staff_b] {
        let res = call(&app, "GET", &path, who).await;
        assert_eq!(res.status, 404, "{}", res.text());
        assert!(!res.text().contains("Safety"));
    }
    let ana_view = call(&app, "GET", &path, &ana).await.json();
    let staff_view = call(&app, "GET", &path, &staff_a).await;
    assert_eq!(staff_view.status, 200);
    assert_eq!(staff_view.json(), ana_view);
    assert_eq!(ana_view["exams"][0]["domains"][0]["percent"], json!(100.0));

    let cohort_path = format!("/api/v1/admin/cohorts/{cohort_a}/readiness");
    assert_eq!(call(&app, "GET", &cohort_path, &staff_b).await.status, 404);
    assert_eq!(call(&app, "GET", &cohort_path, &ana).await.status, 403);
    let res = call(&app, "GET", &cohort_path, &staff_a).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["exams"][0]["domains"][0]["learners"], json!(1));
}

/// Completed lessons, submitted attempts and graded answers, with their IDs: what a re-import
/// must not touch.
async fn snapshot(app: &TestApp) -> (i64, i64, Option<String>) {
    (
        count(app, "SELECT count(*) AS n FROM lesson_progress WHERE completed_at IS NOT NULL").await,
        count(app, "SELECT count(*) AS n FROM quiz_attempts WHERE state = 'submitted'").await,
        text(
            app,
            "SELECT string_agg(aq.attempt_id::text || ':' || aq.question_id::text || ':' || aq.credit::text, ','
                               ORDER BY aq.position) AS s
               FROM attempt_questions aq",
        )
        .await,
    )
}

#[actix_web::test]
async fn a_reimport_with_changed_tags_keeps_progress_and_attempts() {
    let app = TestApp::spawn().await;
    let dir = course_with_exams(None);
    import_dir(&app, &dir).await;
    let ana = learner(&app).email("ana@example.org").await;
    let a = enrol(&app, &ana, "demo-course").await.id;
    assert_eq!(complete_lesson(&app, &ana, &a, "sharps").await.status, 200);
    graded(&app, &ana, &a, "safety-quiz", &[("ppe", How::Wrong)]).await;
    let before = snapshot(&app).await;
    assert_eq!((before.0, before.1), (1, 1));
    let path = format!("/api/v1/enrolments/{a}/readiness");
    let r = call(&app, "GET", &path, &ana).await.json();
    assert_eq!(
        figures(&r)[2],
        ("proc".to_string(), 1, Some(1), json!(100.0))
    );

    // Re-tag `ppe` (wrong) into Processing, rename an outline's domain title, and re-import.
    edit(&dir, SAFETY_BANK, |t| {
        let key = "slug = \"ppe\"\ndomains = [\"tx:safe\"]";
        assert!(t.contains(key));
        t.replace(key, "slug = \"ppe\"\ndomains = [\"tx:safe\", \"tx:proc\"]")
    });
    edit(&dir, COURSE, |t| {
        t.replace(
            r#"title = "Processing""#,
            r#"title = "Specimen processing""#,
        )
    });
    let report = import_dir(&app, &dir).await;
    assert_eq!(report.courses[0].status, ImportStatus::Changed);
    assert_eq!(
        snapshot(&app).await,
        before,
        "progress and attempts are kept"
    );
    let r = call(&app, "GET", &path, &ana).await.json();
    assert_eq!(
        figures(&r)[2],
        ("proc".to_string(), 2, Some(1), json!(50.0)),
        "the new tag counts the attempt already taken"
    );
    assert_eq!(r["exams"][0]["domains"][2]["title"], "Specimen processing");
    // Unchanged files: nothing written.
    let again = import_dir(&app, &dir).await;
    assert_eq!(again.courses[0].status, ImportStatus::Unchanged);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM question_domains").await,
        9
    );
}
