//! Externship builders: a site, a placement, shifts and collections logged through the API,
//! a submission and the supervisor's token read from the mail.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::accounts::Account;
use super::{call, call_json};
use crate::harness::{TestApp, TestResponse};

/// `n` days before today (UTC).
pub fn days_ago(n: i64) -> NaiveDate {
    Utc::now().date_naive() - Duration::days(n)
}

/// A site created by `admin` (asserting 201); returns its ID.
pub async fn site(app: &TestApp, admin: &Account, name: &str) -> String {
    let res = call_json(
        app,
        "POST",
        "/api/v1/admin/externship/sites",
        admin,
        &json!({ "name": name, "address": "1 Hospital Way, Springfield",
                 "departments": ["Outpatient lab", "Inpatient wards"],
                 "contact_name": "Lab office", "contact_email": "lab@hospital.example.org" }),
    )
    .await;
    assert_eq!(res.status, 201, "creating site {name}: {}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

/// A placement of `enrolment` at `site` supervised by `supervisor`, from 40 days ago to
/// 10 days ahead, in both fixture departments (asserting 201); returns its ID.
pub async fn placement(
    app: &TestApp,
    admin: &Account,
    enrolment: &str,
    site: &str,
    supervisor: &str,
) -> String {
    let res = call_json(
        app,
        "POST",
        "/api/v1/admin/externship/placements",
        admin,
        &json!({
            "enrolment_id": enrolment, "site_id": site,
            "supervisor_name": "Dana Ruiz", "supervisor_email": supervisor,
            "supervisor_credential": "PBT(ASCP)",
            "starts_on": days_ago(40), "ends_on": days_ago(-10),
            "departments": ["outpatient", "inpatient"],
        }),
    )
    .await;
    assert_eq!(res.status, 201, "creating a placement: {}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

/// Logs a shift (unchecked): `date` `start`-`end` in `department`.
pub async fn log_shift(app: &TestApp, who: &Account, enrolment: &str, body: Value) -> TestResponse {
    let mut body = body;
    if body.get("client_id").is_none() {
        body["client_id"] = json!(Uuid::new_v4());
    }
    call_json(
        app,
        "POST",
        &format!("/api/v1/enrolments/{enrolment}/externship/shifts"),
        who,
        &body,
    )
    .await
}

/// A shift's body.
pub fn shift(placement: &str, date: NaiveDate, start: &str, end: &str, dept: &str) -> Value {
    json!({ "placement_id": placement, "date": date, "start": start, "end": end,
            "department": dept, "activities": "Routine venipuncture at the draw station" })
}

/// Logs a shift, asserting 201; returns its ID.
pub async fn shift_id(app: &TestApp, who: &Account, enrolment: &str, body: Value) -> String {
    let res = log_shift(app, who, enrolment, body).await;
    assert_eq!(res.status, 201, "logging a shift: {}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

/// A collection quick entry's body: `count` successful unaided attempts of `kind`.
pub fn collections(placement: &str, date: NaiveDate, kind: &str, count: i64) -> Value {
    json!({ "client_id": Uuid::new_v4(), "count": count, "placement_id": placement,
            "date": date, "type": kind, "method": "evacuated_tube", "age_group": "adult",
            "successful": true, "unaided": true })
}

/// Logs collection attempts (unchecked).
pub async fn log_collections(
    app: &TestApp,
    who: &Account,
    enrolment: &str,
    body: &Value,
) -> TestResponse {
    call_json(
        app,
        "POST",
        &format!("/api/v1/enrolments/{enrolment}/externship/collections"),
        who,
        body,
    )
    .await
}

/// Sends every draft at `placement` (asserting 201); returns the request.
pub async fn submit(app: &TestApp, who: &Account, enrolment: &str, placement: &str) -> Value {
    let res = call_json(
        app,
        "POST",
        &format!("/api/v1/enrolments/{enrolment}/externship/submissions"),
        who,
        &json!({ "placement_id": placement }),
    )
    .await;
    assert_eq!(res.status, 201, "submitting: {}", res.text());
    res.json()
}

/// The log's entries.
pub async fn entries(app: &TestApp, who: &Account, enrolment: &str) -> Vec<Value> {
    let res = call(
        app,
        "GET",
        &format!("/api/v1/enrolments/{enrolment}/externship/entries"),
        who,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json().as_array().unwrap().clone()
}

/// The summary.
pub async fn summary(app: &TestApp, who: &Account, enrolment: &str) -> Value {
    let res = call(
        app,
        "GET",
        &format!("/api/v1/enrolments/{enrolment}/externship/summary"),
        who,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

/// Everything a supervisor's decision is made of.
pub fn decision(attest: &[&str], reject: &[(&str, &str)], ratings: &[(&str, &str)]) -> Value {
    let mut d: Vec<Value> = attest
        .iter()
        .map(|id| json!({ "entry_id": id, "decision": "attest" }))
        .collect();
    d.extend(
        reject
            .iter()
            .map(|(id, why)| json!({ "entry_id": id, "decision": "reject", "reason": why })),
    );
    let r: Vec<Value> = ratings
        .iter()
        .map(|(c, rating)| json!({ "competency": c, "rating": rating }))
        .collect();
    json!({ "signature": "Dana Ruiz", "decisions": d, "competencies": r })
}

/// The supervisor's POST (no account).
pub async fn attest(app: &TestApp, token: &str, body: &Value) -> TestResponse {
    app.post_json(&format!("/api/v1/attestations/{token}"), body)
        .await
}

/// A token whose hash is stored for `request` (bypassing the mail, for tests about something
/// else): replaces the request's token.
pub async fn known_token(app: &TestApp, request: &str) -> String {
    let token = format!("test-token-{}", Uuid::new_v4().simple());
    let hash = {
        use sha2::{Digest, Sha256};
        Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    super::exec(
        app,
        &format!(
            "UPDATE externship_attestations SET token_hash = '\\x{hash}' WHERE id = '{request}'"
        ),
    )
    .await;
    token
}

/// IDs of the entries in `list`.
pub fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}
