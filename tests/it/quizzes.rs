//! Quizzes over HTTP against PostgreSQL: starting and resuming attempts, what the client may
//! see, autosave with shape checks, grading, concurrency, deadlines, attempt limits and
//! cooldowns, review policies, unlocking the next module, the final exam, ownership and the
//! admin item statistics.
//!
//! The fixture course (`tests/fixtures/courses/valid/demo-course`) has a `safety` bank
//! (true_false `recap`, multiple `ppe`, single `container`) drawn whole by `safety-quiz`, and a
//! `collection` bank (ordering `order`, matching `match`, numeric `inversions`) drawn whole by
//! `collection-quiz`. The tests learn the right answers from the draw stored in the database
//! and work them out in `support/quizzes.rs`, independently of the server's grading code.

use diesel::QueryableByName;
use diesel::sql_types::{Double, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value, json};

use crate::harness::TestApp;
use crate::support::quizzes::{
    Drawn, answers, drawn, id_of, quiz, save, start, started, submit, submitted,
};
use crate::support::{
    Account, FixtureCourse, How, admin, call, complete_lessons, count, enrolment, enrolment_detail,
    exec, learner, pass_quiz, record_quiz_pass, text,
};

async fn setup() -> (TestApp, Account, String) {
    let app = TestApp::spawn().await;
    let ana = learner(&app).email("ana@example.org").await;
    let id = enrolment(&app, &ana, FixtureCourse::DEMO).await.id;
    (app, ana, id)
}

/// The stored answers of an attempt and when they were saved, as text.
async fn stored_answers(app: &TestApp, attempt: &str) -> String {
    text(
        app,
        &format!(
            "SELECT answers::text || ' @ ' || coalesce(saved_at::text, '-') AS s
               FROM quiz_attempts WHERE id = '{attempt}'"
        ),
    )
    .await
    .unwrap()
}

async fn open_module_two(app: &TestApp, who: &Account, id: &str) {
    complete_lessons(app, who, id, &["sharps", "gloves"]).await;
}

// ---- starting and what the client sees -------------------------------------------------------

/// Walks a JSON value and fails on anything that could give an answer away: fields that
/// would hold one, IDs beside the attempt's own, texts holding a secret (`secrets`: question
/// IDs, explanations) or equal to a question slug.
fn assert_reveals_nothing(v: &Value, path: &str, secrets: &[String], slugs: &[String]) {
    const FORBIDDEN: &[&str] = &[
        "correct",
        "correct_answer",
        "explanation_html",
        "answer",
        "question_id",
        "layout",
        "spec",
        "credit",
        "position",
    ];
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                assert!(!FORBIDDEN.contains(&k.as_str()), "{path}.{k} gives it away");
                if k == "id" {
                    assert!(path.is_empty(), "{path}.id: only the attempt has an ID");
                }
                if k == "slug" {
                    assert_eq!(path, ".quiz", "{path}.slug: only the quiz has a slug");
                }
                assert_reveals_nothing(child, &format!("{path}.{k}"), secrets, slugs);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                assert_reveals_nothing(child, &format!("{path}[{i}]"), secrets, slugs);
            }
        }
        Value::String(s) => {
            for secret in secrets {
                assert!(!s.contains(secret.as_str()), "{path} holds {secret}");
            }
            assert!(!slugs.contains(s), "{path} is a question's slug");
        }
        _ => {}
    }
}

#[actix_web::test]
async fn starting_twice_resumes_the_open_attempt_and_the_paper_gives_nothing_away() {
    let (app, ana, id) = setup().await;
    open_module_two(&app, &ana, &id).await;
    record_quiz_pass(&app, &id, "safety-quiz").await;
    let mut orders_seen = std::collections::HashSet::new();
    let mut student_ids = Vec::new();
    for round in 0..4 {
        // Fresh attempts at the collection quiz (ordering, matching, numeric).
        if round > 0 {
            exec(&app, "DELETE FROM quiz_attempts").await;
        }
        let a = started(&app, &ana, &id, "safety-quiz").await;
        let b = started(&app, &ana, &id, "collection-quiz").await;
        student_ids.push(id_of(&b));
        for v in [&a, &b] {
            assert_eq!(v["state"], "open");
            assert_eq!(v["number"], 1);
            assert_eq!(v["enrolment_id"], json!(id));
            assert_eq!(v["questions"].as_array().unwrap().len(), 3);
            assert_eq!(v["answers"], json!({}));
            assert_eq!(v["result"], Value::Null);
            assert_eq!(v["saved_at"], Value::Null);
            // Untimed module quizzes.
            assert_eq!(v["deadline"], Value::Null);
            assert_eq!(v["seconds_left"], Value::Null);
            let keys: Vec<&str> = v["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["key"].as_str().unwrap())
                .collect();
            assert_eq!(keys, vec!["q1", "q2", "q3"]);
        }
        // Nothing in it names a question or its answer: no IDs, slugs, flags, explanations.
        for v in [&a, &b] {
            let attempt = id_of(v);
            let mut secrets: Vec<String> = [
                "OSHA forbids it.",
                "Gloves and gowns.",
                "A sharps container.",
                "CLSI GP41.",
                "Tube chart.",
                "BD: 3-4.",
            ]
            .map(String::from)
            .to_vec();
            let mut slugs = Vec::new();
            for (row, ..) in drawn(&app, &attempt).await {
                secrets.push(row.id.clone());
                slugs.push(row.slug.clone());
            }
            assert_eq!(secrets.len(), 9);
            assert_reveals_nothing(v, "", &secrets, &slugs);
        }
        // The ordering question is never shown in the correct order.
        let b_id = id_of(&b);
        for (row, _, spec) in drawn(&app, &b_id).await {
            let shown = &b["questions"][(row.position - 1) as usize];
            assert_eq!(shown["type"], json!(row.kind));
            match row.kind.as_str() {
                "ordering" => {
                    let texts: Vec<&str> = shown["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i["text"].as_str().unwrap())
                        .collect();
                    assert_eq!(texts.len(), 3);
                    assert_ne!(texts, vec!["Blood culture", "Citrate", "EDTA"]);
                    let keys: Vec<&str> = shown["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i["key"].as_str().unwrap())
                        .collect();
                    assert_eq!(keys, vec!["i1", "i2", "i3"], "keys follow display order");
                    orders_seen.insert(texts.join("|"));
                    assert!(spec["items"].is_array());
                }
                "matching" => {
                    assert_eq!(shown["left"].as_array().unwrap().len(), 2);
                    let rights: Vec<&str> = shown["right"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i["text"].as_str().unwrap())
                        .collect();
                    let mut sorted = rights.clone();
                    sorted.sort();
                    assert_eq!(
                        sorted,
                        vec!["Citrate", "EDTA", "Heparin"],
                        "with the distractor"
                    );
                }
                "numeric" => assert_eq!(shown["unit"], Value::Null),
                _ => {}
            }
        }
        // Choices carry their text inline, without the paragraph wrapper.
        let single = a["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["type"] == "single")
            .unwrap();
        let mut htmls: Vec<&str> = single["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["html"].as_str().unwrap())
            .collect();
        htmls.sort();
        assert_eq!(htmls, vec!["Bin", "Sharps container"]);
    }
    assert!(!orders_seen.is_empty());

    // Starting again resumes the open attempt (200), writing nothing.
    let again = start(&app, &ana, &id, "collection-quiz").await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(id_of(&again.json()), *student_ids.last().unwrap());
    assert_eq!(
        again.json()["questions"],
        call(
            &app,
            "GET",
            &format!("/api/v1/attempts/{}", student_ids.last().unwrap()),
            &ana
        )
        .await
        .json()["questions"],
        "the same paper, in the same order"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM quiz_attempts WHERE state = 'open'"
        )
        .await,
        2
    );
    let view = quiz(&app, &ana, &id, "collection-quiz").await;
    assert_eq!(view["status"], "open");
    assert_eq!(view["open_attempt"], json!(student_ids.last().unwrap()));
    assert_eq!(view["module"], "collection");
    assert_eq!(view["question_count"], 3);
    assert_eq!(view["final"], false);
    assert_eq!(view["scoring"], "best");
    // Two starts at once still make one open attempt.
    exec(&app, "DELETE FROM quiz_attempts").await;
    let (x, y) = futures_util::join!(
        start(&app, &ana, &id, "safety-quiz"),
        start(&app, &ana, &id, "safety-quiz")
    );
    let mut statuses = vec![x.status, y.status];
    statuses.sort();
    assert_eq!(statuses, vec![200, 201], "{} / {}", x.text(), y.text());
    assert_eq!(id_of(&x.json()), id_of(&y.json()));
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM quiz_attempts").await,
        1
    );
}

// ---- autosave --------------------------------------------------------------------------------

#[actix_web::test]
async fn answers_autosave_by_merging_and_a_bad_entry_saves_nothing() {
    let (app, ana, id) = setup().await;
    open_module_two(&app, &ana, &id).await;
    record_quiz_pass(&app, &id, "safety-quiz").await;
    let a = started(&app, &ana, &id, "safety-quiz").await;
    let b = started(&app, &ana, &id, "collection-quiz").await;
    let (a, b) = (id_of(&a), id_of(&b));
    let key_of = |rows: &[(Drawn, Value, Value)], kind: &str| {
        format!(
            "q{}",
            rows.iter().find(|r| r.0.kind == kind).unwrap().0.position
        )
    };
    let (ra, rb) = (drawn(&app, &a).await, drawn(&app, &b).await);
    let (tf, multi, single) = (
        key_of(&ra, "true_false"),
        key_of(&ra, "multiple"),
        key_of(&ra, "single"),
    );
    let (ord, mat, num) = (
        key_of(&rb, "ordering"),
        key_of(&rb, "matching"),
        key_of(&rb, "numeric"),
    );

    // A partial save, then another that merges into it.
    let res = save(&app, &ana, &a, json!({ tf.clone(): {"value": true} })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["saved"], 1);
    assert!(res.json()["saved_at"].is_string());
    let res = save(
        &app,
        &ana,
        &a,
        json!({ single.clone(): {"choice": "c2"}, multi.clone(): {"choices": ["c3", "c1"]} }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["saved"], 2);
    let view = call(&app, "GET", &format!("/api/v1/attempts/{a}"), &ana)
        .await
        .json();
    assert_eq!(
        view["answers"],
        json!({ tf.clone(): {"value": true}, single.clone(): {"choice": "c2"}, multi.clone(): {"choices": ["c1", "c3"]} })
    );
    assert!(view["saved_at"].is_string());
    // null clears one; the others stay.
    let res = save(&app, &ana, &a, json!({ single.clone(): null })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let view = call(&app, "GET", &format!("/api/v1/attempts/{a}"), &ana)
        .await
        .json();
    assert_eq!(
        view["answers"],
        json!({ tf.clone(): {"value": true}, multi.clone(): {"choices": ["c1", "c3"]} })
    );

    // Bad shapes, for every type: 422 invalid_answer naming the question; nothing saved,
    // not even the good entry beside it.
    let good_a = json!({"value": false});
    let cases: Vec<(&str, &String, Value)> = vec![
        (&a, &single, json!({"choice": "c9"})),
        (&a, &single, json!({"choice": 1})),
        (&a, &single, json!({"choices": ["c1"]})),
        (&a, &multi, json!({"choices": ["c1", "c1"]})),
        (&a, &multi, json!({"choices": "c1"})),
        (&a, &multi, json!({"choices": ["c4"]})),
        (&a, &tf, json!({"value": "true"})),
        (&a, &tf, json!(true)),
        (&b, &ord, json!({"order": ["i1", "i1", "i2"]})),
        (&b, &ord, json!({"order": ["i1", "i2"]})),
        (&b, &ord, json!({"order": ["i1", "i2", "i3", "i4"]})),
        (&b, &mat, json!({"pairs": {"l1": "r1", "l2": "r1"}})),
        (&b, &mat, json!({"pairs": {"l3": "r1"}})),
        (&b, &mat, json!({"pairs": {"l1": "r4"}})),
        (&b, &num, json!({"value": "3"})),
        (&b, &num, json!({"value": [3]})),
        (&b, &num, json!({})),
    ];
    for (attempt, key, bad) in cases {
        let before = stored_answers(&app, attempt).await;
        let other = if attempt == a { &tf } else { &num };
        let mut body = Map::new();
        if other != key {
            body.insert(
                other.clone(),
                if attempt == a {
                    good_a.clone()
                } else {
                    json!({"value": 3})
                },
            );
        }
        body.insert(key.clone(), bad.clone());
        let res = save(&app, &ana, attempt, Value::Object(body)).await;
        let err = res.assert_error(422, "invalid_answer");
        assert_eq!(err["details"]["question"], json!(key), "{bad}");
        assert!(err["details"]["reason"].is_string());
        assert_eq!(
            stored_answers(&app, attempt).await,
            before,
            "{bad}: nothing saved"
        );
    }
    // An unknown question key.
    for k in ["q4", "q0", "x", "Q1", "q01"] {
        let before = stored_answers(&app, &a).await;
        let res = save(
            &app,
            &ana,
            &a,
            json!({ tf.clone(): good_a, k: {"value": true} }),
        )
        .await;
        let err = res.assert_error(422, "unknown_question");
        assert_eq!(err["details"]["question"], k);
        assert_eq!(stored_answers(&app, &a).await, before);
    }
    // A body that is not `{"answers": {...}}`.
    let res = app
        .call(
            "PUT",
            &format!("/api/v1/attempts/{a}/answers"),
            Some(&ana.token),
            None,
            Some(&json!({ "q1": {"value": true} })),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());

    // Submitted: saving is refused, and so is it for every later request.
    let res = submitted(&app, &ana, &a).await;
    assert_eq!(res["state"], "submitted");
    let before = stored_answers(&app, &a).await;
    save(&app, &ana, &a, json!({ tf.clone(): good_a }))
        .await
        .assert_error(409, "attempt_closed");
    assert_eq!(stored_answers(&app, &a).await, before);
}

// ---- grading, unlocking, review ----------------------------------------------------------------

#[actix_web::test]
async fn passing_the_module_quiz_unlocks_the_next_module_and_submitting_again_changes_nothing() {
    let (app, ana, id) = setup().await;
    open_module_two(&app, &ana, &id).await;
    let lesson = format!("/api/v1/enrolments/{id}/lessons/order");
    call(&app, "GET", &lesson, &ana)
        .await
        .assert_error(403, "lesson_locked");
    let a = started(&app, &ana, &id, "safety-quiz").await;
    let attempt = id_of(&a);
    let all_right = answers(&app, &attempt, &[]).await;
    assert_eq!(
        save(&app, &ana, &attempt, all_right.clone()).await.status,
        200
    );
    let r = submitted(&app, &ana, &attempt).await;
    assert_eq!(r["state"], "submitted");
    let result = &r["result"];
    assert_eq!(result["score"], 3.0);
    assert_eq!(result["max_score"], 3);
    assert_eq!(result["percent"], 100);
    assert_eq!(result["passed"], true);
    assert_eq!(result["late"], false);
    // after_submit (the default): the review is open, in this attempt's keys.
    assert_eq!(result["review_available"], true);
    assert_eq!(result["review_unavailable_reason"], Value::Null);
    let qs = result["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 3);
    for q in qs {
        let key = q["key"].as_str().unwrap();
        assert_eq!(q["credit"], 1.0);
        assert_eq!(q["correct"], true);
        assert_eq!(q["answer"], all_right[key]);
        assert_eq!(q["correct_answer"], all_right[key], "{key}");
        assert!(q["explanation_html"].as_str().unwrap().contains("<p>"));
    }
    // The outcome learning reads, and the audit event.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM quiz_outcomes o JOIN quizzes q ON q.id = o.quiz_id
              WHERE q.slug = 'safety-quiz' AND o.best_percent = 100 AND o.attempts_used = 1
                AND o.passed_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'quiz.attempt_submitted'
               AND details->>'percent' = '100'"
        )
        .await,
        1
    );
    // The next module opens.
    let res = call(&app, "GET", &lesson, &ana).await;
    assert_eq!(res.status, 200, "{}", res.text());

    // Submitting again returns the same result and grades nothing twice.
    let again = submitted(&app, &ana, &attempt).await;
    assert_eq!(again["result"], r["result"]);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM quiz_outcomes WHERE attempts_used = 1"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'quiz.attempt_submitted'"
        )
        .await,
        1
    );
    let view = quiz(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(view["passed"], true);
    assert_eq!(view["best_percent"], 100);
    assert_eq!(view["attempts_used"], 1);
    assert_eq!(view["attempts_left"], Value::Null);
    assert_eq!(view["status"], "available", "a passed quiz may be retaken");
    assert_eq!(view["attempts"][0]["percent"], 100);
    // The enrolment's progress counts the quiz.
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["modules"][0]["quiz"]["state"], "passed");
    assert_eq!(detail["modules"][1]["locked"], false);
}

#[actix_web::test]
async fn failing_keeps_the_next_module_locked_with_partial_credit_and_the_completion_says_why() {
    let (app, ana, id) = setup().await;
    open_module_two(&app, &ana, &id).await;
    let a = started(&app, &ana, &id, "safety-quiz").await;
    let attempt = id_of(&a);
    // true_false right (1), multiple one of two (0.5), single wrong (0): 1.5 of 3.
    let mixed = answers(
        &app,
        &attempt,
        &[("ppe", How::Half), ("container", How::Wrong)],
    )
    .await;
    assert_eq!(save(&app, &ana, &attempt, mixed).await.status, 200);
    let r = submitted(&app, &ana, &attempt).await;
    assert_eq!(r["result"]["score"], 1.5);
    assert_eq!(r["result"]["percent"], 50);
    assert_eq!(r["result"]["passed"], false);
    let mut credits: Vec<f64> = r["result"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["credit"].as_f64().unwrap())
        .collect();
    credits.sort_by(f64::total_cmp);
    assert_eq!(credits, vec![0.0, 0.5, 1.0]);
    call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/lessons/order"),
        &ana,
    )
    .await
    .assert_error(403, "lesson_locked");
    let detail = enrolment_detail(&app, &ana, &id).await;
    let missing = detail["completion"]["missing"].to_string();
    assert!(missing.contains("Safety quiz"), "{missing}");
    assert_eq!(detail["modules"][0]["quiz"]["state"], "not_passed");
    assert_eq!(detail["modules"][0]["quiz"]["best_percent"], 50);
    // The module quiz of the locked module is locked too, and says why.
    let view = quiz(&app, &ana, &id, "collection-quiz").await;
    assert_eq!(view["status"], "locked");
    assert!(
        view["locked_reason"]
            .as_str()
            .unwrap()
            .contains("This quiz opens when you pass \"Safety quiz\""),
        "{view}"
    );
    let err = start(&app, &ana, &id, "collection-quiz")
        .await
        .assert_error(403, "quiz_locked");
    assert!(
        err["details"]["unlocks_when"]
            .as_str()
            .unwrap()
            .contains("Safety quiz")
    );
    assert_eq!(err["details"]["missing"]["quizzes"], json!(["safety-quiz"]));
    // An unanswered paper earns 0; a second, passing attempt counts as the best.
    let second = started(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(second["number"], 2);
    let empty = submitted(&app, &ana, &id_of(&second)).await;
    assert_eq!(empty["result"]["score"], 0.0);
    assert_eq!(
        empty["result"]["questions"][0]["answer"],
        Value::Null,
        "unanswered, shown as null in the review"
    );
    pass_quiz(&app, &ana, &id, "safety-quiz").await;
    let view = quiz(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(view["best_percent"], 100);
    assert_eq!(view["attempts_used"], 3);
    assert_eq!(view["passed"], true);
    let numbers: Vec<i64> = view["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![3, 2, 1], "newest first");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM quiz_outcomes WHERE best_percent = 100 AND attempts_used = 3"
        )
        .await,
        1
    );
    assert_eq!(
        quiz(&app, &ana, &id, "collection-quiz").await["status"],
        "available"
    );
}

#[actix_web::test]
async fn submits_at_once_grade_once() {
    let (app, ana, id) = setup().await;
    // Several rounds of three submits at once, so a missing lock cannot hide behind timing.
    for round in 1..=5 {
        let attempt = id_of(&started(&app, &ana, &id, "safety-quiz").await);
        let right = answers(&app, &attempt, &[]).await;
        save(&app, &ana, &attempt, right).await;
        let (x, y, z) = futures_util::join!(
            submit(&app, &ana, &attempt),
            submit(&app, &ana, &attempt),
            submit(&app, &ana, &attempt)
        );
        assert_eq!(
            (x.status, y.status, z.status),
            (200, 200, 200),
            "{} / {} / {}",
            x.text(),
            y.text(),
            z.text()
        );
        assert_eq!(x.json()["result"], y.json()["result"]);
        assert_eq!(x.json()["result"], z.json()["result"]);
        assert_eq!(x.json()["result"]["percent"], 100);
        assert_eq!(
            count(
                &app,
                "SELECT count(*) AS n FROM quiz_attempts WHERE state = 'submitted'"
            )
            .await,
            round
        );
        assert_eq!(
            count(&app, "SELECT attempts_used::bigint AS n FROM quiz_outcomes").await,
            round,
            "graded once per attempt"
        );
        assert_eq!(
            count(
                &app,
                "SELECT count(*) AS n FROM audit_log WHERE action = 'quiz.attempt_submitted'"
            )
            .await,
            round
        );
    }
}

#[actix_web::test]
async fn a_quiz_pass_and_the_last_lesson_at_once_still_complete_the_course() {
    let app = TestApp::spawn().await;
    let course = FixtureCourse::DEMO.without_externship().unsequenced();
    for n in 0..3 {
        let who = learner(&app)
            .email(&format!("learner{n}@example.org"))
            .await;
        let id = enrolment(&app, &who, course).await.id;
        complete_lessons(&app, &who, &id, &["sharps", "gloves"]).await;
        record_quiz_pass(&app, &id, "collection-quiz").await;
        record_quiz_pass(&app, &id, "final-exam").await;
        let attempt = id_of(&started(&app, &who, &id, "safety-quiz").await);
        let right = answers(&app, &attempt, &[]).await;
        save(&app, &who, &attempt, right).await;
        // The two last requirements at once: whichever commits second sees the other.
        let path = format!("/api/v1/enrolments/{id}/lessons/order/completion");
        let (s, l) =
            futures_util::join!(submit(&app, &who, &attempt), call(&app, "PUT", &path, &who));
        assert_eq!(
            (s.status, l.status),
            (200, 200),
            "{} / {}",
            s.text(),
            l.text()
        );
        assert_eq!(s.json()["result"]["passed"], true);
        let detail = enrolment_detail(&app, &who, &id).await;
        assert_eq!(detail["state"], "completed", "{detail}");
    }
}

// ---- deadlines ---------------------------------------------------------------------------------

#[actix_web::test]
async fn past_the_deadline_the_answers_saved_are_graded_as_of_the_deadline() {
    let (app, ana, id) = setup().await;
    // A timed attempt: answers saved in time, then the clock runs out.
    let attempt = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let right = answers(&app, &attempt, &[("container", How::Wrong)]).await;
    assert_eq!(save(&app, &ana, &attempt, right).await.status, 200);
    exec(
        &app,
        &format!(
            "UPDATE quiz_attempts SET started_at = now() - interval '30 minutes',
                    deadline = now() - interval '10 minutes' WHERE id = '{attempt}'"
        ),
    )
    .await;
    let deadline = text(
        &app,
        &format!(
            "SELECT to_json(deadline)#>>'{{}}' AS s FROM quiz_attempts WHERE id = '{attempt}'"
        ),
    )
    .await
    .unwrap();
    let r = submitted(&app, &ana, &attempt).await;
    assert_eq!(r["state"], "submitted");
    assert_eq!(r["result"]["late"], true);
    assert_eq!(
        r["result"]["score"], 2.0,
        "what was saved before the deadline"
    );
    assert_eq!(r["result"]["percent"], 66);
    assert_eq!(r["seconds_left"], 0);
    let at = chrono::DateTime::parse_from_rfc3339(r["result"]["submitted_at"].as_str().unwrap())
        .unwrap();
    let want = chrono::DateTime::parse_from_rfc3339(&deadline).unwrap();
    assert_eq!(at, want, "closed as of the deadline");
    save(&app, &ana, &attempt, json!({"q1": {"value": true}}))
        .await
        .assert_error(409, "attempt_closed");

    // An abandoned attempt is closed when next touched: by a save (refused), ...
    let second = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    exec(
        &app,
        &format!(
            "UPDATE quiz_attempts SET started_at = now() - interval '30 minutes',
                    deadline = now() - interval '6 seconds' WHERE id = '{second}'"
        ),
    )
    .await;
    let err = save(&app, &ana, &second, json!({"q1": {"value": true}}))
        .await
        .assert_error(409, "attempt_closed");
    assert_eq!(err["details"]["reason"], "deadline");
    let r = call(&app, "GET", &format!("/api/v1/attempts/{second}"), &ana)
        .await
        .json();
    assert_eq!(r["state"], "submitted");
    assert_eq!(r["result"]["late"], true);
    assert_eq!(r["answers"], json!({}), "the refused save was not kept");
    // ... by a GET, and by starting the next attempt.
    let third = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    exec(
        &app,
        &format!(
            "UPDATE quiz_attempts SET started_at = now() - interval '30 minutes',
                    deadline = now() - interval '1 minute' WHERE id = '{third}'"
        ),
    )
    .await;
    let res = start(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["number"], 4);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM quiz_attempts WHERE id = '{third}' AND state = 'submitted' AND late")
        )
        .await,
        1
    );
    // Within the 5-second grace a save is still taken.
    let fourth = id_of(&res.json());
    exec(
        &app,
        &format!(
            "UPDATE quiz_attempts SET started_at = now() - interval '30 minutes',
                    deadline = now() - interval '2 seconds' WHERE id = '{fourth}'"
        ),
    )
    .await;
    let res = save(&app, &ana, &fourth, answers(&app, &fourth, &[]).await).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["seconds_left"], 0);
    assert_eq!(
        count(&app, "SELECT attempts_used::bigint AS n FROM quiz_outcomes").await,
        3
    );
}

#[actix_web::test]
async fn a_timed_attempt_has_a_deadline_from_the_time_limit() {
    let (app, ana, id) = setup().await;
    exec(
        &app,
        "UPDATE quizzes SET time_limit_minutes = 20 WHERE slug = 'safety-quiz'",
    )
    .await;
    let a = started(&app, &ana, &id, "safety-quiz").await;
    let started_at =
        chrono::DateTime::parse_from_rfc3339(a["started_at"].as_str().unwrap()).unwrap();
    let deadline = chrono::DateTime::parse_from_rfc3339(a["deadline"].as_str().unwrap()).unwrap();
    assert_eq!((deadline - started_at).num_minutes(), 20);
    let left = a["seconds_left"].as_i64().unwrap();
    assert!((1190..=1200).contains(&left), "{left}");
    assert!(a["server_time"].is_string());
    assert_eq!(
        quiz(&app, &ana, &id, "safety-quiz").await["time_limit_minutes"],
        20
    );
}

// ---- attempt limits, cooldown, review policies ---------------------------------------------

#[actix_web::test]
async fn attempt_limits_and_cooldowns_are_enforced_and_the_review_waits_for_the_policy() {
    let (app, ana, id) = setup().await;
    exec(
        &app,
        "UPDATE quizzes SET max_attempts = 2, cooldown_minutes = 60, review = 'after_attempts_used'
          WHERE slug = 'safety-quiz'",
    )
    .await;
    let first = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let wrong = answers(&app, &first, &[("recap", How::Wrong)]).await;
    save(&app, &ana, &first, wrong).await;
    let r = submitted(&app, &ana, &first).await;
    assert_eq!(r["result"]["passed"], false);
    // One attempt left and not passed: no review yet.
    assert_eq!(r["result"]["review_available"], false);
    assert!(r["result"]["review_unavailable_reason"].is_string());
    for q in r["result"]["questions"].as_array().unwrap() {
        let mut keys: Vec<&String> = q.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["correct", "credit", "key", "must_pass"], "{q}");
    }
    // Cooldown: 409 with the time and Retry-After.
    let res = start(&app, &ana, &id, "safety-quiz").await;
    let err = res.assert_error(409, "quiz_cooldown");
    let available_at = err["details"]["available_at"].as_str().unwrap().to_string();
    let retry: i64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((3500..=3601).contains(&retry), "{retry}");
    let view = quiz(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(view["status"], "cooldown");
    assert_eq!(view["available_at"], json!(available_at));
    assert_eq!(view["attempts_left"], 1);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM quiz_attempts").await,
        1,
        "nothing written"
    );
    // An hour later (moved in the database), the second and last attempt.
    exec(
        &app,
        "UPDATE quiz_attempts SET started_at = started_at - interval '61 minutes',
                submitted_at = submitted_at - interval '61 minutes'",
    )
    .await;
    let second = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let r = submitted(&app, &ana, &second).await;
    assert_eq!(r["number"], 2);
    // Out of attempts: the review opens (for this attempt and the first).
    assert_eq!(r["result"]["review_available"], true);
    assert!(r["result"]["questions"][0]["correct_answer"].is_object());
    let first_again = call(&app, "GET", &format!("/api/v1/attempts/{first}"), &ana)
        .await
        .json();
    assert_eq!(first_again["result"]["review_available"], true);
    exec(
        &app,
        "UPDATE quiz_attempts SET started_at = started_at - interval '2 hours',
                submitted_at = submitted_at - interval '2 hours'",
    )
    .await;
    let err = start(&app, &ana, &id, "safety-quiz")
        .await
        .assert_error(409, "attempts_exhausted");
    assert_eq!(err["details"]["max_attempts"], 2);
    let view = quiz(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(view["status"], "exhausted");
    assert_eq!(view["attempts_left"], 0);
    assert_eq!(view["attempts_used"], 2);
}

#[actix_web::test]
async fn after_pass_review_opens_only_once_passed() {
    let (app, ana, id) = setup().await;
    exec(
        &app,
        "UPDATE quizzes SET review = 'after_pass' WHERE slug = 'safety-quiz'",
    )
    .await;
    let first = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let r = submitted(&app, &ana, &first).await;
    assert_eq!(r["result"]["review_available"], false);
    assert!(r["result"]["questions"][0].get("correct_answer").is_none());
    let r = pass_quiz(&app, &ana, &id, "safety-quiz").await;
    assert_eq!(r["result"]["review_available"], true);
    let first_again = call(&app, "GET", &format!("/api/v1/attempts/{first}"), &ana)
        .await
        .json();
    assert_eq!(first_again["result"]["review_available"], true);
}

// ---- the final exam --------------------------------------------------------------------------

#[actix_web::test]
async fn the_final_exam_opens_when_everything_else_is_met_and_passing_it_completes_the_course() {
    let app = TestApp::spawn().await;
    let ana = learner(&app).email("ana@example.org").await;
    let course = FixtureCourse::DEMO.without_externship();
    let id = enrolment(&app, &ana, course).await.id;

    let view = quiz(&app, &ana, &id, "final-exam").await;
    assert_eq!(view["status"], "locked");
    assert_eq!(view["final"], true);
    assert_eq!(view["module"], Value::Null);
    assert_eq!(view["question_count"], 6);
    assert_eq!(view["max_attempts"], 2);
    assert_eq!(view["attempts_left"], 2);
    let reason = view["locked_reason"].as_str().unwrap();
    assert!(reason.contains("3 more lessons"), "{reason}");
    assert!(reason.contains("Safety quiz"), "{reason}");
    let err = start(&app, &ana, &id, "final-exam")
        .await
        .assert_error(403, "quiz_locked");
    assert_eq!(
        err["details"]["missing"]["quizzes"],
        json!(["safety-quiz", "collection-quiz"])
    );

    // Module one, its quiz through the API; still locked until module two is done.
    open_module_two(&app, &ana, &id).await;
    pass_quiz(&app, &ana, &id, "safety-quiz").await;
    complete_lessons(&app, &ana, &id, &["order"]).await;
    let err = start(&app, &ana, &id, "final-exam")
        .await
        .assert_error(403, "quiz_locked");
    assert_eq!(
        err["details"]["missing"]["quizzes"],
        json!(["collection-quiz"])
    );
    assert_eq!(err["details"]["missing"]["lessons"], json!([]));
    let r = pass_quiz(&app, &ana, &id, "collection-quiz").await;
    assert_eq!(r["result"]["percent"], 100, "{r}");
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["state"], "active", "the final exam is still missing");

    // Now the exam opens: timed, both banks drawn whole.
    let exam = started(&app, &ana, &id, "final-exam").await;
    assert_eq!(exam["questions"].as_array().unwrap().len(), 6);
    assert!(exam["deadline"].is_string());
    let left = exam["seconds_left"].as_i64().unwrap();
    assert!((1790..=1800).contains(&left), "{left}");
    let e = id_of(&exam);
    let right = answers(&app, &e, &[("order", How::Wrong)]).await;
    save(&app, &ana, &e, right).await;
    let r = submitted(&app, &ana, &e).await;
    assert_eq!(r["result"]["score"], 5.0);
    assert_eq!(r["result"]["percent"], 83);
    assert_eq!(r["result"]["passed"], true);
    // after_pass: passed, so the review is open.
    assert_eq!(r["result"]["review_available"], true);
    // The last requirement: the enrolment is completed by the submit.
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["state"], "completed", "{detail}");
    assert_eq!(detail["completion"]["complete"], true);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'quiz.attempt_submitted'
               AND details->>'course_completed' = 'true'"
        )
        .await,
        1
    );
}

// ---- ownership --------------------------------------------------------------------------------

#[actix_web::test]
async fn another_learners_enrolment_and_attempts_are_not_found_on_every_route() {
    let (app, ana, id) = setup().await;
    let bob = learner(&app).email("bob@example.org").await;
    let bobs = enrolment(&app, &bob, FixtureCourse::DEMO).await.id;
    let root = admin(&app).email("admin@example.org").await;
    let attempt = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let before = stored_answers(&app, &attempt).await;

    for (method, path) in [
        (
            "GET",
            format!("/api/v1/enrolments/{id}/quizzes/safety-quiz"),
        ),
        (
            "POST",
            format!("/api/v1/enrolments/{id}/quizzes/safety-quiz/attempts"),
        ),
        ("GET", format!("/api/v1/attempts/{attempt}")),
        ("POST", format!("/api/v1/attempts/{attempt}/submit")),
    ] {
        call(&app, method, &path, &bob)
            .await
            .assert_error(404, "not_found");
    }
    save(&app, &bob, &attempt, json!({"q1": {"value": true}}))
        .await
        .assert_error(404, "not_found");
    // Unknown IDs and slugs answer the same.
    let nobody = uuid::Uuid::new_v4();
    call(&app, "GET", &format!("/api/v1/attempts/{nobody}"), &ana)
        .await
        .assert_error(404, "not_found");
    call(
        &app,
        "GET",
        &format!("/api/v1/enrolments/{id}/quizzes/no-such-quiz"),
        &ana,
    )
    .await
    .assert_error(404, "not_found");
    start(&app, &ana, &bobs, "safety-quiz")
        .await
        .assert_error(404, "not_found");
    // Admins read any attempt, but never answer or submit one.
    let res = call(&app, "GET", &format!("/api/v1/attempts/{attempt}"), &root).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        call(
            &app,
            "GET",
            &format!("/api/v1/enrolments/{id}/quizzes/safety-quiz"),
            &root
        )
        .await
        .status,
        200
    );
    save(&app, &root, &attempt, json!({"q1": {"value": true}}))
        .await
        .assert_error(404, "not_found");
    call(
        &app,
        "POST",
        &format!("/api/v1/attempts/{attempt}/submit"),
        &root,
    )
    .await
    .assert_error(404, "not_found");
    assert_eq!(stored_answers(&app, &attempt).await, before);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM quiz_attempts WHERE state = 'open'"
        )
        .await,
        1
    );
    // Unauthenticated.
    let res = app
        .call(
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
            None,
            None,
        )
        .await;
    res.assert_error(401, "unauthenticated");

    // A withdrawn enrolment cannot start a quiz.
    let res = call(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{bobs}/withdraw"),
        &bob,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    start(&app, &bob, &bobs, "safety-quiz")
        .await
        .assert_error(403, "enrolment_inactive");
}

// ---- item statistics ---------------------------------------------------------------------------

#[derive(QueryableByName)]
struct Ids {
    #[diesel(sql_type = Text)]
    e: String,
    #[diesel(sql_type = Text)]
    quiz: String,
}

#[derive(QueryableByName)]
struct QuestionId {
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    id: String,
}

#[derive(QueryableByName)]
struct F {
    #[diesel(sql_type = Double)]
    f: f64,
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[actix_web::test]
async fn item_statistics_for_admins_over_a_known_set_of_attempts() {
    let (app, ana, id) = setup().await;
    let root = admin(&app).email("admin@example.org").await;
    let path = "/api/v1/admin/courses/demo-course/questions/stats";
    call(&app, "GET", path, &ana)
        .await
        .assert_error(403, "forbidden");
    call(
        &app,
        "GET",
        "/api/v1/admin/courses/nope/questions/stats",
        &root,
    )
    .await
    .assert_error(404, "not_found");
    // Before any attempt: every question, nothing shown.
    let s = call(&app, "GET", path, &root).await;
    assert_eq!(s.status, 200, "{}", s.text());
    let s = s.json();
    assert_eq!(s["attempts"], 0);
    assert_eq!(s["questions"].as_array().unwrap().len(), 6);
    assert_eq!(s["questions"][0]["bank"], "safety");
    assert_eq!(s["questions"][0]["slug"], "recap");
    assert_eq!(s["questions"][0]["shown"], 0);
    assert_eq!(s["questions"][0]["percent_correct"], Value::Null);

    // Twelve graded attempts at the safety quiz, written directly: credits per question.
    let mut c = app.conn().await;
    let ids: Ids = diesel::sql_query(format!(
        "SELECT '{id}'::text AS e, (SELECT id::text FROM quizzes WHERE slug = 'safety-quiz') AS quiz"
    ))
    .get_result(&mut c)
    .await
    .unwrap();
    let qids: Vec<QuestionId> = diesel::sql_query(
        "SELECT q.slug, q.id::text AS id FROM questions q JOIN question_banks b ON b.id = q.bank_id
          WHERE b.slug = 'safety'",
    )
    .load(&mut c)
    .await
    .unwrap();
    let qid = |slug: &str| qids.iter().find(|q| q.slug == slug).unwrap().id.clone();
    let recap: Vec<f64> = (1..=12).map(|i| if i <= 8 { 1.0 } else { 0.0 }).collect();
    let ppe: Vec<f64> = (1..=12)
        .map(|i| match i % 3 {
            0 => 1.0,
            1 => 0.5,
            _ => 0.0,
        })
        .collect();
    let container: Vec<f64> = (1..=12).map(|i| if i <= 6 { 1.0 } else { 0.0 }).collect();
    let mut sql = String::new();
    for i in 0..12 {
        let score = recap[i] + ppe[i] + container[i];
        let percent = (score * 100.0 / 3.0 + 1e-9).floor() as i64;
        let attempt = uuid::Uuid::new_v4();
        sql.push_str(&format!(
            "INSERT INTO quiz_attempts (id, enrolment_id, quiz_id, number, state, started_at,
                 submitted_at, pass_percent, score, max_score, percent, passed)
             VALUES ('{attempt}', '{}', '{}', {}, 'submitted', now() - interval '1 hour', now(),
                 80, {score}, 3, {percent}, {});",
            ids.e,
            ids.quiz,
            i + 1,
            percent >= 80
        ));
        for (pos, (slug, credit)) in [
            ("recap", recap[i]),
            ("ppe", ppe[i]),
            ("container", container[i]),
        ]
        .into_iter()
        .enumerate()
        {
            // The last attempt left `recap` unanswered.
            let answer = if slug == "recap" && i == 11 {
                "NULL".to_string()
            } else {
                "'{}'".to_string()
            };
            sql.push_str(&format!(
                "INSERT INTO attempt_questions (attempt_id, position, question_id, layout, answer, credit)
                 VALUES ('{attempt}', {}, '{}', '{{}}', {answer}, {credit});",
                pos + 1,
                qid(slug)
            ));
        }
    }
    // An open attempt does not count.
    sql.push_str(&format!(
        "INSERT INTO quiz_attempts (enrolment_id, quiz_id, number, pass_percent, max_score)
         VALUES ('{}', '{}', 13, 80, 3);",
        ids.e, ids.quiz
    ));
    exec(&app, &sql).await;

    let s = call(&app, "GET", path, &root).await.json();
    assert_eq!(s["course"], "demo-course");
    assert_eq!(s["attempts"], 12);
    let row = |slug: &str| {
        s["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["slug"] == slug)
            .unwrap()
            .clone()
    };
    let rest = |own: &[f64]| -> Vec<f64> {
        (0..12)
            .map(|i| 100.0 * (recap[i] + ppe[i] + container[i] - own[i]) / 2.0)
            .collect()
    };
    let r = row("recap");
    assert_eq!(r["type"], "true_false");
    assert_eq!(r["retired"], false);
    assert_eq!(r["shown"], 12);
    assert_eq!(r["answered"], 11);
    assert_eq!(r["percent_correct"], 66.7);
    assert_eq!(r["mean_credit"], 0.67);
    let want = pearson(&recap, &rest(&recap));
    assert!(
        (r["discrimination"].as_f64().unwrap() - want).abs() < 0.006,
        "{r} vs {want}"
    );
    let p = row("ppe");
    assert_eq!(p["percent_correct"], 33.3);
    assert_eq!(p["mean_credit"], 0.5);
    let want = pearson(&ppe, &rest(&ppe));
    assert!(
        (p["discrimination"].as_f64().unwrap() - want).abs() < 0.006,
        "{p} vs {want}"
    );
    // Check the reference itself against PostgreSQL's corr on the same numbers.
    let pg: F = diesel::sql_query(
        "SELECT corr(x, y) AS f FROM (VALUES (1.0::float8, 2.0::float8), (0, 1), (1, 3)) v(x, y)",
    )
    .get_result(&mut c)
    .await
    .unwrap();
    assert!((pg.f - pearson(&[1.0, 0.0, 1.0], &[2.0, 1.0, 3.0])).abs() < 1e-9);
    // The collection bank was never shown.
    let o = row("order");
    assert_eq!(o["shown"], 0);
    assert_eq!(o["discrimination"], Value::Null);
    // Weak questions: a discrimination under 0.2 (12 responses are too few to call one too
    // easy or too hard).
    for q in [&r, &p] {
        let low = q["discrimination"].as_f64().unwrap() < 0.2;
        assert_eq!(q["weak"], low, "{q}");
        let reasons: &[&str] = if low { &["low_discrimination"] } else { &[] };
        assert_eq!(q["weak_reasons"], serde_json::json!(reasons), "{q}");
    }
    assert_eq!(o["weak"], false);
    assert_eq!(o["weak_reasons"], serde_json::json!([]));

    // Under ten responses, no discrimination.
    exec(&app, "DELETE FROM quiz_attempts WHERE number > 9").await;
    let s = call(&app, "GET", path, &root).await.json();
    assert_eq!(s["attempts"], 9);
    let r = s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["slug"] == "recap")
        .unwrap()
        .clone();
    assert_eq!(r["shown"], 9);
    assert_eq!(r["discrimination"], Value::Null);
}

#[actix_web::test]
async fn a_withdrawn_or_expired_enrolment_cannot_answer_or_submit_its_open_attempt() {
    let (app, ana, id) = setup().await;
    let a = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let res = save(&app, &ana, &a, json!({"q1": null})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let before = stored_answers(&app, &a).await;

    // Withdrawn: answers and the submit are refused, and nothing changes.
    let res = call(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{id}/withdraw"),
        &ana,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    save(&app, &ana, &a, json!({ "q1": null }))
        .await
        .assert_error(403, "enrolment_inactive");
    submit(&app, &ana, &a)
        .await
        .assert_error(403, "enrolment_inactive");
    assert_eq!(stored_answers(&app, &a).await, before);
    let state = call(&app, "GET", &format!("/api/v1/attempts/{a}"), &ana).await;
    assert_eq!(state.status, 200, "{}", state.text());
    assert_eq!(state.json()["state"], "open");

    // Expired (an active enrolment past its access period): the same.
    exec(
        &app,
        &format!(
            "UPDATE enrolments SET state = 'active', withdrawn_at = NULL,
                    started_at = now() - interval '2 days',
                    access_expires_at = now() - interval '1 day' WHERE id = '{id}'"
        ),
    )
    .await;
    save(&app, &ana, &a, json!({ "q1": null }))
        .await
        .assert_error(403, "enrolment_inactive");
    assert_eq!(stored_answers(&app, &a).await, before);
    submit(&app, &ana, &a)
        .await
        .assert_error(403, "enrolment_inactive");
    let open = text(
        &app,
        &format!("SELECT state AS s FROM quiz_attempts WHERE id = '{a}'"),
    )
    .await;
    assert_eq!(open.as_deref(), Some("open"));
}

/// A JSON object with the same key twice was merged by serde (last wins): a save of
/// `{"q1": .., "q1": ..}` is refused as a whole, like any other bad body, and saves nothing.
#[actix_web::test]
async fn answers_with_a_key_given_twice_are_refused() {
    let (app, ana, id) = setup().await;
    record_quiz_pass(&app, &id, "safety-quiz").await;
    let a = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let rows = drawn(&app, &a).await;
    let tf = format!(
        "q{}",
        rows.iter()
            .find(|r| r.0.kind == "true_false")
            .unwrap()
            .0
            .position
    );
    let before = stored_answers(&app, &a).await;
    let path = format!("/api/v1/attempts/{a}/answers");
    for body in [
        format!(r#"{{"answers": {{"{tf}": {{"value": true}}, "{tf}": {{"value": false}}}}}}"#),
        format!(r#"{{"answers": {{"{tf}": {{"value": true, "value": false}}}}}}"#),
        format!(r#"{{"answers": {{"{tf}": {{"value": true}}}}, "answers": {{}}}}"#),
    ] {
        app.send_raw_json("PUT", &path, Some(&ana.token), &body)
            .await
            .assert_error(422, "invalid_body");
    }
    assert_eq!(stored_answers(&app, &a).await, before);
    // The same save without the repeat is accepted.
    let body = format!(r#"{{"answers": {{"{tf}": {{"value": true}}}}}}"#);
    let res = app
        .send_raw_json("PUT", &path, Some(&ana.token), &body)
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

/// Questions are kept in memory by the revision the database sets on every change: a question
/// changed in SQL with its content hash left alone (a fix made by hand) shows at once in an
/// attempt already open, and a statement that changes nothing keeps the revision.
#[actix_web::test]
async fn a_changed_question_is_served_as_changed() {
    let (app, ana, id) = setup().await;
    let attempt = started(&app, &ana, &id, "safety-quiz").await;
    let attempt = id_of(&attempt);
    let path = format!("/api/v1/attempts/{attempt}");
    let before = call(&app, "GET", &path, &ana).await.json();
    let first = before["questions"][0].clone();
    assert_ne!(first["prompt_html"], "<p>Changed.</p>", "{first}");
    exec(
        &app,
        &format!(
            "UPDATE questions SET prompt_html = '<p>Changed.</p>'
              WHERE id = (SELECT question_id FROM attempt_questions
                           WHERE attempt_id = '{attempt}' AND position = 1)"
        ),
    )
    .await;
    let after = call(&app, "GET", &path, &ana).await.json();
    assert_eq!(after["questions"][0]["prompt_html"], "<p>Changed.</p>");
    assert_eq!(after["questions"][1], before["questions"][1]);

    let revisions = "SELECT sum(revision)::int8 AS n FROM questions";
    let held = count(&app, revisions).await;
    exec(&app, "UPDATE questions SET shuffle = shuffle").await;
    assert_eq!(
        count(&app, revisions).await,
        held,
        "no change, no new revision"
    );
}

/// A process that started an attempt checks its autosaves against the draw it holds, and the
/// saving statement checks that the questions saved into are still at the revisions checked
/// against: an answer that fitted a question before a change made in SQL, and does not after
/// it, is refused, and nothing is saved.
#[actix_web::test]
async fn an_autosave_checks_a_question_changed_since_the_attempt_started() {
    let (app, ana, id) = setup().await;
    let container = "(SELECT id FROM questions WHERE slug = 'container')";
    // A third choice before the start: the attempt's layout shows three.
    exec(
        &app,
        &format!(
            "UPDATE questions SET spec = jsonb_set(spec, '{{choices}}',
                    (spec->'choices') || jsonb_build_array(spec->'choices'->1))
              WHERE id = {container}"
        ),
    )
    .await;
    let a = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let key = format!(
        "q{}",
        drawn(&app, &a)
            .await
            .iter()
            .find(|r| r.0.kind == "single")
            .unwrap()
            .0
            .position
    );
    let res = save(&app, &ana, &a, json!({ key.clone(): {"choice": "c3"} })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let before = stored_answers(&app, &a).await;
    // The third choice goes: `c3` no longer fits, whatever this process held.
    exec(
        &app,
        &format!(
            "UPDATE questions SET spec = jsonb_set(spec, '{{choices}}', (spec->'choices') - 2)
              WHERE id = {container}"
        ),
    )
    .await;
    let res = save(&app, &ana, &a, json!({ key.clone(): {"choice": "c3"} })).await;
    let err = res.assert_error(422, "invalid_answer");
    assert_eq!(err["details"]["question"], json!(key));
    assert_eq!(stored_answers(&app, &a).await, before, "nothing saved");
    // What fits the changed question is saved.
    let res = save(&app, &ana, &a, json!({ key.clone(): {"choice": "c2"} })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_ne!(stored_answers(&app, &a).await, before);
}

/// An attempt route opens the enrolment in the same round trip as the attempt once the
/// process knows which enrolment the attempt belongs to (its question cache keeps it): another
/// learner is refused the same 404 either way, in the process that knows it and in one that
/// has never seen the attempt, and nothing of theirs is saved.
#[actix_web::test]
async fn another_learner_is_refused_an_attempt_the_server_knows_and_one_it_does_not() {
    let (app, ana, id) = setup().await;
    let bob = learner(&app).email("bob@example.org").await;
    let attempt = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    // Valid answers: a 404 can only be the access check's.
    let right = answers(&app, &attempt, &[]).await;
    // A second process over the same database has not seen the attempt.
    let other = TestApp::builder().database_url(&app.db_url).build().await;
    let before = stored_answers(&app, &attempt).await;
    for server in [&app, &other] {
        save(server, &bob, &attempt, right.clone())
            .await
            .assert_error(404, "not_found");
        call(server, "GET", &format!("/api/v1/attempts/{attempt}"), &bob)
            .await
            .assert_error(404, "not_found");
    }
    assert_eq!(stored_answers(&app, &attempt).await, before);
    // Refused, Bob taught neither process the attempt's enrolment: Ana's saves go through
    // both, the first one in `other` learning it there.
    for server in [&other, &other, &app] {
        let res = save(server, &ana, &attempt, right.clone()).await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    let saved = stored_answers(&app, &attempt).await;
    assert_ne!(saved, before);
    save(&other, &bob, &attempt, json!({}))
        .await
        .assert_error(404, "not_found");
    assert_eq!(stored_answers(&app, &attempt).await, saved);
}
