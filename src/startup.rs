//! The wiring at the top: the route table, the app factory used by `serve` and the tests,
//! the server with its background tasks, and the OpenAPI assembly. Every feature's state is
//! registered here as its own `web::Data<T>`.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::AppExt;

use crate::accounts::Auth;
use crate::config::Config;
use crate::credentials::Issuing;
use crate::db::{self, DbPool, PoolSettings};
use crate::externship::Sending;
use crate::http::metrics::RequestMetrics;
use crate::http::{self, extract, health, middleware, openapi};
use crate::jobs;
use crate::learning::cache::ContentCache;

/// Extra routes mounted beside the API, for tests that need a route of their own (for
/// example one that sleeps, to test graceful shutdown). Production passes `None`.
pub type ExtraRoutes = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Every documented route. The OpenAPI document is built from exactly this function, so a
/// route cannot exist without being described.
///
/// actix tries a scope's routes in the order registered, matching each pattern with a path
/// parameter by a regular expression (about a thousand instructions each), so the learner's
/// routes come first: a lesson read had gone through six of them before reaching its own. No
/// two routes of one method have overlapping patterns, so the order changes no dispatch; a
/// literal route stays before a parametrised one it overlaps (`/enrolments/join`), since a
/// 405's `Allow` is the first registered pattern that matches.
pub fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(health::routes)
        .configure(crate::metrics::routes)
        .configure(crate::credentials::well_known)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .configure(crate::learning::routes)
                .configure(crate::quizzes::routes)
                .configure(crate::accounts::routes)
                .configure(crate::catalog::routes)
                .configure(crate::externship::routes)
                .configure(crate::credentials::routes)
                .configure(crate::cohorts::routes)
                .configure(crate::reports::routes),
        );
}

/// What every worker's app shares, each piece registered as its own `web::Data<T>` (a handler
/// takes exactly the ones it needs: `web::Data<DbPool>`, `web::Data<Auth>`, ...). A feature
/// with state of its own adds a field here and one `app_data` line in [`build_app`].
#[derive(Clone)]
pub struct AppData {
    pub config: web::Data<Config>,
    pub db: web::Data<DbPool>,
    /// Accounts: token keys, the password hasher, the revocation map.
    pub auth: web::Data<Auth>,
    /// Learning: parsed outlines and lesson bodies per content version.
    pub content: web::Data<ContentCache>,
    /// Catalog: published outlines as served, per content hash.
    pub outlines: web::Data<crate::catalog::api::OutlineBodies>,
    /// Quizzes: questions with their parsed answer keys, per revision (which the database
    /// sets on every change).
    pub questions: web::Data<crate::quizzes::question_cache::QuestionCache>,
    /// Externship: the public URL and link settings for attestation mails.
    pub sending: web::Data<Sending>,
    /// Credentials: public addresses, the issuer's name, the signing keys, the status lists.
    pub issuing: web::Data<Issuing>,
    /// Every answered request, for `GET /metrics` (the request middleware records them).
    pub requests: web::Data<RequestMetrics>,
    /// Reports: the permits that bound concurrent exports.
    pub exports: web::Data<crate::reports::Exports>,
}

/// The app factory: one `App` per server worker, with all routes and middleware.
pub fn build_app(
    data: AppData,
    openapi: Arc<utoipa::openapi::OpenApi>,
    extra: Option<ExtraRoutes>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let policy = middleware::RequestPolicy {
        // The CSV import reads its own body, with a larger limit than JSON's.
        max_body_bytes: data
            .config
            .max_json_bytes
            .max(crate::cohorts::import::MAX_UPLOAD_BYTES),
        hsts: data.config.public_url.scheme() == "https",
        metrics: data.requests.clone().into_inner(),
    };
    let max_json = data.config.max_json_bytes;
    let (app, _) = App::new()
        .into_utoipa_app()
        .app_data(data.config)
        .app_data(data.db)
        .app_data(data.auth)
        .app_data(data.content)
        .app_data(data.outlines)
        .app_data(data.questions)
        .app_data(data.sending)
        .app_data(data.issuing)
        .app_data(data.requests)
        .app_data(data.exports)
        .app_data(extract::json_config(max_json))
        .app_data(extract::payload_config(max_json))
        .app_data(extract::path_config())
        .app_data(extract::query_config())
        .app_data(web::Data::new(openapi::RouteMethods::from_document(
            &openapi,
        )))
        .configure(api_routes)
        .split_for_parts();
    app.configure(|cfg| openapi::docs_routes(cfg, openapi))
        .configure(|cfg| {
            if let Some(extra) = &extra {
                extra(cfg)
            }
        })
        .default_service(web::to(http::not_found))
        .wrap(actix_web::middleware::from_fn(
            move |req: ServiceRequest, next: actix_web::middleware::Next<_>| {
                extract::strict_json_bodies(req, next, max_json)
            },
        ))
        .wrap(ErrorHandlers::new().default_handler(middleware::envelope_errors))
        .wrap_fn(middleware::request_context(policy))
}

/// Every job kind's handler: the one place where kinds are registered. A new kind is one line,
/// each feature's `register(&mut registry, ..)` (e.g. `learning::completion::register`).
pub fn job_registry(config: &Config) -> anyhow::Result<jobs::Registry> {
    let mut registry = jobs::Registry::new();
    let transport = crate::mail::MailTransport::from_config(&config.mail)
        .map_err(|e| anyhow::anyhow!("mail transport: {e:#}"))?;
    crate::mail::register(&mut registry, &config.mail, transport);
    let issuing = Issuing::from_config(config);
    let certify = crate::credentials::OnCompletion {
        issuing: issuing.clone(),
        content: ContentCache::default(),
    };
    crate::learning::completion::register(
        &mut registry,
        config.public_url.clone(),
        Some(Arc::new(certify)),
    );
    crate::externship::register(&mut registry, sending(config));
    crate::credentials::register(&mut registry, issuing);
    Ok(registry)
}

/// What the externship's attestation mails need from the configuration.
pub fn sending(config: &Config) -> Sending {
    Sending {
        public_url: config.public_url.clone(),
        config: config.externship,
    }
}

/// A job runner with every handler, over `pool`, paced by `BENCHSIDE_JOBS_POLL_MS`.
pub fn job_runner(config: &Config, pool: DbPool) -> anyhow::Result<jobs::Runner> {
    Ok(jobs::Runner::new(
        pool,
        Arc::new(job_registry(config)?),
        jobs::RunnerSettings::new(config.jobs.poll_interval),
    ))
}

/// A bound, not yet running HTTP server, with the background tasks that serve it (the job
/// runner, the session-revocation refresher, housekeeping).
pub struct Application {
    server: Server,
    addr: SocketAddr,
    background: Vec<tokio::task::JoinHandle<()>>,
    job_runner: Option<jobs::RunnerHandle>,
}

impl Application {
    /// Binds `config.listen` and builds the server over the database at `database_url`.
    pub fn build(config: Arc<Config>, database_url: &str) -> std::io::Result<Application> {
        let listener = TcpListener::bind(config.listen)?;
        Self::build_with(config, database_url, listener, None, true)
    }

    /// Builds the server on a given listener; tests bind port 0 and pass their own routes.
    ///
    /// Two pools: one for the HTTP workers and a small one for background tasks. A pooled
    /// connection's I/O runs on the runtime that opened it; if a background task (on the main
    /// runtime) opened connections the workers then reused, every query would hop between
    /// threads. Measured: that costs about a quarter of the throughput of a one-query route.
    ///
    /// Starts the job runner (unless `BENCHSIDE_JOBS_WORKER` is off) on the current Tokio
    /// runtime, over the background pool; it stops when the server stops.
    pub fn build_with(
        config: Arc<Config>,
        database_url: &str,
        listener: TcpListener,
        extra: Option<ExtraRoutes>,
        handle_signals: bool,
    ) -> std::io::Result<Application> {
        let settings = PoolSettings::from(&config.database);
        let db = db::build_pool(database_url, &settings).map_err(std::io::Error::other)?;
        let background_db = db::build_pool(
            database_url,
            &PoolSettings {
                max_size: 3,
                ..settings
            },
        )
        .map_err(std::io::Error::other)?;
        let addr = listener.local_addr()?;
        let openapi = Arc::new(openapi_document());
        let workers = config.workers;
        let shutdown_secs = config.shutdown_timeout.as_secs().max(1);
        let auth = Auth::from_config(&config).map_err(std::io::Error::other)?;
        // Revocations older than an access token's lifetime (plus leeway) no longer matter.
        let window = config.auth.access_token_ttl + std::time::Duration::from_secs(60);
        let background = vec![
            auth.revocations
                .spawn_refresher(background_db.clone(), window),
            spawn_housekeeping(background_db.clone()),
        ];
        let runner = match config.jobs.worker {
            true => {
                Some(job_runner(&config, background_db.clone()).map_err(std::io::Error::other)?)
            }
            false => None,
        };
        let data = AppData {
            sending: web::Data::new(sending(&config)),
            issuing: web::Data::new(Issuing::from_config(&config)),
            config: web::Data::from(config),
            db: web::Data::new(db),
            auth: web::Data::new(auth),
            content: web::Data::new(ContentCache::default()),
            outlines: web::Data::new(Default::default()),
            questions: web::Data::new(Default::default()),
            requests: web::Data::new(RequestMetrics::default()),
            exports: web::Data::new(crate::reports::Exports::default()),
        };
        let mut server =
            HttpServer::new(move || build_app(data.clone(), openapi.clone(), extra.clone()))
                .listen(listener)?
                .workers(workers)
                .shutdown_timeout(shutdown_secs);
        if !handle_signals {
            server = server.disable_signals();
        }
        Ok(Application {
            server: server.run(),
            addr,
            background,
            job_runner: runner.map(jobs::Runner::spawn),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to stop the server (gracefully: in-flight requests finish).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Runs until stopped by a signal (SIGTERM: graceful) or through the handle, then stops
    /// the job runner (letting the round in flight finish, for up to 10 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for task in &self.background {
            task.abort();
        }
        if let Some(runner) = self.job_runner {
            runner.stop(std::time::Duration::from_secs(10)).await;
        }
        result
    }
}

/// Periodic clean-up: stale rate-limit buckets.
fn spawn_housekeeping(db: DbPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let pruned = match db.get().await {
                Ok(mut conn) => crate::ratelimit::prune(&mut conn)
                    .await
                    .map_err(anyhow::Error::from),
                Err(e) => Err(e.into()),
            };
            if let Err(e) = pruned {
                tracing::warn!(error = %format!("{e:#}"), "housekeeping failed");
            }
        }
    })
}

/// The complete OpenAPI document: the base description and the annotated routes of
/// [`api_routes`].
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(api_routes)
        .split_for_parts();
    let mut api = api;
    openapi::add_enforced_rules(&mut api);
    api
}

/// The document as pretty JSON with a trailing newline (the snapshot's format).
pub fn openapi_json() -> String {
    let mut s = openapi_document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
}
