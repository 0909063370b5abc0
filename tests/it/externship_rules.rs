//! The externship's rules and refusals: future and out-of-placement dates, overlaps, the daily
//! maximum, implausible counts, patient information, types and departments the course does
//! not have; other learners' IDs, decided entries, and every kind of bad attestation link.
//! Each refusal is a 4xx with its code and changes nothing.

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::support::externship::{
    attest, collections, days_ago, decision, entries, ids, known_token, log_collections, log_shift,
    placement, shift, shift_id, site, submit,
};
use crate::support::{
    Account, FixtureCourse, admin, call, call_json, count, enrolment, exec, learner,
};

fn course() -> FixtureCourse {
    FixtureCourse::DEMO.unsequenced()
}

/// An app, an admin, a learner enrolled and placed: (app, admin, learner, enrolment, placement).
async fn placed() -> (TestApp, Account, Account, String, String) {
    let app = TestApp::spawn().await;
    let root = admin(&app).await;
    let who = learner(&app).await;
    let id = enrolment(&app, &who, course()).await.id;
    let s = site(&app, &root, "County Clinic").await;
    let p = placement(&app, &root, &id, &s, "sup@clinic.example.org").await;
    (app, root, who, id, p)
}

/// The triggers' tallies equal a recount of the log (rows with no entries left aside).
async fn tallies_agree(app: &TestApp) {
    let recount = "SELECT enrolment_id, kind, state, superseded_at IS NULL AS counted,
                          coalesce(department, '') AS d, coalesce(collection_type, '') AS c,
                          coalesce(successful, false) AS s, coalesce(unaided, false) AS u,
                          count(*)::int AS n, coalesce(sum(minutes), 0)::bigint AS m
                     FROM externship_entries GROUP BY 1, 2, 3, 4, 5, 6, 7, 8";
    let tallies = "SELECT enrolment_id, kind, state, counted, department, collection_type,
                          successful, unaided, entries, minutes
                     FROM externship_tallies WHERE entries > 0";
    let sql = format!(
        "SELECT count(*) AS n FROM (({recount} EXCEPT {tallies}) UNION ALL ({tallies} EXCEPT {recount})) x"
    );
    assert_eq!(count(app, &sql).await, 0, "tallies differ from a recount");
    assert!(count(app, "SELECT count(*) AS n FROM externship_tallies").await > 0);
}

async fn entry_count(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) AS n FROM externship_entries").await
}

#[actix_web::test]
async fn shifts_must_be_past_within_the_placement_apart_and_within_the_daily_maximum() {
    let (app, _, who, id, p) = placed().await;
    let future = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(-3), "08:00", "12:00", "outpatient"),
    )
    .await;
    future.assert_error(422, "date_in_future");
    let before = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(60), "08:00", "12:00", "outpatient"),
    )
    .await;
    before.assert_error(422, "outside_placement");
    shift_id(
        &app,
        &who,
        &id,
        shift(&p, days_ago(5), "08:00", "14:00", "outpatient"),
    )
    .await;
    let overlap = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(5), "13:00", "15:00", "inpatient"),
    )
    .await;
    overlap.assert_error(409, "shift_overlaps");
    // The night before running into the morning overlaps too.
    let night = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(6), "22:00", "09:00", "inpatient"),
    )
    .await;
    night.assert_error(409, "shift_overlaps");
    // 6 hours logged; 7 more on the same day exceed the 12-hour maximum.
    let long = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(5), "14:00", "21:00", "outpatient"),
    )
    .await;
    let body = long.assert_error(422, "daily_limit_exceeded");
    assert_eq!(body["details"]["logged_minutes"], 360);
    let empty = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(4), "08:00", "08:00", "outpatient"),
    )
    .await;
    empty.assert_error(422, "invalid_input");
    let dept = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(4), "08:00", "09:00", "microbiology"),
    )
    .await;
    dept.assert_error(422, "unknown_department");
    let bad_time = log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(4), "8am", "09:00", "outpatient"),
    )
    .await;
    bad_time.assert_error(422, "invalid_input");
    assert_eq!(
        entry_count(&app).await,
        1,
        "only the first shift was stored"
    );
}

#[actix_web::test]
async fn notes_that_look_like_patient_information_are_refused_naming_the_part() {
    let (app, _, who, id, p) = placed().await;
    let mut s = shift(&p, days_ago(2), "08:00", "12:00", "outpatient");
    s["notes"] = json!("Patient MRN 00123456, hard stick");
    let body = log_shift(&app, &who, &id, s)
        .await
        .assert_error(422, "phi_suspected");
    assert_eq!(body["details"]["kind"], "record_number");
    assert_eq!(body["details"]["match"], "00123456");
    assert!(body["message"].as_str().unwrap().contains("00123456"));
    let mut c = collections(&p, days_ago(2), "venipuncture", 1);
    c["notes"] = json!("call back 555-123-4567");
    let body = log_collections(&app, &who, &id, &c)
        .await
        .assert_error(422, "phi_suspected");
    assert_eq!(body["details"]["kind"], "phone");
    c["notes"] = json!("x".repeat(501));
    log_collections(&app, &who, &id, &c)
        .await
        .assert_error(422, "invalid_input");
    // There is no field for a patient: an unknown field is refused, not ignored.
    let mut c = collections(&p, days_ago(2), "venipuncture", 1);
    c["patient_id"] = json!("A-1");
    let body = log_collections(&app, &who, &id, &c)
        .await
        .assert_error(422, "invalid_input");
    assert_eq!(body["details"]["field"], "patient_id");
    let mut s = shift(&p, days_ago(2), "08:00", "12:00", "outpatient");
    s["mrn"] = json!("123");
    log_shift(&app, &who, &id, s)
        .await
        .assert_error(422, "invalid_input");
    assert_eq!(entry_count(&app).await, 0);
}

#[actix_web::test]
async fn collection_counts_must_fit_their_shift_and_types_the_course() {
    let (app, _, who, id, p) = placed().await;
    let s = shift_id(
        &app,
        &who,
        &id,
        shift(&p, days_ago(2), "08:00", "08:30", "outpatient"),
    )
    .await;
    let mut c = collections(&p, days_ago(2), "venipuncture", 25);
    c["shift_id"] = json!(s);
    assert_eq!(log_collections(&app, &who, &id, &c).await.status, 201);
    let mut more = collections(&p, days_ago(2), "venipuncture", 6);
    more["shift_id"] = json!(s);
    let body = log_collections(&app, &who, &id, &more)
        .await
        .assert_error(422, "too_many_collections");
    assert_eq!(body["details"]["limit"], 30);
    let mut other_day = collections(&p, days_ago(3), "venipuncture", 1);
    other_day["shift_id"] = json!(s);
    log_collections(&app, &who, &id, &other_day)
        .await
        .assert_error(422, "shift_mismatch");
    let c = collections(&p, days_ago(2), "venipuncture", 101);
    log_collections(&app, &who, &id, &c)
        .await
        .assert_error(422, "invalid_input");
    let c = collections(&p, days_ago(2), "arterial", 1);
    log_collections(&app, &who, &id, &c)
        .await
        .assert_error(422, "collection_type_not_in_course");
    assert_eq!(entry_count(&app).await, 1 + 25);
    tallies_agree(&app).await;
}

#[actix_web::test]
async fn another_learners_enrolment_placement_and_entries_are_not_found() {
    let (app, root, ana, id, p) = placed().await;
    let ben = learner(&app).await;
    let ben_id = enrolment(&app, &ben, course()).await.id;
    let s2 = site(&app, &root, "Other Site").await;
    let ben_p = placement(&app, &root, &ben_id, &s2, "other@site.example.org").await;
    let a_shift = shift_id(
        &app,
        &ana,
        &id,
        shift(&p, days_ago(2), "08:00", "12:00", "outpatient"),
    )
    .await;

    // Ben reads or writes Ana's enrolment: 404, as for an ID that does not exist.
    for path in ["", "/entries", "/summary", "/attestations", "/export.csv"] {
        let res = call(
            &app,
            "GET",
            &format!("/api/v1/enrolments/{id}/externship{path}"),
            &ben,
        )
        .await;
        res.assert_error(404, "not_found");
    }
    log_shift(
        &app,
        &ben,
        &id,
        shift(&p, days_ago(2), "13:00", "14:00", "outpatient"),
    )
    .await
    .assert_error(404, "not_found");
    // Ben uses Ana's placement or entry in his own enrolment: not found either.
    log_shift(
        &app,
        &ben,
        &ben_id,
        shift(&p, days_ago(2), "13:00", "14:00", "outpatient"),
    )
    .await
    .assert_error(404, "not_found");
    let path = format!("/api/v1/enrolments/{ben_id}/externship/entries/{a_shift}");
    call(&app, "DELETE", &path, &ben)
        .await
        .assert_error(404, "not_found");
    let body = json!({ "shift": shift(&ben_p, days_ago(2), "08:00", "09:00", "outpatient") });
    call_json(&app, "PUT", &path, &ben, &body)
        .await
        .assert_error(404, "not_found");
    let sub = json!({ "placement_id": p });
    call_json(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{ben_id}/externship/submissions"),
        &ben,
        &sub,
    )
    .await
    .assert_error(404, "not_found");
    // Learners are not admins.
    for (m, path) in [
        ("GET", "/api/v1/admin/externship/sites"),
        ("GET", "/api/v1/admin/externship/review"),
        ("GET", "/api/v1/admin/externship/placements"),
        ("GET", "/api/v1/admin/externship/enrolments"),
    ] {
        call(&app, m, path, &ana)
            .await
            .assert_error(403, "forbidden");
    }
    assert_eq!(entry_count(&app).await, 1);
}

#[actix_web::test]
async fn decided_entries_are_amended_not_edited() {
    let (app, _, who, id, p) = placed().await;
    let s = shift_id(
        &app,
        &who,
        &id,
        shift(&p, days_ago(2), "08:00", "12:00", "outpatient"),
    )
    .await;
    let path = format!("/api/v1/enrolments/{id}/externship/entries/{s}");
    let edit = json!({ "shift": shift(&p, days_ago(2), "08:00", "13:00", "outpatient") });
    assert_eq!(
        call_json(&app, "PUT", &path, &who, &edit).await.status,
        200,
        "a draft is edited"
    );
    let req = submit(&app, &who, &id, &p).await;
    call_json(&app, "PUT", &path, &who, &edit)
        .await
        .assert_error(409, "entry_locked");
    call(&app, "DELETE", &path, &who)
        .await
        .assert_error(409, "entry_locked");
    let amend = json!({ "reason": "typo", "shift": shift(&p, days_ago(2), "08:00", "12:00", "outpatient") });
    call_json(&app, "POST", &format!("{path}/amendments"), &who, &amend)
        .await
        .assert_error(409, "entry_not_amendable");
    let token = known_token(&app, req["id"].as_str().unwrap()).await;
    assert_eq!(
        attest(&app, &token, &decision(&[&s], &[], &[]))
            .await
            .status,
        200
    );
    call_json(&app, "PUT", &path, &who, &edit)
        .await
        .assert_error(409, "entry_locked");
    let done = call_json(&app, "POST", &format!("{path}/amendments"), &who, &amend).await;
    assert_eq!(done.status, 201, "{}", done.text());
    call_json(&app, "POST", &format!("{path}/amendments"), &who, &amend)
        .await
        .assert_error(409, "already_amended");
    let list = entries(&app, &who, &id).await;
    let original = list.iter().find(|e| e["id"] == s.as_str()).unwrap();
    assert_eq!(original["state"], "attested");
    assert_eq!(original["superseded"], true);
    assert_eq!(
        original["shift"]["minutes"], 300,
        "the original is kept as it was"
    );
}

/// A learner's request with one shift, and its token.
async fn requested(
    app: &TestApp,
    who: &Account,
    id: &str,
    p: &str,
    day: i64,
) -> (Value, String, String) {
    let s = shift_id(
        app,
        who,
        id,
        shift(p, days_ago(day), "08:00", "10:00", "outpatient"),
    )
    .await;
    let req = submit(app, who, id, p).await;
    let token = known_token(app, req["id"].as_str().unwrap()).await;
    (req, token, s)
}

async fn refusals(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT count(*) AS n FROM audit_log WHERE action = 'externship.attestation_refused'",
    )
    .await
}

#[actix_web::test]
async fn forged_expired_voided_and_foreign_links_are_refused_and_audited() {
    let (app, root, ana, id, p) = placed().await;
    let (req, token, s) = requested(&app, &ana, &id, &p, 2).await;

    // Forged.
    app.get("/api/v1/attestations/not-a-real-token")
        .await
        .assert_error(404, "not_found");
    attest(&app, "not-a-real-token", &decision(&[&s], &[], &[]))
        .await
        .assert_error(404, "not_found");
    assert_eq!(refusals(&app).await, 1);

    // Another learner's entry on Ana's link: refused, nothing recorded.
    let ben = learner(&app).await;
    let ben_id = enrolment(&app, &ben, course()).await.id;
    let s2 = site(&app, &root, "Ben's Site").await;
    let ben_p = placement(&app, &root, &ben_id, &s2, "ben-sup@site.example.org").await;
    let (_, _, ben_shift) = requested(&app, &ben, &ben_id, &ben_p, 3).await;
    let body = decision(&[&s, &ben_shift], &[], &[]);
    attest(&app, &token, &body)
        .await
        .assert_error(422, "entry_not_in_request");
    let unknown = decision(&[&s], &[], &[("no-such-skill", "satisfactory")]);
    attest(&app, &token, &unknown)
        .await
        .assert_error(422, "unknown_competency");
    assert_eq!(refusals(&app).await, 3);
    let pending = app
        .get(&format!("/api/v1/attestations/{token}"))
        .await
        .json();
    assert_eq!(pending["status"], "pending", "nothing was consumed");
    let reject_without_reason =
        json!({ "signature": "D", "decisions": [{ "entry_id": s, "decision": "reject" }] });
    attest(&app, &token, &reject_without_reason)
        .await
        .assert_error(422, "invalid_input");

    // Resent: the old link is voided, the new one works.
    let path = format!(
        "/api/v1/enrolments/{id}/externship/attestations/{}/resend",
        req["id"].as_str().unwrap()
    );
    let again = call(&app, "POST", &path, &ana).await;
    assert_eq!(again.status, 201, "{}", again.text());
    attest(&app, &token, &decision(&[&s], &[], &[]))
        .await
        .assert_error(410, "attestation_voided");
    call(&app, "POST", &path, &ana)
        .await
        .assert_error(409, "attestation_not_pending");
    let fresh = known_token(&app, again.json()["id"].as_str().unwrap()).await;

    // Expired.
    exec(&app, "UPDATE externship_attestations SET created_at = now() - interval '20 days', expires_at = now() - interval '1 day'").await;
    attest(&app, &fresh, &decision(&[&s], &[], &[]))
        .await
        .assert_error(410, "attestation_expired");
    assert_eq!(
        app.get(&format!("/api/v1/attestations/{fresh}"))
            .await
            .json()["status"],
        "expired"
    );
    assert_eq!(refusals(&app).await, 5);
    let states = "SELECT count(*) AS n FROM externship_entries WHERE state <> 'submitted'";
    assert_eq!(
        count(&app, states).await,
        0,
        "no refused use changed an entry"
    );
}

#[actix_web::test]
async fn two_decisions_at_once_on_one_link_record_one() {
    let (app, _, who, id, p) = placed().await;
    let (_, token, s) = requested(&app, &who, &id, &p, 2).await;
    let a = decision(&[&s], &[], &[]);
    let b = decision(&[], &[(&s, "not my shift")], &[]);
    let (x, y) = futures_util::join!(attest(&app, &token, &a), attest(&app, &token, &b));
    let mut statuses = [x.status, y.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", x.text(), y.text());
    let decided =
        "SELECT count(*) AS n FROM externship_entries WHERE state IN ('attested', 'rejected')";
    assert_eq!(count(&app, decided).await, 1);
}

#[actix_web::test]
async fn entries_the_supervisor_leaves_out_go_back_to_the_learner() {
    let (app, _, who, id, p) = placed().await;
    let a = shift_id(
        &app,
        &who,
        &id,
        shift(&p, days_ago(3), "08:00", "10:00", "outpatient"),
    )
    .await;
    let b = shift_id(
        &app,
        &who,
        &id,
        shift(&p, days_ago(2), "08:00", "10:00", "outpatient"),
    )
    .await;
    let req = submit(&app, &who, &id, &p).await;
    let token = known_token(&app, req["id"].as_str().unwrap()).await;
    assert_eq!(
        attest(&app, &token, &decision(&[&a], &[], &[]))
            .await
            .status,
        200
    );
    let list = entries(&app, &who, &id).await;
    let state = |x: &str| list.iter().find(|e| e["id"] == x).unwrap()["state"].clone();
    assert_eq!(state(&a), "attested");
    assert_eq!(state(&b), "draft");
    assert_eq!(ids(&list).len(), 2);
    tallies_agree(&app).await;
}

#[actix_web::test]
async fn the_reminder_mails_a_fresh_link_once_and_the_first_stops_working() {
    let (app, _, who, id, p) = placed().await;
    let (req, token, s) = requested(&app, &who, &id, &p, 2).await;
    let rid = req["id"].as_str().unwrap();
    let jobs = format!(
        "SELECT count(*) AS n FROM jobs WHERE kind = 'externship.attestation_reminder' AND payload->>'attestation_id' = '{rid}' AND run_at > now() + interval '71 hours'"
    );
    assert_eq!(count(&app, &jobs).await, 1, "due after three days");
    exec(
        &app,
        "UPDATE jobs SET run_at = now() WHERE kind = 'externship.attestation_reminder'",
    )
    .await;
    app.run_pending_jobs().await;
    let mails = "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'attestation_reminder'";
    assert_eq!(count(&app, mails).await, 1);
    let page = app
        .get(&format!("/api/v1/attestations/{token}"))
        .await
        .json();
    assert_eq!(page["status"], "voided");
    assert_eq!(page["link_replaced"], true);
    attest(&app, &token, &decision(&[&s], &[], &[]))
        .await
        .assert_error(410, "attestation_voided");
    let listed = call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/externship/attestations"),
        &who,
    )
    .await;
    assert!(listed.json()[0]["reminded_at"].is_string());
}

#[actix_web::test]
async fn a_withdrawn_learner_keeps_the_record_but_cannot_log() {
    let (app, _, who, id, p) = placed().await;
    shift_id(
        &app,
        &who,
        &id,
        shift(&p, days_ago(2), "08:00", "10:00", "outpatient"),
    )
    .await;
    let w = call(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{id}/withdraw"),
        &who,
    )
    .await;
    assert_eq!(w.status, 200, "{}", w.text());
    log_shift(
        &app,
        &who,
        &id,
        shift(&p, days_ago(3), "08:00", "10:00", "outpatient"),
    )
    .await
    .assert_error(403, "enrolment_inactive");
    let csv = call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/externship/export.csv?scope=all"),
        &who,
    )
    .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.text().lines().count(), 2);
    assert_eq!(entries(&app, &who, &id).await.len(), 1);
}

#[actix_web::test]
async fn a_hundred_entries_go_to_the_supervisor_in_one_request() {
    let (app, _, who, id, p) = placed().await;
    for day in 1..=4 {
        let c = collections(&p, days_ago(day), "venipuncture", 25);
        assert_eq!(log_collections(&app, &who, &id, &c).await.status, 201);
    }
    let req = submit(&app, &who, &id, &p).await;
    assert_eq!(req["entry_count"], 100);
    let submitted = "SELECT count(*) AS n FROM externship_entries WHERE state = 'submitted'";
    assert_eq!(count(&app, submitted).await, 100);
    let mails = "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'attestation_request'";
    assert_eq!(count(&app, mails).await, 1);
    let empty = json!({ "placement_id": p });
    call_json(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{id}/externship/submissions"),
        &who,
        &empty,
    )
    .await
    .assert_error(422, "nothing_to_submit");
}

#[actix_web::test]
async fn admins_keep_the_site_directory_and_placements() {
    let app = TestApp::spawn().await;
    let root = admin(&app).await;
    let who = learner(&app).await;
    let id = enrolment(&app, &who, course()).await.id;
    let s = site(&app, &root, "North Lab").await;
    let dup = json!({ "name": "north lab", "address": "2 Road" });
    call_json(&app, "POST", "/api/v1/admin/externship/sites", &root, &dup)
        .await
        .assert_error(409, "site_name_taken");
    let bad = json!({ "name": "X", "address": "Y", "contact_email": "not-an-email" });
    call_json(&app, "POST", "/api/v1/admin/externship/sites", &root, &bad)
        .await
        .assert_error(422, "invalid_input");
    let bad_dept = json!({ "enrolment_id": id, "site_id": s, "supervisor_name": "A", "supervisor_email": "a@x.org",
        "starts_on": days_ago(1), "ends_on": days_ago(0), "departments": ["cardiology"] });
    call_json(
        &app,
        "POST",
        "/api/v1/admin/externship/placements",
        &root,
        &bad_dept,
    )
    .await
    .assert_error(422, "unknown_department");
    // A repeated department is kept once (never a 500 from the schema's limit).
    let many = json!({ "enrolment_id": id, "site_id": s, "supervisor_name": "A", "supervisor_email": "a@x.org",
        "starts_on": days_ago(1), "ends_on": days_ago(0), "departments": vec!["inpatient"; 40] });
    let res = call_json(
        &app,
        "POST",
        "/api/v1/admin/externship/placements",
        &root,
        &many,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["departments"], json!(["inpatient"]));
    let archive = json!({ "archived": true });
    let res = call_json(
        &app,
        "PATCH",
        &format!("/api/v1/admin/externship/sites/{s}"),
        &root,
        &archive,
    )
    .await;
    assert_eq!(res.json()["archived"], true);
    let ok = json!({ "enrolment_id": id, "site_id": s, "supervisor_name": "A", "supervisor_email": "a@x.org",
        "starts_on": days_ago(1), "ends_on": days_ago(0) });
    call_json(
        &app,
        "POST",
        "/api/v1/admin/externship/placements",
        &root,
        &ok,
    )
    .await
    .assert_error(422, "site_archived");
    let listed = call(&app, "GET", "/api/v1/admin/externship/sites", &root).await;
    assert_eq!(
        listed.json().as_array().unwrap().len(),
        0,
        "archived sites are hidden by default"
    );
    let found = call(
        &app,
        "GET",
        "/api/v1/admin/externship/enrolments?q=learner",
        &root,
    )
    .await;
    assert_eq!(found.json()[0]["enrolment_id"], id.as_str());
    let audit = "SELECT count(*) AS n FROM audit_log WHERE action LIKE 'externship.site_%'";
    assert_eq!(count(&app, audit).await, 2);
}
