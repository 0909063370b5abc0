//! Quizzes: attempts through the API, and answers worked out from the draw stored in the
//! database, independently of the server's grading code.

use diesel::QueryableByName;
use diesel::sql_types::{Int4, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value, json};

use super::accounts::Account;
use super::{call, call_json};
use crate::harness::{TestApp, TestResponse};

/// Starts (or resumes) an attempt, unchecked.
pub async fn start(app: &TestApp, who: &Account, enrolment: &str, quiz: &str) -> TestResponse {
    let path = format!("/api/v1/enrolments/{enrolment}/quizzes/{quiz}/attempts");
    call(app, "POST", &path, who).await
}

/// Starts a new attempt (asserting 201); returns the attempt.
pub async fn started(app: &TestApp, who: &Account, enrolment: &str, quiz: &str) -> Value {
    let res = start(app, who, enrolment, quiz).await;
    assert_eq!(
        res.status,
        201,
        "starting a new attempt at {quiz} in enrolment {enrolment}: {}",
        res.text()
    );
    res.json()
}

/// The quiz as the learner sees it (asserting 200).
pub async fn quiz(app: &TestApp, who: &Account, enrolment: &str, quiz: &str) -> Value {
    let path = format!("/api/v1/enrolments/{enrolment}/quizzes/{quiz}");
    let res = call(app, "GET", &path, who).await;
    assert_eq!(
        res.status,
        200,
        "reading quiz {quiz} of enrolment {enrolment}: {}",
        res.text()
    );
    res.json()
}

/// Saves answers (`{"q1": ..}`) to an attempt, unchecked.
pub async fn save(app: &TestApp, who: &Account, attempt: &str, answers: Value) -> TestResponse {
    let path = format!("/api/v1/attempts/{attempt}/answers");
    call_json(app, "PUT", &path, who, &json!({ "answers": answers })).await
}

/// Submits an attempt, unchecked.
pub async fn submit(app: &TestApp, who: &Account, attempt: &str) -> TestResponse {
    call(
        app,
        "POST",
        &format!("/api/v1/attempts/{attempt}/submit"),
        who,
    )
    .await
}

/// Submits an attempt (asserting 200); returns the graded attempt.
pub async fn submitted(app: &TestApp, who: &Account, attempt: &str) -> Value {
    let res = submit(app, who, attempt).await;
    assert_eq!(
        res.status,
        200,
        "submitting attempt {attempt}: {}",
        res.text()
    );
    res.json()
}

/// Passes a quiz through the API: starts a new attempt, saves the right answer to every
/// question, submits, and asserts the attempt passed. Returns the graded attempt.
pub async fn pass_quiz(app: &TestApp, who: &Account, enrolment: &str, quiz: &str) -> Value {
    let attempt = id_of(&started(app, who, enrolment, quiz).await);
    let right = answers(app, &attempt, &[]).await;
    let res = save(app, who, &attempt, right).await;
    assert_eq!(
        res.status,
        200,
        "saving the answers to attempt {attempt} at {quiz}: {}",
        res.text()
    );
    let graded = submitted(app, who, &attempt).await;
    assert_eq!(
        graded["result"]["passed"], true,
        "passing {quiz} with every answer right: {graded}"
    );
    graded
}

/// The `id` of a JSON object.
pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// One drawn question of an attempt: `layout` is the attempt's shuffle, `spec` the question's
/// answer key (both JSON text; [`drawn`] also parses them).
#[derive(QueryableByName, Debug)]
pub struct Drawn {
    #[diesel(sql_type = Int4)]
    pub position: i32,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub layout: String,
    #[diesel(sql_type = Text)]
    pub spec: String,
    #[diesel(sql_type = Text)]
    pub id: String,
}

/// The stored draw of an attempt, in order.
pub async fn drawn(app: &TestApp, attempt: &str) -> Vec<(Drawn, Value, Value)> {
    let mut c = app.conn().await;
    let rows: Vec<Drawn> = diesel::sql_query(format!(
        "SELECT aq.position, q.slug, q.kind, aq.layout::text AS layout, q.spec::text AS spec,
                q.id::text AS id
           FROM attempt_questions aq JOIN questions q ON q.id = aq.question_id
          WHERE aq.attempt_id = '{attempt}' ORDER BY aq.position"
    ))
    .load(&mut c)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| {
            let layout: Value = serde_json::from_str(&r.layout).unwrap();
            let spec: Value = serde_json::from_str(&r.spec).unwrap();
            (r, layout, spec)
        })
        .collect()
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_u64().unwrap() as usize).collect())
        .unwrap_or_default()
}

fn shown_at(list: &[usize], orig: usize) -> usize {
    list.iter().position(|x| *x == orig).unwrap()
}

/// How to answer a question.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum How {
    Right,
    Wrong,
    /// For multiple: one correct choice of two (half credit); otherwise right.
    Half,
}

/// An answer worked out from the stored draw.
pub fn answer_for(kind: &str, layout: &Value, spec: &Value, how: How) -> Value {
    match kind {
        "single" | "multiple" => {
            let order = indices(&layout["choices"]);
            let correct: Vec<bool> = spec["choices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["correct"].as_bool().unwrap_or(false))
                .collect();
            let keys = |want: bool| -> Vec<String> {
                (0..order.len())
                    .filter(|p| correct[order[*p]] == want)
                    .map(|p| format!("c{}", p + 1))
                    .collect()
            };
            let pick = match how {
                How::Right => keys(true),
                How::Wrong => keys(false),
                How::Half => keys(true)[..1].to_vec(),
            };
            if kind == "single" {
                json!({ "choice": pick[0] })
            } else {
                json!({ "choices": pick })
            }
        }
        "true_false" => {
            let a = spec["answer"].as_bool().unwrap();
            json!({ "value": if how == How::Wrong { !a } else { a } })
        }
        "matching" => {
            let (left, right) = (indices(&layout["left"]), indices(&layout["right"]));
            let mut pairs = Map::new();
            for (lp, orig) in left.iter().enumerate() {
                let mut rp = shown_at(&right, *orig);
                if how == How::Wrong {
                    rp = (rp + 1) % right.len();
                }
                pairs.insert(format!("l{}", lp + 1), json!(format!("r{}", rp + 1)));
            }
            json!({ "pairs": pairs })
        }
        "ordering" => {
            let items = indices(&layout["items"]);
            let mut order: Vec<String> = (0..items.len())
                .map(|orig| format!("i{}", shown_at(&items, orig) + 1))
                .collect();
            if how == How::Wrong {
                order.reverse();
            }
            json!({ "order": order })
        }
        "numeric" => {
            let a = spec["answer"].as_f64().unwrap();
            json!({ "value": if how == How::Wrong { a + 10.0 } else { a } })
        }
        other => panic!("unknown kind {other}"),
    }
}

/// Answers to every question of an attempt, chosen per question slug (default: right).
pub async fn answers(app: &TestApp, attempt: &str, how: &[(&str, How)]) -> Value {
    let mut out = Map::new();
    for (row, layout, spec) in drawn(app, attempt).await {
        let h = how
            .iter()
            .find(|(s, _)| *s == row.slug)
            .map(|(_, h)| *h)
            .unwrap_or(How::Right);
        out.insert(
            format!("q{}", row.position),
            answer_for(&row.kind, &layout, &spec, h),
        );
    }
    Value::Object(out)
}
