//! The authorisation matrix: every route of the OpenAPI document (which comes from the route
//! table), called as six kinds of caller against the records of one learner, compared with the
//! committed table `tests/it/authz_matrix.txt`.
//!
//! The world: an admin; staff A owning cohort A and staff B owning cohort B of the same course;
//! learner A1 (the *owner*) in cohort A with a submitted quiz attempt, an attested shift at a
//! placement, and a certificate; learner A2 (*other*) in cohort A too. Every path parameter is
//! replaced by the ID of A1's (or cohort A's) record, see [`World::value`].
//!
//! A route with no row, or a row naming a route that no longer exists, fails the test with the
//! rows to paste. Besides the status, a 2xx answer to *other* or *staff_b* on a route that is
//! not public must not mention any of A1's records (a list that forgot its scope).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::support::externship::{attest, days_ago, decision, known_token, placement, shift};
use crate::support::externship::{shift_id, site, submit};
use crate::support::quizzes::pass_quiz;
use crate::support::{
    Account, FixtureCourse, PASSWORD, admin, call, complete_lessons, enrolment, exec, learner,
    login, record_quiz_pass, text, verified_user,
};

const TABLE: &str = "tests/it/authz_matrix.txt";

/// The callers, in the table's column order.
const CALLERS: [&str; 6] = ["anon", "owner", "other", "staff_b", "staff_a", "admin"];

/// A verified, signed-in staff account.
async fn staff(app: &TestApp, email: &str) -> Account {
    let user = verified_user(app, email).await;
    let id = user["id"].as_str().unwrap();
    exec(
        app,
        &format!("UPDATE users SET role = 'staff' WHERE id = '{id}'"),
    )
    .await;
    login(app, email, PASSWORD).await
}

/// A cohort of the demo course owned by `owner` (SQL: the cohort routes are not this test's
/// subject); returns its ID.
async fn cohort(app: &TestApp, name: &str, owner: &Account) -> String {
    let id = text(
        app,
        &format!(
            "INSERT INTO cohorts (course_id, name, starts_on)
             SELECT id, '{name}', current_date FROM courses WHERE slug = 'demo-course'
             RETURNING id::text AS s"
        ),
    )
    .await
    .expect("a cohort");
    exec(
        app,
        &format!(
            "INSERT INTO cohort_staff (cohort_id, user_id) VALUES ('{id}', '{}')",
            owner.id
        ),
    )
    .await;
    id
}

struct World {
    /// Callers by column name (`anon` has none).
    callers: BTreeMap<&'static str, Account>,
    /// What replaces each kind of path parameter.
    ids: BTreeMap<&'static str, String>,
}

impl World {
    /// The value for path parameter `name` that follows segment `before`.
    fn value(&self, before: &str, name: &str, route: &str) -> String {
        let key = match (before, name) {
            ("certificates", _) => "certificate",
            ("enrolments", _) => "enrolment",
            ("placements", _) => "placement",
            ("sites", _) => "site",
            ("users", _) => "user",
            ("attempts", _) => "attempt",
            ("cohorts", _) => "cohort",
            ("codes", _) => "code",
            ("courses", _) => "course",
            ("lessons", _) => "lesson",
            ("quizzes", _) => "quiz",
            ("attestations", "attestation") => "attestation",
            ("attestations", "token") => "token",
            ("entries", _) => "entry",
            ("verify", _) => "verification",
            ("keys", _) => "kid",
            ("status", _) => "list",
            ("assets", _) => "asset",
            _ => panic!(
                "{route}: no value for path parameter {{{name}}} after /{before}/: add one to \
                 World::value in tests/it/authz_matrix.rs (an ID of learner A1's or cohort A's \
                 record) and to the world it builds"
            ),
        };
        self.ids
            .get(key)
            .unwrap_or_else(|| panic!("{route}: the world has no {key}"))
            .clone()
    }

    /// `template` with its parameters replaced.
    fn path(&self, template: &str) -> String {
        let mut out = Vec::new();
        let mut before = "";
        for seg in template.split('/') {
            let mut s = seg.to_string();
            while let (Some(a), Some(b)) = (s.find('{'), s.find('}')) {
                let name = s[a + 1..b].to_string();
                s.replace_range(a..=b, &self.value(before, &name, template));
            }
            out.push(s);
            before = seg;
        }
        out.join("/")
    }

    /// The body sent to `METHOD template`: valid for the allowed callers where a route reads
    /// its body before it decides who may act (so that the others meet the access check,
    /// not the validation); `{}` for any other write.
    fn body(&self, method: &str, template: &str) -> Option<Value> {
        let id = |k: &str| self.ids[k].clone();
        let placement_fields = json!({
            "site_id": id("site"), "supervisor_name": "Dana Ruiz",
            "supervisor_email": "dana@hospital.example.org", "supervisor_credential": "PBT(ASCP)",
            "starts_on": days_ago(40), "ends_on": days_ago(-10),
            "departments": ["outpatient", "inpatient"],
        });
        let a_shift = shift(
            &id("placement"),
            days_ago(3),
            "08:00",
            "12:00",
            "outpatient",
        );
        let route = template.trim_start_matches("/api/v1");
        let body = match (method, route) {
            ("GET" | "DELETE", _) => return None,
            ("POST", "/admin/externship/placements") => {
                let mut b = placement_fields;
                b["enrolment_id"] = json!(id("enrolment"));
                b
            }
            ("PATCH", "/admin/externship/placements/{id}") => placement_fields,
            ("POST", "/admin/externship/review") => json!({ "decisions": [
                { "entry_id": id("entry"), "decision": "approve" }] }),
            ("PUT", "/attempts/{id}/answers") => json!({ "answers": {} }),
            ("POST", "/enrolments/{id}/externship/shifts") => {
                let mut b = a_shift;
                b["client_id"] = json!(uuid::Uuid::new_v4());
                b
            }
            ("POST", "/enrolments/{id}/externship/collections") => json!({
                "client_id": uuid::Uuid::new_v4(), "placement_id": id("placement"),
                "date": days_ago(3), "type": "venipuncture", "method": "evacuated_tube",
                "age_group": "adult", "successful": true, "unaided": true }),
            ("PUT", "/enrolments/{id}/externship/entries/{entry}") => json!({ "shift": a_shift }),
            ("POST", "/enrolments/{id}/externship/entries/{entry}/amendments") => {
                json!({ "reason": "The end time was wrong", "shift": a_shift })
            }
            ("POST", "/enrolments/{id}/externship/submissions") => {
                json!({ "placement_id": id("placement") })
            }
            ("POST", "/enrolments/{id}/lessons/{lesson}/heartbeat") => json!({ "seconds": 30 }),
            ("POST", "/admin/cohorts") => json!({
                "course": id("course"), "name": "Cohort C", "starts_on": days_ago(0) }),
            ("PATCH", "/admin/cohorts/{id}") => json!({ "name": "Cohort A" }),
            ("PATCH", "/admin/codes/{id}") => json!({ "disabled": false }),
            ("POST", "/admin/cohorts/{id}/members") => json!({ "email": "a2@example.org" }),
            ("POST", "/admin/enrolments/{id}/move") => json!({ "cohort_id": id("cohort") }),
            ("POST", "/admin/enrolments/{id}/extend") => {
                json!({ "access_expires_at": format!("{}T00:00:00Z", days_ago(-400)) })
            }
            _ => json!({}),
        };
        Some(body)
    }
}

/// Builds the world through the API where it is cheap, SQL where it is not the subject.
async fn world(app: &TestApp) -> World {
    let root = admin(app).await;
    let owner = learner(app).email("a1@example.org").await;
    let other = learner(app).email("a2@example.org").await;
    let staff_a = staff(app, "staff-a@example.org").await;
    let staff_b = staff(app, "staff-b@example.org").await;
    let course = FixtureCourse::DEMO.unsequenced();
    let e = enrolment(app, &owner, course).await.id;
    let e2 = enrolment(app, &other, course).await.id;
    let cohort_a = cohort(app, "Cohort A", &staff_a).await;
    // Staff B runs a cohort of the same course: the closest a stranger gets.
    cohort(app, "Cohort B", &staff_b).await;
    exec(
        app,
        &format!(
            "UPDATE enrolments SET cohort_id = '{cohort_a}' WHERE id IN ('{e}', '{e2}');
             INSERT INTO enrolment_codes (cohort_id, code) VALUES ('{cohort_a}', 'AUTHZ-A');"
        ),
    )
    .await;
    let attempt = pass_quiz(app, &owner, &e, "safety-quiz").await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // An attested shift at a placement.
    let site_id = site(app, &root, "Springfield General").await;
    let p = placement(app, &root, &e, &site_id, "dana@hospital.example.org").await;
    let entry = shift_id(
        app,
        &owner,
        &e,
        shift(&p, days_ago(5), "08:00", "12:00", "outpatient"),
    )
    .await;
    let request = submit(app, &owner, &e, &p).await;
    let attestation = request["id"].as_str().unwrap().to_string();
    let token = known_token(app, &attestation).await;
    let signed = attest(app, &token, &decision(&[&entry], &[], &[])).await;
    assert_eq!(signed.status, 200, "attesting: {}", signed.text());

    // Completion (the externship's standing recorded directly) issues the certificate.
    for quiz in ["collection-quiz", "final-exam"] {
        record_quiz_pass(app, &e, quiz).await;
    }
    exec(
        app,
        &format!("UPDATE enrolments SET externship_met_at = now() WHERE id = '{e}'"),
    )
    .await;
    complete_lessons(app, &owner, &e, &["sharps", "gloves", "order"]).await;
    app.run_pending_jobs().await;
    let one = |sql: String| async move { text(app, &sql).await.expect(&sql) };
    let certificate = one(format!(
        "SELECT id::text AS s FROM certificates WHERE enrolment_id = '{e}'"
    ))
    .await;
    let code = one(format!(
        "SELECT code AS s FROM certificates WHERE id = '{certificate}'"
    ))
    .await;
    let kid = one("SELECT kid AS s FROM signing_keys LIMIT 1".into()).await;
    let asset = one("SELECT path AS s FROM course_assets LIMIT 1".into()).await;
    let code_id = one("SELECT id::text AS s FROM enrolment_codes LIMIT 1".into()).await;

    let ids = BTreeMap::from([
        ("enrolment", e),
        ("attempt", attempt),
        ("placement", p),
        ("site", site_id),
        ("entry", entry),
        ("attestation", attestation),
        ("token", token),
        ("certificate", certificate),
        ("verification", code),
        ("kid", kid),
        ("list", "0".to_string()),
        ("asset", asset),
        ("course", "demo-course".to_string()),
        ("lesson", "sharps".to_string()),
        ("quiz", "safety-quiz".to_string()),
        ("user", owner.id.clone()),
        ("cohort", cohort_a),
        ("code", code_id),
    ]);
    let callers = BTreeMap::from([
        ("owner", owner),
        ("other", other),
        ("staff_b", staff_b),
        ("staff_a", staff_a),
        ("admin", root),
    ]);
    World { callers, ids }
}

/// `allow`: the caller got past authorisation (2xx, 3xx, or a 4xx other than 401, 403 and
/// 404, such as a validation 422 or a state 409); else the status itself.
fn outcome(status: u16) -> String {
    match status {
        401 | 403 | 404 => status.to_string(),
        _ => "allow".to_string(),
    }
}

/// Whether `status` is one of the alternatives of `cell` (`allow`, a status, or `a|b`).
fn matches(cell: &str, status: u16) -> bool {
    cell.split('|')
        .any(|alt| alt == status.to_string() || (alt == "allow" && outcome(status) == "allow"))
}

/// The committed rows: `METHOD path` -> one cell per caller.
fn table() -> BTreeMap<String, Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut rows = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            parts.len(),
            2 + CALLERS.len(),
            "{TABLE}:{}: want `METHOD path` and {} cells ({}), got {line:?}",
            n + 1,
            CALLERS.len(),
            CALLERS.join(" ")
        );
        let cells = parts[2..].iter().map(|c| c.to_string()).collect();
        let key = format!("{} {}", parts[0], parts[1]);
        assert!(
            rows.insert(key.clone(), cells).is_none(),
            "{TABLE}: {key} twice"
        );
    }
    rows
}

/// Every `(METHOD, path template)` of the document the route table builds.
fn routes() -> Vec<(String, String)> {
    let doc = serde_json::to_value(benchside::startup::openapi_document()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "patch", "delete"] {
            if item.get(method).is_some() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

fn row(key: &str, cells: &[String]) -> String {
    format!(
        "{key:<72} {}",
        cells.iter().map(|c| format!("{c:<8}")).collect::<String>()
    )
    .trim_end()
    .to_string()
}

/// A1's records, which no caller outside A1's cohort and role may be shown.
fn secrets(w: &World) -> Vec<String> {
    let mut s: Vec<String> = ["enrolment", "attempt", "placement", "entry", "attestation"]
        .iter()
        .chain(&["certificate", "verification"])
        .map(|k| w.ids[k].clone())
        .collect();
    s.push(w.callers["owner"].email.clone());
    s
}

/// The staff-visible lists show staff A (and the admin) learner A1's records, and staff B
/// none of them; the item statistics count only the caller's cohorts' attempts. Run before
/// the matrix, whose calls change records.
async fn lists_keep_to_their_scope(app: &TestApp, w: &World) {
    let e = &w.ids["enrolment"];
    let lists = [
        ("/api/v1/admin/externship/enrolments", e.as_str()),
        (
            "/api/v1/admin/externship/placements",
            w.ids["placement"].as_str(),
        ),
        ("/api/v1/admin/externship/review", w.ids["entry"].as_str()),
        ("/api/v1/admin/certificates", w.ids["certificate"].as_str()),
    ];
    for (path, record) in lists {
        for (who, shown) in [("staff_a", true), ("admin", true), ("staff_b", false)] {
            let res = call(app, "GET", path, &w.callers[who]).await;
            assert_eq!(res.status, 200, "{path} as {who}: {}", res.text());
            assert_eq!(
                res.text().contains(record),
                shown,
                "{path} as {who}: {}",
                res.text()
            );
        }
    }
    let stats = "/api/v1/admin/courses/demo-course/questions/stats";
    for (who, attempts) in [("staff_a", 1), ("admin", 1), ("staff_b", 0)] {
        let res = call(app, "GET", stats, &w.callers[who]).await;
        assert_eq!(res.status, 200, "{stats} as {who}: {}", res.text());
        assert_eq!(
            res.json()["attempts"],
            attempts,
            "{stats} as {who}: {}",
            res.text()
        );
    }
    // Re-activation: staff B cannot reach A2's withdrawn enrolment, staff A re-activates it.
    let e2 = text(
        app,
        &format!(
            "UPDATE enrolments SET state = 'withdrawn', withdrawn_at = now()
              WHERE user_id = '{}' RETURNING id::text AS s",
            w.callers["other"].id
        ),
    )
    .await
    .unwrap();
    let path = format!("/api/v1/admin/enrolments/{e2}/reactivate");
    assert_eq!(
        call(app, "POST", &path, &w.callers["staff_b"]).await.status,
        404
    );
    let res = call(app, "POST", &path, &w.callers["staff_a"]).await;
    assert_eq!(
        (res.status, &res.json()["state"]),
        (200, &json!("active")),
        "{}",
        res.text()
    );

    // The users list finds staff accounts; an admin makes one (its sessions end).
    let res = call(
        app,
        "GET",
        "/api/v1/admin/users?role=staff",
        &w.callers["admin"],
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["total"], 2, "{}", res.text());
    let c = learner(app).email("staff-c@example.org").await;
    let body = json!({ "role": "staff" });
    let path = format!("/api/v1/admin/users/{}", c.id);
    let res = crate::support::call_json(app, "PATCH", &path, &w.callers["admin"], &body).await;
    assert_eq!(
        (res.status, &res.json()["role"]),
        (200, &json!("staff")),
        "{}",
        res.text()
    );
    assert_eq!(call(app, "GET", "/api/v1/me", &c).await.status, 401);
    // Staff of no cohort of the course: the course is not theirs to see.
    let c = login(app, "staff-c@example.org", PASSWORD).await;
    assert_eq!(call(app, "GET", stats, &c).await.status, 404);
}

#[actix_web::test]
async fn every_route_answers_each_kind_of_caller_as_the_table_says() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    lists_keep_to_their_scope(&app, &w).await;
    let expected = table();
    let secrets = secrets(&w);
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for (method, template) in routes() {
        let key = format!("{method} {template}");
        seen.insert(key.clone());
        let path = w.path(&template);
        let body = w.body(&method, &template);
        let mut got = Vec::new();
        for who in CALLERS {
            let token = w.callers.get(who).map(|a| a.token.as_str());
            let res = app.call(&method, &path, token, None, body.as_ref()).await;
            assert!(
                res.status < 500,
                "{key} as {who}: {} {}",
                res.status,
                res.text()
            );
            got.push(res.status);
            let public = matches("allow", got[0]);
            if (who == "other" || who == "staff_b") && res.status < 300 && !public {
                let text = res.text();
                for s in secrets.iter().filter(|s| text.contains(s.as_str())) {
                    problems.push(format!("{key} as {who}: the answer shows learner A1's {s}"));
                }
            }
        }
        let observed: Vec<String> = got.iter().map(|s| outcome(*s)).collect();
        match expected.get(&key) {
            None => missing.push(row(&key, &observed)),
            Some(cells) => {
                for ((who, cell), status) in CALLERS.iter().zip(cells).zip(&got) {
                    if !matches(cell, *status) {
                        problems.push(format!("{key} as {who}: expected {cell}, got {status}"));
                    }
                }
            }
        }
    }
    let stale: Vec<&String> = expected.keys().filter(|k| !seen.contains(*k)).collect();
    let mut report = String::new();
    if !missing.is_empty() {
        report.push_str(&format!(
            "\nroutes without a row in {TABLE}; the outcomes seen now, ready to paste (check each \
             cell is what the rule wants, not just what the code does; columns: {}):\n{}\n",
            CALLERS.join(" "),
            missing.join("\n")
        ));
    }
    if !stale.is_empty() {
        report.push_str(&format!(
            "\nrows of {TABLE} naming routes that no longer exist (remove them):\n{}\n",
            stale
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    if !problems.is_empty() {
        report.push_str(&format!(
            "\nanswers that differ from {TABLE}:\n{}\n",
            problems.join("\n")
        ));
    }
    assert!(report.is_empty(), "{report}");
}
