//! Outgoing mail: templates, transports, the PostgreSQL outbox, and delivery as a job.
//!
//! A request that causes a mail renders it ([`templates`]) and [`enqueue`]s it with the
//! connection of its own transaction: the message goes to `mail_outbox` and a `mail.send` job
//! ([`JOB_KIND`]) names it, so the mail exists exactly when the change that caused it was
//! committed. The job runner ([`crate::jobs`]) claims, retries and recovers the jobs; the
//! handler ([`delivery`]) sends each message through the configured [`MailTransport`]: SMTP,
//! `.eml` files in development, or memory in unit tests. An SMTP outage delays mail; it never
//! loses it.

pub mod delivery;
pub mod outbox;
pub mod templates;
pub mod transport;

pub use delivery::{Delivery, register};
pub use outbox::{enqueue, enqueue_many};
pub use templates::RenderedMail;
pub use transport::{MailTransport, Outgoing, SendError};

/// The job kind that delivers one outbox row (payload `{"outbox_id": "<uuid>"}`).
pub const JOB_KIND: &str = "mail.send";

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
