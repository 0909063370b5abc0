//! The web app served by `serve`: cache headers, client-route fallback, precompressed files,
//! the API never shadowed, path traversal refused, and a clear page when the app is not built.

use std::path::{Path, PathBuf};

use crate::harness::{TestApp, TestResponse};

const INDEX: &str = "<!doctype html><html><head><script type=\"module\" \
    src=\"/assets/index-abc123.js\"></script></head><body><div id=\"root\"></div></body></html>";
const SCRIPT: &str = "console.log('benchside');";
const SERVICE_WORKER: &str =
    "importScripts('/sw-outbox.js');define(['./workbox-5ab3c1d2'],()=>{});";
const MANIFEST: &str = "{\"name\":\"Benchside\",\"start_url\":\"/\"}";

/// A fake `frontend/dist` in a folder of its own, with a secret file beside it (outside the
/// served folder) for the traversal tests.
fn fake_dist() -> (PathBuf, PathBuf) {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("spa-tests")
        .join(uuid::Uuid::new_v4().simple().to_string());
    let dist = base.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(
        dist.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(dist.join("assets/index-abc123.js"), SCRIPT).unwrap();
    std::fs::write(dist.join("assets/index-abc123.js.gz"), b"gzip-bytes").unwrap();
    std::fs::write(dist.join("assets/index-abc123.js.br"), b"brotli-bytes").unwrap();
    std::fs::write(dist.join("assets/style-def456.css"), "body{}").unwrap();
    // The offline shell (vite-plugin-pwa's output sits at the top of the folder).
    std::fs::write(dist.join("sw.js"), SERVICE_WORKER).unwrap();
    std::fs::write(dist.join("sw.js.br"), b"brotli-sw").unwrap();
    std::fs::write(dist.join("workbox-5ab3c1d2.js"), "/* workbox */").unwrap();
    std::fs::write(dist.join("sw-outbox.js"), "/* sync */").unwrap();
    std::fs::write(dist.join("manifest.webmanifest"), MANIFEST).unwrap();
    std::fs::write(dist.join(".env"), "SECRET=1").unwrap();
    std::fs::write(base.join("secret.txt"), "top secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(base.join("secret.txt"), dist.join("assets/link.js")).unwrap();
    (base, dist)
}

async fn app_for(dist: &Path) -> TestApp {
    TestApp::builder()
        .var("BENCHSIDE_FRONTEND_DIR", dist.to_str().unwrap())
        .routes(|cfg| {
            cfg.route(
                "/__spa-test/post-only",
                actix_web::web::post().to(actix_web::HttpResponse::NoContent),
            );
        })
        .build()
        .await
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    TestResponse::read(req.send().await).await
}

#[actix_web::test]
async fn hashed_assets_are_immutable_and_index_is_revalidated() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;

    let res = app.get("/assets/index-abc123.js").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), SCRIPT);
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));

    let css = app.get("/assets/style-def456.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));

    let res = app.get("/").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), INDEX);
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    // The strict policy: scripts only from our origin, nothing inline.
    let csp = res.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    // Revalidation: the ETag answers 304 with no body.
    let etag = res.header("etag").unwrap().to_string();
    let again = get_with(&app, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    // Unhashed files at the top are served, revalidated every time.
    let icon = app.get("/favicon.svg").await;
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    assert_eq!(icon.header("cache-control"), Some("no-cache"));
}

#[actix_web::test]
async fn the_service_worker_and_manifest_are_always_revalidated() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;
    for (path, content_type) in [
        ("/sw.js", "text/javascript; charset=utf-8"),
        ("/workbox-5ab3c1d2.js", "text/javascript; charset=utf-8"),
        ("/sw-outbox.js", "text/javascript; charset=utf-8"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(res.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(res.header("content-type"), Some(content_type), "{path}");
        assert!(!res.text().contains("<div id=\"root\">"), "{path}");
    }
    assert_eq!(app.get("/sw.js").await.text(), SERVICE_WORKER);
    assert_eq!(app.get("/manifest.webmanifest").await.text(), MANIFEST);
    // Its precompressed copy keeps the same policy.
    let br = get_with(&app, "/sw.js", &[("accept-encoding", "br")]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("cache-control"), Some("no-cache"));
    // A runtime the build no longer has is a 404, never index.html run as a script.
    let gone = app.get("/workbox-00000000.js").await;
    assert_eq!(gone.status, 404);
    assert!(!gone.text().contains("<div id=\"root\">"));
}

#[actix_web::test]
async fn client_routes_fall_back_to_index_html() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;
    for path in [
        "/courses/demo-course",
        "/verify-email?token=abc",
        "/learn/0195c5a0-0000-7000-8000-000000000000/lessons/sharps",
        "/dashboard/",
        "/apiary",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(res.text(), INDEX, "{path}");
        assert_eq!(res.header("cache-control"), Some("no-cache"), "{path}");
    }
    // HEAD too, with no body.
    let res = TestResponse::read(app.client.head(app.url("/courses")).send().await).await;
    assert_eq!(res.status, 200);
    assert!(res.body.is_empty());
}

#[actix_web::test]
async fn missing_assets_and_files_are_404_not_the_app() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;
    for path in [
        "/assets/index-gone999.js",
        "/assets/",
        "/robots.txt",
        "/x/y.css",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(!res.text().contains("<div id=\"root\">"), "{path}");
        assert!(res.header("content-type").unwrap().starts_with("text/html"));
    }
}

#[actix_web::test]
async fn the_api_and_health_routes_are_never_shadowed() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;
    for path in [
        "/api/v1/no-such-thing",
        "/api/nothing",
        "/api",
        "/healthz/x",
    ] {
        let res = app.get(path).await;
        res.assert_error(404, "not_found");
    }
    assert_eq!(app.get("/healthz").await.json()["status"], "ok");
    assert_eq!(app.get("/api/v1/courses").await.status, 200);
    assert!(
        app.get("/api/openapi.json").await.json()["paths"]
            .get("/api/v1/courses")
            .is_some()
    );
    // Other methods on app paths keep the usual envelope.
    let res = app
        .post_json("/courses/demo-course", &serde_json::json!({}))
        .await;
    res.assert_error(404, "not_found");
}

#[actix_web::test]
async fn path_traversal_and_hidden_files_are_refused() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;
    for path in [
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/.env",
        "/assets/link.js",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let res = app.get(path).await;
        assert!(
            res.status == 404 || res.status == 400,
            "{path}: {}",
            res.status
        );
        let text = res.text();
        assert!(!text.contains("top secret"), "{path}");
        assert!(!text.contains("SECRET=1"), "{path}");
        assert!(!text.contains("root:"), "{path}");
    }
}

#[actix_web::test]
async fn precompressed_files_are_sent_when_accepted() {
    let (_base, dist) = fake_dist();
    let app = app_for(&dist).await;
    let path = "/assets/index-abc123.js";

    let br = get_with(&app, path, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(br.status, 200);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(&br.body[..], b"brotli-bytes");
    assert_eq!(br.header("vary"), Some("Accept-Encoding"));
    assert!(
        br.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );

    let gz = get_with(&app, path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(&gz.body[..], b"gzip-bytes");

    let refused = get_with(&app, path, &[("accept-encoding", "br;q=0, gzip;q=0")]).await;
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.text(), SCRIPT);

    let plain = app.get(path).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), SCRIPT);
    assert_ne!(br.header("etag"), plain.header("etag"));
}

#[actix_web::test]
async fn an_unbuilt_app_answers_a_page_that_says_how_to_build_it() {
    let (base, _dist) = fake_dist();
    let app = app_for(&base.join("no-such-dist")).await;
    let res = app.get("/").await;
    assert_eq!(res.status, 503);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let text = res.text();
    assert!(text.contains("not built"), "{text}");
    assert!(text.contains("npm run build"), "{text}");
    let res = app.get("/courses/demo-course").await;
    assert_eq!(res.status, 503);
    // The API still works and still answers JSON.
    assert_eq!(app.get("/api/v1/courses").await.status, 200);
    app.get("/api/v1/nope").await.assert_error(404, "not_found");
}
