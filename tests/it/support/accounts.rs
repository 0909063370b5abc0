//! Accounts: registering, verifying, promoting and signing in.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde_json::{Value, json};

use super::db::exec;
use crate::harness::{TestApp, TestResponse};

/// The password of every account the builders make.
pub const PASSWORD: &str = "tourniquet-before-needle";
/// The refresh cookie's name.
pub const REFRESH: &str = "benchside_refresh";

/// A signed-in account: one session of it.
#[derive(Debug, Clone)]
pub struct Account {
    /// The user's ID.
    pub id: String,
    /// The address as stored (normalised).
    pub email: String,
    /// The access token, for `Authorization: Bearer`.
    pub token: String,
    /// `benchside_refresh=...`, ready for a Cookie header.
    pub cookie: String,
    /// The sign-in response.
    pub body: Value,
}

/// `POST /api/v1/auth/register`, unchecked.
pub async fn register(app: &TestApp, email: &str, name: &str, password: &str) -> TestResponse {
    app.post_json(
        "/api/v1/auth/register",
        &json!({ "email": email, "name": name, "password": password }),
    )
    .await
}

/// Registers "Test Learner" with [`PASSWORD`] and marks the address verified directly (for
/// tests that are not about mail); returns the registration's body.
pub async fn verified_user(app: &TestApp, email: &str) -> Value {
    let res = register(app, email, "Test Learner", PASSWORD).await;
    assert_eq!(res.status, 201, "registering {email}: {}", res.text());
    let user = res.json();
    let id = user["id"]
        .as_str()
        .expect("registration returns the user's id");
    exec(
        app,
        &format!("UPDATE users SET email_verified_at = now() WHERE id = '{id}'"),
    )
    .await;
    user
}

/// Signs in (asserting 200): a new session.
pub async fn login(app: &TestApp, email: &str, password: &str) -> Account {
    let res = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(res.status, 200, "signing in as {email}: {}", res.text());
    let body = res.json();
    let cookie = res
        .cookie_value(REFRESH)
        .unwrap_or_else(|| panic!("signing in as {email}: no refresh cookie"));
    Account {
        id: body["user"]["id"].as_str().unwrap().to_string(),
        email: body["user"]["email"].as_str().unwrap().to_string(),
        token: body["access_token"].as_str().unwrap().to_string(),
        cookie: format!("{REFRESH}={cookie}"),
        body,
    }
}

/// A verified, signed-in learner: `learner(&app).await`, or
/// `learner(&app).email("ana@example.org").await`.
pub fn learner(app: &TestApp) -> AccountBuilder<'_> {
    AccountBuilder {
        app,
        email: None,
        admin: false,
    }
}

/// A verified, signed-in admin (promoted in the database before signing in):
/// `admin(&app).await`, or `admin(&app).email("boss@example.org").await`.
pub fn admin(app: &TestApp) -> AccountBuilder<'_> {
    AccountBuilder {
        app,
        email: None,
        admin: true,
    }
}

/// Builds an [`Account`] when awaited.
pub struct AccountBuilder<'a> {
    app: &'a TestApp,
    email: Option<String>,
    admin: bool,
}

impl AccountBuilder<'_> {
    /// The address (default: a fresh `learner-<random>@example.org` or `admin-...`).
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_string());
        self
    }

    async fn build(self) -> Account {
        let email = self.email.unwrap_or_else(|| {
            let kind = if self.admin { "admin" } else { "learner" };
            let tag = uuid::Uuid::new_v4().simple().to_string();
            format!("{kind}-{}@example.org", &tag[..8])
        });
        let user = verified_user(self.app, &email).await;
        if self.admin {
            exec(
                self.app,
                &format!(
                    "UPDATE users SET role = 'admin' WHERE id = '{}'",
                    user["id"].as_str().unwrap()
                ),
            )
            .await;
        }
        login(self.app, &email, PASSWORD).await
    }
}

impl<'a> IntoFuture for AccountBuilder<'a> {
    type Output = Account;
    type IntoFuture = Pin<Box<dyn Future<Output = Account> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.build())
    }
}
