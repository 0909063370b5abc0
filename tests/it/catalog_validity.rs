//! course.toml's optional `certificate_validity_months`: whole months from 1 to 600, stored on
//! the course and shown in its public outline; absent (the fixture) means certificates do not
//! expire; anything else is a problem on the key's line.

use std::path::PathBuf;

use benchside::catalog::import::ImportStatus;
use benchside::catalog::load::load_dir;
use serde_json::Value;

use crate::harness::TestApp;
use crate::support::{copy_tree, count, fixtures, import_dir};

const COURSE_TOML: &str = "demo-course/course.toml";
const ANCHOR: &str = "access_days = 90\n";

/// A copy of the valid fixture with `certificate_validity_months = {value}` after
/// `access_days`, and the line the key is on.
fn with_validity(value: &str) -> (PathBuf, usize) {
    let dir = copy_tree(&fixtures("valid"));
    let file = dir.join(COURSE_TOML);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.matches(ANCHOR).count(),
        1,
        "`{ANCHOR}` once in the fixture"
    );
    let at = text.find(ANCHOR).unwrap() + ANCHOR.len();
    let line = text[..at].lines().count() + 1;
    let key = format!("certificate_validity_months = {value}\n");
    std::fs::write(&file, format!("{}{key}{}", &text[..at], &text[at..])).unwrap();
    (dir, line)
}

async fn shown(app: &TestApp) -> Value {
    let res = app.get("/api/v1/courses/demo-course").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let outline = res.json();
    let object = outline.as_object().unwrap();
    assert!(
        object.contains_key("certificate_validity_months"),
        "{outline}"
    );
    outline["certificate_validity_months"].clone()
}

#[actix_web::test]
async fn a_validity_is_imported_and_shown_and_absent_means_none() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    assert_eq!(
        shown(&app).await,
        Value::Null,
        "the fixture's certificates do not expire"
    );

    let (dir, _) = with_validity("24");
    let report = import_dir(&app, &dir).await;
    assert_eq!(report.courses[0].status, ImportStatus::Changed);
    assert_eq!(shown(&app).await, 24);
    let stored = "SELECT count(*) AS n FROM courses WHERE certificate_validity_months = 24";
    assert_eq!(count(&app, stored).await, 1);

    let again = import_dir(&app, &dir).await;
    assert_eq!(again.courses[0].status, ImportStatus::Unchanged);
    assert_eq!(again.courses[0].version, report.courses[0].version);

    // Taking the key out again: certificates of the course no longer expire.
    import_dir(&app, &fixtures("valid")).await;
    assert_eq!(shown(&app).await, Value::Null);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn values_other_than_whole_months_from_1_to_600_are_refused_on_their_line() {
    for (value, found) in [
        ("0", "found 0"),
        ("601", "found 601"),
        ("\"12\"", "found the string \"12\""),
        ("1.5", "found 1.5"),
    ] {
        let (dir, line) = with_validity(value);
        let problems = load_dir(&dir).expect_err(value);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(problems.len(), 1, "{value}: {problems:#?}");
        let p = &problems[0];
        assert_eq!(p.file, PathBuf::from(COURSE_TOML), "{value}: {p}");
        assert_eq!(p.line, line, "{value}: {p}");
        assert!(
            p.message.starts_with(
                "certificate_validity_months must be a whole number of months from 1 to 600"
            ) && p.message.contains(found),
            "{value}: {p}"
        );
    }
    // Values at the ends of the range load.
    for value in ["1", "600"] {
        let (dir, _) = with_validity(value);
        let models = load_dir(&dir).unwrap_or_else(|p| panic!("{value}: {p:#?}"));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(models[0].certificate_validity_months, value.parse().ok());
    }
}
