//! The `benchside` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use benchside::config::Config;
use benchside::db::cluster::Cluster;
use benchside::server::Database;
use benchside::{db, jobs, server, startup, telemetry};
use clap::{Parser, Subcommand};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

/// mimalloc: the request paths allocate many small, short-lived objects, which glibc's
/// allocator serves slowly, and it returns freed memory (the password hasher's large blocks)
/// to the system instead of keeping it in per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Benchside: self-paced course delivery for allied-health career training.
///
/// Settings come from environment variables (see the README's configuration table). With no
/// DATABASE_URL in development, Benchside runs its own PostgreSQL cluster under
/// $BENCHSIDE_DATA_DIR/pg using the PostgreSQL server programs installed on this machine.
#[derive(Parser)]
#[command(name = "benchside", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (and the web app), applying migrations first. Stops gracefully on
    /// SIGTERM: requests in flight finish, then the private cluster (if started) stops.
    Serve {
        /// Do not apply pending migrations at start (same as BENCHSIDE_MIGRATE_ON_START=false).
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Validate the configuration, check that the database answers, and print what was found.
    /// Exits non-zero when something needed is missing.
    Check,
    /// Create an admin account, or promote an existing account to admin. The password of a new
    /// account is read from standard input (first line) when it is not a terminal, otherwise
    /// prompted for twice.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// Display name of a new account (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Course content: validate the files, or import them into the database.
    Courses {
        #[command(subcommand)]
        action: CoursesAction,
    },
    /// Print the OpenAPI document (the same one served at /api/openapi.json).
    Openapi,
    /// Exit 0 when the server at BENCHSIDE_LISTEN answers /healthz with 200 (for container
    /// health checks; needs no curl in the image).
    Healthcheck,
    /// Run the job runner (mail delivery and every other job kind) without HTTP, until
    /// SIGTERM or SIGINT. Any number may run beside `serve` (BENCHSIDE_JOBS_WORKER=false turns
    /// off the one inside `serve`). Does not migrate: run `benchside migrate` first.
    Worker,
    /// The job queue: list jobs, retry a failed one.
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// Certificate signing keys: the private halves are files in BENCHSIDE_SIGNING_KEY_DIR, the
    /// public halves are published at /.well-known/jwks.json.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Outgoing mail.
    Mail {
        #[command(subcommand)]
        action: MailAction,
    },
    /// Create a demo cohort of N learners at varied progress (lessons, quiz attempts,
    /// externship entries) in an imported course, in one transaction. Does not migrate.
    Seed {
        #[arg(long)]
        learners: i64,
        /// The course's slug.
        #[arg(long, default_value = "phlebotomy-technician")]
        course: String,
        /// The cohort's name (default: "Seed cohort" and the time).
        #[arg(long)]
        cohort: Option<String>,
    },
    /// Manage the private development PostgreSQL cluster.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
        /// The cluster folder (default: $BENCHSIDE_DATA_DIR/pg).
        #[arg(long, global = true)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CoursesAction {
    /// Check every course under PATH (default: BENCHSIDE_COURSES_DIR or ./courses) and report
    /// every problem with its file and line. Exits non-zero on any problem.
    Validate { path: Option<PathBuf> },
    /// Validate, then write every course in one transaction and print what changed. Importing
    /// unchanged files changes nothing.
    Import { path: Option<PathBuf> },
}

#[derive(Subcommand)]
enum ClusterAction {
    /// Create the cluster if needed, start it, and print its connection URL.
    Start,
    /// Stop the cluster if it is running.
    Stop,
    /// Say whether the cluster exists and runs.
    Status,
}

#[derive(Subcommand)]
enum JobsAction {
    /// The newest jobs, newest first: ID, kind, state, attempts/max, run at, last error.
    List {
        /// Only jobs that ended `failed`.
        #[arg(long)]
        failed: bool,
        /// How many to show.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
    /// Put a failed job back to pending, due now, with its attempts reset to 0. Exits 1 when
    /// no job has the ID or the job is not failed.
    Retry {
        /// The job's ID (from `jobs list`).
        id: Uuid,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Create the first signing key (signs from now). Refuses when a key exists.
    Generate,
    /// Add a new key: published now, signing BENCHSIDE_SIGNING_KEY_LEAD_MINUTES later. Older
    /// keys stay published (what they signed still verifies) and keep their private files.
    Rotate,
    /// Every key: ID, state, created, signs from, and whether this machine holds its private
    /// file.
    List,
}

#[derive(Subcommand)]
enum MailAction {
    /// Send a test message straight through the configured transport (SMTP, or a file in
    /// development), not through the outbox; exits non-zero with the transport's error when
    /// it fails.
    SendTest {
        /// The address to send it to.
        #[arg(long, value_parser = parse_address)]
        to: String,
    },
}

fn parse_address(s: &str) -> Result<String, String> {
    s.trim()
        .parse::<lettre::Address>()
        .map(|a| a.to_string())
        .map_err(|e| format!("not an email address ({e})"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("benchside: {e}");
            return ExitCode::from(2);
        }
    };
    let _logs = telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("benchside: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command, config));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("benchside: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { no_migrate } => {
            if no_migrate {
                config.database.migrate_on_start = false;
            }
            server::serve(config).await?;
        }
        Command::Migrate => {
            let applied = server::migrate(config).await?;
            if applied.is_empty() {
                println!("migrations: up to date");
            } else {
                for m in &applied {
                    println!("applied {m}");
                }
            }
        }
        Command::Check => {
            let (report, ok) = server::check(&config).await;
            print!("{report}");
            return Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::CreateAdmin { email, name } => {
            return server::create_admin(config, &email, name.as_deref()).await;
        }
        Command::Courses { action } => {
            return match action {
                CoursesAction::Validate { path } => {
                    let path = path.unwrap_or_else(|| config.courses_dir.clone());
                    Ok(server::validate_courses(&path))
                }
                CoursesAction::Import { path } => {
                    let path = path.unwrap_or_else(|| config.courses_dir.clone());
                    server::import_courses(config, &path).await
                }
            };
        }
        Command::Openapi => print!("{}", benchside::startup::openapi_json()),
        Command::Healthcheck => {
            return Ok(match server::healthcheck(config.listen) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("benchside: unhealthy: {e:#}");
                    ExitCode::FAILURE
                }
            });
        }
        Command::Worker => worker(config).await?,
        Command::Jobs { action } => return jobs_command(config, action).await,
        Command::Keys { action } => {
            let action = match action {
                KeysAction::Generate => server::KeysAction::Generate,
                KeysAction::Rotate => server::KeysAction::Rotate,
                KeysAction::List => server::KeysAction::List,
            };
            print!("{}", server::keys(config, action).await?);
        }
        Command::Mail {
            action: MailAction::SendTest { to },
        } => println!("{}", benchside::mail::send_test(&config, &to).await?),
        Command::Seed {
            learners,
            course,
            cohort,
        } => {
            let database = Database::open(&config).await?;
            let seeded = seed(&database.url, learners, course, cohort).await;
            database.close();
            println!("{}", seeded?);
        }
        Command::Cluster { action, dir } => {
            let dir = dir.unwrap_or_else(|| config.cluster_dir());
            match action {
                ClusterAction::Start => {
                    let pg_bin = config.pg_bin.clone();
                    let c = tokio::task::spawn_blocking(move || {
                        Cluster::ensure_running(&dir, pg_bin.as_deref(), &[])
                    })
                    .await??;
                    println!("{}", c.url(server::CLUSTER_DATABASE));
                }
                ClusterAction::Stop => match Cluster::inspect(&dir) {
                    (_, Some(_)) => {
                        let pg_bin = config.pg_bin.clone();
                        tokio::task::spawn_blocking(move || {
                            Cluster::ensure_running(&dir, pg_bin.as_deref(), &[])?.stop()
                        })
                        .await??;
                        println!("stopped");
                    }
                    _ => println!("not running"),
                },
                ClusterAction::Status => match Cluster::inspect(&dir) {
                    (false, _) => println!("not created ({})", dir.display()),
                    (true, None) => println!("created, not running ({})", dir.display()),
                    (true, Some(port)) => {
                        println!("running on 127.0.0.1:{port} ({})", dir.display())
                    }
                },
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `benchside worker`: the job runner over a pool of its own until SIGTERM or SIGINT, then a
/// graceful stop (the round in flight may finish, for up to the shutdown timeout).
async fn worker(config: Config) -> anyhow::Result<()> {
    let database = Database::open(&config).await?;
    let result = run_worker(&config, &database.url).await;
    database.close();
    result
}

async fn run_worker(config: &Config, url: &str) -> anyhow::Result<()> {
    let pool = db::build_pool(
        url,
        &db::PoolSettings {
            max_size: config.database.pool_size.min(4),
            ..db::PoolSettings::from(&config.database)
        },
    )?;
    let runner = startup::job_runner(config, pool)?;
    tracing::info!(database = %db::redact_url(url), "benchside worker running");
    let handle = runner.spawn();
    wait_for_stop_signal().await?;
    tracing::info!("stopping the job runner");
    handle.stop(config.shutdown_timeout).await;
    Ok(())
}

async fn wait_for_stop_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}

/// `benchside seed`.
async fn seed(
    url: &str,
    learners: i64,
    course: String,
    cohort: Option<String>,
) -> anyhow::Result<benchside::seed::Summary> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    let options = benchside::seed::Options {
        learners,
        course,
        cohort,
    };
    benchside::seed::run(&mut conn, &options).await
}

/// `benchside jobs list|retry`.
async fn jobs_command(config: Config, action: JobsAction) -> anyhow::Result<ExitCode> {
    let database = Database::open(&config).await?;
    let result = jobs_on(&config, &database.url, action).await;
    database.close();
    result
}

async fn jobs_on(config: &Config, url: &str, action: JobsAction) -> anyhow::Result<ExitCode> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    match action {
        JobsAction::List { failed, limit } => {
            let registry = startup::job_registry(config)?;
            print!(
                "{}",
                jobs::cli::list(&mut conn, &registry, failed, limit).await?
            );
            Ok(ExitCode::SUCCESS)
        }
        JobsAction::Retry { id } => {
            let (message, retried) = jobs::cli::retry(&mut conn, id).await?;
            if retried {
                println!("{message}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("benchside: {message}");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
