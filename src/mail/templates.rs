//! The mails Benchside sends: a subject, a plain-text part and an HTML part, written for adult
//! learners in allied-health training.
//!
//! Every constructor builds one [`Body`] and renders it twice, so the two parts always say the
//! same thing. Interpolated values are HTML-escaped in the HTML part; links are built from
//! `public_url` with proper path joining and an encoded `token` query parameter.

use url::Url;

/// A mail ready to enqueue ([`crate::mail::enqueue`]) or send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// The recipient's address.
    pub to: String,
    /// The recipient's name for the `To` header, when known.
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Which template made it (stored in the outbox), e.g. `verify_email`.
    pub kind: &'static str,
}

/// Mail asking a new account holder to confirm their address.
/// Link: `{public_url}/verify-email?token=...`.
pub fn verify_email(public_url: &Url, to: &str, name: &str, token: &str) -> RenderedMail {
    let link = link(public_url, "verify-email", Some(token));
    Body {
        greeting: greeting(name),
        before: vec![
            "Welcome to Benchside. Please confirm your email address so that we can send you \
             updates about your courses, your externship and your certificate."
                .into(),
        ],
        action: Some(Action {
            label: "Confirm my email address",
            url: link,
        }),
        after: vec![
            "If you did not create a Benchside account, you can ignore this email and nothing \
             will happen."
                .into(),
        ],
    }
    .render(
        to,
        name,
        "Confirm your email address for Benchside",
        "verify_email",
    )
}

/// Mail to a NEW address that an account holder wants to switch to.
/// Link: `{public_url}/verify-email?token=...`.
pub fn email_change(public_url: &Url, to: &str, name: &str, token: &str) -> RenderedMail {
    let link = link(public_url, "verify-email", Some(token));
    Body {
        greeting: greeting(name),
        before: vec![
            "You asked to use this email address for your Benchside account. To confirm the \
             change, open the link below."
                .into(),
        ],
        action: Some(Action {
            label: "Confirm my new email address",
            url: link,
        }),
        after: vec![
            "Until you confirm, we keep using your current address. If you did not ask for this \
             change, you can ignore this email and nothing will change."
                .into(),
        ],
    }
    .render(to, name, "Confirm your new email address", "email_change")
}

/// Notice to the account's current address that a change to `new_address` was asked for, with
/// a single-use link that cancels it. Link: `{public_url}/cancel-email-change?token=...`.
pub fn email_change_notice(
    public_url: &Url,
    to: &str,
    name: &str,
    new_address: &str,
    token: &str,
) -> RenderedMail {
    let link = link(public_url, "cancel-email-change", Some(token));
    Body {
        greeting: greeting(name),
        before: vec![
            format!(
                "Someone signed in to your Benchside account asked to move it to the address \
                 {new_address}. The change takes effect only once it is confirmed from that \
                 inbox, within 24 hours."
            ),
            "If that was you, there is nothing more to do. If it was not you, cancel the change \
             with the link below, then reset your password: that ends every session."
                .into(),
        ],
        action: Some(Action {
            label: "Cancel this change",
            url: link,
        }),
        after: vec!["The link works once.".into()],
    }
    .render(
        to,
        name,
        "Your Benchside email address is about to change",
        "email_change_notice",
    )
}

/// Mail with a password reset link that expires in one hour.
/// Link: `{public_url}/reset-password?token=...`.
pub fn password_reset(public_url: &Url, to: &str, name: &str, token: &str) -> RenderedMail {
    let link = link(public_url, "reset-password", Some(token));
    Body {
        greeting: greeting(name),
        before: vec![
            "We received a request to reset the password for your Benchside account. To choose \
             a new password, open the link below."
                .into(),
        ],
        action: Some(Action {
            label: "Choose a new password",
            url: link,
        }),
        after: vec![
            "The link expires in one hour and can be used once.".into(),
            "If you did not ask for a new password, you can ignore this email; your password \
             stays the same."
                .into(),
        ],
    }
    .render(to, name, "Reset your Benchside password", "password_reset")
}

/// An invitation to an account made for the recipient by a bulk enrolment: a link to
/// `{public_url}/invitation?token=...` where they choose a password and start `course_title`.
pub fn invitation(
    public_url: &Url,
    to: &str,
    name: &str,
    course_title: &str,
    token: &str,
) -> RenderedMail {
    let link = link(public_url, "invitation", Some(token));
    Body {
        greeting: greeting(name),
        before: vec![
            format!(
                "Your training program has enrolled you in {course_title} on Benchside, and made                  an account for you with this email address."
            ),
            "To start, open the link below and choose a password for your account.".into(),
        ],
        action: Some(Action {
            label: "Choose a password and start",
            url: link,
        }),
        after: vec![
            "The link works once and expires in 14 days. After that, use \"Forgot your \
             password?\" on the sign-in page with this address to choose one."
                .into(),
            "If you were not expecting this, let your program coordinator know.".into(),
        ],
    }
    .render(
        to,
        name,
        &format!("You are invited to {course_title} on Benchside"),
        "invitation",
    )
}

/// Notice that the password was changed, with a link to `{public_url}/forgot-password` in
/// case it was not them.
pub fn password_changed(public_url: &Url, to: &str, name: &str) -> RenderedMail {
    let link = link(public_url, "forgot-password", None);
    Body {
        greeting: greeting(name),
        before: vec![
            "The password for your Benchside account was just changed. If that was you, there \
             is nothing more to do."
                .into(),
            "If it was not you, reset your password straight away and let your program \
             coordinator know."
                .into(),
        ],
        action: Some(Action {
            label: "Reset my password",
            url: link,
        }),
        after: vec![],
    }
    .render(
        to,
        name,
        "Your Benchside password was changed",
        "password_changed",
    )
}

/// Confirmation that a learner is enrolled in a course, with a link to
/// `{public_url}/courses/{slug}`.
pub fn enrolment_confirmed(
    public_url: &Url,
    to: &str,
    name: &str,
    course_title: &str,
    course_slug: &str,
) -> RenderedMail {
    let mut url = link(public_url, "courses", None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(course_slug);
    }
    Body {
        greeting: greeting(name),
        before: vec![
            format!("You are enrolled in {course_title}. Welcome aboard."),
            "Work through the lessons at your own pace; Benchside remembers where you stopped, \
             so you can pick up from the same place on any device."
                .into(),
        ],
        action: Some(Action {
            label: "Start the course",
            url,
        }),
        after: vec![
            "If you did not enrol in this course, let your program coordinator know.".into(),
        ],
    }
    .render(
        to,
        name,
        &format!("You are enrolled in {course_title}"),
        "enrolment_confirmed",
    )
}

/// Congratulations on completing a course, with a link to the enrolment's progress page
/// `{public_url}/learn/{enrolment}`. Sent by the `enrolment.completed` job.
pub fn course_completed(
    public_url: &Url,
    to: &str,
    name: &str,
    course_title: &str,
    enrolment: uuid::Uuid,
) -> RenderedMail {
    let mut url = link(public_url, "learn", None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(&enrolment.to_string());
    }
    Body {
        greeting: greeting(name),
        before: vec![
            format!("You have met every requirement of {course_title}. Congratulations!"),
            "Your record of completion is kept in your Benchside account, and your program \
             coordinator can see it too."
                .into(),
        ],
        action: Some(Action {
            label: "See your completed course",
            url,
        }),
        after: vec![
            "If something in your record looks wrong, let your program coordinator know.".into(),
        ],
    }
    .render(
        to,
        name,
        &format!("You completed {course_title}"),
        "course_completed",
    )
}

/// What an attestation mail is about: the learner, the course, the site and the link.
#[derive(Debug, Clone, Copy)]
pub struct AttestationMail<'a> {
    pub supervisor_name: &'a str,
    pub supervisor_email: &'a str,
    pub learner_name: &'a str,
    pub course_title: &'a str,
    pub site_name: &'a str,
    pub entry_count: i32,
    pub token: &'a str,
    /// When the link stops working, as people read it (`14 December 2026`).
    pub expires_on: &'a str,
}

/// The body both attestation mails share (the caller adds the link).
fn attestation_body(m: &AttestationMail<'_>, first: String) -> Body {
    Body {
        greeting: greeting(m.supervisor_name),
        before: vec![
            first,
            format!(
                "{} asks you to confirm {} {} from their clinical externship for {}: open the \
                 link to see each one, attest what you supervised, reject anything that is not \
                 right with a reason, and rate the competencies you observed. You do not need an \
                 account.",
                m.learner_name,
                m.entry_count,
                if m.entry_count == 1 {
                    "entry"
                } else {
                    "entries"
                },
                m.course_title
            ),
        ],
        action: None,
        after: vec![
            format!(
                "The link works once, until {}. Opening it changes nothing: only your decision \
                 on the page does.",
                m.expires_on
            ),
            "If you do not supervise this learner, ignore this email and let the training \
             program know."
                .into(),
        ],
    }
}

/// Mail to a site supervisor asking them to attest a learner's logged entries.
/// Link: `{public_url}/attest?token=...`.
pub fn attestation_request(public_url: &Url, m: &AttestationMail<'_>) -> RenderedMail {
    let mut body = attestation_body(
        m,
        format!(
            "{} logged time or collections at {} with you as their supervisor.",
            m.learner_name, m.site_name
        ),
    );
    body.action = Some(Action {
        label: "Review and attest",
        url: link(public_url, "attest", Some(m.token)),
    });
    body.render(
        m.supervisor_email,
        m.supervisor_name,
        &format!("Please attest {}'s externship log", short(m.learner_name)),
        "attestation_request",
    )
}

/// A reminder to a supervisor who has not answered yet, with a fresh link (the first one
/// stops working). Link: `{public_url}/attest?token=...`.
pub fn attestation_reminder(public_url: &Url, m: &AttestationMail<'_>) -> RenderedMail {
    let mut body = attestation_body(
        m,
        "A reminder: this request is still waiting for you. This email carries a new link; the \
         one in the first email no longer works."
            .into(),
    );
    body.action = Some(Action {
        label: "Review and attest",
        url: link(public_url, "attest", Some(m.token)),
    });
    body.render(
        m.supervisor_email,
        m.supervisor_name,
        &format!(
            "Reminder: please attest {}'s externship log",
            short(m.learner_name)
        ),
        "attestation_reminder",
    )
}

/// Tells a learner what their supervisor decided, with a link to
/// `{public_url}/learn/{enrolment}/externship`.
pub fn attestation_decided(
    public_url: &Url,
    to: &str,
    name: &str,
    supervisor: &str,
    attested: usize,
    rejected: usize,
    enrolment: uuid::Uuid,
) -> RenderedMail {
    let mut url = link(public_url, "learn", None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(&enrolment.to_string()).push("externship");
    }
    let mut before = vec![format!(
        "{supervisor} attested {attested} of your externship {}.",
        if attested == 1 { "entry" } else { "entries" }
    )];
    if rejected > 0 {
        before.push(format!(
            "{rejected} {} rejected with a reason: open your log to read it and send a \
             correction.",
            if rejected == 1 { "was" } else { "were" }
        ));
    }
    Body {
        greeting: greeting(name),
        before,
        action: Some(Action {
            label: "Open my externship log",
            url,
        }),
        after: vec!["Attested entries now wait for your program's approval.".into()],
    }
    .render(to, name, "Your supervisor answered", "attestation_decided")
}

/// At most 40 characters of a name for a subject line.
fn short(name: &str) -> String {
    let name = clean_name(name);
    if name.chars().count() > 40 {
        name.chars().take(39).chain(['…']).collect()
    } else {
        name
    }
}

/// A test message for `benchside mail send-test`.
pub fn test_message(public_url: &Url, to: &str) -> RenderedMail {
    Body {
        greeting: greeting(""),
        before: vec![
            format!(
                "This is a test message from Benchside at {public_url}. If you are reading it, \
                 outgoing mail works."
            ),
            "You do not need to do anything.".into(),
        ],
        action: None,
        after: vec![],
    }
    .render(to, "", "Benchside test message", "test")
}

/// `{public_url}/{page}`, with `?token=...` (form-encoded) when a token is given. Any path
/// in `public_url` is kept: `https://example.org/learn` gives `https://example.org/learn/page`.
pub fn link(public_url: &Url, page: &str, token: Option<&str>) -> Url {
    let mut url = public_url.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(page);
    }
    if let Some(token) = token {
        url.query_pairs_mut().append_pair("token", token);
    }
    url
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A display name safe for a header and a greeting: control characters become spaces, runs of
/// white space collapse, and it is cut to 200 characters.
fn clean_name(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

/// "Hello {name}," (or "Hello," for an empty name), for templates other modules compose.
pub fn greeting(name: &str) -> String {
    let name = clean_name(name);
    if name.is_empty() {
        "Hello,".into()
    } else {
        format!("Hello {name},")
    }
}

/// A mail's one button (and, in the text part, its link).
pub struct Action {
    pub label: &'static str,
    pub url: Url,
}

/// The content of a mail, rendered to both parts. All strings are plain text. Features with
/// mails of their own (credentials) compose one and call [`Body::render`].
pub struct Body {
    pub greeting: String,
    pub before: Vec<String>,
    pub action: Option<Action>,
    pub after: Vec<String>,
}

const SIGN_OFF: &str = "The Benchside team";

impl Body {
    /// Both parts, addressed to `to` (named `name`), with `kind` recorded in the outbox.
    pub fn render(self, to: &str, name: &str, subject: &str, kind: &'static str) -> RenderedMail {
        let name = clean_name(name);
        RenderedMail {
            to: to.trim().to_string(),
            to_name: (!name.is_empty()).then_some(name),
            subject: subject.to_string(),
            text: self.text(),
            html: self.html(subject),
            kind,
        }
    }

    fn text(&self) -> String {
        let mut blocks = vec![self.greeting.clone()];
        blocks.extend(self.before.iter().cloned());
        if let Some(a) = &self.action {
            blocks.push(format!("{}:\n{}", a.label, a.url));
        }
        blocks.extend(self.after.iter().cloned());
        blocks.push(SIGN_OFF.into());
        let mut text = blocks.join("\n\n");
        text.push('\n');
        text
    }

    fn html(&self, subject: &str) -> String {
        let p = |s: &str| format!("<p style=\"margin:0 0 16px\">{}</p>\n", escape_html(s));
        let mut body = p(&self.greeting);
        for s in &self.before {
            body.push_str(&p(s));
        }
        if let Some(a) = &self.action {
            let href = escape_html(a.url.as_str());
            body.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{href}\" style=\"background:#0b5cad;\
                 color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;\
                 display:inline-block;font-weight:bold\">{label}</a></p>\n\
                 <p style=\"margin:0 0 16px;font-size:14px;color:#444444\">If the button does \
                 not work, copy this address into your browser:<br>\n\
                 <a href=\"{href}\" style=\"color:#0b5cad;word-break:break-all\">{href}</a></p>\n",
                label = escape_html(a.label),
            ));
        }
        for s in &self.after {
            body.push_str(&p(s));
        }
        body.push_str(&p(SIGN_OFF));
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n</head>\n\
             <body style=\"margin:0;padding:24px;background:#ffffff;color:#1a1a1a;\
             font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5\">\n\
             <div style=\"max-width:560px;margin:0 auto\">\n{body}</div>\n</body>\n</html>\n",
            title = escape_html(subject),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://learn.example.org").unwrap()
    }

    fn attestation_mail() -> AttestationMail<'static> {
        AttestationMail {
            supervisor_name: "Ana",
            supervisor_email: "ana@example.org",
            learner_name: "Sam Lee",
            course_title: "Phlebotomy",
            site_name: "General Hospital",
            entry_count: 3,
            token: "tok4",
            expires_on: "15 December 2026",
        }
    }

    #[test]
    fn links_join_the_public_url_and_encode_the_token() {
        assert_eq!(
            link(&base(), "verify-email", Some("abc")).as_str(),
            "https://learn.example.org/verify-email?token=abc"
        );
        // A base path is kept, with or without its trailing slash.
        for b in ["https://example.org/learn", "https://example.org/learn/"] {
            let b = Url::parse(b).unwrap();
            assert_eq!(
                link(&b, "reset-password", Some("t")).as_str(),
                "https://example.org/learn/reset-password?token=t"
            );
        }
        // Reserved characters in a token cannot change the query.
        let url = link(&base(), "reset-password", Some("a&b=c d+/é#x"));
        assert_eq!(
            url.as_str(),
            "https://learn.example.org/reset-password?token=a%26b%3Dc+d%2B%2F%C3%A9%23x"
        );
        let pairs: Vec<_> = url.query_pairs().collect();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].1, "a&b=c d+/é#x");
        assert_eq!(
            link(&base(), "forgot-password", None).as_str(),
            "https://learn.example.org/forgot-password"
        );
    }

    #[test]
    fn every_template_has_both_parts_the_link_and_its_kind() {
        let b = base();
        let cases = [
            (
                verify_email(&b, "ana@example.org", "Ana", "tok1"),
                "verify_email",
                Some("https://learn.example.org/verify-email?token=tok1"),
            ),
            (
                email_change(&b, "new@example.org", "Ana", "tok2"),
                "email_change",
                Some("https://learn.example.org/verify-email?token=tok2"),
            ),
            (
                email_change_notice(&b, "ana@example.org", "Ana", "new@example.org", "tok5"),
                "email_change_notice",
                Some("https://learn.example.org/cancel-email-change?token=tok5"),
            ),
            (
                password_reset(&b, "ana@example.org", "Ana", "tok3"),
                "password_reset",
                Some("https://learn.example.org/reset-password?token=tok3"),
            ),
            (
                password_changed(&b, "ana@example.org", "Ana"),
                "password_changed",
                Some("https://learn.example.org/forgot-password"),
            ),
            (
                enrolment_confirmed(&b, "ana@example.org", "Ana", "Phlebotomy", "phlebotomy"),
                "enrolment_confirmed",
                Some("https://learn.example.org/courses/phlebotomy"),
            ),
            (
                course_completed(
                    &b,
                    "ana@example.org",
                    "Ana",
                    "Phlebotomy",
                    uuid::Uuid::from_u128(7),
                ),
                "course_completed",
                Some("https://learn.example.org/learn/00000000-0000-0000-0000-000000000007"),
            ),
            (
                attestation_request(&b, &attestation_mail()),
                "attestation_request",
                Some("https://learn.example.org/attest?token=tok4"),
            ),
            (
                attestation_reminder(&b, &attestation_mail()),
                "attestation_reminder",
                Some("https://learn.example.org/attest?token=tok4"),
            ),
            (
                attestation_decided(
                    &b,
                    "ana@example.org",
                    "Ana",
                    "Dana Ruiz",
                    3,
                    1,
                    uuid::Uuid::from_u128(7),
                ),
                "attestation_decided",
                Some(
                    "https://learn.example.org/learn/00000000-0000-0000-0000-000000000007/externship",
                ),
            ),
            (test_message(&b, "ops@example.org"), "test", None),
        ];
        for (m, kind, url) in cases {
            assert_eq!(m.kind, kind);
            assert!(!m.subject.is_empty() && m.subject.len() < 80, "{kind}");
            assert!(m.text.ends_with("The Benchside team\n"), "{kind}");
            assert!(m.html.starts_with("<!DOCTYPE html>"), "{kind}");
            assert!(m.html.contains("The Benchside team"), "{kind}");
            if let Some(url) = url {
                assert!(m.text.contains(url), "{kind}: {}", m.text);
                assert!(m.html.contains(&format!("href=\"{url}\"")), "{kind}");
                assert!(m.text.contains("Hello Ana,"), "{kind}");
                assert_eq!(m.to_name.as_deref(), Some("Ana"));
            } else {
                assert_eq!(m.to_name, None);
                assert!(m.text.starts_with("Hello,\n"));
            }
        }
        assert!(
            password_reset(&b, "a@example.org", "A", "t")
                .text
                .contains("expires in one hour")
        );
        assert!(
            test_message(&b, "o@example.org")
                .text
                .contains("https://learn.example.org/")
        );
    }

    #[test]
    fn course_titles_are_escaped_and_slugs_encoded_in_the_enrolment_mail() {
        let m = enrolment_confirmed(&base(), "a@example.org", "A", "Labs <&> more", "a b");
        assert!(m.html.contains("Labs &lt;&amp;&gt; more"), "{}", m.html);
        assert!(m.text.contains("https://learn.example.org/courses/a%20b"));
        assert_eq!(m.subject, "You are enrolled in Labs <&> more");
    }

    #[test]
    fn interpolated_values_are_escaped_in_html() {
        let evil = "<script>alert(\"x\")</script> & 'co'";
        let m = verify_email(&base(), "x@example.org", evil, "a\"><b>");
        assert!(!m.html.contains("<script>"), "{}", m.html);
        assert!(m.html.contains(
            "Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;,"
        ));
        // The token is URL-encoded in the link, then the link is HTML-escaped.
        assert!(m.html.contains("token=a%22%3E%3Cb%3E"), "{}", m.html);
        assert!(!m.html.contains("a\"><b>"));
        // The text part keeps the name as written.
        assert!(m.text.contains(&format!("Hello {evil},")));
    }

    #[test]
    fn names_are_cleaned_for_headers_and_greetings() {
        let m = password_changed(&base(), " ana@example.org ", "  Ana\r\nBcc: x@y.z\t Lee ");
        assert_eq!(m.to, "ana@example.org");
        assert_eq!(m.to_name.as_deref(), Some("Ana Bcc: x@y.z Lee"));
        assert!(m.text.starts_with("Hello Ana Bcc: x@y.z Lee,\n"));
        let m = password_changed(&base(), "ana@example.org", " \n ");
        assert_eq!(m.to_name, None);
        assert!(m.text.starts_with("Hello,\n"));
        let long = "n".repeat(500);
        assert_eq!(
            verify_email(&base(), "a@example.org", &long, "t")
                .to_name
                .unwrap()
                .len(),
            200
        );
    }
}
