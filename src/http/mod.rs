//! The bottom HTTP layer: the error type and its mapping, extractor configs, middleware,
//! paging, the web-app file server, health probes and the API reference page. It imports no
//! feature module; the wiring (route table, app factory, server) is in [`crate::startup`].

pub mod error;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod paging;
pub mod spa;

use actix_web::{HttpRequest, web};

use crate::config::Config;
pub use error::{AppError, AppResult, ErrorCode};

/// The fallback for every request no route takes: the web app for a GET outside the API
/// (see `spa`), else 405 (with `Allow`) when the path exists for another method, 404
/// otherwise.
pub async fn not_found(req: HttpRequest) -> AppResult<actix_web::HttpResponse> {
    let route_exists = req.resource_map().has_resource(req.path());
    if !route_exists
        && let Some(config) = req.app_data::<web::Data<Config>>()
        && let Some(res) = spa::serve(&req, &config.frontend_dir).await
    {
        return Ok(res);
    }
    if route_exists {
        let allow = req
            .resource_map()
            .match_pattern(req.path())
            .and_then(|pattern| allowed_methods(&req, &pattern));
        return Err(method_not_allowed(&req, allow));
    }
    let details = serde_json::json!({ "method": req.method().as_str(), "path": req.path() });
    Err(
        AppError::not_found(format!("No route matches {} {}.", req.method(), req.path()))
            .with_details(details),
    )
}

/// The `Allow` value of a documented route pattern (from the route table's
/// [`openapi::RouteMethods`]).
pub fn allowed_methods(req: &HttpRequest, pattern: &str) -> Option<String> {
    req.app_data::<web::Data<openapi::RouteMethods>>()
        .and_then(|m| m.allow(pattern).map(str::to_string))
}

/// 405 `method_not_allowed`, with `Allow` listing the route's methods when they are known.
pub fn method_not_allowed(req: &HttpRequest, allow: Option<String>) -> AppError {
    let details = serde_json::json!({ "method": req.method().as_str(), "path": req.path() });
    let err = AppError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{} does not accept {}.", req.path(), req.method()),
    )
    .with_details(details);
    match allow.and_then(|a| actix_web::http::header::HeaderValue::from_str(&a).ok()) {
        Some(value) => err.with_header(actix_web::http::header::ALLOW, value),
        None => err,
    }
}
