//! The `benchside` binary: serve on the private cluster or on DATABASE_URL, SIGTERM, `check`,
//! `migrate`, `openapi`, and refusals of bad configuration.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use benchside::db::cluster::Cluster;
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;

use crate::harness::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_benchside");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `benchside` command with a clean environment: no `DATABASE_URL` or `BENCHSIDE_*` from
/// the caller, and the fixture course folder (so `serve` never imports the real `courses/`).
pub fn benchside(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k == "DATABASE_URL" || k.starts_with("BENCHSIDE_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_LOG", "info")
        .env("BENCHSIDE_COURSES_DIR", fixture_courses());
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn wait_ready(port: u16, child: &mut Child) -> Duration {
    let started = Instant::now();
    let client = awc::Client::default();
    while started.elapsed() < Duration::from_secs(60) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("benchside exited early: {status}");
        }
        if let Ok(res) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && res.status() == 200
        {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("benchside did not become ready");
}

fn sigterm_and_wait(child: &mut Child) -> std::process::ExitStatus {
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let started = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn fixture_courses() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/courses/valid")
}

fn serve(data_dir: &Path, port: u16, log: &Path) -> Child {
    benchside(&["serve"])
        .env("BENCHSIDE_COURSES_DIR", fixture_courses())
        .env("BENCHSIDE_DATA_DIR", data_dir)
        .env("BENCHSIDE_LISTEN", format!("127.0.0.1:{port}"))
        .env("BENCHSIDE_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

#[actix_web::test]
async fn serve_runs_its_own_cluster_stops_it_on_sigterm_and_reuses_it() {
    let data = temp_dir("cli-serve");
    let port = free_port();
    let log1 = data.join("first.log");

    let mut child = serve(&data, port, &log1);
    wait_ready(port, &mut child).await;
    let (exists, running) = Cluster::inspect(&data.join("pg"));
    assert!(exists && running.is_some(), "the private cluster runs");
    let status = sigterm_and_wait(&mut child);
    assert!(status.success(), "clean exit on SIGTERM: {status}");
    assert_eq!(
        Cluster::inspect(&data.join("pg")),
        (true, None),
        "the cluster stopped with it"
    );

    let first = std::fs::read_to_string(&log1).unwrap();
    assert!(
        first.contains("creating a private PostgreSQL cluster"),
        "{first}"
    );
    // Logs are JSON lines and requests carry their ID.
    let request_line = first
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["message"] == "request finished")
        .unwrap_or_else(|| panic!("a JSON request line in {first}"));
    assert!(
        request_line["span"]["request_id"].is_string(),
        "{request_line}"
    );
    assert_eq!(request_line["span"]["path"], "/readyz");
    assert_eq!(request_line["status"], 200);

    // Second start: the same cluster, not a new one.
    let log2 = data.join("second.log");
    let mut child = serve(&data, port, &log2);
    let took = wait_ready(port, &mut child).await;
    let status = sigterm_and_wait(&mut child);
    assert!(status.success());
    let second = std::fs::read_to_string(&log2).unwrap();
    assert!(
        !second.contains("creating a private PostgreSQL cluster"),
        "{second}"
    );
    assert!(
        second.contains("starting the private PostgreSQL cluster"),
        "{second}"
    );
    eprintln!("second start ready in {took:?}");
    assert_eq!(Cluster::inspect(&data.join("pg")).1, None);
    let _ = std::fs::remove_dir_all(&data);
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_web::test]
async fn serve_on_an_empty_database_url_applies_the_migrations() {
    let db = TestDb::empty().await;
    let port = free_port();
    let mut child = benchside(&["serve"])
        .env("DATABASE_URL", &db.url)
        .env("BENCHSIDE_DATA_DIR", temp_dir("serve-url"))
        .env("BENCHSIDE_COURSES_DIR", fixture_courses())
        .env("BENCHSIDE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(port, &mut child).await;
    let res = awc::Client::default()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut conn = db.conn().await;
    let n: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(n.n as usize, crate::migrations::all().len());
    drop(conn);
    // Development imports the courses at start.
    let res = awc::Client::default()
        .get(format!(
            "http://127.0.0.1:{port}/api/v1/courses/demo-course"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(sigterm_and_wait(&mut child).success());
}

#[actix_web::test]
async fn migrate_applies_once_and_check_reports_what_it_found() {
    let db = TestDb::empty().await;

    let out = benchside(&["check"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("reachable       yes: PostgreSQL"), "{text}");
    assert!(
        text.contains(&format!("{} pending", crate::migrations::all().len())),
        "{text}"
    );

    let out = benchside(&["migrate"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("applied 00000000000000"), "{text}");
    let out = benchside(&["migrate"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "migrations: up to date\n"
    );

    let out = benchside(&["check"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("migrations      up to date"),
        "{text}"
    );
    assert!(!text.contains("password"), "{text}");
}

#[test]
fn check_fails_when_the_database_cannot_be_reached() {
    let port = free_port();
    let out = benchside(&["check"])
        .env(
            "DATABASE_URL",
            format!("postgres://app:s3cret@127.0.0.1:{port}/x"),
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("reachable       NO"), "{text}");
    assert!(!text.contains("s3cret"), "the password is redacted: {text}");
}

#[test]
fn bad_configuration_is_refused_naming_the_variable() {
    let out = benchside(&["serve"])
        .env("BENCHSIDE_LISTEN", "not-an-address")
        .env("BENCHSIDE_DB_POOL_SIZE", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("BENCHSIDE_LISTEN: must be an address"),
        "{err}"
    );
    assert!(err.contains("BENCHSIDE_DB_POOL_SIZE"), "{err}");

    let out = benchside(&["serve"])
        .env("BENCHSIDE_ENV", "production")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DATABASE_URL: is required in production"),
        "{err}"
    );
    assert!(
        err.contains("BENCHSIDE_PUBLIC_URL: is required in production"),
        "{err}"
    );
}

#[test]
fn missing_server_programs_name_the_package_to_install() {
    let data = temp_dir("cli-nopg");
    let out = benchside(&["serve"])
        .env("BENCHSIDE_DATA_DIR", &data)
        .env("BENCHSIDE_PG_BIN", data.join("no-such-bin"))
        .env("BENCHSIDE_LISTEN", format!("127.0.0.1:{}", free_port()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install postgresql"), "{err}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_openapi_command_prints_the_served_document() {
    let out = benchside(&["openapi"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        benchside::startup::openapi_json()
    );
}

#[actix_web::test]
async fn healthcheck_reports_the_local_server() {
    let app = crate::harness::TestApp::spawn().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let out = tokio::task::spawn_blocking(move || {
        benchside(&["healthcheck"])
            .env("BENCHSIDE_LISTEN", addr)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = benchside(&["healthcheck"])
        .env("BENCHSIDE_LISTEN", format!("127.0.0.1:{}", free_port()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[actix_web::test]
async fn create_admin_creates_from_stdin_and_promotes_an_existing_account() {
    use std::io::Write;
    let db = TestDb::migrated().await;
    let run = |email: &str, stdin: &str| {
        let mut child = benchside(&["create-admin", "--email", email, "--name", "Pat Admin"])
            .env("DATABASE_URL", &db.url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("Pat@Example.org", "short\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));

    let out = run("Pat@Example.org", "calibrate-the-analyzer\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "created admin Pat@Example.org\n"
    );

    let app = crate::harness::TestApp::builder()
        .database_url(&db.url)
        .build()
        .await;
    let s = crate::support::login(&app, "pat@example.org", "calibrate-the-analyzer").await;
    assert_eq!(s.body["user"]["role"], "admin");
    assert_eq!(s.body["user"]["name"], "Pat Admin");

    // An existing learner is promoted; no password is asked for.
    crate::support::verified_user(&app, "lee@example.org").await;
    let out = run("lee@example.org", "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "promoted lee@example.org to admin\n"
    );
    let out = run("lee@example.org", "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "lee@example.org is already an admin\n"
    );
    let lee = crate::support::login(&app, "lee@example.org", crate::support::PASSWORD).await;
    assert_eq!(lee.body["user"]["role"], "admin");
}

#[test]
fn courses_validate_reports_file_and_line_and_fails() {
    let broken = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/courses/broken");
    let out = benchside(&["courses", "validate"])
        .arg(&broken)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "{}:10: unknown field `colour`",
            broken.join("broken-course/course.toml").display()
        )),
        "{text}"
    );
    assert!(text.contains("problem(s) found"), "{text}");
    let out = benchside(&["courses", "validate"])
        .arg(fixture_courses())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("demo-course: 2 modules, 3 lessons, 6 questions, 3 quizzes")
    );
}

#[actix_web::test]
async fn courses_import_writes_once_then_reports_no_change() {
    let db = TestDb::migrated().await;
    let run = || {
        benchside(&["courses", "import"])
            .arg(fixture_courses())
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap()
    };
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(
            "demo-course (added, version 1): 2 modules, 3 lessons, 6 questions, 3 quizzes"
        ),
        "{text}"
    );
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("demo-course (unchanged, version 1)"),
        "{text}"
    );
    // Broken content is refused before anything is written.
    let broken = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/courses/broken");
    let out = benchside(&["courses", "import"])
        .arg(&broken)
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing imported"));
    let mut conn = db.conn().await;
    let n: Count = diesel::sql_query("SELECT count(*) AS n FROM courses")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(n.n, 1);
}
