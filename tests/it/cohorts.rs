//! Cohort administration over HTTP against PostgreSQL: cohorts (create, list, read, edit,
//! archive), enrolment codes, members (add, move, withdraw, extend), each as an admin, as the
//! staff who own the cohort, as staff of another cohort (404) and as a learner (403), with the
//! audit rows every change writes.

use serde_json::{Value, json};

use crate::harness::{TestApp, TestResponse};
use crate::support::{
    Account, FixtureCourse, PASSWORD, admin, call, call_json, copy_tree, count, exec, fixtures,
    import_course, import_dir, learner, login, text, verified_user,
};

const DEMO: FixtureCourse = FixtureCourse::DEMO;

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

/// A second course (`other-course`), a copy of the fixture under another slug.
async fn import_other_course(app: &TestApp) {
    let dir = copy_tree(&fixtures("valid"));
    std::fs::rename(dir.join("demo-course"), dir.join("other-course")).unwrap();
    let toml = dir.join("other-course/course.toml");
    let s = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        s.replacen("slug = \"demo-course\"", "slug = \"other-course\"", 1),
    )
    .unwrap();
    import_dir(app, &dir).await;
}

struct World {
    app: TestApp,
    root: Account,
    /// Owns the cohorts `create` gives it.
    sam: Account,
    /// Staff of no cohort of these tests.
    other: Account,
    ana: Account,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    import_course(&app, DEMO).await;
    let root = admin(&app).email("root@example.org").await;
    let sam = staff(&app, "sam@example.org").await;
    let other = staff(&app, "olga@example.org").await;
    let ana = learner(&app).email("ana@example.org").await;
    World {
        app,
        root,
        sam,
        other,
        ana,
    }
}

/// Creates a cohort of the demo course owned by `staff` (asserting 201); returns its JSON.
async fn create(w: &World, name: &str, extra: Value) -> Value {
    let mut body = json!({
        "course": "demo-course", "name": name, "starts_on": "2027-01-10",
        "target_on": "2027-04-30", "capacity": 30, "staff": [w.sam.id],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let res = call_json(&w.app, "POST", "/api/v1/admin/cohorts", &w.root, &body).await;
    assert_eq!(res.status, 201, "creating {name}: {}", res.text());
    res.json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn audit_count(app: &TestApp, action: &str, subject: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT count(*) AS n FROM audit_log WHERE action = '{action}' AND subject_id = '{subject}'"
        ),
    )
    .await
}

async fn get(app: &TestApp, path: &str, who: &Account) -> TestResponse {
    call(app, "GET", path, who).await
}

#[actix_web::test]
async fn an_admin_creates_a_cohort_with_owners_dates_and_capacity_and_it_is_audited() {
    let w = world().await;
    let c = create(&w, "  Spring 2027 ", json!({})).await;
    assert_eq!(c["name"], "Spring 2027");
    assert_eq!(
        c["course"],
        json!({ "slug": "demo-course", "title": "Demo Course" })
    );
    assert_eq!(
        (c["starts_on"].clone(), c["target_on"].clone()),
        (json!("2027-01-10"), json!("2027-04-30"))
    );
    assert_eq!(c["capacity"], 30);
    assert_eq!(c["archived_at"], Value::Null);
    assert_eq!(
        c["staff"],
        json!([{ "id": w.sam.id, "name": "Test Learner", "email": "sam@example.org" }])
    );
    assert_eq!(
        c["members"],
        json!({ "active": 0, "completed": 0, "withdrawn": 0, "total": 0 })
    );
    let cid = id(&c);
    assert_eq!(audit_count(&w.app, "cohort.created", &cid).await, 1);
    let actor = text(
        &w.app,
        &format!("SELECT actor_id::text AS s FROM audit_log WHERE action = 'cohort.created' AND subject_id = '{cid}'"),
    )
    .await;
    assert_eq!(actor.as_deref(), Some(w.root.id.as_str()));

    // The owner reads it; staff of another cohort get the same 404 as a missing one.
    let path = format!("/api/v1/admin/cohorts/{cid}");
    assert_eq!(get(&w.app, &path, &w.sam).await.json()["id"], cid);
    get(&w.app, &path, &w.other)
        .await
        .assert_error(404, "not_found");
    get(
        &w.app,
        &format!("/api/v1/admin/cohorts/{}", uuid::Uuid::new_v4()),
        &w.root,
    )
    .await
    .assert_error(404, "not_found");
    get(&w.app, &path, &w.ana)
        .await
        .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn creating_refuses_bad_fields_naming_them_and_writes_nothing() {
    let w = world().await;
    let post = async |who: &Account, body: Value| {
        call_json(&w.app, "POST", "/api/v1/admin/cohorts", who, &body).await
    };
    let ok = json!({ "course": "demo-course", "name": "A", "starts_on": "2027-01-10" });
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    for (body, code, field) in [
        (
            with("target_on", json!("2027-01-09")),
            "target_before_start",
            "target_on",
        ),
        (with("staff", json!([w.ana.id])), "invalid_staff", "staff"),
        (
            with("course", json!("no-such-course")),
            "unknown_course",
            "course",
        ),
        (with("name", json!("   ")), "invalid_name", "name"),
        (with("capacity", json!(0)), "invalid_input", "capacity"),
    ] {
        let e = post(&w.root, body).await.assert_error(422, code);
        assert_eq!(e["details"]["field"], field, "{e}");
    }
    let e = post(&w.root, with("staff", json!([w.ana.id, w.sam.id]))).await;
    assert_eq!(e.json()["error"]["details"]["ids"], json!([w.ana.id]));
    // Staff and learners may not create cohorts.
    post(&w.sam, ok.clone())
        .await
        .assert_error(403, "forbidden");
    post(&w.ana, ok.clone())
        .await
        .assert_error(403, "forbidden");
    assert_eq!(count(&w.app, "SELECT count(*) AS n FROM cohorts").await, 0);
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) AS n FROM audit_log WHERE action LIKE 'cohort.%'"
        )
        .await,
        0
    );
    // An admin may own a cohort too.
    assert_eq!(
        post(&w.root, with("staff", json!([w.root.id])))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn the_list_shows_staff_only_their_cohorts_filtered_and_paginated() {
    let w = world().await;
    import_other_course(&w.app).await;
    let a = create(&w, "Spring 2027", json!({})).await;
    let b = create(&w, "Autumn 2027", json!({ "staff": [w.other.id] })).await;
    let c = create(&w, "Summer 2027", json!({ "course": "other-course" })).await;
    let list = async |who: &Account, q: &str| {
        let res = get(&w.app, &format!("/api/v1/admin/cohorts{q}"), who).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text());
        let v = res.json();
        let names: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect();
        (names, v["total"].as_i64().unwrap())
    };
    // Newest first.
    assert_eq!(
        list(&w.root, "").await.0,
        ["Summer 2027", "Autumn 2027", "Spring 2027"]
    );
    assert_eq!(list(&w.sam, "").await.0, ["Summer 2027", "Spring 2027"]);
    assert_eq!(list(&w.other, "").await.0, ["Autumn 2027"]);
    assert_eq!(
        list(&w.root, "?course=other-course").await.0,
        ["Summer 2027"]
    );
    assert_eq!(list(&w.root, "?q=AUT").await.0, ["Autumn 2027"]);
    let (page, total) = list(&w.root, "?per_page=2&page=2").await;
    assert_eq!((page, total), (vec!["Spring 2027".to_string()], 3));
    // Archived ones leave the default list.
    let path = format!("/api/v1/admin/cohorts/{}/archive", id(&a));
    assert_eq!(call(&w.app, "POST", &path, &w.root).await.status, 200);
    assert_eq!(list(&w.sam, "").await.0, ["Summer 2027"]);
    assert_eq!(list(&w.sam, "?status=archived").await.0, ["Spring 2027"]);
    assert_eq!(list(&w.sam, "?status=all").await.1, 2);
    get(&w.app, "/api/v1/admin/cohorts?status=gone", &w.root)
        .await
        .assert_error(400, "invalid_query");
    get(&w.app, "/api/v1/admin/cohorts", &w.ana)
        .await
        .assert_error(403, "forbidden");
    let _ = (b, c);
}

#[actix_web::test]
async fn an_admin_edits_and_archives_a_cohort_and_staff_cannot() {
    let w = world().await;
    let c = create(&w, "Spring 2027", json!({})).await;
    let cid = id(&c);
    let path = format!("/api/v1/admin/cohorts/{cid}");
    let patch =
        async |who: &Account, body: Value| call_json(&w.app, "PATCH", &path, who, &body).await;

    let res = patch(
        &w.root,
        json!({ "name": "Spring A", "capacity": null, "staff": [w.other.id] }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let v = res.json();
    assert_eq!(
        (v["name"].clone(), v["capacity"].clone()),
        (json!("Spring A"), Value::Null)
    );
    assert_eq!(v["staff"][0]["id"], w.other.id);
    assert_eq!(v["target_on"], "2027-04-30", "a field not sent is kept");
    let details = text(&w.app, &format!(
        "SELECT details::text AS s FROM audit_log WHERE action = 'cohort.updated' AND subject_id = '{cid}'"
    )).await.unwrap();
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(
        details,
        json!({ "name": "Spring A", "capacity": null, "staff": [w.other.id] })
    );
    // sam no longer owns it.
    get(&w.app, &path, &w.sam)
        .await
        .assert_error(404, "not_found");

    // Owners alone change too, to none and back (schemathesis found this a 500).
    let res = patch(&w.root, json!({ "staff": [] })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["staff"], json!([]));
    let res = patch(&w.root, json!({ "staff": [w.sam.id] })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["staff"][0]["id"], w.sam.id);
    assert_eq!(get(&w.app, &path, &w.sam).await.status, 200);
    let res = patch(&w.root, json!({ "staff": [w.other.id] })).await;
    assert_eq!(res.status, 200, "{}", res.text());

    // Dates are checked against the stored ones.
    let e = patch(&w.root, json!({ "starts_on": "2027-05-01" }))
        .await
        .assert_error(422, "target_before_start");
    assert_eq!(e["details"]["field"], "target_on");
    patch(&w.root, json!({}))
        .await
        .assert_error(422, "nothing_to_change");
    patch(&w.other, json!({ "name": "Mine" }))
        .await
        .assert_error(403, "forbidden");
    patch(&w.ana, json!({ "name": "Mine" }))
        .await
        .assert_error(403, "forbidden");

    // A capacity below the members is refused.
    exec(
        &w.app,
        &format!(
        "INSERT INTO enrolments (user_id, course_id, course_version, cohort_id, access_expires_at)
         SELECT u.id, c.course_id, 1, c.id, now() + interval '1 day' FROM users u, cohorts c
          WHERE u.role <> 'admin' AND c.id = '{cid}'"
    ),
    )
    .await;
    let e = patch(&w.root, json!({ "capacity": 2 }))
        .await
        .assert_error(409, "capacity_below_members");
    assert_eq!(e["details"]["members"], 3);
    assert_eq!(
        patch(&w.root, json!({ "capacity": 3 })).await.json()["members"]["active"],
        3
    );

    // Archive, twice (the second changes nothing), then unarchive.
    let act = async |who: &Account, what: &str| {
        call(&w.app, "POST", &format!("{path}/{what}"), who).await
    };
    act(&w.other, "archive")
        .await
        .assert_error(403, "forbidden");
    assert!(act(&w.root, "archive").await.json()["archived_at"].is_string());
    assert!(act(&w.root, "archive").await.json()["archived_at"].is_string());
    assert_eq!(audit_count(&w.app, "cohort.archived", &cid).await, 1);
    assert_eq!(
        act(&w.root, "unarchive").await.json()["archived_at"],
        Value::Null
    );
    assert_eq!(audit_count(&w.app, "cohort.unarchived", &cid).await, 1);
    let missing = format!("/api/v1/admin/cohorts/{}/archive", uuid::Uuid::new_v4());
    call(&w.app, "POST", &missing, &w.root)
        .await
        .assert_error(404, "not_found");
}

// ---- codes ----------------------------------------------------------------------------------

#[actix_web::test]
async fn staff_generate_and_manage_their_cohorts_codes_and_learners_join_with_them() {
    let w = world().await;
    let c = create(&w, "Spring 2027", json!({})).await;
    let cid = id(&c);
    let codes = format!("/api/v1/admin/cohorts/{cid}/codes");
    let res = call_json(&w.app, "POST", &codes, &w.sam, &json!({ "max_uses": 1 })).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let code = res.json();
    let text_code = code["code"].as_str().unwrap().to_string();
    assert!(
        text_code.starts_with("DEMO-") && text_code.len() == 14,
        "{text_code}"
    );
    assert!(
        !text_code[5..].contains(['0', 'O', '1', 'I', 'L']),
        "{text_code}"
    );
    assert_eq!(
        (code["status"].clone(), code["uses"].clone()),
        (json!("active"), json!(0))
    );
    let code_id = id(&code);
    assert_eq!(
        audit_count(&w.app, "cohort_code.created", &code_id).await,
        1
    );

    // A typed code, normalised; the same code again is taken.
    let typed = call_json(
        &w.app,
        "POST",
        &codes,
        &w.root,
        &json!({ "code": " spring-27 " }),
    )
    .await;
    assert_eq!(typed.json()["code"], "SPRING-27");
    call_json(
        &w.app,
        "POST",
        &codes,
        &w.root,
        &json!({ "code": "SPRING-27" }),
    )
    .await
    .assert_error(409, "code_taken");
    let e = call_json(&w.app, "POST", &codes, &w.root, &json!({ "code": "a b" }))
        .await
        .assert_error(422, "invalid_input");
    assert_eq!(e["details"]["field"], "code");
    let e = call_json(&w.app, "POST", &codes, &w.root, &json!({ "max_uses": 0 }))
        .await
        .assert_error(422, "invalid_input");
    assert_eq!(e["details"]["field"], "max_uses");

    // Listed for the owner; another cohort's staff and learners cannot reach them.
    let list = get(&w.app, &codes, &w.sam).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    get(&w.app, &codes, &w.other)
        .await
        .assert_error(404, "not_found");
    call_json(&w.app, "POST", &codes, &w.other, &json!({}))
        .await
        .assert_error(404, "not_found");
    get(&w.app, &codes, &w.ana)
        .await
        .assert_error(403, "forbidden");
    let patch_path = format!("/api/v1/admin/codes/{code_id}");
    call_json(
        &w.app,
        "PATCH",
        &patch_path,
        &w.other,
        &json!({ "disabled": true }),
    )
    .await
    .assert_error(404, "not_found");
    call_json(
        &w.app,
        "PATCH",
        &patch_path,
        &w.ana,
        &json!({ "disabled": true }),
    )
    .await
    .assert_error(403, "forbidden");

    // A learner joins with the generated code (typed in lower case); it is used up.
    let join = call_json(
        &w.app,
        "POST",
        "/api/v1/enrolments/join",
        &w.ana,
        &json!({ "code": text_code.to_lowercase() }),
    )
    .await;
    assert_eq!(join.status, 201, "{}", join.text());
    assert_eq!(join.json()["cohort_id"], cid);
    let list = get(&w.app, &codes, &w.sam).await.json();
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == code_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (first["status"].clone(), first["uses"].clone()),
        (json!("used_up"), json!(1))
    );
    let e = call_json(
        &w.app,
        "PATCH",
        &patch_path,
        &w.sam,
        &json!({ "max_uses": null, "disabled": true }),
    )
    .await;
    assert_eq!(e.status, 200, "{}", e.text());
    let v = e.json();
    assert_eq!(
        (v["status"].clone(), v["max_uses"].clone()),
        (json!("disabled"), Value::Null)
    );
    assert!(v["disabled_at"].is_string());
    let v = call_json(
        &w.app,
        "PATCH",
        &patch_path,
        &w.sam,
        &json!({ "disabled": false, "expires_at": "2020-01-01T00:00:00Z" }),
    )
    .await
    .json();
    assert_eq!(v["status"], "expired");
    assert_eq!(
        audit_count(&w.app, "cohort_code.updated", &code_id).await,
        2
    );
    call_json(&w.app, "PATCH", &patch_path, &w.sam, &json!({}))
        .await
        .assert_error(422, "nothing_to_change");
}

#[actix_web::test]
async fn joining_with_a_code_respects_the_cohorts_archive_and_capacity() {
    let w = world().await;
    let c = create(&w, "Small", json!({ "capacity": 1 })).await;
    let cid = id(&c);
    let codes = format!("/api/v1/admin/cohorts/{cid}/codes");
    let code = call_json(
        &w.app,
        "POST",
        &codes,
        &w.root,
        &json!({ "code": "SMALL-1" }),
    )
    .await
    .json();
    assert_eq!(code["code"], "SMALL-1");
    let join = async |who: &Account| {
        call_json(
            &w.app,
            "POST",
            "/api/v1/enrolments/join",
            who,
            &json!({ "code": "SMALL-1" }),
        )
        .await
    };
    assert_eq!(join(&w.ana).await.status, 201);
    let bo = learner(&w.app).email("bo@example.org").await;
    join(&bo).await.assert_error(409, "cohort_full");
    assert_eq!(
        uses(&w.app, "SMALL-1").await,
        1,
        "the refused join took no use"
    );
    // The member already in answers 200 whatever the seats.
    assert_eq!(join(&w.ana).await.status, 200);
    // An archived cohort takes no one, even with seats left.
    call_json(
        &w.app,
        "PATCH",
        &format!("/api/v1/admin/cohorts/{cid}"),
        &w.root,
        &json!({ "capacity": 5 }),
    )
    .await;
    call(
        &w.app,
        "POST",
        &format!("/api/v1/admin/cohorts/{cid}/archive"),
        &w.root,
    )
    .await;
    join(&bo).await.assert_error(410, "code_expired");
    call_json(&w.app, "POST", &codes, &w.root, &json!({}))
        .await
        .assert_error(409, "cohort_archived");
    assert_eq!(
        count(
            &w.app,
            &format!(
                "SELECT count(*) AS n FROM enrolments WHERE user_id = '{}'",
                bo.id
            )
        )
        .await,
        0
    );
}

async fn uses(app: &TestApp, code: &str) -> i64 {
    count(
        app,
        &format!("SELECT uses::bigint AS n FROM enrolment_codes WHERE code = '{code}'"),
    )
    .await
}

// ---- members --------------------------------------------------------------------------------

async fn add(w: &World, cohort: &str, who: &Account, email: &str) -> TestResponse {
    call_json(
        &w.app,
        "POST",
        &format!("/api/v1/admin/cohorts/{cohort}/members"),
        who,
        &json!({ "email": email }),
    )
    .await
}

#[actix_web::test]
async fn staff_add_an_existing_account_which_is_enrolled_mailed_and_audited() {
    let w = world().await;
    let c = create(&w, "Spring 2027", json!({ "capacity": 2 })).await;
    let cid = id(&c);
    let res = add(&w, &cid, &w.sam, " ANA@example.org ").await;
    assert_eq!(res.status, 201, "{}", res.text());
    let m = res.json();
    assert_eq!(m["user"]["email"], "ana@example.org");
    assert_eq!(
        (m["state"].clone(), m["withdrawn_at"].clone()),
        (json!("active"), Value::Null)
    );
    let eid = m["enrolment_id"].as_str().unwrap().to_string();
    assert_eq!(
        text(
            &w.app,
            &format!("SELECT cohort_id::text AS s FROM enrolments WHERE id = '{eid}'")
        )
        .await
        .as_deref(),
        Some(cid.as_str())
    );
    assert_eq!(audit_count(&w.app, "cohort.member_added", &cid).await, 1);
    assert_eq!(audit_count(&w.app, "enrolment.created", &eid).await, 1);
    assert_eq!(
        count(&w.app, "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'enrolment_confirmed' AND recipient = 'ana@example.org'").await,
        1
    );
    // The learner sees it on their dashboard.
    let dash = get(&w.app, "/api/v1/me/enrolments", &w.ana).await.json();
    assert_eq!(dash["enrolments"][0]["id"], eid);

    // Refusals, each writing nothing.
    add(&w, &cid, &w.sam, "ana@example.org")
        .await
        .assert_error(409, "already_enrolled");
    let e = add(&w, &cid, &w.sam, "nobody@example.org")
        .await
        .assert_error(422, "account_not_found");
    assert_eq!(e["details"]["field"], "email");
    add(&w, &cid, &w.sam, "not-an-address")
        .await
        .assert_error(422, "invalid_email");
    add(&w, &cid, &w.other, "bo@example.org")
        .await
        .assert_error(404, "not_found");
    add(&w, &cid, &w.ana, "bo@example.org")
        .await
        .assert_error(403, "forbidden");
    learner(&w.app).email("bo@example.org").await;
    learner(&w.app).email("cy@example.org").await;
    assert_eq!(add(&w, &cid, &w.sam, "bo@example.org").await.status, 201);
    let e = add(&w, &cid, &w.sam, "cy@example.org")
        .await
        .assert_error(409, "cohort_full");
    assert_eq!(e["details"]["members"], 2);
    call(
        &w.app,
        "POST",
        &format!("/api/v1/admin/cohorts/{cid}/archive"),
        &w.root,
    )
    .await;
    call_json(
        &w.app,
        "PATCH",
        &format!("/api/v1/admin/cohorts/{cid}"),
        &w.root,
        &json!({ "capacity": null }),
    )
    .await;
    add(&w, &cid, &w.sam, "cy@example.org")
        .await
        .assert_error(409, "cohort_archived");
    assert_eq!(audit_count(&w.app, "cohort.member_added", &cid).await, 2);
    assert_eq!(
        count(&w.app, "SELECT count(*) AS n FROM enrolments").await,
        2
    );
}

#[actix_web::test]
async fn the_member_list_filters_searches_and_pages() {
    let w = world().await;
    let c = create(&w, "Spring 2027", json!({})).await;
    let cid = id(&c);
    for e in ["bo@example.org", "cy@example.org", "dee@example.org"] {
        learner(&w.app).email(e).await;
        assert_eq!(add(&w, &cid, &w.root, e).await.status, 201);
    }
    exec(&w.app, "UPDATE users SET name = 'Bo Zed' WHERE email = 'bo@example.org';
                  UPDATE users SET name = 'Cy Young' WHERE email = 'cy@example.org';
                  UPDATE users SET name = 'Dee Adams' WHERE email = 'dee@example.org';
                  UPDATE enrolments SET started_at = now() - interval '2 days', access_expires_at = now() - interval '1 day'
                   WHERE user_id = (SELECT id FROM users WHERE email = 'dee@example.org');").await;
    let list = async |who: &Account, q: &str| {
        let res = get(
            &w.app,
            &format!("/api/v1/admin/cohorts/{cid}/members{q}"),
            who,
        )
        .await;
        assert_eq!(res.status, 200, "{q}: {}", res.text());
        let v = res.json();
        let emails: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["user"]["email"].as_str().unwrap().to_string())
            .collect();
        (emails, v["total"].as_i64().unwrap())
    };
    assert_eq!(
        list(&w.sam, "").await.0,
        ["bo@example.org", "cy@example.org", "dee@example.org"]
    );
    assert_eq!(list(&w.sam, "?state=expired").await.0, ["dee@example.org"]);
    assert_eq!(
        list(&w.sam, "?state=active").await.0,
        ["bo@example.org", "cy@example.org"]
    );
    assert_eq!(list(&w.sam, "?q=young").await.0, ["cy@example.org"]);
    assert_eq!(list(&w.sam, "?q=DEE@").await.0, ["dee@example.org"]);
    assert_eq!(
        list(&w.sam, "?per_page=1&page=3").await,
        (vec!["dee@example.org".to_string()], 3)
    );
    get(
        &w.app,
        &format!("/api/v1/admin/cohorts/{cid}/members"),
        &w.other,
    )
    .await
    .assert_error(404, "not_found");
    get(
        &w.app,
        &format!("/api/v1/admin/cohorts/{cid}/members"),
        &w.ana,
    )
    .await
    .assert_error(403, "forbidden");
    get(
        &w.app,
        &format!("/api/v1/admin/cohorts/{cid}/members?state=gone"),
        &w.sam,
    )
    .await
    .assert_error(400, "invalid_query");
}

#[actix_web::test]
async fn members_move_within_a_course_and_are_withdrawn_and_extended_in_scope_only() {
    let w = world().await;
    import_other_course(&w.app).await;
    let a = id(&create(&w, "Spring A", json!({})).await);
    let b = id(&create(&w, "Spring B", json!({ "capacity": 1 })).await);
    let foreign = id(&create(&w, "Other", json!({ "course": "other-course" })).await);
    let olgas = id(&create(&w, "Olga's", json!({ "staff": [w.other.id] })).await);
    let eid = add(&w, &a, &w.sam, "ana@example.org").await.json()["enrolment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let act = async |who: &Account, what: &str, body: Value| {
        call_json(
            &w.app,
            "POST",
            &format!("/api/v1/admin/enrolments/{eid}/{what}"),
            who,
            &body,
        )
        .await
    };

    // Move: same course only, both cohorts in scope.
    let e = act(&w.sam, "move", json!({ "cohort_id": foreign }))
        .await
        .assert_error(422, "cohort_course_mismatch");
    assert_eq!(e["details"]["field"], "cohort_id");
    act(&w.sam, "move", json!({ "cohort_id": olgas }))
        .await
        .assert_error(404, "not_found");
    act(&w.other, "move", json!({ "cohort_id": olgas }))
        .await
        .assert_error(404, "not_found");
    act(&w.ana, "move", json!({ "cohort_id": b }))
        .await
        .assert_error(403, "forbidden");
    let res = act(&w.sam, "move", json!({ "cohort_id": b })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        text(
            &w.app,
            &format!("SELECT cohort_id::text AS s FROM enrolments WHERE id = '{eid}'")
        )
        .await
        .as_deref(),
        Some(b.as_str())
    );
    assert_eq!(audit_count(&w.app, "enrolment.moved", &eid).await, 1);
    // b is full now: a second member cannot move in.
    let bo = learner(&w.app).email("bo@example.org").await;
    let bo_e = add(&w, &a, &w.sam, &bo.email).await.json()["enrolment_id"]
        .as_str()
        .unwrap()
        .to_string();
    call_json(
        &w.app,
        "POST",
        &format!("/api/v1/admin/enrolments/{bo_e}/move"),
        &w.sam,
        &json!({ "cohort_id": b }),
    )
    .await
    .assert_error(409, "cohort_full");

    // Extend.
    act(
        &w.sam,
        "extend",
        json!({ "access_expires_at": "2020-01-01T00:00:00Z" }),
    )
    .await
    .assert_error(422, "invalid_input");
    act(
        &w.other,
        "extend",
        json!({ "access_expires_at": "2099-01-01T00:00:00Z" }),
    )
    .await
    .assert_error(404, "not_found");
    let v = act(
        &w.sam,
        "extend",
        json!({ "access_expires_at": "2099-01-01T00:00:00Z" }),
    )
    .await
    .json();
    assert_eq!(v["access_expires_at"], "2099-01-01T00:00:00Z");
    assert_eq!(
        audit_count(&w.app, "enrolment.access_extended", &eid).await,
        1
    );

    // Withdraw, twice (the second changes nothing).
    act(&w.other, "withdraw", json!({}))
        .await
        .assert_error(404, "not_found");
    act(&w.ana, "withdraw", json!({}))
        .await
        .assert_error(403, "forbidden");
    let v = act(&w.sam, "withdraw", json!({ "reason": "Left the program" }))
        .await
        .json();
    assert_eq!(v["state"], "withdrawn");
    assert!(v["withdrawn_at"].is_string());
    assert_eq!(
        act(&w.sam, "withdraw", json!({})).await.json()["state"],
        "withdrawn"
    );
    assert_eq!(
        audit_count(&w.app, "enrolment.withdrawn_by_staff", &eid).await,
        1
    );
    let reason = text(&w.app, &format!("SELECT details->>'reason' AS s FROM audit_log WHERE action = 'enrolment.withdrawn_by_staff' AND subject_id = '{eid}'")).await;
    assert_eq!(reason.as_deref(), Some("Left the program"));
    // A completed enrolment is not withdrawn.
    exec(
        &w.app,
        &format!(
            "UPDATE enrolments SET state = 'completed', completed_at = now() WHERE id = '{bo_e}'"
        ),
    )
    .await;
    call_json(
        &w.app,
        "POST",
        &format!("/api/v1/admin/enrolments/{bo_e}/withdraw"),
        &w.sam,
        &json!({}),
    )
    .await
    .assert_error(409, "enrolment_completed");
    let missing = format!("/api/v1/admin/enrolments/{}/withdraw", uuid::Uuid::new_v4());
    call_json(&w.app, "POST", &missing, &w.root, &json!({}))
        .await
        .assert_error(404, "not_found");
}
