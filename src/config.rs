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
    /// Import `courses_dir` when `serve` starts.
    pub import_courses_on_start: bool,
    /// Worker threads for the HTTP server.
    pub workers: usize,
    /// Largest accepted JSON request body, in bytes.
    pub max_json_bytes: usize,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
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

        let data_dir = PathBuf::from(
            r.get("BENCHSIDE_DATA_DIR")
                .unwrap_or_else(|| "./.benchside".into()),
        );

        let pg_bin = r.get("BENCHSIDE_PG_BIN").map(PathBuf::from);

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

        let log_format = r.parse("BENCHSIDE_LOG_FORMAT", LogFormat::Pretty, |v| match v {
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

        let secret = |r: &mut Reader, var: &'static str| {
            r.parse(var, None, |v| {
                if v.len() < 32 {
                    Err("must be at least 32 characters of random data (e.g. `openssl rand -base64 48`)".into())
                } else {
                    Ok(Some(Secret(v.as_bytes().to_vec())))
                }
            })
        };
        let jwt_secret = secret(&mut r, "BENCHSIDE_JWT_SECRET");
        let jwt_previous_secret = secret(&mut r, "BENCHSIDE_JWT_PREVIOUS_SECRET");
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
        let courses_dir = PathBuf::from(
            r.get("BENCHSIDE_COURSES_DIR")
                .unwrap_or_else(|| "./courses".into()),
        );
        let import_courses_on_start = r.bool(
            "BENCHSIDE_IMPORT_COURSES_ON_START",
            env == Environment::Development,
        );
        let trust_proxy = r.bool("BENCHSIDE_TRUST_PROXY", false);

        // Production refuses the development conveniences.
        if env == Environment::Production {
            if matches!(jwt_secret, Some(None)) {
                r.error(
                    "BENCHSIDE_JWT_SECRET",
                    "is required in production (generated signing keys are refused)".into(),
                );
            }
            if source == DatabaseSource::PrivateCluster {
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
            } else if let Some(u) = &public_url
                && u.scheme() != "https"
            {
                r.error(
                    "BENCHSIDE_PUBLIC_URL",
                    "must be an https:// URL in production".into(),
                );
            }
        }

        if !r.errors.is_empty() {
            return Err(ConfigErrors(r.errors));
        }
        Ok(Config {
            env,
            listen: listen.expect("checked"),
            public_url: public_url.expect("checked"),
            data_dir,
            pg_bin,
            database: DatabaseConfig {
                source,
                pool_size: pool_size.expect("checked"),
                pool_timeout: pool_timeout.expect("checked"),
                connect_timeout: connect_timeout.expect("checked"),
                statement_timeout: statement_timeout.expect("checked"),
                migrate_on_start: migrate_on_start.expect("checked"),
            },
            log_format: log_format.expect("checked"),
            auth: AuthConfig {
                jwt_secret: jwt_secret.expect("checked"),
                jwt_previous_secret: jwt_previous_secret.expect("checked"),
                access_token_ttl: access_token_ttl.expect("checked"),
                refresh_token_ttl: refresh_token_ttl.expect("checked"),
                hash_concurrency: hash_concurrency.expect("checked"),
                rate_limits: rate_limits.expect("checked"),
                trust_proxy: trust_proxy.expect("checked"),
            },
            courses_dir,
            import_courses_on_start: import_courses_on_start.expect("checked"),
            workers: workers.expect("checked"),
            max_json_bytes: max_json_bytes.expect("checked"),
            shutdown_timeout: shutdown_timeout.expect("checked"),
        })
    }

    /// The directory of the private development cluster.
    pub fn cluster_dir(&self) -> PathBuf {
        self.data_dir.join("pg")
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

    fn bool(&mut self, var: &'static str, default: bool) -> Option<bool> {
        self.parse(var, default, |v| match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err("must be true or false".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_development_on_a_private_cluster() {
        let c = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(c.env, Environment::Development);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.database.source, DatabaseSource::PrivateCluster);
        assert_eq!(c.cluster_dir(), PathBuf::from("./.benchside/pg"));
        assert!(c.database.migrate_on_start);
        assert_eq!(c.log_format, LogFormat::Pretty);
    }

    #[test]
    fn every_bad_value_is_reported_by_name() {
        let err = Config::from_vars(vars(&[
            ("BENCHSIDE_LISTEN", "nowhere"),
            ("BENCHSIDE_ENV", "staging"),
            ("BENCHSIDE_DB_POOL_SIZE", "0"),
            ("BENCHSIDE_DB_STATEMENT_TIMEOUT_MS", "soon"),
            ("BENCHSIDE_LOG_FORMAT", "xml"),
            ("BENCHSIDE_PUBLIC_URL", "/relative"),
            ("DATABASE_URL", "mysql://x"),
            ("BENCHSIDE_MIGRATE_ON_START", "maybe"),
            ("BENCHSIDE_JWT_SECRET", "short"),
            ("BENCHSIDE_ACCESS_TOKEN_TTL_SECS", "5"),
        ]))
        .unwrap_err();
        let names: Vec<_> = err.0.iter().map(|e| e.var).collect();
        for var in [
            "BENCHSIDE_LISTEN",
            "BENCHSIDE_ENV",
            "BENCHSIDE_DB_POOL_SIZE",
            "BENCHSIDE_DB_STATEMENT_TIMEOUT_MS",
            "BENCHSIDE_LOG_FORMAT",
            "BENCHSIDE_PUBLIC_URL",
            "DATABASE_URL",
            "BENCHSIDE_MIGRATE_ON_START",
            "BENCHSIDE_JWT_SECRET",
            "BENCHSIDE_ACCESS_TOKEN_TTL_SECS",
        ] {
            assert!(names.contains(&var), "{var} not reported in {err}");
        }
        assert!(
            err.to_string()
                .contains("BENCHSIDE_LISTEN: must be an address")
        );
    }

    #[test]
    fn production_refuses_the_private_cluster_and_plain_http() {
        let err = Config::from_vars(vars(&[
            ("BENCHSIDE_ENV", "production"),
            ("BENCHSIDE_PUBLIC_URL", "http://example.org"),
        ]))
        .unwrap_err();
        let names: Vec<_> = err.0.iter().map(|e| e.var).collect();
        assert_eq!(
            names,
            vec![
                "BENCHSIDE_JWT_SECRET",
                "DATABASE_URL",
                "BENCHSIDE_PUBLIC_URL"
            ]
        );

        let ok = Config::from_vars(vars(&[
            ("BENCHSIDE_ENV", "production"),
            ("BENCHSIDE_PUBLIC_URL", "https://learn.example.org"),
            ("DATABASE_URL", "postgres://app@db/benchside"),
            ("BENCHSIDE_JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
        ]))
        .unwrap();
        assert_eq!(ok.env, Environment::Production);
        assert!(
            !format!("{ok:?}").contains("0123456789abcdef"),
            "secrets are not printed"
        );
    }
}
