//! The clinical externship over HTTP: placements, the shift and collection log, attestation by
//! a link read from a real SMTP server, competencies, review, the summary, the completion
//! engine and the exports; then the rules, ownership and abuse cases.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::smtp::{SmtpSink, link_with_token};
use crate::support::externship::{
    attest, collections, days_ago, decision, entries, ids, log_collections, placement, shift,
    shift_id, site, submit, summary,
};
use crate::support::{
    Account, FixtureCourse, admin, call, call_json, complete_lessons, count, enrolment, learner,
    record_quiz_pass,
};

const WAIT: Duration = Duration::from_secs(10);

/// The demo course, self-paced, completing with its lessons, quizzes and the externship.
fn course() -> FixtureCourse {
    FixtureCourse::DEMO.unsequenced()
}

async fn app_with(sink: &SmtpSink) -> TestApp {
    TestApp::builder()
        .var("BENCHSIDE_SMTP_URL", &sink.url())
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .build()
        .await
}

/// The `nth` (from 0) delivered mail to `to` whose subject contains `needle`.
async fn mail_to(sink: &SmtpSink, to: &str, needle: &str, nth: usize) -> crate::smtp::Received {
    let started = std::time::Instant::now();
    loop {
        let found: Vec<_> = sink
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to) && m.subject().contains(needle))
            .collect();
        if let Some(m) = found.into_iter().nth(nth) {
            return m;
        }
        assert!(started.elapsed() < WAIT, "no mail to {to} about {needle:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A learner enrolled in the demo course with every lesson and quiz done: only the
/// externship is missing.
async fn ready_learner(app: &TestApp, email: &str) -> (Account, String) {
    let who = learner(app).email(email).await;
    let id = enrolment(app, &who, course()).await.id;
    complete_lessons(app, &who, &id, &["sharps", "gloves", "order"]).await;
    for q in ["safety-quiz", "collection-quiz", "final-exam"] {
        record_quiz_pass(app, &id, q).await;
    }
    (who, id)
}

async fn state_of(app: &TestApp, enrolment: &str) -> String {
    crate::support::text(
        app,
        &format!("SELECT state AS s FROM enrolments WHERE id = '{enrolment}'"),
    )
    .await
    .unwrap()
}

/// Logs the demo externship: three shifts (20 hours: 12 outpatient, 8 inpatient) and 30
/// collection attempts (22 venipunctures, 6 skin punctures, 2 unsuccessful). Returns the
/// shift IDs.
async fn log_everything(app: &TestApp, who: &Account, id: &str, p: &str) -> Vec<String> {
    let a = shift_id(
        app,
        who,
        id,
        shift(p, days_ago(3), "07:00", "15:00", "outpatient"),
    )
    .await;
    let b = shift_id(
        app,
        who,
        id,
        shift(p, days_ago(2), "19:00", "03:00", "inpatient"),
    )
    .await;
    let c = shift_id(
        app,
        who,
        id,
        shift(p, days_ago(1), "08:00", "12:00", "outpatient"),
    )
    .await;
    let mut in_shift = collections(p, days_ago(3), "venipuncture", 14);
    in_shift["shift_id"] = json!(a);
    let batches = [
        in_shift,
        collections(p, days_ago(1), "venipuncture", 8),
        collections(p, days_ago(1), "skin-puncture", 6),
        json!({ "client_id": uuid::Uuid::new_v4(), "count": 2, "placement_id": p,
                "date": days_ago(2), "type": "venipuncture", "method": "winged_set",
                "age_group": "geriatric", "successful": false, "unaided": true,
                "notes": "Rolling veins; supervisor completed the draw" }),
    ];
    for b in &batches {
        let res = log_collections(app, who, id, b).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    // Replaying a quick entry (same client_id) stores nothing new.
    let again = log_collections(app, who, id, &batches[1]).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["entries"].as_array().unwrap().len(), 8);
    vec![a, b, c]
}

#[actix_web::test]
async fn placement_log_attestation_review_and_completion_end_to_end() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let root = admin(&app).await;
    let (ana, id) = ready_learner(&app, "ana@example.org").await;
    let site = site(&app, &root, "Springfield General").await;
    let p = placement(&app, &root, &id, &site, "dana@hospital.example.org").await;
    let shifts = log_everything(&app, &ana, &id, &p).await;
    assert_eq!(
        entries(&app, &ana, &id).await.len(),
        33,
        "3 shifts and 30 collections"
    );

    // Submit: one request, one mail to the supervisor with a link.
    let request = submit(&app, &ana, &id, &p).await;
    assert_eq!(request["entry_count"], 33);
    let mail = mail_to(&sink, "dana@hospital.example.org", "attest", 0).await;
    let token = link_with_token(&mail.data, "/attest");
    let page = app.get(&format!("/api/v1/attestations/{token}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.json();
    assert_eq!(page["status"], "pending");
    assert_eq!(page["learner_name"], ana.body["user"]["name"]);
    assert_eq!(page["entries"].as_array().unwrap().len(), 33);
    assert_eq!(page["competencies"].as_array().unwrap().len(), 2);

    // The supervisor rejects the night shift with a reason and attests the rest.
    let all = ids(page["entries"].as_array().unwrap());
    let rest: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|e| *e != shifts[1])
        .collect();
    let body = decision(
        &rest,
        &[(&shifts[1], "You left at 01:00 that night, not 03:00")],
        &[
            ("patient-identification", "satisfactory"),
            ("order-of-draw", "satisfactory"),
        ],
    );
    let decided = attest(&app, &token, &body).await;
    assert_eq!(decided.status, 200, "{}", decided.text());
    assert_eq!(decided.json()["status"], "decided");
    assert_eq!(decided.json()["signature_name"], "Dana Ruiz");
    // A reused link is refused, changes nothing, and the refusal is audited.
    attest(&app, &token, &body)
        .await
        .assert_error(409, "attestation_used");
    let refused =
        "SELECT count(*) AS n FROM audit_log WHERE action = 'externship.attestation_refused'";
    assert_eq!(count(&app, refused).await, 1);
    let reopened = app
        .get(&format!("/api/v1/attestations/{token}"))
        .await
        .json();
    assert_eq!(reopened["status"], "decided");
    assert_eq!(reopened["ratings"].as_array().unwrap().len(), 2);
    mail_to(&sink, "ana@example.org", "supervisor answered", 0).await;

    // The learner corrects the rejected shift; the amendment is attested on a new link.
    let amended = call_json(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{id}/externship/entries/{}/amendments", shifts[1]),
        &ana,
        &json!({ "reason": "Left early at 01:00", "shift": shift(&p, days_ago(2), "19:00", "01:00", "inpatient") }),
    )
    .await;
    assert_eq!(amended.status, 201, "{}", amended.text());
    let amendment = amended.json()["id"].as_str().unwrap().to_string();
    // Six hours inpatient is enough (2 needed), but the total is now 18 of 20 hours: one
    // more outpatient shift.
    let d = shift_id(
        &app,
        &ana,
        &id,
        shift(&p, days_ago(4), "08:00", "10:00", "outpatient"),
    )
    .await;
    submit(&app, &ana, &id, &p).await;
    let second = mail_to(&sink, "dana@hospital.example.org", "attest", 1).await;
    let token2 = link_with_token(&second.data, "/attest");
    let body = decision(
        &[&amendment, &d],
        &[],
        &[("patient-identification", "satisfactory")],
    );
    assert_eq!(attest(&app, &token2, &body).await.status, 200);
    assert_eq!(
        state_of(&app, &id).await,
        "active",
        "nothing is approved yet"
    );

    // The program approves everything attested in one bulk review: the course completes.
    let queue = call(
        &app,
        "GET",
        "/api/v1/admin/externship/review?per_page=100",
        &root,
    )
    .await;
    assert_eq!(queue.status, 200, "{}", queue.text());
    let queue = queue.json();
    assert_eq!(
        queue["total"], 34,
        "32 first-round entries, the amendment, the extra shift"
    );
    let item = &queue["items"][0];
    assert_eq!(item["signature_name"], "Dana Ruiz");
    assert_eq!(item["site_name"], "Springfield General");
    let decisions: Vec<Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({ "entry_id": i["entry"]["id"], "decision": "approve" }))
        .collect();
    let reviewed = call_json(
        &app,
        "POST",
        "/api/v1/admin/externship/review",
        &root,
        &json!({ "decisions": decisions }),
    )
    .await;
    assert_eq!(reviewed.status, 200, "{}", reviewed.text());
    assert_eq!(reviewed.json()["approved"], 34);
    assert_eq!(reviewed.json()["completed"], json!([id]));
    assert_eq!(state_of(&app, &id).await, "completed");

    let s = summary(&app, &ana, &id).await;
    assert_eq!(s["met"], true, "{s}");
    assert_eq!(s["hours"]["done"], 20.0);
    assert_eq!(s["procedures"][0]["done"], 22.0);
    assert_eq!(s["procedures"][1]["done"], 6.0);
    assert_eq!(s["attempts"], 30);
    assert_eq!(s["competencies"][0]["done"], 2.0);
    assert_eq!(s["certifications"][0]["met"], true);
    // The enrolment's own view reads the recorded standing.
    let detail = call(&app, "GET", &format!("/api/v1/enrolments/{id}"), &ana).await;
    let progress = &detail.json()["completion"]["externship"];
    assert_eq!(progress["met"], true, "{}", detail.text());
    assert_eq!(progress["hours_logged"], 20.0);
    assert_eq!(progress["procedures"][0]["logged"], 22);
    app.run_pending_jobs().await;
    mail_to(&sink, "ana@example.org", "Your certificate for", 0).await;
    // The certificate states the approved externship.
    let certs = call(&app, "GET", "/api/v1/me/certificates", &ana)
        .await
        .json();
    let stated = &certs[0]["externship"];
    let collections = match s["procedures_total"].as_object() {
        Some(total) => total["done"].as_f64().unwrap(),
        None => s["procedures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["done"].as_f64().unwrap())
            .sum(),
    };
    assert_eq!(stated["hours"], 20.0, "{certs}");
    assert_eq!(stated["collections"].as_f64(), Some(collections));
    let met: Vec<&Value> = s["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == true)
        .map(|c| &c["name"])
        .collect();
    assert_eq!(
        stated["competencies"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        met
    );
    let verified = app
        .get(&format!(
            "/api/v1/verify/{}",
            certs[0]["code"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(&verified["externship"], stated);

    // The CSV holds exactly the approved records; `scope=all` also the superseded original.
    let csv = call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/externship/export.csv"),
        &ana,
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    assert_eq!(text.lines().count(), 1 + 34, "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with(&shifts[1])),
        "the rejected original is not in the approved record (only named by its amendment)"
    );
    assert!(text.contains("Dana Ruiz"));
    let all = call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/externship/export.csv?scope=all"),
        &ana,
    )
    .await;
    assert_eq!(all.text().lines().count(), 1 + 35);
    assert!(all.text().contains("rejected (superseded)"));

    let recount = "SELECT count(*) AS n FROM externship_entries WHERE state = 'approved' AND superseded_at IS NULL";
    let tallied = "SELECT coalesce(sum(entries), 0) AS n FROM externship_tallies WHERE state = 'approved' AND counted";
    assert_eq!(count(&app, recount).await, count(&app, tallied).await);

    // The PDF logbook holds the same approved record.
    let pdf = call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/externship/logbook.pdf?paper=letter"),
        &ana,
    )
    .await;
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let text = pdf_text(&pdf.body);
    assert!(text.contains("Clinical externship logbook"), "{text}");
    assert!(
        text.contains("19:00\u{2013}01:00"),
        "the amendment is in: {text}"
    );
    assert!(
        !text.contains("19:00\u{2013}03:00"),
        "the rejected original is not"
    );
    // One outcome per approved collection attempt (a cell may wrap, so count the words).
    assert_eq!(text.matches("successful").count(), 30, "{text}");
    assert_eq!(text.matches("unsuccessful").count(), 2);
    assert!(
        text.contains("Approved clinical hours 20 of 20") || text.contains("20 of 20"),
        "{text}"
    );
    assert!(text.contains("Dana Ruiz"));
}

/// Every page's text of a PDF, in order (read back with lopdf, no system tool needed).
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|n| doc.extract_text(&[*n]).expect("text"))
        .collect::<Vec<_>>()
        .join("\n")
}
