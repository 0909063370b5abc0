//! The harness itself: isolation between parallel tests, template reuse, cleanup.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Oid};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::harness::{TestApp, TestDb, database_exists, maintenance_conn, template_name};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn audit_rows(conn: &mut diesel_async::AsyncPgConnection) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM audit_log")
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

#[actix_web::test]
async fn parallel_apps_have_separate_databases() {
    let (a, b) = futures_util::join!(TestApp::spawn(), TestApp::spawn());
    assert_ne!(a.db_url, b.db_url);

    let mut ca = a.conn().await;
    ca.batch_execute(
        "INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test.isolation')",
    )
    .await
    .unwrap();
    assert_eq!(audit_rows(&mut ca).await, 1);
    let mut cb = b.conn().await;
    assert_eq!(audit_rows(&mut cb).await, 0, "b does not see a's row");
}

#[actix_web::test]
async fn the_template_is_built_once_and_reused() {
    #[derive(QueryableByName)]
    struct TemplateOid {
        #[diesel(sql_type = Oid)]
        oid: u32,
    }
    let first = TestDb::migrated().await;
    let mut m = maintenance_conn().await;
    let oid = |name: String| {
        diesel::sql_query(format!(
            "SELECT oid FROM pg_database WHERE datname = '{name}'"
        ))
    };
    let before: TemplateOid = oid(template_name()).get_result(&mut m).await.unwrap();
    let second = TestDb::migrated().await;
    let after: TemplateOid = oid(template_name()).get_result(&mut m).await.unwrap();
    assert_eq!(
        before.oid, after.oid,
        "the same template database served both"
    );

    // Both clones carry every migration.
    let expected = crate::migrations::all().len() as i64;
    for db in [&first, &second] {
        let mut c = db.conn().await;
        let n: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
            .get_result(&mut c)
            .await
            .unwrap();
        assert_eq!(n.n, expected);
    }
}

#[actix_web::test]
async fn a_test_database_is_dropped_with_its_owner() {
    let db = TestDb::migrated().await;
    let name = db.name.clone();
    assert!(database_exists(&name).await);
    // An open connection does not keep it alive.
    let _conn = db.conn().await;
    drop(db);
    assert!(!database_exists(&name).await);

    let app = TestApp::spawn().await;
    let name = app.db.as_ref().unwrap().name.clone();
    assert_eq!(app.get("/readyz").await.status, 200);
    drop(app);
    assert!(!database_exists(&name).await);
}

#[actix_web::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let db = TestDb::migrated().await;
    let mut c = db.conn().await;
    c.batch_execute("INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test.append')")
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'test.rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = c.batch_execute(sql).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // And the constraints hold: a user actor needs an ID, actions are dotted snake_case.
    for sql in [
        "INSERT INTO audit_log (actor_kind, action) VALUES ('user', 'test.x')",
        "INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'Bad Action')",
        "INSERT INTO audit_log (actor_kind, action, details) VALUES ('system', 'test.x', '[]')",
    ] {
        assert!(c.batch_execute(sql).await.is_err(), "{sql} must be refused");
    }
    assert_eq!(audit_rows(&mut c).await, 1);
}
