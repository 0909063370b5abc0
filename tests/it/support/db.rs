//! Reading and arranging state in the app's database directly, for what a test is not about.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::harness::TestApp;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Str {
    #[diesel(sql_type = Nullable<Text>)]
    s: Option<String>,
}

/// The `n` (a `bigint`) of the one row `sql` returns.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut c = app.conn().await;
    diesel::sql_query(sql)
        .get_result::<Count>(&mut c)
        .await
        .unwrap()
        .n
}

/// The `s` (nullable text) of the one row `sql` returns.
pub async fn text(app: &TestApp, sql: &str) -> Option<String> {
    let mut c = app.conn().await;
    diesel::sql_query(sql)
        .get_result::<Str>(&mut c)
        .await
        .unwrap()
        .s
}

/// Runs one or more statements.
pub async fn exec(app: &TestApp, sql: &str) {
    app.conn().await.batch_execute(sql).await.unwrap();
}
