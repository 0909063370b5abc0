//! Outgoing mail: templates, transports, the PostgreSQL outbox and its worker.
//!
//! A request that causes a mail renders it ([`templates`]) and [`enqueue`]s it with the
//! connection of its own transaction, so the mail exists exactly when the change that caused
//! it was committed. The [`worker::Worker`] (started by [`crate::startup::Application`]) delivers
//! the outbox through the configured [`MailTransport`]: SMTP, `.eml` files in development, or
//! memory in unit tests. An SMTP outage delays mail; it never loses it.

pub mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::enqueue;
pub use templates::RenderedMail;
pub use transport::{MailTransport, Outgoing, SendError};
pub use worker::{Worker, WorkerHandle, WorkerSettings};

use anyhow::Context;
use uuid::Uuid;

use crate::config::Config;

/// `benchside mail send-test --to ADDRESS`: sends [`templates::test_message`] straight through
/// the configured transport, not through the outbox, and says what happened.
pub async fn send_test(config: &Config, to: &str) -> anyhow::Result<String> {
    let transport = MailTransport::from_config(&config.mail)?;
    let mail = templates::test_message(&config.public_url, to);
    let id = Uuid::now_v7();
    transport
        .send(&config.mail.from, (&mail).into(), id)
        .await
        .with_context(|| {
            format!(
                "could not send a test message to {to} through {}",
                transport.describe()
            )
        })?;
    Ok(match &transport {
        MailTransport::File { dir } => format!(
            "wrote a test message for {to} to {}",
            dir.join(format!("{id}.eml")).display()
        ),
        _ => format!(
            "sent a test message to {to} through {}",
            transport.describe()
        ),
    })
}
