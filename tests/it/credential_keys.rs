//! Certificate signing keys over HTTP and the command line: the published key set, each key at
//! its own address, the issuer profile, a signed status list, rotation (published ahead, the
//! switch at `signs_from`, old signatures still verifying), the start-up check, and `benchside
//! keys generate|rotate|list`.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use benchside::config::Config;
use benchside::credentials::keys::{self, PublicJwk};
use benchside::credentials::{KeyRing, Urls, jose, status_list};
use serde_json::{Value, json};

use crate::cli::benchside;
use crate::harness::{TestApp, TestDb};
use crate::support::exec;

const PUBLIC: &str = "https://learn.example.org";

async fn app() -> TestApp {
    TestApp::builder()
        .without_signing_key()
        .var("BENCHSIDE_PUBLIC_URL", PUBLIC)
        .build()
        .await
}

fn urls() -> Urls {
    Urls::new(&url::Url::parse(PUBLIC).unwrap())
}

fn temp_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", uuid::Uuid::new_v4().simple()))
}

async fn generate(app: &TestApp) -> String {
    let mut conn = app.conn().await;
    keys::generate(&mut conn, &app.config.credentials, &urls())
        .await
        .unwrap()
}

async fn published(app: &TestApp) -> Vec<PublicJwk> {
    let res = app.get("/.well-known/jwks.json").await;
    assert_eq!(res.status, 200, "{}", res.text());
    serde_json::from_value(res.json()["keys"].clone()).unwrap()
}

fn credential() -> Value {
    json!({
        "id": "urn:uuid:00000000-0000-0000-0000-000000000001",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:uuid:00000000-0000-0000-0000-000000000002"},
    })
}

async fn sign(app: &TestApp, ring: &KeyRing) -> (String, String) {
    let mut conn = app.conn().await;
    let signer = ring.signer(&mut conn).await.unwrap();
    let token = signer.sign_credential(&urls(), &credential()).unwrap();
    (signer.kid().to_string(), token)
}

#[actix_web::test]
async fn the_generated_key_is_published_and_served_at_its_address() {
    let app = app().await;
    let kid = generate(&app).await;

    let res = app.get("/.well-known/jwks.json").await;
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
    let set = published(&app).await;
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].kid, urls().key(&kid));
    let v = serde_json::to_value(&set[0]).unwrap();
    assert_eq!(v["kty"], "RSA");
    assert_eq!(v["alg"], "RS256");
    assert_eq!(v["use"], "sig");
    assert!(v.get("d").is_none(), "a private part is published: {v}");

    let res = app.get(&format!("/api/v1/credentials/keys/{kid}")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), v);
    app.get("/api/v1/credentials/keys/k-20000101-000000")
        .await
        .assert_error(404, "key_not_found");
    app.get("/api/v1/credentials/keys/..%2F..%2Fetc")
        .await
        .assert_error(404, "key_not_found");

    // A second `generate` refuses; the first key stays the only one.
    let mut conn = app.conn().await;
    let again = keys::generate(&mut conn, &app.config.credentials, &urls()).await;
    assert!(again.unwrap_err().to_string().contains("already exists"));
    assert_eq!(published(&app).await.len(), 1);
}

#[actix_web::test]
async fn the_issuer_profile_and_a_signed_status_list_are_public() {
    let app = app().await;
    generate(&app).await;

    let res = app.get("/api/v1/credentials/issuer").await;
    assert_eq!(res.status, 200);
    let profile = res.json();
    assert_eq!(profile["id"], urls().issuer());
    assert_eq!(profile["type"], json!(["Profile"]));
    assert_eq!(profile["name"], "Benchside");
    assert_eq!(profile["url"], PUBLIC);

    let res = app.get("/api/v1/credentials/status/0").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.header("content-type"),
        Some("application/vc+ld+json+jwt")
    );
    assert_eq!(res.header("cache-control"), Some("public, max-age=60"));
    let claims = jose::verify(&res.text(), &published(&app).await).unwrap();
    assert_eq!(claims["iss"], urls().issuer());
    assert_eq!(claims["jti"], urls().status_list(0));
    assert_eq!(claims["type"][1], "BitstringStatusListCredential");
    let bits =
        status_list::decode(claims["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
    assert_eq!(bits.len() * 8, 131_072);
    assert!(bits.iter().all(|b| *b == 0));

    // No certificate points beyond list 0 yet.
    app.get("/api/v1/credentials/status/1")
        .await
        .assert_error(404, "status_list_not_found");
    app.get("/api/v1/credentials/status/-1")
        .await
        .assert_error(404, "status_list_not_found");
}

#[actix_web::test]
async fn rotation_publishes_ahead_and_switches_at_signs_from() {
    let app = app().await;
    let first = generate(&app).await;
    let ring = KeyRing::new(&app.config.credentials, urls());
    let (kid, old_token) = sign(&app, &ring).await;
    assert_eq!(kid, first);

    let mut conn = app.conn().await;
    let second = keys::rotate(&mut conn, &app.config.credentials, &urls())
        .await
        .unwrap();
    drop(conn);
    assert_ne!(second, first);
    // Published at once, both keys; the old one keeps signing during the lead time.
    let set = published(&app).await;
    let kids: Vec<_> = set.iter().map(|k| k.kid.clone()).collect();
    assert_eq!(kids, [urls().key(&first), urls().key(&second)]);
    assert_eq!(sign(&app, &ring).await.0, first);
    assert_eq!(
        app.get(&format!("/api/v1/credentials/keys/{second}"))
            .await
            .status,
        200
    );

    // Move time on: the new key's signs_from passes. The same ring (a running server)
    // switches without a restart.
    exec(
        &app,
        &format!(
            "UPDATE signing_keys SET created_at = now() - interval '2 hours', \
                 signs_from = now() - interval '2 hours' WHERE kid = '{first}';
             UPDATE signing_keys SET created_at = now() - interval '1 hour', \
                 signs_from = now() - interval '1 minute' WHERE kid = '{second}';"
        ),
    )
    .await;
    let (kid, new_token) = sign(&app, &ring).await;
    assert_eq!(kid, second);
    let header = jsonwebtoken::decode_header(&new_token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(urls().key(&second).as_str()));

    // What the old key signed still verifies against the published set, and so does the new.
    assert!(jose::verify(&old_token, &set).is_ok());
    assert!(jose::verify(&new_token, &set).is_ok());
    let only_new: Vec<_> = set
        .into_iter()
        .filter(|k| k.kid.ends_with(&second))
        .collect();
    assert!(jose::verify(&old_token, &only_new).is_err());

    // Without the new key's private file, the ring signs with the newest key it holds.
    std::fs::remove_file(app.config.credentials.key_dir.join(format!("{second}.pem"))).unwrap();
    let fresh = KeyRing::new(&app.config.credentials, urls());
    assert_eq!(sign(&app, &fresh).await.0, first);
}

#[actix_web::test]
async fn signing_without_any_usable_key_is_an_internal_error() {
    let app = app().await;
    let ring = KeyRing::new(&app.config.credentials, urls());
    let mut conn = app.conn().await;
    let err = ring.signer(&mut conn).await.err().unwrap();
    assert_eq!(err.status(), 500);
    drop(conn);
    // The route that signs answers with the envelope, not the cause.
    let res = app.get("/api/v1/credentials/status/0").await;
    let e = res.assert_error(500, "internal_error");
    assert!(!e.to_string().contains("signing-keys"), "{e}");
}

fn production(db_url: &str, key_dir: &std::path::Path) -> Config {
    let dir = key_dir.to_string_lossy().into_owned();
    let vars = [
        ("BENCHSIDE_ENV", "production"),
        ("DATABASE_URL", db_url),
        ("BENCHSIDE_PUBLIC_URL", PUBLIC),
        (
            "BENCHSIDE_JWT_SECRET",
            "test-secret-test-secret-test-secret-0001",
        ),
        ("BENCHSIDE_SMTP_URL", "smtp://127.0.0.1:2525"),
        ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
        ("BENCHSIDE_SIGNING_KEY_DIR", dir.as_str()),
        ("BENCHSIDE_DATA_DIR", dir.as_str()),
    ];
    Config::from_vars(
        vars.into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
    .unwrap_or_else(|e| panic!("production test configuration: {e}"))
}

#[actix_web::test]
async fn production_refuses_to_start_without_a_usable_key_and_development_makes_one() {
    let db = TestDb::migrated().await;
    let key_dir = temp_dir("prod-keys");
    let config = production(&db.url, &key_dir);
    let mut conn = db.conn().await;

    let err = keys::ensure_ready(&mut conn, &config).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("BENCHSIDE_SIGNING_KEY_DIR"), "{msg}");
    assert!(msg.contains("benchside keys generate"), "{msg}");
    assert!(
        keys::list(&mut conn, &config.credentials)
            .await
            .unwrap()
            .is_empty()
    );

    keys::generate(&mut conn, &config.credentials, &urls())
        .await
        .unwrap();
    keys::ensure_ready(&mut conn, &config).await.unwrap();

    // Another machine whose folder lacks the private file refuses too.
    let elsewhere = production(&db.url, &temp_dir("other-keys"));
    assert!(keys::ensure_ready(&mut conn, &elsewhere).await.is_err());
    // A scheduled key whose file is here is enough.
    keys::rotate(&mut conn, &elsewhere.credentials, &urls())
        .await
        .unwrap();
    keys::ensure_ready(&mut conn, &elsewhere).await.unwrap();

    // Development with no key at all makes one in its folder.
    let dev_db = TestDb::migrated().await;
    let dev = Config::from_vars(
        [
            ("DATABASE_URL".to_string(), dev_db.url.clone()),
            (
                "BENCHSIDE_DATA_DIR".to_string(),
                temp_dir("dev-data").to_string_lossy().into_owned(),
            ),
        ]
        .into_iter()
        .collect(),
    )
    .unwrap();
    let mut dev_conn = dev_db.conn().await;
    keys::ensure_ready(&mut dev_conn, &dev).await.unwrap();
    let made = keys::list(&mut dev_conn, &dev.credentials).await.unwrap();
    assert_eq!(made.len(), 1);
    assert!(made[0].private_here && made[0].state == keys::KeyState::Current);
    assert!(dev.credentials.key_dir.starts_with(&dev.data_dir));
    keys::ensure_ready(&mut dev_conn, &dev).await.unwrap();
    assert_eq!(
        keys::list(&mut dev_conn, &dev.credentials)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn the_keys_commands_generate_rotate_and_list() {
    let db = TestDb::migrated().await;
    let dir = temp_dir("cli-keys");
    let run = |args: &[&str], dir: &PathBuf| {
        let out = benchside(args)
            .env("DATABASE_URL", &db.url)
            .env("BENCHSIDE_SIGNING_KEY_DIR", dir)
            .env("BENCHSIDE_PUBLIC_URL", PUBLIC)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), stdout, stderr)
    };

    let (ok, out, err) = run(&["keys", "generate"], &dir);
    assert!(ok, "{out}{err}");
    let first = out
        .split_whitespace()
        .find(|w| w.starts_with("k-"))
        .map(|w| w.trim_end_matches(':').to_string())
        .unwrap_or_else(|| panic!("no kid in {out}"));
    assert!(keys::is_kid(&first), "{first}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(format!("{first}.pem"))), 0o600);

    let (ok, _, err) = run(&["keys", "generate"], &dir);
    assert!(!ok && err.contains("already exists"), "{err}");

    let (ok, out, err) = run(&["keys", "rotate"], &dir);
    assert!(ok && out.contains("signs in 10 minute(s)"), "{out}{err}");

    let (ok, out, _) = run(&["keys", "list"], &dir);
    assert!(ok, "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("k-")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(
        rows[0].starts_with(&first) && rows[0].contains("current"),
        "{out}"
    );
    assert!(
        rows[1].contains("scheduled") && rows[1].ends_with("yes"),
        "{out}"
    );

    // Another machine's folder holds neither private key.
    let (ok, out, _) = run(&["keys", "list"], &temp_dir("empty-keys"));
    assert!(ok, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with(" no")).count(),
        2,
        "{out}"
    );
}

/// A certificate row for `enrolment` at `position`, revoked or not (the issuing path is not
/// what these tests are about).
async fn certificate(app: &TestApp, enrolment: &str, kid: &str, position: i64, revoked: bool) {
    let code: String = benchside::credentials::Code::generate().as_str().into();
    let (at, reason) = match revoked {
        true => ("now()", "'issued in error'"),
        false => ("NULL", "NULL"),
    };
    exec(
        app,
        &format!(
            "INSERT INTO certificates (code, enrolment_id, user_id, holder_name, course_id, \
                 course_slug, course_title, course_version, completed_at, contact_hours, \
                 status_position, kid, credential_jwt, revoked_at, revoked_reason)
             SELECT '{code}', e.id, e.user_id, 'Ana', e.course_id, c.slug, c.title, \
                 e.course_version, now(), 10, {position}, '{kid}', 'x.y.z', {at}, {reason}
             FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.id = '{enrolment}'"
        ),
    )
    .await;
}

#[actix_web::test]
async fn a_revoked_certificate_is_a_set_bit_in_its_list() {
    use crate::support::{FixtureCourse, enrolment, learner};
    let app = app().await;
    let kid = generate(&app).await;
    let ana = learner(&app).email("ana@example.org").await;
    let bo = learner(&app).email("bo@example.org").await;
    let first = enrolment(&app, &ana, FixtureCourse::DEMO.without_externship()).await;
    let second = enrolment(&app, &bo, FixtureCourse::DEMO.without_externship()).await;
    // One live certificate in list 0, one revoked in list 1.
    certificate(&app, &first, &kid, 7, false).await;
    certificate(&app, &second, &kid, 131_072 + 7, true).await;

    let keys = published(&app).await;
    let bits_of = |list: i64| {
        let app = &app;
        let keys = &keys;
        async move {
            let res = app.get(&format!("/api/v1/credentials/status/{list}")).await;
            assert_eq!(res.status, 200, "{}", res.text());
            let claims = jose::verify(&res.text(), keys).unwrap();
            let encoded = claims["credentialSubject"]["encodedList"].as_str().unwrap();
            status_list::decode(encoded).unwrap()
        }
    };
    let index = status_list::slot(7).index;
    assert_eq!(status_list::slot(131_072 + 7).index, index);
    let list0 = bits_of(0).await;
    assert!(list0.iter().all(|b| *b == 0));
    let list1 = bits_of(1).await;
    assert!(status_list::is_set(&list1, index));
    assert_eq!(list1.iter().map(|b| b.count_ones()).sum::<u32>(), 1);
    app.get("/api/v1/credentials/status/2")
        .await
        .assert_error(404, "status_list_not_found");
}
