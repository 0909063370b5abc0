//! Reports: the cohort dashboard, charts, outcomes, exports and the audit log viewer, through
//! the real app; staff of another cohort get the same 404 as for a missing cohort.

use serde_json::Value;

use crate::harness::{TestApp, TestResponse};
use crate::support::cohort_rows::{cohort, join, staff};
use crate::support::{
    self, Account, FixtureCourse, admin, call, complete_lessons, count, exec, learner,
    record_quiz_pass,
};

const BOM: &str = "\u{feff}";

struct World {
    app: TestApp,
    admin: Account,
    cohort: String,
    other: String,
    ana: (Account, String),
    ben: (Account, String),
    cara: (Account, String),
}

async fn member(app: &TestApp, email: &str, name: &str, cohort_id: &str) -> (Account, String) {
    let who = learner(app).email(email).await;
    exec(
        app,
        &format!("UPDATE users SET name = '{name}' WHERE id = '{}'", who.id),
    )
    .await;
    let e = support::enrolment(app, &who, FixtureCourse::DEMO).await;
    join(app, &e, cohort_id).await;
    (who, e.id)
}

/// DEMO (3 lessons and 3 required quizzes: 6 items), a cohort 21 days into a 30-day schedule
/// (70 % expected today: behind below 60 %), and three members:
/// - Ana: two lessons and the safety quiz (3 of 6: 50 %, behind), active today;
/// - Ben: nothing, last active 20 days ago (inactive and behind);
/// - Cara: every lesson and the final exam (4 of 6: 66 %), the collection quiz failed twice,
///   last active yesterday.
async fn world() -> World {
    let app = TestApp::spawn().await;
    let root = admin(&app).await;
    support::ensure_course(&app, FixtureCourse::DEMO).await;
    let c = cohort(&app, "demo-course", "Spring", 21, Some(9)).await;
    let other = cohort(&app, "demo-course", "Autumn", 1, None).await;
    let ana = member(&app, "ana@example.org", "Ana Alves", &c).await;
    let ben = member(&app, "ben@example.org", "Ben Bauer", &c).await;
    let cara = member(&app, "cara@example.org", "Cara Cruz", &c).await;
    complete_lessons(&app, &ana.0, &ana.1, &["sharps", "gloves"]).await;
    record_quiz_pass(&app, &ana.1, "safety-quiz").await;
    exec(
        &app,
        &format!(
            "UPDATE enrolments SET last_activity_at = now() - interval '20 days' WHERE id = '{b}';
             INSERT INTO lesson_progress (enrolment_id, lesson_id, first_opened_at, completed_at)
             SELECT '{c}', id, now() - interval '2 days', now() - interval '2 days'
               FROM lessons WHERE slug IN ('sharps', 'gloves', 'order');
             INSERT INTO quiz_outcomes (enrolment_id, quiz_id, best_percent, passed_at, attempts_used)
             SELECT '{c}', id, 40, NULL, 2 FROM quizzes WHERE slug = 'collection-quiz';
             UPDATE enrolments SET last_activity_at = now() - interval '1 day' WHERE id = '{c}';",
            b = ben.1,
            c = cara.1
        ),
    )
    .await;
    record_quiz_pass(&app, &cara.1, "final-exam").await;
    World {
        app,
        admin: root,
        cohort: c,
        other,
        ana,
        ben,
        cara,
    }
}

fn ok(res: TestResponse, what: &str) -> Value {
    assert_eq!(res.status, 200, "{what}: {}", res.text());
    res.json()
}

fn kinds(l: &Value) -> Vec<&str> {
    l["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect()
}

fn names(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["user"]["name"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn the_dashboard_shows_progress_and_flags_sorted_by_risk() {
    let w = world().await;
    let path = format!("/api/v1/admin/cohorts/{}/dashboard", w.cohort);
    let page = ok(call(&w.app, "GET", &path, &w.admin).await, "dashboard");
    assert_eq!(page["cohort"]["name"], "Spring");
    assert_eq!(page["cohort"]["lessons_total"], 3);
    assert_eq!(
        (
            page["total"].as_i64(),
            page["page"].as_i64(),
            page["per_page"].as_i64()
        ),
        (Some(3), Some(1), Some(50))
    );
    // Ben has two flags; Cara and Ana one each, the longer inactive first.
    assert_eq!(names(&page), ["Ben Bauer", "Cara Cruz", "Ana Alves"]);
    let [ben, cara, ana] = [0, 1, 2].map(|i| page["items"][i].clone());
    assert_eq!(kinds(&ben), ["inactive", "behind_schedule"]);
    assert_eq!(ben["risks"][0]["reason"], "No activity for 20 days.");
    assert_eq!(ben["percent_complete"], 0);
    assert_eq!(ben["module_reached"], Value::Null);
    assert_eq!(kinds(&cara), ["quiz_failed_twice"], "{cara:#}");
    assert_eq!(
        cara["risks"][0]["reason"],
        "Failed \"Collection quiz\" at least twice."
    );
    assert_eq!(cara["percent_complete"], 66);
    assert_eq!(cara["module_reached"]["slug"], "collection");
    assert_eq!(cara["module_reached"]["position"], 2);
    assert_eq!(kinds(&ana), ["behind_schedule"]);
    assert_eq!(
        ana["risks"][0]["reason"],
        "50% complete; the schedule expects 70% by today."
    );
    assert_eq!(ana["enrolment_id"], w.ana.1.as_str());
    assert_eq!(ana["user"]["email"], "ana@example.org");
    assert_eq!(ana["state"], "active");
    assert_eq!(ana["percent_complete"], 50);
    assert_eq!(ana["lessons_completed"], 2);
    assert_eq!(ana["module_reached"]["position"], 1);
    assert_eq!(ana["quizzes"][0]["slug"], "safety-quiz");
    assert_eq!(ana["quizzes"][0]["best_score"], 90);
    assert_eq!(ana["quizzes"][0]["attempts"], 1);
    assert_eq!(ana["quizzes"][0]["passed"], true);
    assert_eq!(ana["quizzes"][2]["slug"], "final-exam");
    assert_eq!(ana["quizzes"][2]["best_score"], Value::Null);
    let x = &ana["externship"];
    assert_eq!(
        (x["hours"].as_f64(), x["hours_required"].as_f64()),
        (Some(0.0), Some(20.0))
    );
    assert_eq!(
        (
            x["collections"].as_i64(),
            x["collections_required"].as_i64()
        ),
        (Some(0), Some(8))
    );
    assert_eq!(x["pending_attestations"], 0);
    assert_eq!(ana["certificate"], Value::Null);
    // The learner's own view agrees on the percent (the same rule).
    let own = support::enrolment_detail(&w.app, &w.ana.0, &w.ana.1).await;
    assert_eq!(own["percent_complete"], 50);
    let _ = &w.cara;
}

#[actix_web::test]
async fn the_dashboard_sorts_filters_and_pages() {
    let w = world().await;
    let base = format!("/api/v1/admin/cohorts/{}/dashboard", w.cohort);
    let get = |q: &str| {
        let path = format!("{base}?{q}");
        let app = &w.app;
        let who = &w.admin;
        async move { ok(call(app, "GET", &path, who).await, &path) }
    };
    assert_eq!(
        names(&get("sort=name").await),
        ["Ana Alves", "Ben Bauer", "Cara Cruz"]
    );
    assert_eq!(
        names(&get("sort=name&order=desc").await),
        ["Cara Cruz", "Ben Bauer", "Ana Alves"]
    );
    assert_eq!(
        names(&get("sort=progress").await),
        ["Ben Bauer", "Ana Alves", "Cara Cruz"]
    );
    assert_eq!(
        names(&get("sort=last_activity&order=desc").await),
        ["Ana Alves", "Cara Cruz", "Ben Bauer"]
    );
    assert_eq!(
        names(&get("sort=risk&order=asc").await),
        ["Cara Cruz", "Ana Alves", "Ben Bauer"]
    );
    assert_eq!(names(&get("q=bauer").await), ["Ben Bauer"]);
    assert_eq!(names(&get("q=CARA%40").await), ["Cara Cruz"]);
    let p2 = get("sort=name&per_page=1&page=2").await;
    assert_eq!(
        (names(&p2), p2["total"].as_i64()),
        (vec!["Ben Bauer"], Some(3))
    );
    let past = get("sort=name&per_page=2&page=5").await;
    assert_eq!(
        (
            past["items"].as_array().unwrap().len(),
            past["total"].as_i64()
        ),
        (0, Some(3))
    );
    // Cara completes the collection quiz: only Ben and Ana stay at risk.
    exec(&w.app, &format!("UPDATE quiz_outcomes SET passed_at = now(), best_percent = 85 WHERE enrolment_id = '{}'", w.cara.1)).await;
    let risky = get("at_risk=true&sort=name").await;
    assert_eq!(
        (names(&risky), risky["total"].as_i64()),
        (vec!["Ana Alves", "Ben Bauer"], Some(2))
    );
    // A completed enrolment is never flagged.
    exec(
        &w.app,
        &format!(
            "UPDATE enrolments SET state = 'completed', completed_at = now() WHERE id = '{}'",
            w.ben.1
        ),
    )
    .await;
    assert_eq!(names(&get("at_risk=true").await), ["Ana Alves"]);
    for bad in [
        "sort=age",
        "order=up",
        "per_page=101",
        "page=0",
        "at_risk=maybe",
    ] {
        let res = call(&w.app, "GET", &format!("{base}?{bad}"), &w.admin).await;
        assert_eq!(res.status, 400, "{bad}: {}", res.text());
        assert_eq!(res.json()["error"]["code"], "invalid_query", "{bad}");
    }
}

fn cohort_routes(id: &str) -> Vec<String> {
    [
        "dashboard",
        "charts",
        "outcomes",
        "exports/progress.csv",
        "exports/attempts.csv",
        "exports/externship.csv",
        "exports/certificates.csv",
    ]
    .iter()
    .map(|r| format!("/api/v1/admin/cohorts/{id}/{r}"))
    .collect()
}

#[actix_web::test]
async fn staff_see_their_own_cohorts_only() {
    let w = world().await;
    let mine = staff(&w.app, "mo@example.org", &[&w.cohort]).await;
    let theirs = staff(&w.app, "tess@example.org", &[&w.other]).await;
    for path in cohort_routes(&w.cohort) {
        let res = call(&w.app, "GET", &path, &mine).await;
        assert_eq!(res.status, 200, "{path} as its staff: {}", res.text());
        let res = call(&w.app, "GET", &path, &theirs).await;
        assert_eq!(
            res.status,
            404,
            "{path} as another cohort's staff: {}",
            res.text()
        );
        assert_eq!(res.json()["error"]["code"], "not_found");
        let res = call(&w.app, "GET", &path, &w.ana.0).await;
        assert_eq!(res.status, 403, "{path} as a learner");
        let res = w.app.get(&path).await;
        assert_eq!(res.status, 401, "{path} signed out");
    }
    for path in cohort_routes(&uuid::Uuid::new_v4().to_string()) {
        let res = call(&w.app, "GET", &path, &w.admin).await;
        assert_eq!(res.status, 404, "{path}: a missing cohort");
    }
    for path in ["/api/v1/admin/audit", "/api/v1/admin/audit/export.csv"] {
        let res = call(&w.app, "GET", path, &mine).await;
        assert_eq!(res.status, 403, "{path} as staff: {}", res.text());
        assert_eq!(res.json()["error"]["code"], "forbidden");
    }
    // Staff of the cohort see the same rows as an admin.
    let path = format!("/api/v1/admin/cohorts/{}/dashboard?sort=name", w.cohort);
    assert_eq!(
        names(&ok(call(&w.app, "GET", &path, &mine).await, "staff")),
        ["Ana Alves", "Ben Bauer", "Cara Cruz"]
    );
}

fn csv_rows(res: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        res.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=\"")
    );
    let text = res.text();
    assert!(text.starts_with(BOM), "a byte-order mark first");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&text.as_bytes()[BOM.len()..]);
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

#[actix_web::test]
async fn exports_stream_csv_with_formula_cells_neutralised() {
    let w = world().await;
    exec(
        &w.app,
        &format!(
            "UPDATE users SET name = '=HYPERLINK(\"x\")' WHERE id = '{}'",
            w.ana.0.id
        ),
    )
    .await;
    let base = format!("/api/v1/admin/cohorts/{}/exports", w.cohort);
    let rows = csv_rows(&call(&w.app, "GET", &format!("{base}/progress.csv"), &w.admin).await);
    assert_eq!(
        rows[0][..6],
        ["enrolment_id", "email", "name", "state", "module", "lesson"]
    );
    // Ana's two lessons and Cara's three, by email.
    assert_eq!(rows.len(), 1 + 5);
    assert_eq!(rows[1][1], "ana@example.org");
    assert_eq!(rows[1][2], "'=HYPERLINK(\"x\")");
    assert_eq!(
        (rows[1][5].as_str(), rows[2][5].as_str()),
        ("sharps", "gloves")
    );
    assert!(!rows[1][7].is_empty(), "completed_at");
    assert_eq!(rows[3][1], "cara@example.org");
    exec(&w.app, &format!(
        "INSERT INTO quiz_attempts (enrolment_id, quiz_id, number, state, started_at, submitted_at, pass_percent, score, max_score, percent, passed)
         SELECT '{}', id, 1, 'submitted', now() - interval '1 hour', now(), 80, 1, 3, 33, false FROM quizzes WHERE slug = 'collection-quiz'",
        w.cara.1)).await;
    let rows = csv_rows(&call(&w.app, "GET", &format!("{base}/attempts.csv"), &w.admin).await);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][4], "quiz");
    assert_eq!(
        (
            rows[1][2].as_str(),
            rows[1][4].as_str(),
            rows[1][9].as_str(),
            rows[1][10].as_str()
        ),
        ("cara@example.org", "collection-quiz", "33", "false")
    );
    let rows = csv_rows(&call(&w.app, "GET", &format!("{base}/externship.csv"), &w.admin).await);
    assert_eq!((rows.len(), rows[0][4].as_str()), (1, "kind"));
    let rows = csv_rows(&call(&w.app, "GET", &format!("{base}/certificates.csv"), &w.admin).await);
    assert_eq!((rows.len(), rows[0][9].as_str()), (1, "status"));
    // Another cohort's export holds none of these members.
    let rows = csv_rows(
        &call(
            &w.app,
            "GET",
            &format!("/api/v1/admin/cohorts/{}/exports/progress.csv", w.other),
            &w.admin,
        )
        .await,
    );
    assert_eq!(rows.len(), 1);
}

/// Holds every export permit for a moment, as running exports would.
async fn hold(
    exports: actix_web::web::Data<benchside::reports::Exports>,
) -> actix_web::HttpResponse {
    let mut held = Vec::new();
    while let Ok(p) = exports.try_start() {
        held.push(p);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    drop(held);
    actix_web::HttpResponse::NoContent().finish()
}

#[actix_web::test]
async fn exports_past_the_limit_are_refused_with_503() {
    let app = TestApp::builder()
        .routes(|cfg| {
            cfg.route("/test/hold-exports", actix_web::web::get().to(hold));
        })
        .build()
        .await;
    let root = admin(&app).await;
    support::ensure_course(&app, FixtureCourse::DEMO).await;
    let c = cohort(&app, "demo-course", "Spring", 1, None).await;
    let path = format!("/api/v1/admin/cohorts/{c}/exports/progress.csv");
    let holding = app.get("/test/hold-exports");
    let refused = async {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        call(&app, "GET", &path, &root).await
    };
    let (held, res) = tokio::join!(holding, refused);
    assert_eq!(held.status, 204);
    assert_eq!(res.status, 503, "{}", res.text());
    assert_eq!(res.json()["error"]["code"], "server_busy");
    assert_eq!(res.header("retry-after"), Some("5"));
    // Once they are back, exports run again.
    assert_eq!(call(&app, "GET", &path, &root).await.status, 200);
}

/// The worked example: 4 members, one withdrawn (not counted): 3 enrolled; 2 completed, in
/// 10 and 20 days (median 15); of the 2 who sat the final exam, 1 passed at the first attempt
/// (the other passed at the second); 1 of the 3 met the externship.
#[actix_web::test]
async fn outcomes_follow_the_worked_example() {
    let w = world().await;
    let dan = member(&w.app, "dan@example.org", "Dan Dale", &w.cohort).await;
    exec(&w.app, &format!(
        "UPDATE enrolments SET state = 'withdrawn', withdrawn_at = now() WHERE id = '{d}';
         UPDATE enrolments SET state = 'completed', started_at = now() - interval '30 days',
                completed_at = now() - interval '20 days', externship_met_at = now() WHERE id = '{a}';
         UPDATE enrolments SET state = 'completed', started_at = now() - interval '25 days',
                completed_at = now() - interval '5 days' WHERE id = '{c}';
         INSERT INTO quiz_attempts (enrolment_id, quiz_id, number, state, started_at, submitted_at, pass_percent, score, max_score, percent, passed)
         SELECT e, q.id, n, 'submitted', now() - interval '3 days', now() - interval '3 days', 70, s, 6, p, ok
           FROM quizzes q, (VALUES ('{a}'::uuid, 1, 5.0, 83, true), ('{c}'::uuid, 1, 2.0, 33, false),
                                   ('{c}'::uuid, 2, 6.0, 100, true), ('{d}'::uuid, 1, 6.0, 100, true)) v(e, n, s, p, ok)
          WHERE q.slug = 'final-exam';",
        d = dan.1, a = w.ana.1, c = w.cara.1)).await;
    let path = format!("/api/v1/admin/cohorts/{}/outcomes", w.cohort);
    let o = ok(call(&w.app, "GET", &path, &w.admin).await, "outcomes");
    assert_eq!(o["enrolled"], 3);
    assert_eq!(o["completed"], 2);
    assert_eq!(o["completion_rate"], 0.6667);
    assert_eq!(o["median_days_to_complete"], 15.0);
    assert_eq!(o["final_exam_first_attempt_pass_rate"], 0.5);
    assert_eq!(o["externship_completion_rate"], 0.3333);
    // An empty cohort: nothing to divide.
    let path = format!("/api/v1/admin/cohorts/{}/outcomes", w.other);
    let o = ok(call(&w.app, "GET", &path, &w.admin).await, "empty outcomes");
    assert_eq!(o["enrolled"], 0);
    assert_eq!(o["completion_rate"], Value::Null);
    assert_eq!(o["median_days_to_complete"], Value::Null);
    assert_eq!(o["final_exam_first_attempt_pass_rate"], Value::Null);
}

#[actix_web::test]
async fn charts_show_completion_funnel_and_scores() {
    let w = world().await;
    exec(
        &w.app,
        &format!(
            "UPDATE enrolments SET state = 'completed', completed_at = now() WHERE id = '{}'",
            w.cara.1
        ),
    )
    .await;
    let path = format!("/api/v1/admin/cohorts/{}/charts", w.cohort);
    let c = ok(call(&w.app, "GET", &path, &w.admin).await, "charts");
    let completion = c["completion"].as_array().unwrap();
    assert_eq!(
        completion.len(),
        22,
        "a point a day from the start to today"
    );
    assert_eq!(completion[0]["completed"], 0);
    assert_eq!(completion[0]["expected"], 0);
    let last = completion.last().unwrap();
    assert_eq!(
        (last["completed"].as_i64(), last["expected"].as_i64()),
        (Some(1), Some(2))
    );
    let funnel = c["funnel"].as_array().unwrap();
    assert_eq!(funnel.len(), 2);
    assert_eq!(
        (
            funnel[0]["module"]["position"].as_i64(),
            funnel[0]["reached"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(funnel[1]["reached"], 1);
    let scores = c["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 3);
    assert_eq!(scores[0]["quiz"]["slug"], "safety-quiz");
    let buckets = scores[0]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 10);
    assert_eq!(
        (
            buckets[9]["from"].as_i64(),
            buckets[9]["to"].as_i64(),
            buckets[9]["count"].as_i64()
        ),
        (Some(90), Some(100), Some(1))
    );
    assert_eq!(
        scores[1]["buckets"][4]["count"], 1,
        "Cara's 40 % at the collection quiz"
    );
}

#[actix_web::test]
async fn the_audit_log_is_filtered_paged_and_exported_by_admins() {
    let w = world().await;
    let all = ok(
        call(&w.app, "GET", "/api/v1/admin/audit?per_page=100", &w.admin).await,
        "audit",
    );
    let total = all["total"].as_i64().unwrap();
    assert_eq!(
        total,
        count(&w.app, "SELECT count(*) AS n FROM audit_log").await
    );
    let q = format!("/api/v1/admin/audit?actor={}&action=enrolment", w.ana.0.id);
    let mine = ok(call(&w.app, "GET", &q, &w.admin).await, "by actor");
    let items = mine["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for e in items {
        assert_eq!(e["actor"]["id"], w.ana.0.id.as_str());
        assert_eq!(e["actor"]["kind"], "user");
        assert_eq!(e["actor"]["name"], "Ana Alves");
        assert!(e["action"].as_str().unwrap().starts_with("enrolment."));
    }
    let created = ok(
        call(
            &w.app,
            "GET",
            &format!(
                "/api/v1/admin/audit?action=enrolment.created&subject_id={}",
                w.ben.1
            ),
            &w.admin,
        )
        .await,
        "exact",
    );
    assert_eq!(created["total"], 1);
    assert_eq!(created["items"][0]["subject_id"], w.ben.1.as_str());
    let none = ok(
        call(&w.app, "GET", "/api/v1/admin/audit?action=enrol", &w.admin).await,
        "a prefix is whole words",
    );
    assert_eq!(none["total"], 0);
    let future = ok(
        call(
            &w.app,
            "GET",
            "/api/v1/admin/audit?from=2999-01-01T00:00:00Z",
            &w.admin,
        )
        .await,
        "from",
    );
    assert_eq!(future["total"], 0);
    let p = ok(
        call(
            &w.app,
            "GET",
            "/api/v1/admin/audit?per_page=2&page=2",
            &w.admin,
        )
        .await,
        "page 2",
    );
    assert_eq!(p["items"][0]["id"], all["items"][2]["id"]);
    let bad = call(
        &w.app,
        "GET",
        "/api/v1/admin/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        &w.admin,
    )
    .await;
    assert_eq!(
        (bad.status, bad.json()["error"]["code"].as_str()),
        (400, Some("invalid_query"))
    );
    let rows = csv_rows(
        &call(
            &w.app,
            "GET",
            &q.replace("/audit?", "/audit/export.csv?"),
            &w.admin,
        )
        .await,
    );
    assert_eq!(rows[0][5], "action");
    assert_eq!(rows.len() - 1, items.len());
    assert_eq!(rows[1][3], w.ana.0.id);
}

#[actix_web::test]
async fn seed_makes_a_cohort_the_dashboard_reads() {
    let app = TestApp::spawn().await;
    let root = admin(&app).await;
    support::ensure_course(&app, FixtureCourse::DEMO).await;
    let options = benchside::seed::Options {
        learners: 40,
        course: "demo-course".into(),
        cohort: Some("Seeded".into()),
    };
    let summary = benchside::seed::run(&mut *app.conn().await, &options)
        .await
        .unwrap();
    assert_eq!(summary.learners, 40);
    assert_eq!(
        summary.lesson_progress,
        count(&app, "SELECT count(*) AS n FROM lesson_progress").await
    );
    assert!(
        summary.attempts > 0 && summary.externship_entries > 0,
        "{summary}"
    );
    let path = format!(
        "/api/v1/admin/cohorts/{}/dashboard?per_page=100",
        summary.cohort_id
    );
    let page = ok(call(&app, "GET", &path, &root).await, "seeded dashboard");
    assert_eq!(page["total"], 40);
    let percents: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["percent_complete"].as_i64().unwrap())
        .collect();
    assert!(
        percents.iter().min() < percents.iter().max(),
        "varied progress: {percents:?}"
    );
    // The learners can sign in with the seed's password.
    let email = page["items"][0]["user"]["email"]
        .as_str()
        .unwrap()
        .to_string();
    support::login(&app, &email, benchside::seed::PASSWORD).await;
    // A course that is not imported is refused, and nothing is written.
    let missing = benchside::seed::Options {
        course: "nope".into(),
        ..options
    };
    let err = benchside::seed::run(&mut *app.conn().await, &missing)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("import it first"), "{err}");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM enrolments").await,
        40
    );
}

/// Ana's flags and her waiting attestation requests on the risk-sorted page.
async fn ana_on_the_dashboard(w: &World) -> Value {
    let path = format!("/api/v1/admin/cohorts/{}/dashboard", w.cohort);
    let page = ok(call(&w.app, "GET", &path, &w.admin).await, "dashboard");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["enrolment_id"] == w.ana.1.as_str())
        .cloned()
        .unwrap()
}

#[actix_web::test]
async fn an_attestation_request_waiting_over_a_week_flags_the_learner() {
    use crate::support::externship::{days_ago, placement, shift, shift_id, site, submit};
    let w = world().await;
    let s = site(&w.app, &w.admin, "General Hospital").await;
    let p = placement(&w.app, &w.admin, &w.ana.1, &s, "dana@hospital.example.org").await;
    shift_id(
        &w.app,
        &w.ana.0,
        &w.ana.1,
        shift(&p, days_ago(3), "08:00", "12:00", "outpatient"),
    )
    .await;
    submit(&w.app, &w.ana.0, &w.ana.1, &p).await;
    // Just sent: waiting, not yet a risk.
    let ana = ana_on_the_dashboard(&w).await;
    assert_eq!(ana["externship"]["pending_attestations"], 1, "{ana:#}");
    assert_eq!(kinds(&ana), ["behind_schedule"]);
    // Eight days without the supervisor's answer: flagged, with its reason; now Ana has two
    // flags like Ben, who has been inactive longer and stays first.
    exec(
        &w.app,
        "UPDATE externship_attestations SET created_at = now() - interval '8 days'",
    )
    .await;
    let ana = ana_on_the_dashboard(&w).await;
    assert_eq!(kinds(&ana), ["behind_schedule", "attestation_waiting"]);
    assert_eq!(
        ana["risks"][1]["reason"],
        "An attestation request has waited 8 days for the supervisor."
    );
    let path = format!(
        "/api/v1/admin/cohorts/{}/dashboard?at_risk=true&sort=risk",
        w.cohort
    );
    let page = ok(call(&w.app, "GET", &path, &w.admin).await, "at risk");
    assert_eq!(names(&page), ["Ben Bauer", "Ana Alves", "Cara Cruz"]);
    // An expired request waits for no one: neither pending nor a risk.
    exec(
        &w.app,
        "UPDATE externship_attestations SET expires_at = now() - interval '1 minute'",
    )
    .await;
    let ana = ana_on_the_dashboard(&w).await;
    assert_eq!(ana["externship"]["pending_attestations"], 0);
    assert_eq!(kinds(&ana), ["behind_schedule"]);
}

/// `(lessons_completed, quizzes_passed)` of an enrolment: the counts the dashboard sorts by.
async fn done_counts(app: &TestApp, enrolment: &str) -> (i64, i64) {
    let sql =
        |col: &str| format!("SELECT {col}::bigint AS n FROM enrolments WHERE id = '{enrolment}'");
    (
        count(app, &sql("lessons_completed")).await,
        count(app, &sql("quizzes_passed")).await,
    )
}

#[actix_web::test]
async fn the_done_counts_follow_every_write_of_progress_and_outcomes() {
    let w = world().await;
    // Completed through the API (Ana), written directly (Cara), nothing (Ben).
    assert_eq!(done_counts(&w.app, &w.ana.1).await, (2, 1));
    assert_eq!(done_counts(&w.app, &w.cara.1).await, (3, 1));
    assert_eq!(done_counts(&w.app, &w.ben.1).await, (0, 0));
    // Opening a lesson counts nothing; completing, un-completing and deleting do.
    let res = call(
        &w.app,
        "GET",
        &format!("/api/v1/enrolments/{}/lessons/order", w.ana.1),
        &w.ana.0,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(done_counts(&w.app, &w.ana.1).await, (2, 1));
    complete_lessons(&w.app, &w.ana.0, &w.ana.1, &["order"]).await;
    assert_eq!(done_counts(&w.app, &w.ana.1).await, (3, 1));
    exec(
        &w.app,
        &format!(
            "UPDATE lesson_progress SET completed_at = NULL, time_spent_seconds = 5
              WHERE enrolment_id = '{c}' AND lesson_id = (SELECT id FROM lessons WHERE slug = 'order');
             UPDATE lesson_progress SET time_spent_seconds = 9 WHERE enrolment_id = '{c}';
             DELETE FROM lesson_progress WHERE enrolment_id = '{c}'
                AND lesson_id = (SELECT id FROM lessons WHERE slug = 'sharps');
             UPDATE quiz_outcomes SET passed_at = now() WHERE enrolment_id = '{c}';",
            c = w.cara.1
        ),
    )
    .await;
    assert_eq!(done_counts(&w.app, &w.cara.1).await, (1, 2));
    // A completed row moved to another enrolment counts there and no longer here.
    exec(
        &w.app,
        &format!(
            "UPDATE lesson_progress SET enrolment_id = '{b}'
              WHERE enrolment_id = '{a}' AND lesson_id = (SELECT id FROM lessons WHERE slug = 'sharps')",
            a = w.ana.1,
            b = w.ben.1
        ),
    )
    .await;
    assert_eq!(done_counts(&w.app, &w.ana.1).await, (2, 1));
    assert_eq!(done_counts(&w.app, &w.ben.1).await, (1, 0));
    // Every enrolment's counts equal its rows.
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) AS n FROM enrolments e
              WHERE lessons_completed <> (SELECT count(*) FROM lesson_progress
                                           WHERE enrolment_id = e.id AND completed_at IS NOT NULL)
                 OR quizzes_passed <> (SELECT count(*) FROM quiz_outcomes
                                        WHERE enrolment_id = e.id AND passed_at IS NOT NULL)"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn a_retired_lessons_progress_does_not_count_towards_the_schedule() {
    let w = world().await;
    // Ana: 3 of 6 items, behind (below 60 %, so 4 items). A completed lesson that is no longer
    // in the course (retired) must not make it 4.
    exec(
        &w.app,
        &format!(
            "INSERT INTO lessons (course_id, module_id, slug, position, title, estimated_minutes,
                                  objectives, free_preview, body_html, content_hash,
                                  added_in_version, changed_in_version, retired_at)
             SELECT course_id, module_id, 'old-lesson', 99, 'Old lesson', 5, '[]', false, '',
                    'x', 1, 1, now()
               FROM lessons WHERE slug = 'sharps';
             INSERT INTO lesson_progress (enrolment_id, lesson_id, first_opened_at, completed_at)
             SELECT '{a}', id, now(), now() FROM lessons WHERE slug = 'old-lesson';",
            a = w.ana.1
        ),
    )
    .await;
    assert_eq!(done_counts(&w.app, &w.ana.1).await, (3, 1));
    let ana = ana_on_the_dashboard(&w).await;
    assert_eq!(ana["percent_complete"], 50);
    assert_eq!(kinds(&ana), ["behind_schedule"], "{ana:#}");
    let path = format!(
        "/api/v1/admin/cohorts/{}/dashboard?sort=progress&order=desc",
        w.cohort
    );
    let page = ok(call(&w.app, "GET", &path, &w.admin).await, "by progress");
    assert_eq!(names(&page), ["Cara Cruz", "Ana Alves", "Ben Bauer"]);
}
