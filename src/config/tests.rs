//! The configuration's rules, variable by variable.

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
fn certificate_settings_have_defaults_and_production_needs_a_key_folder() {
    let dev = Config::from_vars(vars(&[("BENCHSIDE_DATA_DIR", "/srv/bs")])).unwrap();
    assert_eq!(dev.credentials.provider_name, "Benchside");
    assert_eq!(
        dev.credentials.key_dir,
        PathBuf::from("/srv/bs/signing-keys")
    );
    assert_eq!(dev.credentials.key_lead, Duration::from_secs(600));
    let set = Config::from_vars(vars(&[
        ("BENCHSIDE_PROVIDER_NAME", "  Springfield Allied Health "),
        ("BENCHSIDE_SIGNING_KEY_LEAD_MINUTES", "0"),
    ]))
    .unwrap();
    assert_eq!(set.credentials.provider_name, "Springfield Allied Health");
    assert_eq!(set.credentials.key_lead, Duration::ZERO);
    for (var, value) in [
        ("BENCHSIDE_SIGNING_KEY_LEAD_MINUTES", "1441"),
        ("BENCHSIDE_SIGNING_KEY_LEAD_MINUTES", "-1"),
        ("BENCHSIDE_PROVIDER_NAME", "Bench\u{7}side"),
    ] {
        let err = Config::from_vars(vars(&[(var, value)])).unwrap_err();
        assert_eq!(err.0[0].var, var, "{value:?}");
    }
    let prod = Config::from_vars(vars(&[
        ("BENCHSIDE_ENV", "production"),
        ("BENCHSIDE_PUBLIC_URL", "https://learn.example.org"),
        ("DATABASE_URL", "postgres://app@db/benchside"),
        ("BENCHSIDE_JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
        ("BENCHSIDE_SMTP_URL", "smtps://app:pw@smtp.example.org"),
        ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
    ]))
    .unwrap_err();
    let names: Vec<_> = prod.0.iter().map(|e| e.var).collect();
    assert_eq!(names, ["BENCHSIDE_SIGNING_KEY_DIR"]);
}

#[test]
fn production_refuses_the_private_cluster_and_plain_http() {
    let err = Config::from_vars(vars(&[
        ("BENCHSIDE_ENV", "production"),
        ("BENCHSIDE_PUBLIC_URL", "http://example.org"),
    ]))
    .unwrap_err();
    let names: Vec<_> = err.0.iter().map(|e| e.var).collect();
    assert!(
        names.starts_with(&[
            "BENCHSIDE_JWT_SECRET",
            "DATABASE_URL",
            "BENCHSIDE_PUBLIC_URL"
        ]),
        "{names:?}"
    );

    let ok = Config::from_vars(vars(&[
        ("BENCHSIDE_ENV", "production"),
        ("BENCHSIDE_PUBLIC_URL", "https://learn.example.org"),
        ("DATABASE_URL", "postgres://app@db/benchside"),
        ("BENCHSIDE_JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
        ("BENCHSIDE_SMTP_URL", "smtps://app:pw@smtp.example.org"),
        ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
        (
            "BENCHSIDE_SIGNING_KEY_DIR",
            "/var/lib/benchside/signing-keys",
        ),
    ]))
    .unwrap();
    assert_eq!(ok.env, Environment::Production);
    assert_eq!(
        ok.log_format,
        LogFormat::Json,
        "production logs JSON lines by default"
    );
    assert!(
        !format!("{ok:?}").contains("0123456789abcdef"),
        "secrets are not printed"
    );
}

#[test]
fn mail_defaults_to_files_in_development_and_smtp_when_a_url_is_given() {
    let c = Config::from_vars(vars(&[("BENCHSIDE_DATA_DIR", "/srv/bench")])).unwrap();
    assert_eq!(c.mail.transport, MailTransportKind::File);
    assert_eq!(c.mail.smtp_url, None);
    assert_eq!(c.mail.dir, PathBuf::from("/srv/bench/mail"));
    assert_eq!(c.mail.from.to_string(), "Benchside <no-reply@localhost>");
    assert!(c.jobs.worker);
    assert_eq!(c.jobs.poll_interval, Duration::from_secs(1));
    assert_eq!(c.mail.max_attempts, 12);
    assert_eq!(c.mail.retry_base, Duration::from_secs(10));
    assert_eq!(c.mail.smtp_timeout, Duration::from_secs(10));

    for url in [
        "smtp://127.0.0.1:2525",
        "smtp://relay.internal",
        "smtps://user:p%40ss@smtp.example.org:465",
        "smtp://user:pass@smtp.example.org:587?tls=required",
        "smtp://smtp.example.org?tls=opportunistic",
    ] {
        let c = Config::from_vars(vars(&[("BENCHSIDE_SMTP_URL", url)]))
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(c.mail.transport, MailTransportKind::Smtp, "{url}");
        assert_eq!(
            c.mail.smtp_url.unwrap().as_str(),
            Url::parse(url).unwrap().as_str()
        );
    }

    // A URL can stay configured while development writes files.
    let c = Config::from_vars(vars(&[
        ("BENCHSIDE_SMTP_URL", "smtp://127.0.0.1:2525"),
        ("BENCHSIDE_MAIL_TRANSPORT", "file"),
        (
            "BENCHSIDE_MAIL_FROM",
            "  Course Office <office@learn.example.org> ",
        ),
        ("BENCHSIDE_MAIL_POLL_MS", "50"),
        ("BENCHSIDE_MAIL_MAX_ATTEMPTS", "3"),
        ("BENCHSIDE_MAIL_RETRY_BASE_MS", "20"),
        ("BENCHSIDE_MAIL_WORKER", "false"),
    ]))
    .unwrap();
    assert_eq!(c.mail.transport, MailTransportKind::File);
    assert_eq!(c.mail.from.email.to_string(), "office@learn.example.org");
    assert_eq!(c.mail.from.name.as_deref(), Some("Course Office"));
    assert_eq!(c.jobs.poll_interval, Duration::from_millis(50));
    assert_eq!(c.mail.max_attempts, 3);
    assert_eq!(c.mail.retry_base, Duration::from_millis(20));
    assert!(!c.jobs.worker, "the former mail-only names still work");
}

#[test]
fn the_job_runner_settings_take_their_own_names_first() {
    let c = Config::from_vars(vars(&[
        ("BENCHSIDE_JOBS_WORKER", "off"),
        ("BENCHSIDE_JOBS_POLL_MS", "250"),
        ("BENCHSIDE_MAIL_WORKER", "on"),
        ("BENCHSIDE_MAIL_POLL_MS", "50"),
    ]))
    .unwrap();
    assert!(!c.jobs.worker);
    assert_eq!(c.jobs.poll_interval, Duration::from_millis(250));
    // Only the former name set: it counts.
    let c = Config::from_vars(vars(&[("BENCHSIDE_MAIL_POLL_MS", "75")])).unwrap();
    assert!(c.jobs.worker);
    assert_eq!(c.jobs.poll_interval, Duration::from_millis(75));
}

#[test]
fn bad_mail_settings_are_reported_by_name() {
    // (variables given, variable reported, part of the message)
    type Case = (
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            &[("BENCHSIDE_SMTP_URL", "http://mail.example.org")],
            "BENCHSIDE_SMTP_URL",
            "must start with smtp://",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "mail.example.org:25")],
            "BENCHSIDE_SMTP_URL",
            "must",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "smtp://host?tls=always")],
            "BENCHSIDE_SMTP_URL",
            "`tls` must be",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "smtp://u:secret@host?tls=no")],
            "BENCHSIDE_SMTP_URL",
            "u:********@host",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "smtp//u:secret@host")],
            "BENCHSIDE_SMTP_URL",
            "hidden",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "smtps://host?tls=required")],
            "BENCHSIDE_SMTP_URL",
            "always TLS",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "smtp://host?pool=5")],
            "BENCHSIDE_SMTP_URL",
            "unknown query parameter `pool`",
        ),
        (
            &[("BENCHSIDE_SMTP_URL", "smtp://user@host")],
            "BENCHSIDE_SMTP_URL",
            "both a user and a password",
        ),
        (
            &[("BENCHSIDE_MAIL_TRANSPORT", "sendmail")],
            "BENCHSIDE_MAIL_TRANSPORT",
            "must be `smtp` or `file`",
        ),
        (
            &[("BENCHSIDE_MAIL_TRANSPORT", "smtp")],
            "BENCHSIDE_SMTP_URL",
            "is required when BENCHSIDE_MAIL_TRANSPORT is `smtp`",
        ),
        (
            &[("BENCHSIDE_MAIL_FROM", "Benchside")],
            "BENCHSIDE_MAIL_FROM",
            "must be an address",
        ),
        (
            &[("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@>")],
            "BENCHSIDE_MAIL_FROM",
            "must be an address",
        ),
        (
            &[("BENCHSIDE_MAIL_FROM", "a@b.org, c@d.org")],
            "BENCHSIDE_MAIL_FROM",
            "must be an address",
        ),
        (
            &[("BENCHSIDE_MAIL_MAX_ATTEMPTS", "0")],
            "BENCHSIDE_MAIL_MAX_ATTEMPTS",
            "from 1 to 100",
        ),
        (
            &[("BENCHSIDE_MAIL_POLL_MS", "0")],
            "BENCHSIDE_MAIL_POLL_MS",
            "milliseconds",
        ),
        (
            &[("BENCHSIDE_MAIL_RETRY_BASE_MS", "soon")],
            "BENCHSIDE_MAIL_RETRY_BASE_MS",
            "milliseconds",
        ),
        (
            &[("BENCHSIDE_SMTP_TIMEOUT_MS", "-1")],
            "BENCHSIDE_SMTP_TIMEOUT_MS",
            "milliseconds",
        ),
        (
            &[("BENCHSIDE_MAIL_WORKER", "sometimes")],
            "BENCHSIDE_MAIL_WORKER",
            "true or false",
        ),
        (
            &[("BENCHSIDE_JOBS_WORKER", "sometimes")],
            "BENCHSIDE_JOBS_WORKER",
            "true or false",
        ),
        (
            &[("BENCHSIDE_JOBS_POLL_MS", "often")],
            "BENCHSIDE_JOBS_POLL_MS",
            "milliseconds",
        ),
    ];
    for (given, var, message) in cases {
        let err = Config::from_vars(vars(given)).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(
            err.0
                .iter()
                .any(|e| e.var == *var && e.message.contains(message)),
            "{given:?}: expected {var} ({message}) in {err}"
        );
    }
}

#[test]
fn production_refuses_mail_to_files_and_requires_a_relay_and_a_sender() {
    let base = [
        ("BENCHSIDE_ENV", "production"),
        ("BENCHSIDE_PUBLIC_URL", "https://learn.example.org"),
        ("DATABASE_URL", "postgres://app@db/benchside"),
        ("BENCHSIDE_JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
        (
            "BENCHSIDE_SIGNING_KEY_DIR",
            "/var/lib/benchside/signing-keys",
        ),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut all = base.to_vec();
        all.extend_from_slice(extra);
        Config::from_vars(vars(&all))
    };
    let messages = |e: ConfigErrors| -> Vec<String> { e.0.iter().map(|e| e.to_string()).collect() };

    let err = messages(with(&[]).unwrap_err());
    assert_eq!(err.len(), 2, "{err:?}");
    assert!(
        err[0].starts_with("BENCHSIDE_SMTP_URL: is required in production"),
        "{err:?}"
    );
    assert!(
        err[1].starts_with("BENCHSIDE_MAIL_FROM: is required in production"),
        "{err:?}"
    );

    let err = messages(
        with(&[
            ("BENCHSIDE_SMTP_URL", "smtp://relay:25"),
            ("BENCHSIDE_MAIL_TRANSPORT", "file"),
            ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
        ])
        .unwrap_err(),
    );
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with("BENCHSIDE_MAIL_TRANSPORT: `file` is refused in production"),
        "{err:?}"
    );

    for url in [
        "smtp://app:secret@relay.example.org:587",
        "smtp://app:secret@relay.example.org:587?tls=opportunistic",
    ] {
        let err = with(&[
            ("BENCHSIDE_SMTP_URL", url),
            ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
        ])
        .unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert_eq!(err.0[0].var, "BENCHSIDE_SMTP_URL");
        assert!(err.0[0].message.contains("without TLS"), "{err}");
    }
    for url in [
        "smtps://app:secret@relay.example.org",
        "smtp://app:secret@relay.example.org:587?tls=required",
    ] {
        with(&[
            ("BENCHSIDE_SMTP_URL", url),
            ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
        ])
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    let ok = with(&[
        ("BENCHSIDE_SMTP_URL", "smtp://relay:25"),
        ("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>"),
    ])
    .unwrap();
    assert_eq!(ok.mail.transport, MailTransportKind::Smtp);
}

#[test]
fn the_metrics_token_is_optional_long_and_never_printed() {
    let c = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(c.metrics_token, None);
    let err = Config::from_vars(vars(&[("BENCHSIDE_METRICS_TOKEN", "short")])).unwrap_err();
    assert_eq!(err.0[0].var, "BENCHSIDE_METRICS_TOKEN");
    let token = "scrape-0123456789abcdef0123456789abcdef";
    let c = Config::from_vars(vars(&[("BENCHSIDE_METRICS_TOKEN", token)])).unwrap();
    assert_eq!(c.metrics_token, Some(Secret(token.as_bytes().to_vec())));
    assert!(!format!("{c:?}").contains(token));
}
