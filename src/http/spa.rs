//! The web app: `serve` serves the built frontend (`BENCHSIDE_FRONTEND_DIR`, default
//! `frontend/dist`) for every GET that no API route takes.
//!
//! - `/assets/...` are Vite's content-hashed files: cached for a year, `immutable`. A missing
//!   asset is a 404 (never `index.html`, which a browser would try to run as a script).
//! - Other files in the folder (`favicon.svg`, ...) are served with `no-cache`. That includes
//!   the offline shell's files, which the build puts at the top on purpose: the service
//!   worker `sw.js`, the `workbox-*.js` runtime and `sw-outbox.js` it imports, and
//!   `manifest.webmanifest`. A browser checks `sw.js` (and what it imports) for a new release
//!   against this server, so they must never be `immutable`.
//! - Any other path is a client route: `index.html` with `no-cache`, so a new release is
//!   picked up on the next load while its hashed assets stay cached.
//! - `/api/...`, `/healthz` and `/readyz` are never answered from here: an unknown API path
//!   keeps the JSON 404 envelope.
//! - A file with a precompressed sibling (`.br`, `.gz`, made at build) is sent compressed
//!   when the request accepts it.
//! - Paths are checked segment by segment (no `..`, no hidden or backslashed segments, no NUL)
//!   and the resolved file must lie inside the folder, symlinks included.
//! - When the app is not built, pages answer 503 with a short HTML note on how to build it.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

/// Cache policy of the hashed build output.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy of `index.html` and unhashed files: always revalidate.
pub const CACHE_REVALIDATE: &str = "no-cache";

/// Marks the web app's own error pages, which keep their HTML body (the error envelope is
/// for API clients).
#[derive(Debug, Clone, Copy)]
pub struct AppPage;

/// Whether a path belongs to the server itself rather than to the web app.
pub fn is_server_path(path: &str) -> bool {
    path == "/api"
        || path.starts_with("/api/")
        || path == "/healthz"
        || path == "/readyz"
        || path.starts_with("/healthz/")
        || path.starts_with("/readyz/")
}

/// Extensions that name a file, not a client route: a missing one is a 404, not the app.
const FILE_EXTENSIONS: &[&str] = &[
    "js",
    "mjs",
    "css",
    "map",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "svg",
    "ico",
    "txt",
    "json",
    "webmanifest",
    "woff",
    "woff2",
    "xml",
    "wasm",
    "br",
    "gz",
];

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Percent-decodes a URL path and splits it into safe segments; `None` when any segment
/// could escape the folder or name something hidden.
fn safe_segments(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let bytes = percent_decode(raw)?;
        let seg = String::from_utf8(bytes).ok()?;
        if seg == "."
            || seg == ".."
            || seg.starts_with('.')
            || seg.contains(['/', '\\', '\0'])
            || seg.contains(':')
        {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// A regular file inside `root` (after resolving symlinks), or `None`.
fn resolve(root: &Path, segments: &[String]) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let mut p = root.clone();
    for s in segments {
        p.push(s);
    }
    let p = p.canonicalize().ok()?;
    (p.starts_with(&root) && p.is_file()).then_some(p)
}

fn accepts(req: &HttpRequest, coding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// Sends `file` (or its precompressed sibling) with the given cache policy, answering 304 to
/// a matching `If-None-Match`.
async fn send_file(req: &HttpRequest, file: &Path, cache: &'static str) -> HttpResponse {
    let mut chosen: (PathBuf, Option<&'static str>) = (file.to_path_buf(), None);
    for (coding, ext) in [("br", "br"), ("gzip", "gz")] {
        if accepts(req, coding) {
            let mut name = file.as_os_str().to_owned();
            name.push(".");
            name.push(ext);
            let candidate = PathBuf::from(name);
            if candidate.is_file() {
                chosen = (candidate, Some(coding));
                break;
            }
        }
    }
    let (path, coding) = chosen;
    let meta = match tokio::fs::metadata(&path).await {
        Ok(m) => m,
        Err(_) => return not_built_or_missing(StatusCode::NOT_FOUND),
    };
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let etag = format!(
        "\"{:x}-{:x}{}\"",
        meta.len(),
        mtime,
        coding.map(|c| format!("-{c}")).unwrap_or_default()
    );
    let mut res = if if_none_match(req, &etag) {
        HttpResponse::NotModified().finish()
    } else {
        match tokio::fs::read(&path).await {
            Ok(body) => HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, content_type(file)))
                .body(body),
            Err(e) => {
                tracing::warn!(error = %e, file = %path.display(), "web app file unreadable");
                return not_built_or_missing(StatusCode::NOT_FOUND);
            }
        }
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    res
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

const NOT_BUILT: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Benchside: web app not built</title></head><body>\
<h1>The web app is not built</h1>\
<p>This server found no <code>index.html</code> in its web app folder \
(<code>BENCHSIDE_FRONTEND_DIR</code>, default <code>frontend/dist</code>). Build it with \
<code>make frontend</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>), \
or run <code>make run</code>, which builds it first.</p>\
<p>The API is running: see <a href=\"/api/docs/\">/api/docs/</a>.</p></body></html>\n";

const MISSING: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Not found</title></head><body><h1>Not found</h1>\
<p>There is no such file. <a href=\"/\">Go to Benchside</a>.</p></body></html>\n";

fn not_built_or_missing(status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(if status == StatusCode::SERVICE_UNAVAILABLE {
            NOT_BUILT
        } else {
            MISSING
        });
    res.extensions_mut().insert(AppPage);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    res
}

/// Answers a GET or HEAD for a path outside the API from the web app folder. `None` when the
/// request is not the web app's (another method, or a server path), so the caller answers it.
pub async fn serve(req: &HttpRequest, root: &Path) -> Option<HttpResponse> {
    if !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return None;
    }
    let path = req.uri().path();
    if is_server_path(path) {
        return None;
    }
    let Some(segments) = safe_segments(path) else {
        return Some(not_built_or_missing(StatusCode::NOT_FOUND));
    };
    let index = root.join("index.html");
    if !index.is_file() {
        return Some(not_built_or_missing(StatusCode::SERVICE_UNAVAILABLE));
    }
    if segments.first().map(String::as_str) == Some("assets") {
        return Some(match resolve(root, &segments) {
            Some(file) => send_file(req, &file, CACHE_IMMUTABLE).await,
            None => not_built_or_missing(StatusCode::NOT_FOUND),
        });
    }
    if !segments.is_empty()
        && let Some(file) = resolve(root, &segments)
    {
        return Some(send_file(req, &file, CACHE_REVALIDATE).await);
    }
    let looks_like_file = segments
        .last()
        .and_then(|s| s.rsplit_once('.'))
        .is_some_and(|(_, ext)| FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
    if looks_like_file {
        return Some(not_built_or_missing(StatusCode::NOT_FOUND));
    }
    Some(send_file(req, &index, CACHE_REVALIDATE).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_refuse_escapes_and_hidden_files() {
        assert_eq!(
            safe_segments("/courses/demo%20course/"),
            Some(vec!["courses".into(), "demo course".into()])
        );
        for bad in [
            "/../etc/passwd",
            "/assets/%2e%2e/secret",
            "/a/%2F/b",
            "/.env",
            "/a%5c..%5cb",
            "/a%00b",
            "/c:/x",
            "/%zz",
        ] {
            assert_eq!(safe_segments(bad), None, "{bad}");
        }
    }

    #[test]
    fn server_paths_are_never_the_app() {
        for p in ["/api", "/api/", "/api/v1/nothing", "/healthz", "/readyz"] {
            assert!(is_server_path(p), "{p}");
        }
        for p in ["/", "/apiary", "/courses/x", "/healthzz"] {
            assert!(!is_server_path(p), "{p}");
        }
    }
}
