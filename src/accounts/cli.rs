//! `benchside create-admin`: create an admin account, or promote an existing one.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use super::domain::{Email, Invalid, Name, NewPassword, Role};
use super::password::{HashError, PasswordHasher};
use super::sessions::RevokeReason;
use super::store::{self, AccountError, NewUser};
use crate::audit::{self, Actor, Event, Origin};
use crate::http::AppError;

/// What `create_admin` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Promoted,
    AlreadyAdmin,
}

/// Why `create_admin` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("a new admin account needs a password")]
    PasswordRequired,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl From<diesel::result::Error> for CreateAdminError {
    fn from(e: diesel::result::Error) -> Self {
        CreateAdminError::Account(AccountError::Db(e))
    }
}

impl CreateAdminError {
    /// The sentence to print: the same one the API would answer with (causes of server-side
    /// failures are not shown).
    pub fn message(self) -> String {
        AppError::from(self).message().to_string()
    }
}

/// Creates a verified admin with this password, or promotes the existing account with this
/// email (its password is left alone; `password` may then be `None`).
pub async fn create_admin(
    conn: &mut AsyncPgConnection,
    email: &str,
    name: Option<&str>,
    password: Option<&str>,
) -> Result<Outcome, CreateAdminError> {
    let email = Email::parse(email)?;
    if let Some(existing) = store::find_by_email(conn, &email).await? {
        if existing.role.is_admin() {
            return Ok(Outcome::AlreadyAdmin);
        }
        conn.transaction::<_, CreateAdminError, _>(async move |tx| {
            store::set_role(tx, existing.id, Role::Admin).await?;
            store::revoke_refresh_tokens(tx, existing.id, RevokeReason::RoleChanged, None).await?;
            store::revoke_sessions(tx, existing.id).await?;
            audit::record(
                tx,
                &Origin::default(),
                Event {
                    actor: Actor::System,
                    action: "user.role_changed",
                    subject: Some(("user", existing.id.to_string())),
                    details: json!({ "from": existing.role, "to": Role::Admin, "via": "create-admin" }),
                },
            )
            .await?;
            Ok(())
        })
        .await?;
        return Ok(Outcome::Promoted);
    }
    let default_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("Admin")
        .to_string();
    let name = Name::parse(name.unwrap_or(&default_name))?;
    let password = password.ok_or(CreateAdminError::PasswordRequired)?;
    let password = NewPassword::parse(password, Some(&email))?;
    let hash = PasswordHasher::new(1).hash(password.as_str()).await?;
    conn.transaction::<_, CreateAdminError, _>(async move |tx| {
        let user = store::insert_user(
            tx,
            NewUser {
                email: email.as_str(),
                name: name.as_str(),
                password_hash: &hash,
                role: Role::Admin,
                email_verified_at: Some(chrono::Utc::now()),
            },
        )
        .await?;
        audit::record(
            tx,
            &Origin::default(),
            Event {
                actor: Actor::System,
                action: "user.registered",
                subject: Some(("user", user.id.to_string())),
                details: json!({ "role": Role::Admin, "via": "create-admin" }),
            },
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(Outcome::Created)
}
