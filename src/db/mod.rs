//! The database layer: the connection pool, embedded migrations and the schema.
//!
//! Queries take `&mut AsyncPgConnection`, so the same function works on a pooled connection
//! and inside a transaction (`conn.transaction(|tx| ...)`).

pub mod cluster;
pub mod jsonb;
pub mod prepared;
pub mod schema;
pub mod text_enum;

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use crate::config::DatabaseConfig;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Held (as a session advisory lock) while migrations run, so that several processes starting
/// at once apply them one at a time.
const MIGRATION_LOCK_KEY: i64 = 0x6265_6e63_6873_6964; // "benchsid"

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Pool settings, separate from [`DatabaseConfig`] so tests can build pools of their own.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: usize,
    pub wait_timeout: Duration,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
}

impl From<&DatabaseConfig> for PoolSettings {
    fn from(c: &DatabaseConfig) -> Self {
        PoolSettings {
            max_size: c.pool_size,
            wait_timeout: c.pool_timeout,
            connect_timeout: c.connect_timeout,
            statement_timeout: c.statement_timeout,
        }
    }
}

/// Builds the pool. No connection is opened until one is needed.
///
/// Every connection gets `statement_timeout`, UTC and JIT compilation off: the app's statements
/// are short, and the reports' aggregates cross `jit_above_cost` at cohort size, where compiling
/// took longer than running (seconds against tens of milliseconds at 10,000 learners). Waiting for a free connection is bounded by
/// `wait_timeout`, so an exhausted pool answers 503 instead of hanging; opening a connection is
/// bounded by `connect_timeout`. Connections are recycled without a test query (the closed
/// state of the socket is checked), which keeps one round trip off every request.
pub fn build_pool(url: &str, s: &PoolSettings) -> Result<DbPool, anyhow::Error> {
    let statement_timeout_ms = s.statement_timeout.as_millis();
    let connect_timeout = s.connect_timeout;
    let mut mc = ManagerConfig::<AsyncPgConnection>::default();
    mc.recycling_method = RecyclingMethod::Fast;
    mc.custom_setup = Box::new(move |url| {
        async move {
            let mut conn = tokio::time::timeout(connect_timeout, AsyncPgConnection::establish(url))
                .await
                .map_err(|_| {
                    diesel::ConnectionError::BadConnection("timed out connecting".into())
                })??;
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; SET TIME ZONE 'UTC'; SET jit = off"
            ))
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, mc);
    Ok(Pool::builder(manager)
        .max_size(s.max_size)
        .wait_timeout(Some(s.wait_timeout))
        .create_timeout(Some(s.connect_timeout + Duration::from_millis(500)))
        .recycle_timeout(Some(s.connect_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
}

/// Applies pending migrations; returns the versions applied. Safe to run from several
/// processes at once.
pub async fn run_migrations(url: &str) -> Result<Vec<String>, anyhow::Error> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> Result<Vec<String>, anyhow::Error> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")),
            &mut conn,
        )?;
        let result = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|v| v.iter().map(|m| m.to_string()).collect())
            .map_err(|e| anyhow::anyhow!("applying migrations: {e}"));
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")),
            &mut conn,
        )?;
        result
    })
    .await?
}

/// The migrations not yet applied to the database at `url`.
pub async fn pending_migrations(url: &str) -> Result<Vec<String>, anyhow::Error> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> Result<Vec<String>, anyhow::Error> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("reading migrations: {e}"))?;
        Ok(pending.iter().map(|m| m.name().to_string()).collect())
    })
    .await?
}

/// Creates `database` on the server at `maintenance_url` unless it exists.
pub async fn create_database_if_missing(
    maintenance_url: &str,
    database: &str,
) -> Result<bool, anyhow::Error> {
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }
    let mut conn = AsyncPgConnection::establish(maintenance_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(database)
            .get_result(&mut conn)
            .await?;
    if found.exists {
        return Ok(false);
    }
    match conn
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(database)))
        .await
    {
        Ok(()) => Ok(true),
        // Another process created it between our check and our CREATE.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `%text%` for `LIKE`/`ILIKE`, with the wildcards `%`, `_` and `\` in `text` escaped.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One round trip to the database: the readiness probe. A DSL query, so its prepared
/// statement is cached per connection (raw SQL such as `sql_query` or `dsl::sql` is prepared
/// on every call, costing a second round trip).
pub async fn ping(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::select(1_i32.into_sql::<diesel::sql_types::Integer>())
        .get_result::<i32>(conn)
        .await
        .map(|_| ())
}

/// The database URL with any password replaced, for logs and `check` output.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("********"));
            }
            u.to_string()
        }
        Err(_) => "<unparseable URL>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/benchside"),
            "postgres://app:********@db:5432/benchside"
        );
        assert_eq!(
            redact_url("postgres://app@db/benchside"),
            "postgres://app@db/benchside"
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("bench\"side"), "\"bench\"\"side\"");
    }
}
