//! course.toml's `[externship]` table: the daily hour cap, procedure types, competencies and
//! certification thresholds; each problem with its file and line; the stored outline; and a
//! changed competency making a new course version.

use std::path::{Path, PathBuf};

use benchside::catalog::import::ImportStatus;
use benchside::catalog::load::{Problem, load_dir};
use serde_json::json;

use crate::harness::TestApp;
use crate::support::{copy_tree, fixtures, import_dir};

const COURSE_TOML: &str = "demo-course/course.toml";

/// A copy of the valid fixture with `course.toml` edited by `edit`.
fn edited(edit: impl FnOnce(&str) -> String) -> PathBuf {
    let dir = copy_tree(&fixtures("valid"));
    let file = dir.join(COURSE_TOML);
    let text = std::fs::read_to_string(&file).unwrap();
    let new = edit(&text);
    assert_ne!(new, text, "the edit changed the fixture");
    std::fs::write(&file, new).unwrap();
    dir
}

/// `from` replaced by `to`, which must be in the text exactly once.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` once in the fixture"
    );
    text.replace(from, to)
}

/// The 1-based line of the `n`th (0-based) line of `dir`'s course.toml containing `needle`.
fn nth_line(dir: &Path, needle: &str, n: usize) -> usize {
    std::fs::read_to_string(dir.join(COURSE_TOML))
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(n)
        .unwrap_or_else(|| panic!("{needle} #{n} not in course.toml"))
        .0
        + 1
}

fn show(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loading `dir` fails with exactly these problems in course.toml: (line, part of the message).
fn assert_problems(dir: &Path, expected: &[(usize, &str)]) {
    let problems = load_dir(dir).unwrap_err();
    for (line, text) in expected {
        assert!(
            problems.iter().any(|p| p.file == Path::new(COURSE_TOML)
                && p.line == *line
                && p.message.contains(text)),
            "expected {COURSE_TOML}:{line}: …{text}… in\n{}",
            show(&problems)
        );
    }
    assert_eq!(
        problems.len(),
        expected.len(),
        "no other problems:\n{}",
        show(&problems)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_fixture_loads_with_its_cap_competencies_and_certification() {
    let courses = load_dir(&fixtures("valid")).unwrap_or_else(|p| panic!("{}", show(&p)));
    let e = courses[0].externship.as_ref().unwrap();
    assert_eq!(e.max_hours_per_day, 12.0);
    assert_eq!(e.departments.len(), 2);
    let slugs: Vec<(&str, i32)> = e
        .competencies
        .iter()
        .map(|c| (c.slug.as_str(), c.observations))
        .collect();
    assert_eq!(slugs, [("patient-identification", 2), ("order-of-draw", 1)]);
    assert_eq!(e.competencies[0].description, None);
    let c = &e.certifications[0];
    assert_eq!(
        (c.slug.as_str(), c.body.as_str(), c.source.as_str()),
        ("test-body", "TEST", "https://example.org/test-body")
    );
    assert_eq!(c.clinical_hours, Some(10.0));
    assert_eq!(c.procedures[0].slug, "venipuncture");
    assert_eq!(c.procedures[0].min_count, 3);
    assert_eq!(c.min_total_procedures, Some(4));
    assert_eq!(c.note, None);
}

#[test]
fn max_hours_per_day_defaults_to_12_and_accepts_up_to_24() {
    for (line, cap) in [
        ("", 12.0),
        ("max_hours_per_day = 24\n", 24.0),
        ("max_hours_per_day = 7.5\n", 7.5),
    ] {
        let dir = edited(|t| replace_once(t, "max_hours_per_day = 12\n", line));
        let courses = load_dir(&dir).unwrap_or_else(|p| panic!("{line}: {}", show(&p)));
        assert_eq!(
            courses[0].externship.as_ref().unwrap().max_hours_per_day,
            cap
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn max_hours_per_day_out_of_range_is_a_problem_on_its_line() {
    for bad in ["0", "-1", "24.5", "25", "nan"] {
        let dir = edited(|t| {
            replace_once(
                t,
                "max_hours_per_day = 12",
                &format!("max_hours_per_day = {bad}"),
            )
        });
        let line = nth_line(&dir, "max_hours_per_day", 0);
        assert_problems(
            &dir,
            &[(line, "max_hours_per_day must be more than 0 and at most 24")],
        );
    }
}

#[test]
fn a_procedure_slug_that_is_not_a_logged_collection_type_is_a_problem_on_its_line() {
    let dir = edited(|t| {
        replace_once(
            t,
            "{ slug = \"skin-puncture\", name",
            "{ slug = \"capillary\", name",
        )
    });
    let line = nth_line(&dir, "slug = \"capillary\"", 0);
    assert_problems(
        &dir,
        &[(
            line,
            "procedure slug `capillary` is not a collection type Benchside logs (venipuncture, skin-puncture, arterial)",
        )],
    );
    // A repeated type is a problem too.
    let dir = edited(|t| {
        replace_once(
            t,
            "{ slug = \"skin-puncture\", name",
            "{ slug = \"venipuncture\", name",
        )
    });
    let line = nth_line(&dir, "{ slug = \"venipuncture\", name", 1);
    assert_problems(&dir, &[(line, "procedure slug `venipuncture` is repeated")]);
}

#[test]
fn arterial_is_a_procedure_type() {
    let dir = edited(|t| {
        replace_once(
            t,
            "min_count = 2 },\n]",
            "min_count = 2 },\n  { slug = \"arterial\", name = \"Arterial punctures\", min_count = 1 },\n]",
        )
    });
    let courses = load_dir(&dir).unwrap_or_else(|p| panic!("{}", show(&p)));
    let e = courses[0].externship.as_ref().unwrap();
    assert_eq!(e.procedures[2].slug, "arterial");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_duplicate_competency_slug_is_a_problem_on_its_table() {
    let dir = edited(|t| {
        replace_once(
            t,
            "slug = \"order-of-draw\"",
            "slug = \"patient-identification\"",
        )
    });
    let line = nth_line(&dir, "[[externship.competencies]]", 1);
    assert_problems(
        &dir,
        &[(line, "duplicate competency slug `patient-identification`")],
    );
}

#[test]
fn observations_out_of_range_are_a_problem_on_the_competency_table() {
    let dir = edited(|t| {
        replace_once(
            &replace_once(t, "observations = 2", "observations = 0"),
            "observations = 1",
            "observations = 51",
        )
    });
    let first = nth_line(&dir, "[[externship.competencies]]", 0);
    let second = nth_line(&dir, "[[externship.competencies]]", 1);
    assert_problems(
        &dir,
        &[
            (
                first,
                "competency `patient-identification`: observations must be from 1 to 50 (found 0)",
            ),
            (
                second,
                "competency `order-of-draw`: observations must be from 1 to 50 (found 51)",
            ),
        ],
    );
}

#[test]
fn competency_text_is_plain_and_bounded() {
    let long = "x".repeat(151);
    let dir = edited(|t| {
        replace_once(
            &replace_once(
                t,
                "name = \"Follows the order of draw\"",
                &format!("name = \"{long}\""),
            ),
            "observations = 2",
            "observations = 2\ndescription = \"Checks <b>both</b> identifiers\"",
        )
    });
    let first = nth_line(&dir, "[[externship.competencies]]", 0);
    let second = nth_line(&dir, "[[externship.competencies]]", 1);
    assert_problems(
        &dir,
        &[
            (first, "competency description is plain text"),
            (second, "competency name is longer than 150 characters"),
        ],
    );
}

#[test]
fn a_certification_counting_a_procedure_the_course_does_not_have_is_a_problem_on_its_line() {
    let dir = edited(|t| {
        replace_once(
            t,
            "procedures = [{ slug = \"venipuncture\", min_count = 3 }]",
            "procedures = [{ slug = \"arterial\", min_count = 3 }]",
        )
    });
    let line = nth_line(&dir, "{ slug = \"arterial\", min_count = 3 }", 0);
    assert_problems(
        &dir,
        &[(
            line,
            "certification `test-body` counts procedure `arterial`, which is not among this course's procedures",
        )],
    );
}

#[test]
fn a_bad_source_url_is_a_problem_on_its_line() {
    for bad in [
        "http://example.org/test-body",
        "https://",
        "ftp://example.org/x",
        "example.org/test-body",
        "https://localhost/x",
        "",
    ] {
        let dir = edited(|t| {
            replace_once(
                t,
                "source = \"https://example.org/test-body\"",
                &format!("source = \"{bad}\""),
            )
        });
        let line = nth_line(&dir, "source = ", 0);
        assert_problems(
            &dir,
            &[(
                line,
                format!("source `{bad}` must be an https:// URL").as_str(),
            )],
        );
    }
}

#[test]
fn a_certification_needs_a_threshold_and_a_unique_slug() {
    let dir = edited(|t| {
        let t = replace_once(t, "clinical_hours = 10\n", "");
        let t = replace_once(
            &t,
            "procedures = [{ slug = \"venipuncture\", min_count = 3 }]\n",
            "",
        );
        let t = replace_once(&t, "min_total_procedures = 4\n", "");
        format!(
            "{t}\n[[externship.certifications]]\nslug = \"test-body\"\nname = \"Again\"\n\
             body = \"TEST\"\nsource = \"https://example.org/again\"\n\
             source_title = \"Again\"\nmin_total_procedures = 2\n"
        )
    });
    let first = nth_line(&dir, "[[externship.certifications]]", 0);
    let second = nth_line(&dir, "[[externship.certifications]]", 1);
    assert_problems(
        &dir,
        &[
            (first, "certification `test-body` states no threshold"),
            (second, "duplicate certification slug `test-body`"),
        ],
    );
}

#[test]
fn an_unknown_key_in_a_competency_is_a_problem_with_its_line() {
    let dir = edited(|t| replace_once(t, "observations = 1", "observations = 1\nminutes = 5"));
    let line = nth_line(&dir, "minutes = 5", 0);
    assert_problems(&dir, &[(line, "unknown field `minutes`")]);
}

#[actix_web::test]
async fn the_outline_carries_the_cap_competencies_and_certifications() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    let o = app.get("/api/v1/courses/demo-course").await.json();
    let e = &o["externship"];
    assert_eq!(e["max_hours_per_day"], json!(12.0));
    assert_eq!(e["total_hours"], json!(20.0));
    assert_eq!(
        e["departments"],
        json!([
            { "slug": "outpatient", "name": "Outpatient draw station", "min_hours": 4.0 },
            { "slug": "inpatient", "name": "Inpatient wards", "min_hours": 2.0 },
        ])
    );
    assert_eq!(
        e["competencies"],
        json!([
            { "slug": "patient-identification", "name": "Identifies the patient with two identifiers",
              "description": null, "observations": 2 },
            { "slug": "order-of-draw", "name": "Follows the order of draw",
              "description": null, "observations": 1 },
        ])
    );
    assert_eq!(
        e["certifications"],
        json!([{
            "slug": "test-body", "name": "Test Body Phlebotomy Certificate", "body": "TEST",
            "source": "https://example.org/test-body", "source_title": "Test Body eligibility",
            "clinical_hours": 10.0, "procedures": [{ "slug": "venipuncture", "min_count": 3 }],
            "min_total_procedures": 4, "note": null,
        }])
    );
}

#[actix_web::test]
async fn a_changed_competency_makes_a_new_version_with_the_new_outline() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    let dir = edited(|t| replace_once(t, "observations = 1", "observations = 3"));
    let report = import_dir(&app, &dir).await;
    let c = &report.courses[0];
    assert_eq!((c.status, c.version), (ImportStatus::Changed, 2), "{c:?}");
    let o = app.get("/api/v1/courses/demo-course").await.json();
    assert_eq!(o["version"], 2);
    assert_eq!(o["externship"]["competencies"][1]["observations"], 3);
    let dir2 = edited(|t| replace_once(t, "clinical_hours = 10", "clinical_hours = 12"));
    let report = import_dir(&app, &dir2).await;
    assert_eq!(report.courses[0].version, 3);
    let o = app.get("/api/v1/courses/demo-course").await.json();
    assert_eq!(o["externship"]["certifications"][0]["clinical_hours"], 12.0);
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(dir2);
}
