//! Course files: validation with file and line, import (idempotent, versioned, retiring), the
//! catalog API with ETags, and the real programs in `courses/`.

use std::path::{Path, PathBuf};

use benchside::catalog::import::ImportStatus;
use benchside::catalog::load::load_dir;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::harness::{TestApp, TestResponse};
use crate::support::{copy_tree, count, exec, fixtures, import_dir};

/// The line of the first line in `file` containing `needle`.
fn line_of(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {}", file.display()))
        + 1
}

#[test]
fn every_seeded_error_is_reported_with_its_file_and_line() {
    let root = fixtures("broken");
    let problems = load_dir(&root).unwrap_err();
    let course = root.join("broken-course");
    let m1 = course.join("modules/01-basics");
    let expected: Vec<(PathBuf, usize, &str)> = vec![
        (
            course.join("course.toml"),
            line_of(&course.join("course.toml"), "colour"),
            "unknown field `colour`",
        ),
        (
            m1.join("01-intro.md"),
            line_of(&m1.join("01-intro.md"), "lesson:nowhere"),
            "missing lesson `nowhere`",
        ),
        (
            m1.join("01-intro.md"),
            line_of(&m1.join("01-intro.md"), "missing.svg"),
            "images/missing.svg",
        ),
        (
            m1.join("01-intro.md"),
            line_of(&m1.join("01-intro.md"), "<script>"),
            "<script>",
        ),
        (
            m1.join("01-intro.md"),
            line_of(&m1.join("01-intro.md"), "onerror"),
            "onerror",
        ),
        (
            m1.join("01-intro.md"),
            line_of(&m1.join("01-intro.md"), "onerror"),
            "<img> is not allowed",
        ),
        (
            m1.join("01-intro.md"),
            line_of(&m1.join("01-intro.md"), "javascript:"),
            "javascript:",
        ),
        (
            m1.join("02-no-refs.md"),
            line_of(&m1.join("02-no-refs.md"), "forgot"),
            "References",
        ),
        (
            m1.join("images/evil.svg"),
            line_of(&m1.join("images/evil.svg"), "<script>"),
            "unsafe SVG",
        ),
        (
            m1.join("questions.toml"),
            line_of(&m1.join("questions.toml"), "[[questions]]"),
            "exactly one correct choice (found 2)",
        ),
        (
            m1.join("questions.toml"),
            8,
            "duplicate question slug `two-right`",
        ),
        (
            m1.join("questions.toml"),
            line_of(&m1.join("questions.toml"), "no-answer") - 1,
            "no correct choice",
        ),
        (
            m1.join("questions.toml"),
            line_of(&m1.join("questions.toml"), "bad-order") - 1,
            "distinct",
        ),
        (
            m1.join("questions.toml"),
            line_of(&m1.join("questions.toml"), "bad-number") - 1,
            "tolerance",
        ),
        (
            m1.join("module.toml"),
            line_of(&m1.join("module.toml"), "[quiz]"),
            "draws 9 questions from bank `basics`, which holds 5",
        ),
        (
            course.join("modules/02-more/module.toml"),
            1,
            "missing field `summary`",
        ),
    ];
    for (file, line, text) in &expected {
        let rel = file.strip_prefix(&root).unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.file == rel && p.line == *line && p.message.contains(text)),
            "expected {}:{line}: …{text}… in\n{}",
            rel.display(),
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert_eq!(
        problems.len(),
        expected.len(),
        "no other problems: {problems:#?}"
    );
}

#[derive(QueryableByName)]
struct Xmins {
    #[diesel(sql_type = Text)]
    s: String,
}

async fn xmins(app: &TestApp) -> String {
    let mut c = app.conn().await;
    diesel::sql_query(
        "SELECT string_agg(t, ',' ORDER BY t) AS s FROM (
           SELECT 'c' || xmin::text AS t FROM courses UNION ALL
           SELECT 'l' || slug || xmin::text FROM lessons UNION ALL
           SELECT 'q' || slug || xmin::text FROM questions UNION ALL
           SELECT 'z' || slug || xmin::text FROM quizzes UNION ALL
           SELECT 'm' || slug || xmin::text FROM course_modules UNION ALL
           SELECT 'a' || path || xmin::text FROM course_assets UNION ALL
           SELECT 'v' || version || xmin::text FROM course_versions) x",
    )
    .get_result::<Xmins>(&mut c)
    .await
    .unwrap()
    .s
}

#[actix_web::test]
async fn importing_twice_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    let first = import_dir(&app, &fixtures("valid")).await;
    let c = &first.courses[0];
    assert_eq!((c.status, c.version), (ImportStatus::Added, 1));
    assert_eq!((c.modules, c.lessons, c.questions, c.quizzes), (2, 3, 6, 3));
    let before = xmins(&app).await;
    let second = import_dir(&app, &fixtures("valid")).await;
    assert_eq!(second.courses[0].status, ImportStatus::Unchanged);
    assert!(second.courses[0].added.is_empty() && second.courses[0].changed.is_empty());
    assert_eq!(xmins(&app).await, before, "no row was written");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM course_versions").await,
        1
    );
}

#[actix_web::test]
async fn an_edited_lesson_is_the_only_change_and_removed_content_is_retired_not_deleted() {
    let app = TestApp::spawn().await;
    let dir = copy_tree(&fixtures("valid"));
    import_dir(&app, &dir).await;
    // Progress rows keyed to lessons and questions (the learning tables arrive later).
    exec(
        &app,
        "CREATE TABLE test_progress (lesson_id uuid NOT NULL REFERENCES lessons (id));
         INSERT INTO test_progress SELECT id FROM lessons;
         CREATE TABLE test_answers (question_id uuid NOT NULL REFERENCES questions (id));
         INSERT INTO test_answers SELECT id FROM questions;",
    )
    .await;
    let ids_before = crate::support::text(
        &app,
        "SELECT string_agg(slug || '=' || id, ',' ORDER BY slug) AS s FROM lessons",
    )
    .await;

    let lesson = dir.join("demo-course/modules/02-collection/01-order.md");
    let edited = std::fs::read_to_string(&lesson)
        .unwrap()
        .replace("Blood cultures first.", "Blood cultures always come first.");
    std::fs::write(&lesson, edited).unwrap();
    let report = import_dir(&app, &dir).await;
    let c = &report.courses[0];
    assert_eq!((c.status, c.version), (ImportStatus::Changed, 2));
    assert_eq!(c.changed, vec!["lesson order".to_string()]);
    assert!(c.added.is_empty() && c.retired.is_empty(), "{c:?}");
    let body = crate::support::text(
        &app,
        "SELECT body_html AS s FROM lessons WHERE slug = 'order'",
    )
    .await
    .unwrap();
    assert!(body.contains("always come first"), "{body}");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM lessons WHERE changed_in_version = 2"
        )
        .await,
        1
    );
    assert_eq!(
        crate::support::text(
            &app,
            "SELECT string_agg(slug || '=' || id, ',' ORDER BY slug) AS s FROM lessons"
        )
        .await,
        ids_before,
        "lessons keep their identities"
    );

    // Remove a lesson and a question: retired, kept, and their progress rows survive.
    std::fs::remove_file(dir.join("demo-course/modules/01-safety/02-gloves.md")).unwrap();
    std::fs::write(
        dir.join("demo-course/modules/01-safety/01-sharps.md"),
        std::fs::read_to_string(dir.join("demo-course/modules/01-safety/01-sharps.md"))
            .unwrap()
            .replace("See [the next lesson](lesson:gloves).", ""),
    )
    .unwrap();
    let bank = dir.join("demo-course/modules/02-collection/questions.toml");
    let text = std::fs::read_to_string(&bank).unwrap();
    let cut = text.find("[[questions]]\nslug = \"inversions\"").unwrap();
    std::fs::write(&bank, &text[..cut]).unwrap();
    // The quizzes now draw fewer.
    for f in [
        "demo-course/course.toml",
        "demo-course/modules/02-collection/module.toml",
    ] {
        let p = dir.join(f);
        let t = std::fs::read_to_string(&p).unwrap().replace(
            "{ bank = \"collection\", count = 3 }",
            "{ bank = \"collection\", count = 2 }",
        );
        std::fs::write(&p, t).unwrap();
    }
    let report = import_dir(&app, &dir).await;
    let c = &report.courses[0];
    assert_eq!(c.version, 3);
    assert!(c.retired.contains(&"lesson gloves".to_string()), "{c:?}");
    assert!(
        c.retired
            .contains(&"question collection/inversions".to_string()),
        "{c:?}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM lessons WHERE slug = 'gloves' AND retired_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM test_progress").await,
        3
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM test_answers").await,
        6
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM questions WHERE retired_at IS NULL"
        )
        .await,
        5
    );

    // Put the lesson back: it returns with its old identity.
    let restored = copy_tree(&fixtures("valid"));
    let report = import_dir(&app, &restored).await;
    assert!(
        report.courses[0]
            .added
            .contains(&"lesson gloves (restored)".to_string()),
        "{:?}",
        report.courses[0]
    );
    assert_eq!(
        crate::support::text(&app, "SELECT string_agg(slug || '=' || id, ',' ORDER BY slug) AS s FROM lessons WHERE retired_at IS NULL").await,
        ids_before
    );
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(restored);
}

#[actix_web::test]
async fn the_catalog_lists_searches_pages_and_answers_304() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    // A second, unpublished course is invisible.
    exec(&app, "INSERT INTO courses (slug, title, summary, description_html, level, estimated_hours, contact_hours, sequential, access_days, published, completion_all_lessons, completion_externship, module_count, lesson_count, outline, content_hash)
                VALUES ('hidden', 'Hidden course', 'Not yet', '', 'beginner', 1, 0, false, 30, false, true, false, 0, 0, '{}', 'x')").await;
    let res = app.get("/api/v1/courses").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let page = res.json();
    assert_eq!(page["total"], 1);
    let item = &page["items"][0];
    assert_eq!(item["slug"], "demo-course");
    assert_eq!(
        (item["module_count"].as_i64(), item["lesson_count"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(item["contact_hours"], 1.0);
    assert_eq!(item["has_externship"], true);

    let etag = res.header("etag").unwrap().to_string();
    let again = TestResponse::read(
        app.client
            .get(app.url("/api/v1/courses"))
            .insert_header(("if-none-match", etag.clone()))
            .send()
            .await,
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    assert_eq!(
        app.get("/api/v1/courses?q=demo%20course").await.json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/courses?q=used%20TESTS").await.json()["total"],
        1
    );
    assert_eq!(app.get("/api/v1/courses?q=hidden").await.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/courses?q=%25").await.json()["total"],
        0,
        "wildcards are literal"
    );
    let p2 = app.get("/api/v1/courses?per_page=1&page=2").await.json();
    assert_eq!(
        (p2["total"].as_i64(), p2["items"].as_array().unwrap().len()),
        (Some(1), 0)
    );
    app.get("/api/v1/courses?per_page=0")
        .await
        .assert_error(400, "invalid_query");
    app.get("/api/v1/courses?sort=title")
        .await
        .assert_error(400, "invalid_query");
}

#[actix_web::test]
async fn the_outline_shows_modules_lessons_quizzes_and_externship() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    let res = app.get("/api/v1/courses/demo-course").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let o = res.json();
    assert_eq!(o["version"], 1);
    assert_eq!(o["modules"][0]["slug"], "safety");
    assert_eq!(
        o["modules"][0]["lessons"][0],
        json!({ "slug": "sharps", "title": "Sharps", "estimated_minutes": 10, "free_preview": true })
    );
    assert_eq!(o["modules"][0]["quiz"]["slug"], "safety-quiz");
    assert_eq!(o["modules"][0]["quiz"]["required"], true);
    assert_eq!(o["quizzes"][0]["slug"], "final-exam");
    assert_eq!(o["quizzes"][0]["question_count"], 6);
    assert_eq!(
        o["completion"]["required_quizzes"],
        json!(["safety-quiz", "collection-quiz", "final-exam"])
    );
    assert_eq!(
        o["externship"]["procedures"][0],
        json!({ "slug": "venipuncture", "name": "Successful unaided venipunctures", "min_count": 5 })
    );
    assert_eq!(o["externship"]["min_total_procedures"], 8);
    assert!(
        o["description_html"]
            .as_str()
            .unwrap()
            .contains("<strong>tests</strong>")
    );
    let s = o.to_string();
    assert!(
        !s.contains("correct") && !s.contains("body_html"),
        "no answers or lesson bodies in the outline"
    );

    let etag = res.header("etag").unwrap().to_string();
    let again = TestResponse::read(
        app.client
            .get(app.url("/api/v1/courses/demo-course"))
            .insert_header(("if-none-match", etag.clone()))
            .send()
            .await,
    )
    .await;
    assert_eq!(again.status, 304);

    // The body is kept per content hash: a new outline with a new hash (a re-import, here in
    // SQL as another process would) is served at once, under its new ETag.
    exec(
        &app,
        "UPDATE courses SET outline = replace(outline, '\"Sharps\"', '\"Sharps and needles\"'),
                            content_hash = md5(content_hash)",
    )
    .await;
    let res = app.get("/api/v1/courses/demo-course").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json()["modules"][0]["lessons"][0]["title"],
        "Sharps and needles"
    );
    assert_ne!(res.header("etag"), Some(etag.as_str()));

    app.get("/api/v1/courses/no-such-course")
        .await
        .assert_error(404, "not_found");
    exec(&app, "UPDATE courses SET published = false").await;
    app.get("/api/v1/courses/demo-course")
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn lesson_images_are_served_with_their_type_and_cannot_run_scripts() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    let body: String = crate::support::text(
        &app,
        "SELECT body_html AS s FROM lessons WHERE slug = 'sharps'",
    )
    .await
    .unwrap();
    let src = "/api/v1/courses/demo-course/assets/safety/images/container.svg";
    assert!(body.contains(src), "{body}");
    let res = app.get(src).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("image/svg+xml"));
    assert!(
        res.header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    assert!(res.text().contains("<title>Container</title>"));
    let etag = res.header("etag").unwrap().to_string();
    let again = TestResponse::read(
        app.client
            .get(app.url(src))
            .insert_header(("if-none-match", etag))
            .send()
            .await,
    )
    .await;
    assert_eq!(again.status, 304);
    app.get("/api/v1/courses/demo-course/assets/safety/images/nope.svg")
        .await
        .assert_error(404, "not_found");
    app.get("/api/v1/courses/demo-course/assets/../../etc/passwd")
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn junk_in_paths_and_queries_is_a_4xx_never_a_500() {
    let app = TestApp::spawn().await;
    import_dir(&app, &fixtures("valid")).await;
    for path in [
        "/api/v1/courses/demo%00course",
        "/api/v1/courses/DEMO-COURSE",
        "/api/v1/courses/demo-course/assets/safety/images/a%00.svg",
        "/api/v1/courses/demo-course/assets/..%2f..%2fcourse.toml",
    ] {
        app.get(path).await.assert_error(404, "not_found");
    }
    for query in [
        "?q=%00",
        "?page=9223372036854775807",
        "?per_page=-1",
        "?page=abc",
    ] {
        app.get(&format!("/api/v1/courses{query}"))
            .await
            .assert_error(400, "invalid_query");
    }
    let a = crate::support::admin(&app).email("boss@example.org").await;
    app.call(
        "GET",
        "/api/v1/admin/users?q=%00",
        Some(&a.token),
        None,
        None,
    )
    .await
    .assert_error(400, "invalid_query");
}
