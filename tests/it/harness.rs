//! The test harness: a database per test, cloned from a migrated template, and the real app
//! served in-process on a free port.
//!
//! Where the databases live:
//! - `BENCHSIDE_TEST_DATABASE_URL` (a URL to a maintenance database such as `postgres`, on a
//!   server where the role may create databases), else
//! - a private cluster under `target/tmp/benchside-test-pg`, started on first use and left
//!   running for the next run (`make test` stops it at the end; `benchside cluster stop --dir
//!   target/tmp/benchside-test-pg` does it by hand).
//!
//! The template `benchside_tpl_<hash of migrations/>` is built once (under an advisory lock, so
//! parallel test processes agree) and reused until the migrations change. Each test clones it
//! into `benchside_test_<unix time>_<random>` and drops it when the `TestDb` is dropped.
//! Databases left behind by a killed run are dropped after two hours.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use actix_web::http::header::HeaderMap;
use actix_web::web;
use benchside::config::Config;
use benchside::db::cluster::Cluster;
use benchside::db::{self, DbPool, PoolSettings, quote_ident};
use benchside::jobs;
use benchside::startup::{Application, ExtraRoutes};
use bytes::Bytes;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;

const TEMPLATE_LOCK_KEY: i64 = 0x6265_6e63_6874_706c; // "benchtpl"

/// Where test databases are created.
pub struct TestServer {
    /// URL of a maintenance database (usually `postgres`).
    pub maintenance_url: String,
    /// The private cluster, when no URL was given.
    #[allow(dead_code)]
    pub cluster: Option<Cluster>,
}

impl TestServer {
    /// The URL of `database` on the same server.
    pub fn url_for(&self, database: &str) -> String {
        let mut u = url::Url::parse(&self.maintenance_url).expect("maintenance URL parses");
        u.set_path(&format!("/{database}"));
        u.to_string()
    }
}

pub fn test_cluster_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("benchside-test-pg")
}

/// The shared server for this test process, started on first use.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        if let Some(url) = std::env::var("BENCHSIDE_TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            return TestServer {
                maintenance_url: url,
                cluster: None,
            };
        }
        // Durability is pointless for throwaway test data and costs seconds per run.
        let cluster = Cluster::ensure_running(
            &test_cluster_dir(),
            None,
            &[
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
                ("max_connections", "300"),
            ],
        )
        .unwrap_or_else(|e| panic!("starting the test cluster: {e}"));
        TestServer {
            maintenance_url: cluster.url("postgres"),
            cluster: Some(cluster),
        }
    })
}

/// A hash of every file under `migrations/`: the template is rebuilt when it changes.
fn migrations_hash() -> String {
    let mut files = Vec::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for dir in std::fs::read_dir(&root)
        .expect("migrations/ exists")
        .flatten()
    {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            files.push(f.path());
        }
    }
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.strip_prefix(&root).unwrap().hash(&mut h);
        std::fs::read(&f).unwrap().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

pub fn template_name() -> String {
    format!("benchside_tpl_{}", &migrations_hash()[..12])
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

pub async fn maintenance_conn() -> AsyncPgConnection {
    AsyncPgConnection::establish(&server().maintenance_url)
        .await
        .expect("connecting to the test server's maintenance database")
}

/// Builds the template once per test process (and once per migration change across runs).
async fn ensure_template() -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let mut conn = maintenance_conn().await;
            conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"))
                .await
                .unwrap();
            let existing: Vec<Name> = diesel::sql_query(
                "SELECT datname AS name FROM pg_database WHERE datname LIKE 'benchside\\_tpl\\_%'",
            )
            .load(&mut conn)
            .await
            .unwrap();
            if !existing.iter().any(|n| n.name == name) {
                let building = format!("{name}_build");
                for sql in [
                    "DROP DATABASE IF EXISTS {b} WITH (FORCE)",
                    "CREATE DATABASE {b}",
                ] {
                    conn.batch_execute(&sql.replace("{b}", &quote_ident(&building)))
                        .await
                        .unwrap();
                }
                db::run_migrations(&server().url_for(&building))
                    .await
                    .expect("migrating the template database");
                conn.batch_execute(&format!(
                    "ALTER DATABASE {} RENAME TO {}",
                    quote_ident(&building),
                    quote_ident(&name)
                ))
                .await
                .unwrap();
                for old in existing.iter().filter(|n| n.name != name) {
                    let _ = conn
                        .batch_execute(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            quote_ident(&old.name)
                        ))
                        .await;
                }
            }
            drop_stale_test_databases(&mut conn).await;
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"))
                .await
                .unwrap();
            name
        })
        .await
        .clone()
}

/// Drops test databases more than two hours old: left behind by a run that was killed.
async fn drop_stale_test_databases(conn: &mut AsyncPgConnection) {
    let stale: Vec<Name> = diesel::sql_query(
        "SELECT datname AS name FROM pg_database WHERE datname LIKE 'benchside\\_test\\_%'",
    )
    .load(conn)
    .await
    .unwrap();
    let now = unix_now();
    for n in stale {
        let created = n
            .name
            .strip_prefix("benchside_test_")
            .and_then(|r| r.split('_').next())
            .and_then(|t| t.parse::<u64>().ok());
        if created.is_some_and(|t| now.saturating_sub(t) > 2 * 3600) {
            let _ = conn
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&n.name)
                ))
                .await;
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A database of the test's own, dropped (with any connections) when this is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A clone of the migrated template.
    pub async fn migrated() -> TestDb {
        let template = ensure_template().await;
        Self::create(Some(&template)).await
    }

    /// An empty database with no migrations applied.
    pub async fn empty() -> TestDb {
        ensure_template().await; // also cleans up stale databases
        Self::create(None).await
    }

    async fn create(template: Option<&str>) -> TestDb {
        let name = format!(
            "benchside_test_{}_{}",
            unix_now(),
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let mut conn = maintenance_conn().await;
        let sql = match template {
            Some(t) => format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(&name),
                quote_ident(t)
            ),
            None => format!("CREATE DATABASE {}", quote_ident(&name)),
        };
        conn.batch_execute(&sql).await.unwrap();
        TestDb {
            url: server().url_for(&name),
            name,
        }
    }

    pub async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(&server().maintenance_url).await
                {
                    let _ = conn
                        .batch_execute(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            quote_ident(&name)
                        ))
                        .await;
                }
            })
        })
        .join();
    }
}

/// Whether a database of this name exists on the test server.
pub async fn database_exists(name: &str) -> bool {
    let mut conn = maintenance_conn().await;
    let c: Count = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .get_result(&mut conn)
        .await
        .unwrap();
    c.n == 1
}

/// Builds a [`TestApp`].
#[derive(Default)]
pub struct TestAppBuilder {
    vars: HashMap<String, String>,
    routes: Option<ExtraRoutes>,
    database_url: Option<String>,
    allow_failed_jobs: bool,
    without_signing_key: bool,
}

/// One certificate signing key for the whole test process (RSA key generation is slow):
/// its private file in a folder every app shares, its public row added to each app's database.
struct TestKey {
    dir: PathBuf,
    kid: &'static str,
    material: benchside::credentials::keys::KeyMaterial,
}

fn test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let kid = "k-test-signing-key";
        let material = benchside::credentials::keys::KeyMaterial::generate().unwrap();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("test-signing-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{kid}.pem")), material.pem().unwrap()).unwrap();
        TestKey { dir, kid, material }
    })
}

/// Publishes the process's test key in the app's database, signing from now.
async fn install_test_key(pool: &DbPool, config: &Config) {
    let key = test_key();
    let urls = benchside::credentials::Urls::new(&config.public_url);
    let jwk = serde_json::to_string(&key.material.public_jwk(urls.key(key.kid))).unwrap();
    let mut conn = pool.get().await.unwrap();
    RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO signing_keys (kid, public_jwk, signs_from) VALUES ($1, $2::jsonb, now()) \
             ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(key.kid)
        .bind::<Text, _>(jwk),
        &mut conn,
    )
    .await
    .unwrap();
}

impl TestAppBuilder {
    /// Sets a configuration variable, as the environment would.
    pub fn var(mut self, k: &str, v: &str) -> Self {
        self.vars.insert(k.into(), v.into());
        self
    }

    /// Mounts extra routes beside the real ones (for plumbing tests).
    pub fn routes(mut self, f: impl Fn(&mut web::ServiceConfig) + Send + Sync + 'static) -> Self {
        self.routes = Some(Arc::new(f));
        self
    }

    /// Lets the test end with `failed` jobs (for tests that make a job fail on purpose);
    /// otherwise dropping the [`TestApp`] fails the test when any job ended `failed`.
    pub fn allow_failed_jobs(mut self) -> Self {
        self.allow_failed_jobs = true;
        self
    }

    /// Starts with no certificate signing key (for the key tests); otherwise the process's
    /// test key is published and its private file is in `BENCHSIDE_SIGNING_KEY_DIR`.
    pub fn without_signing_key(mut self) -> Self {
        self.without_signing_key = true;
        self
    }

    /// Serves against this database instead of a fresh clone of the template.
    pub fn database_url(mut self, url: &str) -> Self {
        self.database_url = Some(url.into());
        self
    }

    pub async fn build(self) -> TestApp {
        // Only a fresh clone of the template is known to be reachable and migrated.
        let with_key = !self.without_signing_key && self.database_url.is_none();
        let (db, url) = match self.database_url {
            Some(url) => (None, url),
            None => {
                let db = TestDb::migrated().await;
                let url = db.url.clone();
                (Some(db), url)
            }
        };
        // Mail goes to files in a folder of the app's own unless a test sets an SMTP URL, and
        // the job runner polls often so tests see mail quickly.
        let data_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("test-data")
            .join(uuid::Uuid::new_v4().simple().to_string());
        let frontend_dir = data_dir.join("no-web-app").to_string_lossy().into_owned();
        let data_dir = data_dir.to_string_lossy().into_owned();
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", url.as_str()),
            ("BENCHSIDE_WORKERS", "2"),
            ("BENCHSIDE_DB_POOL_SIZE", "4"),
            (
                "BENCHSIDE_JWT_SECRET",
                "test-secret-test-secret-test-secret-0001",
            ),
            ("BENCHSIDE_HASH_CONCURRENCY", "2"),
            ("BENCHSIDE_DATA_DIR", data_dir.as_str()),
            ("BENCHSIDE_JOBS_POLL_MS", "50"),
            // No web app unless a test builds one (tests/it/spa.rs): results must not depend
            // on whether frontend/dist happens to be built.
            ("BENCHSIDE_FRONTEND_DIR", frontend_dir.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if with_key {
            let dir = test_key().dir.to_string_lossy().into_owned();
            vars.insert("BENCHSIDE_SIGNING_KEY_DIR".into(), dir);
        }
        vars.extend(self.vars);
        let config = Arc::new(Config::from_vars(vars).expect("test configuration is valid"));
        let pool = db::build_pool(&url, &PoolSettings::from(&config.database)).unwrap();
        if with_key {
            install_test_key(&pool, &config).await;
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let app =
            Application::build_with(config.clone(), &url, listener, self.routes, false).unwrap();
        let addr = app.addr();
        let handle = app.handle();
        let task = actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            base: format!("http://{addr}"),
            handle,
            task: Some(task),
            pool,
            db_url: url,
            db,
            config,
            allow_failed_jobs: self.allow_failed_jobs,
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .disable_redirects()
                .finish(),
        }
    }
}

/// The real app on a free port, over its own database.
pub struct TestApp {
    pub base: String,
    pub handle: ServerHandle,
    task: Option<actix_web::rt::task::JoinHandle<std::io::Result<()>>>,
    /// A pool onto the app's database, for arranging and asserting state.
    pub pool: DbPool,
    pub db_url: String,
    pub db: Option<TestDb>,
    pub config: Arc<Config>,
    pub client: awc::Client,
    /// Whether the test may end with `failed` jobs (see [`TestAppBuilder::allow_failed_jobs`]).
    pub allow_failed_jobs: bool,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    pub async fn spawn() -> TestApp {
        Self::builder().build().await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        TestResponse::read(self.client.get(self.url(path)).send().await).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        TestResponse::read(self.client.post(self.url(path)).send_json(body).await).await
    }

    /// Sends raw bytes with the given content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
        TestResponse::read(
            self.client
                .post(self.url(path))
                .insert_header(("content-type", content_type))
                .send_body(body)
                .await,
        )
        .await
    }

    /// Sends raw bytes as `application/json` (for bodies `json!` cannot write, such as a
    /// duplicate key), with an optional bearer token.
    pub async fn send_raw_json(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: &str,
    ) -> TestResponse {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, self.url(path))
            .insert_header(("content-type", "application/json"));
        if let Some(t) = bearer {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        TestResponse::read(req.send_body(body.to_string()).await).await
    }

    /// Sends a request with an optional bearer token, cookie and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        cookie: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = bearer {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        if let Some(c) = cookie {
            req = req.insert_header(("cookie", c.to_string()));
        }
        match body {
            Some(b) => TestResponse::read(req.send_json(b).await).await,
            None => TestResponse::read(req.send().await).await,
        }
    }

    pub async fn conn(&self) -> db::DbConn {
        self.pool.get().await.unwrap()
    }

    /// Runs every due job now, through the real registry and handlers (mail goes to the
    /// configured transport, e.g. the test's `SmtpSink`), until none is due and none is running
    /// (the app's own runner may be mid-round), and returns the attempts this call ran.
    /// A failed attempt retried later is not due again within this call.
    pub async fn run_pending_jobs(&self) -> Vec<jobs::Ran> {
        let runner = benchside::startup::job_runner(&self.config, self.pool.clone())
            .expect("the job registry builds");
        let started = std::time::Instant::now();
        let mut ran = Vec::new();
        loop {
            let round = runner.run_once().await.expect("a job round runs");
            let claimed = round.claimed;
            ran.extend(round.ran);
            if claimed == 0 && self.jobs_due_or_running().await == 0 {
                return ran;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "jobs still due or running after 30 s; ran {ran:#?}"
            );
            if claimed == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    async fn jobs_due_or_running(&self) -> i64 {
        count_jobs(
            &mut *self.conn().await,
            "SELECT count(*) AS n FROM jobs \
              WHERE state = 'running' OR (state = 'pending' AND run_at <= now())",
        )
        .await
    }

    /// Panics when a job ended `failed` (with the jobs' kinds and errors).
    pub async fn assert_no_failed_jobs(&self) {
        let failed = failed_jobs(&self.db_url).await;
        assert!(failed.is_empty(), "jobs ended failed: {failed:#?}");
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        self.handle.stop(true).await;
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server without waiting; the database is dropped after the pool.
        let handle = self.handle.clone();
        drop(handle.stop(false));
        self.pool.close();
        if self.allow_failed_jobs || std::thread::panicking() {
            return;
        }
        // A test must not leave a failed job behind unless it says so. Drop runs inside the
        // test's runtime; do the async work on a thread of its own.
        let url = self.db_url.clone();
        let failed = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(failed_jobs(&url))
        })
        .join()
        .unwrap_or_default();
        assert!(
            failed.is_empty(),
            "the test left failed jobs (use TestAppBuilder::allow_failed_jobs when that is \
             the point): {failed:#?}"
        );
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count_jobs(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    let c: Count = diesel::sql_query(sql).get_result(conn).await.unwrap();
    c.n
}

/// `kind: last_error` of every failed job in the database at `url`; empty when the database
/// cannot be reached (a test that dropped it already).
async fn failed_jobs(url: &str) -> Vec<String> {
    let Ok(mut conn) = AsyncPgConnection::establish(url).await else {
        return Vec::new();
    };
    diesel::sql_query(
        "SELECT kind || ': ' || coalesce(last_error, '') AS name FROM jobs \
          WHERE state = 'failed' ORDER BY created_at",
    )
    .load::<Name>(&mut conn)
    .await
    .map(|rows| rows.into_iter().map(|r| r.name).collect())
    .unwrap_or_default()
}

/// A response read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub async fn read<S>(
        res: Result<awc::ClientResponse<S>, awc::error::SendRequestError>,
    ) -> TestResponse
    where
        S: futures_util::Stream<Item = Result<Bytes, actix_web::error::PayloadError>> + Unpin,
    {
        let mut res = res.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.body().limit(64 * 1024 * 1024).await.expect("body read");
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Set-Cookie` header for `name`, whole (value and attributes).
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The value set for cookie `name`.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.set_cookie(name).map(|c| {
            c[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_string()
        })
    }

    /// Asserts the status and that the body is the error envelope with this code; returns the
    /// envelope's `error` object.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "status; body: {}", self.text());
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "content type of an error must be JSON: {:?}",
            self.headers
        );
        let body = self.json();
        let err = body
            .get("error")
            .unwrap_or_else(|| panic!("no `error` in {body}"));
        assert_eq!(err["code"], code, "error code in {body}");
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error message in {body}"
        );
        assert!(
            err["details"].is_object(),
            "details must be an object: {body}"
        );
        assert_eq!(
            body.as_object().unwrap().len(),
            1,
            "nothing beside `error`: {body}"
        );
        err.clone()
    }
}
