//! What the commands do: `serve`, `migrate`, `check` and `cluster`, shared by the binary and
//! the tests.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::config::{Config, DatabaseSource, MailTransportKind};
use crate::db;
use crate::db::cluster::{Cluster, find_server_programs};
use crate::startup::Application;

/// The database the process uses, and the private cluster behind it if there is one.
pub struct Database {
    pub url: String,
    pub cluster: Option<Cluster>,
}

/// The name of the application database inside the private cluster.
pub const CLUSTER_DATABASE: &str = "benchside";

impl Database {
    /// `DATABASE_URL`, or the private cluster (created and started when needed).
    pub async fn open(config: &Config) -> anyhow::Result<Database> {
        match &config.database.source {
            DatabaseSource::Url(url) => Ok(Database {
                url: url.clone(),
                cluster: None,
            }),
            DatabaseSource::PrivateCluster => {
                let dir = config.cluster_dir();
                let pg_bin = config.pg_bin.clone();
                let cluster = tokio::task::spawn_blocking(move || {
                    Cluster::ensure_running(&dir, pg_bin.as_deref(), &[])
                })
                .await??;
                let db = Database {
                    url: cluster.url(CLUSTER_DATABASE),
                    cluster: Some(cluster),
                };
                if let Err(e) = db::create_database_if_missing(
                    &db.cluster.as_ref().expect("set").url("postgres"),
                    CLUSTER_DATABASE,
                )
                .await
                {
                    db.close();
                    return Err(e.context("creating the database in the private cluster"));
                }
                Ok(db)
            }
        }
    }

    /// Stops the private cluster if this process started it.
    pub fn close(self) {
        if let Some(cluster) = self.cluster
            && cluster.started_here()
        {
            tracing::info!("stopping the private PostgreSQL cluster");
            if let Err(e) = cluster.stop() {
                tracing::error!(error = %e, "could not stop the private PostgreSQL cluster");
            }
        }
    }
}

/// `benchside serve`: migrate (unless turned off), import courses (if configured), check the
/// certificate signing keys (development makes the first one), then serve HTTP until SIGTERM
/// or SIGINT.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = Arc::new(config);
    let database = Database::open(&config).await?;
    let result = serve_on(&config, &database.url, started).await;
    database.close();
    result
}

async fn serve_on(config: &Arc<Config>, url: &str, started: Instant) -> anyhow::Result<()> {
    if config.database.migrate_on_start {
        let applied = db::run_migrations(url)
            .await
            .context("applying database migrations")?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), migrations = ?applied, "applied migrations");
        }
    }
    if config.import_courses_on_start && !config.courses_dir.is_dir() {
        tracing::info!(dir = %config.courses_dir.display(), "no courses folder; nothing imported");
    } else if config.import_courses_on_start {
        let dir = config.courses_dir.clone();
        let models =
            tokio::task::spawn_blocking(move || crate::catalog::load::load_dir(&dir)).await?;
        match models {
            Ok(models) => {
                let mut conn = AsyncPgConnection::establish(url).await?;
                let report = crate::catalog::import::import(&mut conn, &models).await?;
                for c in &report.courses {
                    tracing::info!(course = %c.slug, status = %c.status, version = c.version, "courses imported");
                }
            }
            Err(problems) => {
                for p in &problems {
                    tracing::error!("{p}");
                }
                anyhow::bail!(
                    "{} problem(s) in {} (run `benchside courses validate`; set BENCHSIDE_IMPORT_COURSES_ON_START=false to start without importing)",
                    problems.len(),
                    config.courses_dir.display()
                );
            }
        }
    }
    {
        let mut conn = AsyncPgConnection::establish(url).await?;
        crate::credentials::keys::ensure_ready(&mut conn, config)
            .await
            .context("certificate signing keys")?;
    }
    let app = Application::build(config.clone(), url)
        .with_context(|| format!("listening on {} (BENCHSIDE_LISTEN)", config.listen))?;
    tracing::info!(
        addr = %app.addr(),
        public_url = %config.public_url,
        env = config.env.as_str(),
        database = %db::redact_url(url),
        startup_ms = started.elapsed().as_millis() as u64,
        "Benchside is listening"
    );
    app.run_until_stopped().await?;
    tracing::info!("HTTP server stopped");
    Ok(())
}

/// `benchside migrate`: apply pending migrations and report them.
pub async fn migrate(config: Config) -> anyhow::Result<Vec<String>> {
    let database = Database::open(&config).await?;
    let result = db::run_migrations(&database.url).await;
    database.close();
    result
}

/// `benchside check`: what the configuration says and whether the database answers.
/// Returns the report and whether everything needed is in order.
pub async fn check(config: &Config) -> (String, bool) {
    let mut out = String::new();
    let mut ok = true;
    let _ = writeln!(out, "configuration: valid");
    let _ = writeln!(out, "  environment     {}", config.env.as_str());
    let _ = writeln!(out, "  listen          {}", config.listen);
    let _ = writeln!(out, "  public URL      {}", config.public_url);
    let _ = writeln!(out, "  data folder     {}", config.data_dir.display());
    let _ = writeln!(
        out,
        "  web app         {} ({})",
        config.frontend_dir.display(),
        if config.frontend_dir.join("index.html").is_file() {
            "built"
        } else {
            "not built: cd frontend && npm ci && npm run build"
        }
    );
    let _ = writeln!(
        out,
        "  pool            {} connections, wait {} ms, connect {} ms, statement timeout {} ms",
        config.database.pool_size,
        config.database.pool_timeout.as_millis(),
        config.database.connect_timeout.as_millis(),
        config.database.statement_timeout.as_millis()
    );
    let _ = writeln!(
        out,
        "  migrate on start {}",
        config.database.migrate_on_start
    );
    let _ = writeln!(out, "  log format      {:?}", config.log_format);
    let _ = writeln!(
        out,
        "  mail            {} from {}; job runner in serve {}",
        match (&config.mail.transport, &config.mail.smtp_url) {
            (MailTransportKind::Smtp, Some(url)) =>
                format!("smtp {}", db::redact_url(url.as_str())),
            _ => format!("file {}", config.mail.dir.display()),
        },
        config.mail.from,
        if config.jobs.worker { "on" } else { "off" }
    );

    let url = match &config.database.source {
        DatabaseSource::Url(url) => {
            let _ = writeln!(out, "database: DATABASE_URL {}", db::redact_url(url));
            Some(url.clone())
        }
        DatabaseSource::PrivateCluster => {
            let dir = config.cluster_dir();
            let _ = writeln!(out, "database: private cluster in {}", dir.display());
            match find_server_programs(config.pg_bin.as_deref()) {
                Ok(bin) => {
                    let _ = writeln!(out, "  server programs {}", bin.display());
                }
                Err(e) => {
                    ok = false;
                    let _ = writeln!(out, "  server programs MISSING: {e}");
                }
            }
            match Cluster::inspect(&dir) {
                (false, _) => {
                    let _ = writeln!(out, "  cluster         not created yet (serve creates it)");
                    None
                }
                (true, None) => {
                    let _ = writeln!(
                        out,
                        "  cluster         created, not running (serve starts it)"
                    );
                    None
                }
                (true, Some(port)) => {
                    let _ = writeln!(out, "  cluster         running on 127.0.0.1:{port}");
                    Some(format!(
                        "postgres://postgres@127.0.0.1:{port}/{CLUSTER_DATABASE}"
                    ))
                }
            }
        }
    };

    if let Some(url) = url {
        match probe(&url, config.database.connect_timeout).await {
            Ok(version) => {
                let _ = writeln!(out, "  reachable       yes: {version}");
                match db::pending_migrations(&url).await {
                    Ok(p) if p.is_empty() => {
                        let _ = writeln!(out, "  migrations      up to date");
                    }
                    Ok(p) => {
                        let _ = writeln!(
                            out,
                            "  migrations      {} pending: {}",
                            p.len(),
                            p.join(", ")
                        );
                    }
                    Err(e) => {
                        let _ = writeln!(out, "  migrations      could not be read: {e:#}");
                    }
                }
            }
            Err(e) => {
                ok = false;
                let _ = writeln!(out, "  reachable       NO: {e:#}");
            }
        }
    }
    (out, ok)
}

async fn probe(url: &str, timeout: Duration) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let mut conn = tokio::time::timeout(timeout, AsyncPgConnection::establish(url))
        .await
        .map_err(|_| anyhow::anyhow!("timed out after {} ms", timeout.as_millis()))??;
    let v: Version = diesel::sql_query("SELECT version() AS version")
        .get_result(&mut conn)
        .await?;
    Ok(v.version)
}

/// `benchside healthcheck`: GET /healthz on the local listener with a plain HTTP/1.0 request.
pub fn healthcheck(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = Duration::from_secs(3);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head)?;
    let line = String::from_utf8_lossy(&head[..n]);
    let status = line.split_whitespace().nth(1).unwrap_or("");
    anyhow::ensure!(status == "200", "/healthz answered {status:?}");
    Ok(())
}

/// `benchside create-admin`.
pub async fn create_admin(
    config: Config,
    email: &str,
    name: Option<&str>,
) -> anyhow::Result<std::process::ExitCode> {
    use crate::accounts::cli::{Outcome, create_admin};
    let database = Database::open(&config).await?;
    let result = async {
        db::run_migrations(&database.url).await?;
        let mut conn = AsyncPgConnection::establish(&database.url).await?;
        let email_norm = crate::accounts::domain::Email::parse(email)
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        let exists = crate::accounts::store::find_by_email(&mut conn, &email_norm)
            .await?
            .is_some();
        let password = if exists { None } else { Some(read_password()?) };
        create_admin(&mut conn, email, name, password.as_deref())
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))
    }
    .await;
    database.close();
    let outcome = result?;
    println!(
        "{}",
        match outcome {
            Outcome::Created => format!("created admin {email}"),
            Outcome::Promoted => format!("promoted {email} to admin"),
            Outcome::AlreadyAdmin => format!("{email} is already an admin"),
        }
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// The first line of standard input, or a prompt (twice) on a terminal.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the new admin: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        anyhow::ensure!(!pw.is_empty(), "no password on standard input");
        Ok(pw)
    }
}

/// `benchside courses validate`.
pub fn validate_courses(path: &std::path::Path) -> std::process::ExitCode {
    match crate::catalog::load::load_dir(path) {
        Ok(models) if models.is_empty() => {
            println!(
                "{}: no course folders (a folder with a course.toml) found",
                path.display()
            );
            std::process::ExitCode::FAILURE
        }
        Ok(models) => {
            for m in &models {
                print_course_report(m);
            }
            println!("ok: {} course(s) valid", models.len());
            std::process::ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in &problems {
                println!("{}", problem_line(path, p));
            }
            println!("{} problem(s) found", problems.len());
            std::process::ExitCode::FAILURE
        }
    }
}

/// A valid course's lines in `courses validate`: its counts, its contact hours against what
/// its content supports, and each lesson's words per estimated minute.
fn print_course_report(m: &crate::catalog::model::CourseModel) {
    use crate::catalog::hours;
    let lessons: usize = m.modules.iter().map(|x| x.lessons.len()).sum();
    let questions: usize = m
        .modules
        .iter()
        .filter_map(|x| x.bank.as_ref())
        .map(|b| b.questions.len())
        .sum();
    println!(
        "{}: {} modules, {lessons} lessons, {questions} questions, {} quizzes",
        m.slug,
        m.modules.len(),
        m.quizzes.len()
    );
    let estimate = hours::Estimate::of(&m.modules, &m.quizzes);
    println!(
        "  contact hours {}: {}",
        m.contact_hours,
        estimate.explain()
    );
    for l in hours::paces(m) {
        println!(
            "  lesson {}/{}: {} words in {} min, {} words per minute",
            l.module,
            l.lesson,
            l.words,
            l.minutes,
            l.words_per_minute()
        );
    }
}

fn problem_line(root: &std::path::Path, p: &crate::catalog::load::Problem) -> String {
    format!("{}:{}: {}", root.join(&p.file).display(), p.line, p.message)
}

/// `benchside courses import`.
pub async fn import_courses(
    config: Config,
    path: &std::path::Path,
) -> anyhow::Result<std::process::ExitCode> {
    let started = Instant::now();
    let models = match crate::catalog::load::load_dir(path) {
        Ok(m) => m,
        Err(problems) => {
            for p in &problems {
                println!("{}", problem_line(path, p));
            }
            println!("{} problem(s) found; nothing imported", problems.len());
            return Ok(std::process::ExitCode::FAILURE);
        }
    };
    let database = Database::open(&config).await?;
    let result = async {
        db::run_migrations(&database.url).await?;
        let mut conn = AsyncPgConnection::establish(&database.url).await?;
        crate::catalog::import::import(&mut conn, &models).await
    }
    .await;
    database.close();
    let report = result?;
    print!("{}", report.render());
    println!("imported in {} ms", started.elapsed().as_millis());
    Ok(std::process::ExitCode::SUCCESS)
}

/// What `benchside keys` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysAction {
    Generate,
    Rotate,
    List,
}

/// `benchside keys generate|rotate|list`: the report to print.
pub async fn keys(config: Config, action: KeysAction) -> anyhow::Result<String> {
    let database = Database::open(&config).await?;
    let result = keys_on(&config, &database.url, action).await;
    database.close();
    result
}

async fn keys_on(config: &Config, url: &str, action: KeysAction) -> anyhow::Result<String> {
    use crate::credentials::{Urls, keys};
    if action != KeysAction::List {
        db::run_migrations(url).await?;
    }
    let mut conn = AsyncPgConnection::establish(url).await?;
    let (creds, urls) = (&config.credentials, Urls::new(&config.public_url));
    let dir = creds.key_dir.display();
    Ok(match action {
        KeysAction::Generate => {
            let kid = keys::generate(&mut conn, creds, &urls).await?;
            format!("generated signing key {kid}: signs from now; private key in {dir}\n")
        }
        KeysAction::Rotate => {
            let kid = keys::rotate(&mut conn, creds, &urls).await?;
            format!(
                "added signing key {kid}: published now, signs in {} minute(s); private key in \
                 {dir}. Older keys stay published and keep their private files.\n",
                creds.key_lead.as_secs() / 60
            )
        }
        KeysAction::List => keys::render(&keys::list(&mut conn, creds).await?, &creds.key_dir),
    })
}
