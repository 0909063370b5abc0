//! Typed settings read from the environment and validated once at start.
//!
//! Every variable is documented in the README's configuration table; keep the two in step.
//! A bad value fails start-up with a message that names the variable.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// Where the process runs. Production refuses unsafe development conveniences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Production => "production",
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Where the database comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseSource {
    /// `DATABASE_URL` was given.
    Url(String),
    /// Development without `DATABASE_URL`: a private cluster under `$BENCHSIDE_DATA_DIR/pg`.
    PrivateCluster,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub source: DatabaseSource,
    /// Maximum connections in the pool.
    pub pool_size: usize,
    /// How long a request waits for a free connection before it is answered 503.
    pub pool_timeout: Duration,
    /// How long opening a new connection may take.
    pub connect_timeout: Duration,
    /// `statement_timeout` set on every pooled connection.
    pub statement_timeout: Duration,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
}

/// A secret value: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(********)")
    }
}

/// Sign-in, sessions, password hashing and rate limits.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// HMAC key for access tokens. `None` in development means: generate one under the data
    /// folder and keep it there. Production refuses to start without it.
    pub jwt_secret: Option<Secret>,
    /// A previous key, still accepted for verification while tokens signed with it live.
    pub jwt_previous_secret: Option<Secret>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How many argon2 hashes may run at once (each takes 19 MiB).
    pub hash_concurrency: usize,
    /// Rate limits on sign-in, registration, verification resend and password reset.
    pub rate_limits: bool,
    /// Take the client address from `X-Forwarded-For`/`Forwarded` (only behind a proxy that
    /// sets them).
    pub trust_proxy: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub env: Environment,
    pub listen: SocketAddr,
    pub public_url: Url,
    pub data_dir: PathBuf,
    /// Folder of the PostgreSQL server programs for the private cluster (found if unset).
    pub pg_bin: Option<PathBuf>,
    pub database: DatabaseConfig,
    pub log_format: LogFormat,
    pub auth: AuthConfig,
    /// Where course content lives.
    pub courses_dir: PathBuf,
    /// The built web app (`index.html` and `assets/`) that `serve` serves for every path
    /// outside the API.
    pub frontend_dir: PathBuf,
    /// Import `courses_dir` when `serve` starts.
    pub import_courses_on_start: bool,
    /// Worker threads for the HTTP server.
    pub workers: usize,
    /// Largest accepted JSON request body, in bytes.
    pub max_json_bytes: usize,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
    /// Outgoing mail: transport, sender, delivery attempts.
    pub mail: MailConfig,
    /// The job runner (which also delivers mail).
    pub jobs: JobsConfig,
    /// Externship attestation links.
    pub externship: ExternshipConfig,
    /// Certificates and their signed credentials.
    pub credentials: CredentialsConfig,
    /// The bearer token `GET /metrics` asks for (`BENCHSIDE_METRICS_TOKEN`); without one the
    /// route answers 404.
    pub metrics_token: Option<Secret>,
}

/// Certificate settings. `BENCHSIDE_PROVIDER_NAME` (default `Benchside`): the training
/// provider named on certificates and as the credentials' issuer. `BENCHSIDE_SIGNING_KEY_DIR`
/// (default `$BENCHSIDE_DATA_DIR/signing-keys` in development; production requires it): the
/// folder of private signing keys that `benchside keys generate|rotate` writes.
/// `BENCHSIDE_SIGNING_KEY_LEAD_MINUTES` (default 10, 0 to 1440): how long a rotated key is
/// published before it signs, so verifiers that cache the key set see it first.
#[derive(Debug, Clone)]
pub struct CredentialsConfig {
    pub provider_name: String,
    pub key_dir: PathBuf,
    /// Whether `BENCHSIDE_SIGNING_KEY_DIR` was set (development generates a key when not).
    pub key_dir_given: bool,
    pub key_lead: Duration,
}

/// Externship settings: `BENCHSIDE_ATTESTATION_REMINDER_HOURS` (default 72: the supervisor is
/// reminded after three days) and `BENCHSIDE_ATTESTATION_LINK_DAYS` (default 14: how long an
/// attestation link works).
#[derive(Debug, Clone, Copy)]
pub struct ExternshipConfig {
    pub reminder_after: Duration,
    pub link_lifetime: Duration,
}

/// How mail leaves the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTransportKind {
    /// An SMTP relay (`BENCHSIDE_SMTP_URL`).
    Smtp,
    /// One `.eml` file per message under `$BENCHSIDE_DATA_DIR/mail` (development only).
    File,
}

impl MailTransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailTransportKind::Smtp => "smtp",
            MailTransportKind::File => "file",
        }
    }
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub transport: MailTransportKind,
    /// `BENCHSIDE_SMTP_URL`; always set when `transport` is `Smtp`.
    pub smtp_url: Option<Url>,
    /// Connect and per-command timeout for SMTP.
    pub smtp_timeout: Duration,
    /// The `From` of every message.
    pub from: lettre::message::Mailbox,
    /// Where the file transport writes: `$BENCHSIDE_DATA_DIR/mail`.
    pub dir: PathBuf,
    /// Delivery attempts before a mail's job is `failed`.
    pub max_attempts: u32,
    /// The first retry delay; each later one is three times the one before (capped).
    pub retry_base: Duration,
}

/// The job runner: `BENCHSIDE_JOBS_*` (the older `BENCHSIDE_MAIL_WORKER` and
/// `BENCHSIDE_MAIL_POLL_MS` are still read when the new names are unset).
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// Run the job runner inside `serve` (`benchside worker` runs it regardless).
    pub worker: bool,
    /// How often an idle runner looks for due jobs.
    pub poll_interval: Duration,
}

/// A configuration problem: the variable and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

/// All configuration problems found, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigErrors> {
        Self::from_vars(std::env::vars().collect())
    }

    /// Reads settings from a map of variables (the environment, or a test's own map).
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Config, ConfigErrors> {
        let mut r = Reader {
            vars,
            errors: Vec::new(),
        };

        let env = r
            .parse("BENCHSIDE_ENV", Environment::Development, |v| match v {
                "development" | "dev" => Ok(Environment::Development),
                "production" | "prod" => Ok(Environment::Production),
                _ => Err("must be `development` or `production`".into()),
            })
            .unwrap_or(Environment::Development);

        let listen = r.parse("BENCHSIDE_LISTEN", default_listen(), |v| {
            v.parse::<SocketAddr>()
                .map_err(|_| "must be an address and port such as 127.0.0.1:8080".into())
        });

        let (public_url, public_url_given) = public_url(&mut r, listen);

        let data_dir = PathBuf::from(
            r.get("BENCHSIDE_DATA_DIR")
                .unwrap_or_else(|| "./.benchside".into()),
        );

        let pg_bin = r.get("BENCHSIDE_PG_BIN").map(PathBuf::from);

        let (database, private_cluster) = database_config(&mut r);

        // Production logs are read by collectors: JSON lines unless told otherwise.
        let default_log_format = match env {
            Environment::Production => LogFormat::Json,
            Environment::Development => LogFormat::Pretty,
        };
        let log_format = r.parse("BENCHSIDE_LOG_FORMAT", default_log_format, |v| match v {
            "pretty" => Ok(LogFormat::Pretty),
            "json" => Ok(LogFormat::Json),
            _ => Err("must be `pretty` or `json`".into()),
        });

        let default_workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let workers = r.parse("BENCHSIDE_WORKERS", default_workers, |v| {
            match v.parse::<usize>() {
                Ok(n) if (1..=512).contains(&n) => Ok(n),
                _ => Err("must be a whole number from 1 to 512".into()),
            }
        });
        let max_json_bytes = r.parse("BENCHSIDE_MAX_JSON_BYTES", 256 * 1024, |v| {
            match v.parse::<usize>() {
                Ok(n) if (1024..=64 * 1024 * 1024).contains(&n) => Ok(n),
                _ => Err("must be a number of bytes from 1024 to 67108864".into()),
            }
        });
        let shutdown_timeout = r.millis("BENCHSIDE_SHUTDOWN_TIMEOUT_MS", 30_000);

        let (auth, jwt_secret_missing) = auth_config(&mut r, default_workers);
        let courses_dir = PathBuf::from(
            r.get("BENCHSIDE_COURSES_DIR")
                .unwrap_or_else(|| "./courses".into()),
        );
        let frontend_dir = PathBuf::from(
            r.get("BENCHSIDE_FRONTEND_DIR")
                .unwrap_or_else(|| "frontend/dist".into()),
        );
        let import_courses_on_start = r.bool(
            "BENCHSIDE_IMPORT_COURSES_ON_START",
            env == Environment::Development,
        );

        if env == Environment::Production {
            production_checks(
                &mut r,
                jwt_secret_missing,
                private_cluster,
                public_url_given,
                public_url.as_ref(),
            );
        }

        let metrics_token = r.parse("BENCHSIDE_METRICS_TOKEN", None, |v| {
            if v.len() < 32 {
                Err("must be at least 32 characters of random data (e.g. `openssl rand -base64 48`)".into())
            } else {
                Ok(Some(Secret(v.as_bytes().to_vec())))
            }
        });

        let mail = mail_config(&mut r, env, &data_dir);
        let jobs = jobs_config(&mut r);
        let externship = externship_config(&mut r);
        let credentials = credentials_config(&mut r, env, &data_dir);

        if !r.errors.is_empty() {
            return Err(ConfigErrors(r.errors));
        }
        Ok(Config {
            env,
            listen: listen.expect("checked"),
            public_url: public_url.expect("checked"),
            data_dir,
            pg_bin,
            database: database.expect("checked"),
            log_format: log_format.expect("checked"),
            auth: auth.expect("checked"),
            courses_dir,
            frontend_dir,
            import_courses_on_start: import_courses_on_start.expect("checked"),
            workers: workers.expect("checked"),
            max_json_bytes: max_json_bytes.expect("checked"),
            shutdown_timeout: shutdown_timeout.expect("checked"),
            mail: mail.expect("checked"),
            jobs: jobs.expect("checked"),
            externship: externship.expect("checked"),
            credentials: credentials.expect("checked"),
            metrics_token: metrics_token.expect("checked"),
        })
    }

    /// The directory of the private development cluster.
    pub fn cluster_dir(&self) -> PathBuf {
        self.data_dir.join("pg")
    }
}

/// The mail settings: `BENCHSIDE_SMTP_URL`, `BENCHSIDE_MAIL_*` and `BENCHSIDE_SMTP_TIMEOUT_MS`.
fn mail_config(r: &mut Reader, env: Environment, data_dir: &std::path::Path) -> Option<MailConfig> {
    let production = env == Environment::Production;
    // Parsed by hand: an error must not repeat the URL's password.
    let smtp_url_given = r.get("BENCHSIDE_SMTP_URL").is_some();
    let smtp_url = r
        .get("BENCHSIDE_SMTP_URL")
        .and_then(|v| match parse_smtp_url(&v) {
            Ok(url) => Some(url),
            Err(message) => {
                let shown = match Url::parse(&v) {
                    Ok(mut u) if u.password().is_some() => {
                        let _ = u.set_password(Some("********"));
                        u.to_string()
                    }
                    Ok(_) => v.clone(),
                    Err(_) if v.contains('@') => "<hidden: it may hold a password>".into(),
                    Err(_) => v.clone(),
                };
                r.error("BENCHSIDE_SMTP_URL", format!("{message} (got {shown:?})"));
                None
            }
        });
    let transport_given = r.get("BENCHSIDE_MAIL_TRANSPORT").is_some();
    let default_transport = if smtp_url_given {
        MailTransportKind::Smtp
    } else {
        MailTransportKind::File
    };
    let transport = r.parse("BENCHSIDE_MAIL_TRANSPORT", default_transport, |v| match v {
        "smtp" => Ok(MailTransportKind::Smtp),
        "file" => Ok(MailTransportKind::File),
        _ => Err("must be `smtp` or `file`".into()),
    });
    match transport {
        Some(MailTransportKind::File) if production && transport_given => r.error(
            "BENCHSIDE_MAIL_TRANSPORT",
            "`file` is refused in production (mail must reach people); use `smtp`".into(),
        ),
        Some(_) if production && !smtp_url_given => r.error(
            "BENCHSIDE_SMTP_URL",
            "is required in production (the relay that delivers mail, e.g. smtps://user:password@smtp.example.org)".into(),
        ),
        Some(MailTransportKind::Smtp) if !smtp_url_given => r.error(
            "BENCHSIDE_SMTP_URL",
            "is required when BENCHSIDE_MAIL_TRANSPORT is `smtp`".into(),
        ),
        _ => {}
    }

    if production
        && let Some(url) = &smtp_url
        && url.password().is_some()
        && url.scheme() == "smtp"
        && !url
            .query_pairs()
            .any(|(k, v)| k == "tls" && v == "required")
    {
        r.error(
            "BENCHSIDE_SMTP_URL",
            "would send its password without TLS; use smtps:// or ?tls=required in production"
                .into(),
        );
    }

    let default_from: lettre::message::Mailbox = "Benchside <no-reply@localhost>"
        .parse()
        .expect("default sender parses");
    if production && r.get("BENCHSIDE_MAIL_FROM").is_none() {
        r.error(
            "BENCHSIDE_MAIL_FROM",
            "is required in production (the sender of every mail, e.g. `Benchside <no-reply@example.org>`)".into(),
        );
    }
    let from = r.parse("BENCHSIDE_MAIL_FROM", default_from, |v| {
        v.parse::<lettre::message::Mailbox>().map_err(|e| {
            format!("must be an address such as `Benchside <no-reply@example.org>` ({e})")
        })
    });

    let smtp_timeout = r.millis("BENCHSIDE_SMTP_TIMEOUT_MS", 10_000);
    let retry_base = r.millis("BENCHSIDE_MAIL_RETRY_BASE_MS", 10_000);
    let max_attempts = r.parse("BENCHSIDE_MAIL_MAX_ATTEMPTS", 12u32, |v| {
        match v.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err("must be a whole number from 1 to 100".into()),
        }
    });

    Some(MailConfig {
        transport: transport?,
        smtp_url,
        smtp_timeout: smtp_timeout?,
        from: from?,
        dir: data_dir.join("mail"),
        max_attempts: max_attempts?,
        retry_base: retry_base?,
    })
}

/// The job runner's settings: `BENCHSIDE_JOBS_WORKER` and `BENCHSIDE_JOBS_POLL_MS`, or, when
/// one is unset, its former mail-only name (`BENCHSIDE_MAIL_WORKER`, `BENCHSIDE_MAIL_POLL_MS`).
fn jobs_config(r: &mut Reader) -> Option<JobsConfig> {
    let worker_var = r.first_set(&["BENCHSIDE_JOBS_WORKER", "BENCHSIDE_MAIL_WORKER"]);
    let worker = r.bool(worker_var, true);
    let poll_var = r.first_set(&["BENCHSIDE_JOBS_POLL_MS", "BENCHSIDE_MAIL_POLL_MS"]);
    let poll_interval = r.millis(poll_var, 1_000);
    Some(JobsConfig {
        worker: worker?,
        poll_interval: poll_interval?,
    })
}

/// `smtp://host[:port]` (no TLS, or STARTTLS with `?tls=required` or `?tls=opportunistic`) or
/// `smtps://host[:port]` (implicit TLS), with optional `user:password@`.
fn parse_smtp_url(v: &str) -> Result<Url, String> {
    let url = Url::parse(v).map_err(|e| {
        format!("must be a URL such as smtp://host:25 or smtps://user:password@host:465 ({e})")
    })?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err("must start with smtp:// or smtps://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    for (k, val) in url.query_pairs() {
        match (k.as_ref(), val.as_ref()) {
            ("tls", _) if url.scheme() == "smtps" => {
                return Err("smtps:// is always TLS; leave out `tls`".into());
            }
            ("tls", "required" | "opportunistic") => {}
            ("tls", _) => return Err("`tls` must be `required` or `opportunistic`".into()),
            (k, _) => return Err(format!("has an unknown query parameter `{k}`")),
        }
    }
    if url.username().is_empty() != url.password().is_none() {
        return Err("must give both a user and a password, or neither".into());
    }
    Ok(url)
}

fn externship_config(r: &mut Reader) -> Option<ExternshipConfig> {
    const HOUR: u64 = 3600;
    let reminder_after = r.whole("BENCHSIDE_ATTESTATION_REMINDER_HOURS", 72, 24 * 60, HOUR);
    let link_lifetime = r.whole("BENCHSIDE_ATTESTATION_LINK_DAYS", 14, 90, 24 * HOUR);
    Some(ExternshipConfig {
        reminder_after: reminder_after?,
        link_lifetime: link_lifetime?,
    })
}

fn credentials_config(
    r: &mut Reader,
    env: Environment,
    data_dir: &std::path::Path,
) -> Option<CredentialsConfig> {
    let provider_name = r.parse("BENCHSIDE_PROVIDER_NAME", "Benchside".to_string(), |v| {
        let v = v.trim();
        if v.is_empty() || v.chars().count() > 120 || v.chars().any(char::is_control) {
            return Err("must be a name of 1 to 120 characters".into());
        }
        Ok(v.to_string())
    });
    let given = r.get("BENCHSIDE_SIGNING_KEY_DIR");
    if given.is_none() && env == Environment::Production {
        r.errors.push(ConfigError {
            var: "BENCHSIDE_SIGNING_KEY_DIR",
            message: "production needs the folder of the certificate signing keys \
                      (create one with `benchside keys generate`)"
                .into(),
        });
    }
    let key_lead = r.parse(
        "BENCHSIDE_SIGNING_KEY_LEAD_MINUTES",
        Duration::from_secs(600),
        |v| match v.parse::<u64>() {
            Ok(n) if n <= 1440 => Ok(Duration::from_secs(n * 60)),
            _ => Err("must be a whole number of minutes from 0 to 1440".into()),
        },
    );
    Some(CredentialsConfig {
        provider_name: provider_name?,
        key_dir_given: given.is_some(),
        key_dir: given
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("signing-keys")),
        key_lead: key_lead?,
    })
}

/// `BENCHSIDE_PUBLIC_URL` (default: `http://` and the listen address), and whether it was set.
fn public_url(r: &mut Reader, listen: Option<SocketAddr>) -> (Option<Url>, bool) {
    let public_url_default = listen
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let public_url_given = r.get("BENCHSIDE_PUBLIC_URL").is_some();
    let public_url = r.parse(
        "BENCHSIDE_PUBLIC_URL",
        Url::parse(&public_url_default).expect("default public URL parses"),
        |v| {
            let url = Url::parse(v).map_err(|e| format!("must be an absolute URL ({e})"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err("must start with http:// or https://".into());
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err("must not have a query or fragment".into());
            }
            Ok(url)
        },
    );
    (public_url, public_url_given)
}

/// `DATABASE_URL` and `BENCHSIDE_DB_*`, and whether the private development cluster is used.
fn database_config(r: &mut Reader) -> (Option<DatabaseConfig>, bool) {
    let source = match r.get("DATABASE_URL") {
        Some(url) => {
            match Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "postgres" | "postgresql") => {}
                _ => r.error(
                    "DATABASE_URL",
                    "must be a postgres:// or postgresql:// URL".into(),
                ),
            }
            DatabaseSource::Url(url)
        }
        None => DatabaseSource::PrivateCluster,
    };

    let pool_size = r.parse("BENCHSIDE_DB_POOL_SIZE", 10usize, |v| {
        match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err("must be a whole number from 1 to 1000".into()),
        }
    });
    let pool_timeout = r.millis("BENCHSIDE_DB_POOL_TIMEOUT_MS", 5_000);
    let connect_timeout = r.millis("BENCHSIDE_DB_CONNECT_TIMEOUT_MS", 5_000);
    let statement_timeout = r.millis("BENCHSIDE_DB_STATEMENT_TIMEOUT_MS", 10_000);
    let migrate_on_start = r.bool("BENCHSIDE_MIGRATE_ON_START", true);
    let private_cluster = source == DatabaseSource::PrivateCluster;
    let config = (|| {
        Some(DatabaseConfig {
            source,
            pool_size: pool_size?,
            pool_timeout: pool_timeout?,
            connect_timeout: connect_timeout?,
            statement_timeout: statement_timeout?,
            migrate_on_start: migrate_on_start?,
        })
    })();
    (config, private_cluster)
}

/// Signing keys, token lifetimes, hashing, rate limits and `BENCHSIDE_TRUST_PROXY`; and
/// whether the signing key was left unset.
fn auth_config(r: &mut Reader, default_workers: usize) -> (Option<AuthConfig>, bool) {
    let secret = |r: &mut Reader, var: &'static str| {
        r.parse(var, None, |v| {
            if v.len() < 32 {
                Err("must be at least 32 characters of random data (e.g. `openssl rand -base64 48`)".into())
            } else {
                Ok(Some(Secret(v.as_bytes().to_vec())))
            }
        })
    };
    let jwt_secret = secret(r, "BENCHSIDE_JWT_SECRET");
    let jwt_previous_secret = secret(r, "BENCHSIDE_JWT_PREVIOUS_SECRET");
    let access_token_ttl = r.parse(
        "BENCHSIDE_ACCESS_TOKEN_TTL_SECS",
        Duration::from_secs(900),
        |v| match v.parse::<u64>() {
            Ok(n) if (30..=86_400).contains(&n) => Ok(Duration::from_secs(n)),
            _ => Err("must be a number of seconds from 30 to 86400".into()),
        },
    );
    let refresh_token_ttl = r.parse(
        "BENCHSIDE_REFRESH_TOKEN_TTL_DAYS",
        Duration::from_secs(30 * 86_400),
        |v| match v.parse::<u64>() {
            Ok(n) if (1..=365).contains(&n) => Ok(Duration::from_secs(n * 86_400)),
            _ => Err("must be a number of days from 1 to 365".into()),
        },
    );
    let hash_concurrency = r.parse("BENCHSIDE_HASH_CONCURRENCY", default_workers, |v| {
        match v.parse::<usize>() {
            Ok(n) if (1..=256).contains(&n) => Ok(n),
            _ => Err("must be a whole number from 1 to 256".into()),
        }
    });
    let rate_limits = r.bool("BENCHSIDE_RATE_LIMITS", true);
    let trust_proxy = r.bool("BENCHSIDE_TRUST_PROXY", false);
    let jwt_secret_missing = matches!(jwt_secret, Some(None));
    let config = (|| {
        Some(AuthConfig {
            jwt_secret: jwt_secret?,
            jwt_previous_secret: jwt_previous_secret?,
            access_token_ttl: access_token_ttl?,
            refresh_token_ttl: refresh_token_ttl?,
            hash_concurrency: hash_concurrency?,
            rate_limits: rate_limits?,
            trust_proxy: trust_proxy?,
        })
    })();
    (config, jwt_secret_missing)
}

/// Production refuses the development conveniences.
fn production_checks(
    r: &mut Reader,
    jwt_secret_missing: bool,
    private_cluster: bool,
    public_url_given: bool,
    public_url: Option<&Url>,
) {
    if jwt_secret_missing {
        r.error(
            "BENCHSIDE_JWT_SECRET",
            "is required in production (generated signing keys are refused)".into(),
        );
    }
    if private_cluster {
        r.error(
            "DATABASE_URL",
            "is required in production (the private development cluster is refused)".into(),
        );
    }
    if !public_url_given {
        r.error(
            "BENCHSIDE_PUBLIC_URL",
            "is required in production (links in emails and certificates use it)".into(),
        );
    } else if let Some(u) = public_url
        && u.scheme() != "https"
    {
        r.error(
            "BENCHSIDE_PUBLIC_URL",
            "must be an https:// URL in production".into(),
        );
    }
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:8080".parse().expect("valid default")
}

struct Reader {
    vars: HashMap<String, String>,
    errors: Vec<ConfigError>,
}

impl Reader {
    /// The trimmed value, or `None` when unset or empty.
    fn get(&self, var: &str) -> Option<String> {
        self.vars
            .get(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The first of `names` that is set, else the first (whose default then applies).
    fn first_set(&self, names: &[&'static str]) -> &'static str {
        names
            .iter()
            .copied()
            .find(|n| self.get(n).is_some())
            .unwrap_or(names[0])
    }

    fn error(&mut self, var: &'static str, message: String) {
        self.errors.push(ConfigError { var, message });
    }

    fn parse<T>(
        &mut self,
        var: &'static str,
        default: T,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.get(var) {
            None => Some(default),
            Some(v) => match f(&v) {
                Ok(t) => Some(t),
                Err(message) => {
                    self.error(var, format!("{message} (got {v:?})"));
                    None
                }
            },
        }
    }

    fn millis(&mut self, var: &'static str, default: u64) -> Option<Duration> {
        self.parse(var, Duration::from_millis(default), |v| {
            match v.parse::<u64>() {
                Ok(n) if (1..=3_600_000).contains(&n) => Ok(Duration::from_millis(n)),
                _ => Err("must be a number of milliseconds from 1 to 3600000".into()),
            }
        })
    }

    /// A whole number of units (`unit_secs` seconds each) from 1 to `max`, as a duration.
    fn whole(
        &mut self,
        var: &'static str,
        default: u64,
        max: u64,
        unit_secs: u64,
    ) -> Option<Duration> {
        let d = Duration::from_secs(default * unit_secs);
        self.parse(var, d, |v| match v.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Duration::from_secs(n * unit_secs)),
            _ => Err(format!("must be a whole number from 1 to {max}")),
        })
    }

    fn bool(&mut self, var: &'static str, default: bool) -> Option<bool> {
        self.parse(var, default, |v| match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err("must be true or false".into()),
        })
    }
}

#[cfg(test)]
mod tests;
