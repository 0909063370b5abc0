//! The HTTP side: the app factory used by `serve` and by the tests, the server, the error
//! mapping and the request middleware.

pub mod error;
pub mod extract;
pub mod health;
pub mod middleware;
pub mod openapi;
pub mod paging;
pub mod spa;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpRequest, HttpServer, web};
use utoipa_actix_web::AppExt;

use crate::accounts::Auth;
use crate::config::Config;
use crate::db::{self, DbPool, PoolSettings};
pub use error::{AppError, AppResult};

/// What every handler can reach, as `web::Data<AppState>`.
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DbPool,
    pub auth: Auth,
    /// Course outlines and lesson bodies, cached per content version.
    pub content: crate::learning::cache::ContentCache,
}

/// Extra routes mounted beside the API, for tests that need a route of their own (for
/// example one that sleeps, to test graceful shutdown). Production passes `None`.
pub type ExtraRoutes = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Every documented route. The OpenAPI document is built from exactly this function, so a
/// route cannot exist without being described.
pub fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(health::routes).service(
        utoipa_actix_web::scope("/api/v1")
            .configure(crate::accounts::routes)
            .configure(crate::catalog::routes)
            .configure(crate::learning::routes)
            .configure(crate::quizzes::routes),
    );
}

/// The app factory: one `App` per server worker, with all routes and middleware.
pub fn build_app(
    state: web::Data<AppState>,
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
        max_body_bytes: state.config.max_json_bytes,
        hsts: state.config.public_url.scheme() == "https",
    };
    let max_json = state.config.max_json_bytes;
    let (app, _) = App::new()
        .into_utoipa_app()
        .app_data(state)
        .app_data(extract::json_config(max_json))
        .app_data(extract::payload_config(max_json))
        .app_data(extract::path_config())
        .app_data(extract::query_config())
        .configure(api_routes)
        .split_for_parts();
    app.configure(|cfg| openapi::docs_routes(cfg, openapi))
        .configure(|cfg| {
            if let Some(extra) = &extra {
                extra(cfg)
            }
        })
        .default_service(web::to(not_found))
        .wrap(ErrorHandlers::new().default_handler(middleware::envelope_errors))
        .wrap_fn(middleware::request_context(policy))
}

/// The fallback for every request no route takes: the web app for a GET outside the API
/// (see `spa`), else 405 when the path exists for another method, 404 otherwise.
async fn not_found(req: HttpRequest) -> AppResult<actix_web::HttpResponse> {
    let route_exists = req.resource_map().has_resource(req.path());
    if !route_exists
        && let Some(state) = req.app_data::<web::Data<AppState>>()
        && let Some(res) = spa::serve(&req, &state.config.frontend_dir).await
    {
        return Ok(res);
    }
    let details = serde_json::json!({ "method": req.method().as_str(), "path": req.path() });
    if route_exists {
        return Err(AppError::new(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{} does not accept {}.", req.path(), req.method()),
        )
        .with_details(details));
    }
    Err(
        AppError::not_found(format!("No route matches {} {}.", req.method(), req.path()))
            .with_details(details),
    )
}

/// A bound, not yet running HTTP server, with the background tasks that serve it (the mail
/// outbox worker, the session-revocation refresher, housekeeping).
pub struct Application {
    server: Server,
    addr: SocketAddr,
    background: Vec<tokio::task::JoinHandle<()>>,
    mail_worker: Option<crate::mail::WorkerHandle>,
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
    /// Starts the mail outbox worker (unless `BENCHSIDE_MAIL_WORKER` is off) on the current
    /// Tokio runtime; it stops when the server stops.
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
        let openapi = Arc::new(openapi::document());
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
        let mail = config.mail.worker.then(|| config.mail.clone());
        let state = web::Data::new(AppState {
            config,
            db,
            auth,
            content: Default::default(),
        });
        let mut server =
            HttpServer::new(move || build_app(state.clone(), openapi.clone(), extra.clone()))
                .listen(listener)?
                .workers(workers)
                .shutdown_timeout(shutdown_secs);
        if !handle_signals {
            server = server.disable_signals();
        }
        let mail_worker = match mail {
            Some(mail) => {
                let transport = crate::mail::MailTransport::from_config(&mail)
                    .map_err(|e| std::io::Error::other(format!("mail transport: {e:#}")))?;
                let settings = crate::mail::WorkerSettings::from_config(&mail);
                Some(
                    crate::mail::Worker::new(background_db, transport, mail.from, settings).spawn(),
                )
            }
            None => None,
        };
        Ok(Application {
            server: server.run(),
            addr,
            background,
            mail_worker,
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
    /// the mail worker (letting the round in flight finish, for up to 10 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for task in &self.background {
            task.abort();
        }
        if let Some(worker) = self.mail_worker {
            worker.stop(std::time::Duration::from_secs(10)).await;
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
