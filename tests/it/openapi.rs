//! The OpenAPI document (valid, complete, snapshotted) and the offline API reference page.

use std::path::Path;

use serde_json::Value;

use crate::harness::TestApp;

const SNAPSHOT: &str = "docs/openapi.json";

#[test]
fn the_openapi_document_matches_the_committed_snapshot() {
    let generated = benchside::startup::openapi_json();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == committed,
        "the API changed: review the difference and run `make openapi` (BLESS=1) to update {SNAPSHOT}"
    );
}

/// Collects every `$ref` in the document.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref"
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_string());
                }
                refs(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn the_served_document_is_valid_openapi_3() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status, 200);
    let doc = res.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    let paths = doc["paths"].as_object().expect("paths");
    for p in ["/healthz", "/readyz"] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().unwrap() {
            assert!(
                ["get", "put", "post", "delete", "patch", "head", "options"]
                    .contains(&method.as_str()),
                "{path} {method}"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                !responses.is_empty(),
                "{method} {path} documents its responses"
            );
        }
        // Every documented path is actually routed: whatever the handler answers, it is not
        // the router's fallback.
        let concrete = path
            .replace("{id}", "5f0c1e7a-3b1f-4c47-9a38-2f1d6c1e9b11")
            .replace(['{', '}'], "");
        for method in item.as_object().unwrap().keys() {
            let m = method.to_uppercase();
            let res = app.call(&m, &concrete, None, None, None).await;
            let fallback =
                res.status == 405 || (res.status == 404 && res.text().contains("No route matches"));
            assert!(
                !fallback,
                "{m} {path} is documented but not routed: {}",
                res.text()
            );
        }
    }

    let mut all = Vec::new();
    refs(&doc, &mut all);
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    assert!(schemas.contains_key("ErrorEnvelope"));
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("only local schema refs: {r}"));
        assert!(schemas.contains_key(name), "dangling $ref {r}");
    }
}

/// Every `src="..."` and `href="..."` in an HTML page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

#[actix_web::test]
async fn the_reference_page_loads_everything_from_the_binary() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/docs").await;
    assert_eq!(res.status, 308);
    assert_eq!(res.header("location"), Some("/api/docs/"));

    let page = app.get("/api/docs/").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    let assets = links(&html);
    assert!(
        assets.len() >= 4,
        "scripts and styles are linked: {assets:?}"
    );
    for a in &assets {
        assert!(
            !a.starts_with("http:") && !a.starts_with("https:") && !a.starts_with("//"),
            "the page links only to our own origin: {a}"
        );
        let path = format!("/api/docs/{}", a.trim_start_matches("./"));
        let res = app.get(&path).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(!res.body.is_empty(), "{path}");
    }

    let init = app.get("/api/docs/swagger-initializer.js").await.text();
    assert!(init.contains("\"url\": \"/api/openapi.json\""), "{init}");
    assert!(
        init.contains("\"validatorUrl\": \"none\""),
        "the online validator badge is off: {init}"
    );
    assert!(
        !init.contains("http://") && !init.contains("https://"),
        "{init}"
    );

    // The browser may only fetch from our own origin.
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    assert!(!csp.contains("http"), "{csp}");
}

/// What the body reader and the paging rules enforce is in the document for every route.
#[test]
fn every_json_body_route_documents_the_body_errors_and_lists_their_ranges() {
    let doc: Value = serde_json::from_str(&benchside::startup::openapi_json()).unwrap();
    let (mut bodies, mut pages) = (0, 0);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["requestBody"]["content"]
                .get("application/json")
                .is_some()
            {
                bodies += 1;
                for (status, code) in [
                    ("400", "invalid_json"),
                    ("413", "payload_too_large"),
                    ("415", "unsupported_media_type"),
                    ("422", "invalid_body"),
                ] {
                    let d = op["responses"][status]["description"]
                        .as_str()
                        .unwrap_or("");
                    assert!(
                        d.contains(&format!("`{code}`")),
                        "{method} {path} {status}: {d:?}"
                    );
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                let range = match p["name"].as_str() {
                    Some("page") => (1, 1_000_000),
                    Some("per_page") => (1, 100),
                    _ => continue,
                };
                pages += 1;
                let s = &p["schema"];
                assert_eq!(
                    (s["minimum"].as_i64(), s["maximum"].as_i64()),
                    (Some(range.0), Some(range.1)),
                    "{method} {path} {}",
                    p["name"]
                );
            }
        }
    }
    assert!(bodies >= 20, "{bodies} routes with a JSON body");
    assert!(pages >= 4, "{pages} paging parameters");
    let verify = &doc["paths"]["/api/v1/auth/verify-email"]["post"]["responses"];
    assert!(
        verify["422"]["description"]
            .as_str()
            .unwrap()
            .contains("`invalid_body`")
    );
    assert!(
        verify["400"]["description"]
            .as_str()
            .unwrap()
            .contains("`invalid_token`")
    );
}

/// utoipa names a schema after its type, and two types of one name silently share one entry
/// (the last registered wins), so a route would be documented with another feature's body.
/// Every type deriving `ToSchema` must have a name of its own (or `#[schema(as = ...)]`).
#[test]
fn schema_names_are_unique_across_the_crate() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(std::path::Path::new("src"), &mut files);
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut pending: Option<Option<String>> = None;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                pending = Some(None);
            } else if let Some(alias) = &mut pending {
                if let Some(rest) = line.strip_prefix("#[schema(as = ") {
                    *alias = Some(rest.trim_end_matches(")]").trim().to_string());
                }
                let item = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| line.strip_prefix(k));
                if let Some(item) = item {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let name = alias.clone().unwrap_or(name);
                    seen.entry(name)
                        .or_default()
                        .push(file.display().to_string());
                    pending = None;
                }
            }
        }
    }
    let clashes: Vec<_> = seen.iter().filter(|(_, f)| f.len() > 1).collect();
    assert!(
        clashes.is_empty(),
        "types deriving ToSchema share a name (rename one or add #[schema(as = ...)]): {clashes:?}"
    );
}

/// The main flows carry response links (schemathesis's stateful phase follows them), and each
/// names an operation of the document.
#[test]
fn the_main_flows_are_linked() {
    let doc: Value = serde_json::from_str(&benchside::startup::openapi_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut links = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            ids.insert(op["operationId"].as_str().unwrap_or_default().to_string());
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                for (name, l) in r["links"].as_object().into_iter().flatten() {
                    let from = op["operationId"].as_str().unwrap_or_default();
                    links.push((format!("{from} {status} {name}"), l.clone()));
                }
            }
        }
    }
    for (name, l) in &links {
        let to = l["operationId"].as_str().unwrap_or_default();
        assert!(ids.contains(to), "{name} links to unknown operation {to}");
    }
    let has = |from: &str, to: &str| {
        links
            .iter()
            .any(|(n, l)| n.starts_with(&format!("{from} ")) && l["operationId"] == to)
    };
    for (from, to) in [
        ("login", "me"),
        ("enrol", "get_enrolment"),
        ("get_enrolment", "get_lesson"),
        ("start_attempt", "save_answers"),
        ("start_attempt", "submit_attempt"),
        ("create_cohort", "get_cohort"),
        ("create_code", "join"),
    ] {
        assert!(has(from, to), "no link from {from} to {to}");
    }
}

/// The patterns the document gives the trimmed text fields accept exactly what the server
/// accepts (a stricter pattern makes schemathesis send valid data the document calls invalid;
/// a looser one, data the server refuses): each sample through both.
#[test]
fn the_trimmed_text_patterns_match_the_server_rules() {
    use benchside::cohorts::{codes, input};
    let doc: Value = serde_json::from_str(&benchside::startup::openapi_json()).unwrap();
    let pattern = |schema: &str, field: &str| {
        let p = doc["components"]["schemas"][schema]["properties"][field]["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{schema}.{field} has no pattern"));
        regex::Regex::new(p).unwrap()
    };
    let long = |n: usize| "x".repeat(n);
    let samples: Vec<String> = [
        "",
        " ",
        "a",
        " a ",
        "ab",
        "a b",
        "a\u{1}b",
        "\tab\t",
        "a\nb",
        "a\rb",
        "a\tb",
        "\u{85}a\u{85}",
        "a\u{85}b",
        "\u{feff}a",
        "\u{a0}é\u{3000}",
        "\u{202e}x",
        "x\u{7f}",
        "abc",
        "ab",
        "AB-12",
        "ab_c",
        " demo-1234 ",
        "ÄBC",
    ]
    .into_iter()
    .map(String::from)
    .chain([
        long(64),
        long(65),
        long(199),
        long(200),
        long(201),
        long(500),
        long(501),
    ])
    .chain([format!("  {}  ", long(200)), format!("\n{}\n", long(500))])
    .collect();
    type ServerRule = fn(&str) -> bool;
    let cases: [(&str, &str, ServerRule); 4] = [
        ("CreateCohort", "name", |s| input::name(s).is_ok()),
        ("UpdateCohort", "name", |s| input::name(s).is_ok()),
        ("WithdrawMember", "reason", |s| {
            input::reason(Some(s.to_string())).is_ok()
        }),
        ("CreateCode", "code", |s| codes::normalise(s).is_some()),
    ];
    for (schema, field, server) in cases {
        let re = pattern(schema, field);
        for s in &samples {
            assert_eq!(
                re.is_match(s),
                server(s),
                "{schema}.{field}: {s:?} (the document and the server disagree)"
            );
        }
    }
}
