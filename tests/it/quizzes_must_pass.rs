//! Must-pass questions over HTTP: an attempt that gets one wrong does not pass whatever its
//! percent, and its result (the submit's answer and the attempt) names the item, says why
//! (its explanation) and links the lesson section to review, even when the quiz's review
//! policy keeps the answers closed. The same paper with it right passes.

use serde_json::{Value, json};

use crate::catalog_must_pass::with_question_lines;
use crate::harness::TestApp;
use crate::support::learning::enrol;
use crate::support::quizzes::{How, answers, id_of, quiz, save, started, submitted};
use crate::support::{call, import_dir, learner};

/// The fixture with `recap` (true_false, "Used needles may be recapped by hand.") must-pass,
/// and the safety quiz passing at 60 % with its review opening only after a pass: 2 of 3
/// right is 66 %.
fn course_with_a_must_pass_item() -> std::path::PathBuf {
    let dir = with_question_lines("recap", "must_pass = true\nreview = \"sharps#sharps\"");
    let module = dir.join("demo-course/modules/01-safety/module.toml");
    let text = std::fs::read_to_string(&module).unwrap();
    assert!(text.contains("pass_percent = 80\n"));
    let text = text.replace(
        "pass_percent = 80\n",
        "pass_percent = 60\nreview = \"after_pass\"\n",
    );
    std::fs::write(&module, text).unwrap();
    dir
}

async fn attempt_with(app: &TestApp, who: &crate::support::Account, id: &str, recap: How) -> Value {
    let attempt = id_of(&started(app, who, id, "safety-quiz").await);
    let res = save(
        app,
        who,
        &attempt,
        answers(app, &attempt, &[("recap", recap)]).await,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    submitted(app, who, &attempt).await
}

#[actix_web::test]
async fn a_wrong_must_pass_item_fails_an_attempt_above_the_pass_mark_and_says_why() {
    let app = TestApp::spawn().await;
    import_dir(&app, &course_with_a_must_pass_item()).await;
    let ana = learner(&app).email("ana@example.org").await;
    let id = enrol(&app, &ana, "demo-course").await.id;

    let graded = attempt_with(&app, &ana, &id, How::Wrong).await;
    let result = &graded["result"];
    assert_eq!(result["percent"], 66, "{graded}");
    assert_eq!(result["passed"], false, "{graded}");
    assert_eq!(result["outcome"], "must_pass_missed");
    // The review policy keeps the answers closed until a pass...
    assert_eq!(result["review_available"], false);
    // ...but the failed item, why and where to review are always shown.
    let missed = result["must_pass_missed"].as_array().unwrap();
    assert_eq!(missed.len(), 1, "{result}");
    let item = &missed[0];
    let key = item["key"].as_str().unwrap();
    assert_eq!(item["number"], json!(key[1..].parse::<i32>().unwrap()));
    assert!(
        item["prompt_html"]
            .as_str()
            .unwrap()
            .contains("Used needles may be recapped by hand."),
        "{item}"
    );
    assert_eq!(item["explanation_html"], "<p>OSHA forbids it.</p>\n");
    assert_eq!(
        item["review_href"],
        "/courses/demo-course/lessons/sharps#sharps"
    );
    assert_eq!(item["review_label"], "Sharps: Sharps");
    assert!(item.get("correct_answer").is_none());
    // Each question says whether it is must-pass; only `recap` is.
    let flags: Vec<(String, bool)> = result["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["key"].as_str().unwrap().to_string(),
                q["must_pass"] == true,
            )
        })
        .collect();
    assert_eq!(flags.iter().filter(|(_, m)| *m).count(), 1, "{flags:?}");
    assert!(flags.contains(&(key.to_string(), true)));
    // The attempt, read again, says the same; the quiz is not passed.
    let attempt = id_of(&graded);
    let again = call(&app, "GET", &format!("/api/v1/attempts/{attempt}"), &ana).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.json()["result"]["must_pass_missed"],
        result["must_pass_missed"]
    );
    assert_eq!(again.json()["result"]["passed"], false);
    assert_eq!(quiz(&app, &ana, &id, "safety-quiz").await["passed"], false);

    // The same paper with the must-pass item right (and one other wrong) passes.
    let attempt = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let right = answers(&app, &attempt, &[("container", How::Wrong)]).await;
    assert_eq!(save(&app, &ana, &attempt, right).await.status, 200);
    let graded = submitted(&app, &ana, &attempt).await;
    let result = &graded["result"];
    assert_eq!(
        (result["percent"].clone(), result["passed"].clone()),
        (json!(66), json!(true)),
        "{graded}"
    );
    assert_eq!(result["outcome"], "passed");
    assert_eq!(result["must_pass_missed"], json!([]));
    assert_eq!(quiz(&app, &ana, &id, "safety-quiz").await["passed"], true);
}

#[actix_web::test]
async fn under_the_pass_mark_with_the_must_pass_items_right_is_below_the_pass_mark() {
    let app = TestApp::spawn().await;
    import_dir(&app, &course_with_a_must_pass_item()).await;
    let ana = learner(&app).email("ana@example.org").await;
    let id = enrol(&app, &ana, "demo-course").await.id;
    let attempt = id_of(&started(&app, &ana, &id, "safety-quiz").await);
    let how = [("container", How::Wrong), ("ppe", How::Wrong)];
    let mostly_wrong = answers(&app, &attempt, &how).await;
    assert_eq!(save(&app, &ana, &attempt, mostly_wrong).await.status, 200);
    let result = submitted(&app, &ana, &attempt).await["result"].clone();
    assert_eq!(result["percent"], 33);
    assert_eq!(result["outcome"], "below_pass_mark");
    assert_eq!(result["must_pass_missed"], json!([]));
}
