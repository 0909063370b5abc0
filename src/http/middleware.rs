//! Request-wide middleware: request IDs, the request log line, security headers, the caching
//! rule for private responses, the body size guard, and the error envelope for errors the
//! framework produces itself.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, ResponseError};
use futures_util::future::{Either, LocalBoxFuture, Ready, ready};
use tracing::Instrument;

use super::error::AppError;
use super::metrics::RequestMetrics;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The ID of the current request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The strict policy for the API and the web app: only our own origin, nothing inline.
const CSP_APP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/// Swagger UI sets inline styles; scripts still come only from our origin.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Settings the request middleware needs, fixed at start.
#[derive(Clone)]
pub struct RequestPolicy {
    /// Largest body accepted by any route, by declared Content-Length.
    pub max_body_bytes: usize,
    /// Send `Strict-Transport-Security` (when the public URL is https).
    pub hsts: bool,
    /// Where every answered request is counted.
    pub metrics: Arc<RequestMetrics>,
}

/// A client-supplied request ID is kept when it is short and plain; otherwise a new one is made.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    if !headers.contains_key(&name) {
        headers.insert(name, value);
    }
}

/// Every response's security headers. Names and values are constants (checked when compiled,
/// not on every response: that had been a fortieth of a lesson read's instructions).
fn security_headers(headers: &mut HeaderMap, path: &str, hsts: bool) {
    const fn value(v: &'static str) -> HeaderValue {
        HeaderValue::from_static(v)
    }
    set_if_absent(
        headers,
        header::X_CONTENT_TYPE_OPTIONS,
        const { value("nosniff") },
    );
    set_if_absent(
        headers,
        header::REFERRER_POLICY,
        const { value("strict-origin-when-cross-origin") },
    );
    set_if_absent(headers, header::X_FRAME_OPTIONS, const { value("DENY") });
    set_if_absent(
        headers,
        const { HeaderName::from_static("cross-origin-opener-policy") },
        const { value("same-origin") },
    );
    set_if_absent(
        headers,
        const { HeaderName::from_static("permissions-policy") },
        const { value("camera=(), microphone=(), geolocation=(), payment=()") },
    );
    let csp = if path.starts_with("/api/docs") {
        const { value(CSP_DOCS) }
    } else {
        const { value(CSP_APP) }
    };
    set_if_absent(headers, header::CONTENT_SECURITY_POLICY, csp);
    if hsts {
        set_if_absent(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            const { value("max-age=31536000; includeSubDomains") },
        );
    }
}

/// The largest URI (path and query) accepted, in bytes. actix-web itself refuses a request
/// head over 128 KiB (431 with no body, before any middleware); below that, this guard answers
/// with the envelope.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The largest header block accepted (names, values and separators), in bytes; see
/// [`MAX_URI_BYTES`].
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// What is refused before routing: a URI or a header block over its limit (414, 431), a body
/// that declares itself larger than any route accepts (413).
fn refusal(req: &ServiceRequest, policy: &RequestPolicy) -> Option<AppError> {
    let limit = |status, max: usize| {
        Some(AppError::for_status(status).with_details(serde_json::json!({ "max_bytes": max })))
    };
    let uri = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return limit(StatusCode::URI_TOO_LONG, MAX_URI_BYTES);
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if headers > MAX_HEADER_BYTES {
        return limit(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            MAX_HEADER_BYTES,
        );
    }
    let declared_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_len.is_some_and(|n| n > policy.max_body_bytes as u64) {
        return limit(StatusCode::PAYLOAD_TOO_LARGE, policy.max_body_bytes);
    }
    None
}

type Wrapped<B> = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;
type ContextFuture<B> = Either<LocalBoxFuture<'static, Wrapped<B>>, Ready<Wrapped<B>>>;

/// The outermost middleware: gives the request an ID and a tracing span, refuses bodies that
/// declare themselves too large, logs one line when the response is ready, and adds the
/// request ID and security headers to every response.
pub fn request_context<S, B>(
    policy: RequestPolicy,
) -> impl Fn(ServiceRequest, &S) -> ContextFuture<B> + Clone
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    move |req: ServiceRequest, srv: &S| {
        let id = request_id(req.headers());
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            method = %req.method(),
            path = %req.path(),
        );
        let path = req.path().to_string();
        let private = is_private(req.headers());
        let method = req.method().clone();
        let metrics = policy.metrics.clone();

        if let Some(refusal) = refusal(&req, &policy) {
            let _g = span.enter();
            tracing::info!(
                status = refusal.status().as_u16(),
                "request refused before routing"
            );
            metrics.observe(None, &method, refusal.status().as_u16(), 0.0);
            let mut res = refusal.error_response();
            // The body was not read; do not try to reuse the connection.
            res.head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            finish(res.headers_mut(), &id, &path, policy.hsts);
            return Either::Right(ready(Ok(req.into_response(res).map_into_right_body())));
        }

        req.extensions_mut().insert(RequestId(id.clone()));
        let start = Instant::now();
        let fut = span.in_scope(|| srv.call(req));
        Either::Left(Box::pin(
            async move {
                let mut res = fut.await?;
                let status = res.status().as_u16();
                let elapsed = start.elapsed().as_secs_f64();
                let route = res.request().match_pattern();
                metrics.observe(route.as_deref(), &method, status, elapsed);
                crate::telemetry::access(&crate::telemetry::Access {
                    request_id: &id,
                    method: method.as_str(),
                    path: &path,
                    status,
                    elapsed_ms: elapsed * 1000.0,
                });
                finish(res.headers_mut(), &id, &path, policy.hsts);
                if private {
                    private_cache_control(res.headers_mut());
                }
                Ok(res.map_into_left_body())
            }
            .instrument(span),
        ))
    }
}

/// A request that carries credentials gets an answer about its caller.
fn is_private(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
}

/// An answer to a request with credentials is never stored by a browser or a shared cache
/// unless its handler chose its own `Cache-Control` (a public verification page, the key set).
fn private_cache_control(headers: &mut HeaderMap) {
    set_if_absent(
        headers,
        header::CACHE_CONTROL,
        const { HeaderValue::from_static("private, no-store") },
    );
}

fn finish(headers: &mut HeaderMap, id: &str, path: &str, hsts: bool) {
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(X_REQUEST_ID, v);
    }
    security_headers(headers, path, hsts);
}

/// Turns any error response that is not already our JSON envelope (405 from a resource, a
/// framework error, a 5xx from a panic guard) into the envelope. The original body is dropped
/// (for a 5xx it may hold a cause); the original error, if any, is logged.
pub fn envelope_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // The web app's own pages (not built, missing file) are HTML for people, on purpose.
    let is_app_page = res
        .response()
        .extensions()
        .contains::<super::spa::AppPage>();
    if is_json || is_app_page {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    if status.is_server_error()
        && let Some(err) = res.response().error()
    {
        tracing::error!(error = %err, "request failed");
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _old) = res.into_parts();
    let mut new = AppError::for_status(status).error_response();
    if let Some(allow) = allow {
        new.headers_mut().insert(header::ALLOW, allow);
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_answers_are_not_stored_unless_the_handler_chose() {
        let mut h = HeaderMap::new();
        private_cache_control(&mut h);
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "private, no-store");
        let mut h = HeaderMap::new();
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        private_cache_control(&mut h);
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "public, max-age=60");
    }

    #[test]
    fn request_ids_from_clients_are_kept_only_when_plain() {
        let mut h = HeaderMap::new();
        h.insert(X_REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id(&h), "abc-123");
        h.insert(X_REQUEST_ID, HeaderValue::from_static("<script>"));
        assert_ne!(request_id(&h), "<script>");
        h.insert(
            X_REQUEST_ID,
            HeaderValue::from_str(&"a".repeat(65)).unwrap(),
        );
        assert_eq!(request_id(&h).len(), 36);
    }
}
