//! TEMPORARY interface shim (see mod.rs).
pub struct RenderedMail {
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub kind: &'static str,
}

fn m(to: &str, kind: &'static str, text: String) -> RenderedMail {
    RenderedMail {
        to: to.into(),
        to_name: None,
        subject: kind.into(),
        html: text.clone(),
        text,
        kind,
    }
}

pub fn verify_email(u: &url::Url, to: &str, _name: &str, token: &str) -> RenderedMail {
    m(to, "verify_email", format!("{u}verify-email?token={token}"))
}
pub fn email_change(u: &url::Url, to: &str, _name: &str, token: &str) -> RenderedMail {
    m(to, "email_change", format!("{u}verify-email?token={token}"))
}
pub fn password_reset(u: &url::Url, to: &str, _name: &str, token: &str) -> RenderedMail {
    m(
        to,
        "password_reset",
        format!("{u}reset-password?token={token}"),
    )
}
pub fn password_changed(u: &url::Url, to: &str, _name: &str) -> RenderedMail {
    m(to, "password_changed", format!("{u}forgot-password"))
}
