//! `GET /metrics`: the process's request metrics ([`crate::http::metrics`]) and, read at scrape
//! time, the database pool, the job queue and the mail outbox, in the OpenMetrics text format
//! that Prometheus scrapes.
//!
//! The route asks for `Authorization: Bearer <BENCHSIDE_METRICS_TOKEN>`; without a configured
//! token it answers 404, as if it did not exist. Each process reports its own requests and pool;
//! the queue and outbox figures are the database's, so every process reports the same ones.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::config::Config;
use crate::db::DbPool;
use crate::http::metrics::RequestMetrics;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::jobs::store::{QueueDepth, queue_depth};
use crate::mail::outbox::sent_counts;

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(metrics);
}

/// Prometheus metrics of this process (OpenMetrics text). Needs the metrics token, not a user's
/// session.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "OpenMetrics text: `http_request_duration_seconds` (route template, method, status), `benchside_sign_in_failures_total`, `benchside_db_pool_*`, `benchside_jobs`, `benchside_jobs_oldest_due_seconds`, `benchside_mail_outbox`", content_type = "application/openmetrics-text", body = String),
        (status = 401, description = "`unauthenticated`: the metrics token is missing or wrong", body = crate::http::error::ErrorEnvelope),
        (status = 404, description = "`not_found`: no metrics token is configured", body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    requests: web::Data<RequestMetrics>,
) -> AppResult<HttpResponse> {
    let Some(token) = &config.metrics_token else {
        return Err(AppError::not_found("No route answers this path."));
    };
    if !presented(&req).is_some_and(|t| constant_time_eq(t, &token.0)) {
        return Err(AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "The metrics need `Authorization: Bearer <BENCHSIDE_METRICS_TOKEN>`.",
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        ));
    }
    let mut registry = Registry::default();
    requests.register(&mut registry);
    register_pool(&mut registry, &db);
    let mut conn = db.get().await?;
    register_queue(&mut registry, &queue_depth(&mut conn).await?);
    register_outbox(&mut registry, sent_counts(&mut conn).await?);
    drop(conn);
    let mut body = String::new();
    encode(&mut body, &registry).map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, CONTENT_TYPE))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

fn presented(req: &HttpRequest) -> Option<&[u8]> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().as_bytes())
}

/// Compares without stopping at the first difference (the length is not secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: String,
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

fn register_pool(registry: &mut Registry, db: &DbPool) {
    let status = db.status();
    let connections = Family::<StateLabel, Gauge>::default();
    let in_use = status.size.saturating_sub(status.available);
    for (state, n) in [("idle", status.available), ("in_use", in_use)] {
        connections
            .get_or_create(&StateLabel {
                state: state.into(),
            })
            .set(n as i64);
    }
    registry.register(
        "benchside_db_pool_connections",
        "Open database connections of this process's pool, idle or in use",
        connections,
    );
    let gauge = |n: usize| {
        let g = Gauge::<i64>::default();
        g.set(n as i64);
        g
    };
    registry.register(
        "benchside_db_pool_max_connections",
        "The most connections the pool opens (BENCHSIDE_DB_POOL_SIZE)",
        gauge(status.max_size),
    );
    registry.register(
        "benchside_db_pool_waiting",
        "Requests waiting for a free connection now",
        gauge(status.waiting),
    );
}

fn register_queue(registry: &mut Registry, depth: &[QueueDepth]) {
    let jobs = Family::<JobLabels, Gauge>::default();
    let oldest = Family::<KindLabel, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
    for row in depth {
        let labels = JobLabels {
            kind: row.kind.clone(),
            state: row.state.clone(),
        };
        jobs.get_or_create(&labels).set(row.jobs);
        if let Some(secs) = row.oldest_due_seconds {
            let kind = KindLabel {
                kind: row.kind.clone(),
            };
            oldest.get_or_create(&kind).set(secs.max(0.0));
        }
    }
    registry.register(
        "benchside_jobs",
        "Jobs pending, running or failed, by kind",
        jobs,
    );
    registry.register(
        "benchside_jobs_oldest_due_seconds",
        "How long the longest-waiting due job of each kind has waited",
        oldest,
    );
}

fn register_outbox(registry: &mut Registry, (sent, unsent): (i64, i64)) {
    let mails = Family::<StateLabel, Gauge>::default();
    for (state, n) in [("sent", sent), ("unsent", unsent)] {
        mails
            .get_or_create(&StateLabel {
                state: state.into(),
            })
            .set(n);
    }
    registry.register(
        "benchside_mail_outbox",
        "Mails in the outbox, sent or not yet, within the retention window (failed deliveries are the failed `mail.send` jobs)",
        mails,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_whole() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"abcd"));
    }
}
