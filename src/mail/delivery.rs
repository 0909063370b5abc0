//! Mail delivery as the `mail.send` job: the handler that sends one outbox row through the
//! transport, and its registration (attempts and backoff from `BENCHSIDE_MAIL_*`).

use std::time::Duration;

use lettre::message::Mailbox;
use serde_json::Value;
use uuid::Uuid;

use super::JOB_KIND;
use super::outbox::{self, OutboxMail};
use super::transport::{MailTransport, Outgoing, SendError};
use crate::config::MailConfig;
use crate::jobs::{JobContext, JobError, KindSettings, Registry};

/// Sends outbox rows through one transport.
#[derive(Debug, Clone)]
pub struct Delivery {
    transport: MailTransport,
    from: Mailbox,
}

impl Delivery {
    pub fn new(transport: MailTransport, from: Mailbox) -> Delivery {
        Delivery { transport, from }
    }

    /// How `mail.send` jobs are retried: `BENCHSIDE_MAIL_MAX_ATTEMPTS` attempts, the first
    /// retry after `BENCHSIDE_MAIL_RETRY_BASE_MS` (then three times longer, at most 5 hours),
    /// each attempt bounded by the transport's deadline plus time to read the row.
    pub fn settings(&self, config: &MailConfig) -> KindSettings {
        KindSettings {
            max_attempts: config.max_attempts,
            retry_base: config.retry_base,
            retry_cap: Duration::from_secs(5 * 3600),
            timeout: self.transport.deadline() + Duration::from_secs(10),
        }
    }

    /// The handler: sends the row the payload names and marks it sent. A row already sent is
    /// not sent again (an attempt whose runner died after the relay accepted it); a row that
    /// is gone or has no bodies left (it failed before) cannot be sent.
    pub async fn run(&self, payload: Value, ctx: JobContext) -> Result<(), JobError> {
        let id = outbox::outbox_ids(std::slice::from_ref(&payload))
            .pop()
            .ok_or_else(|| JobError::permanent(format!("not a mail.send payload: {payload}")))?;
        let mail = {
            let mut conn = ctx.db.get().await?;
            outbox::load(&mut conn, id).await?
        };
        let mail = match mail {
            None => return Err(JobError::permanent(format!("outbox row {id} is gone"))),
            Some(m) if m.sent_at.is_some() => return Ok(()),
            Some(m) => m,
        };
        let outgoing = outgoing(&mail).ok_or_else(|| {
            JobError::permanent(
                "the message bodies were erased when it failed; send it again from its source",
            )
        })?;
        self.send(id, &mail.kind, outgoing, &ctx).await
    }

    async fn send(
        &self,
        id: Uuid,
        kind: &str,
        outgoing: Outgoing<'_>,
        ctx: &JobContext,
    ) -> Result<(), JobError> {
        let attempt = ctx.attempt;
        match self.transport.send(&self.from, outgoing, id).await {
            Ok(()) => {
                tracing::info!(id = %id, kind, attempt, "mail sent");
                mark_delivered(id, ctx).await;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(id = %id, kind, attempt, error = %e, "mail not sent");
                Err(match e {
                    SendError::Invalid(_) => JobError::permanent(e),
                    SendError::Transport(_) => JobError::retry(e),
                })
            }
        }
    }
}

/// Records the delivery at once, so a runner that dies before recording its batch does not
/// leave a mail that the job's next attempt sends again. Best effort: when it fails (the
/// database away), the job's success hook marks the row when the outcome is recorded.
async fn mark_delivered(id: Uuid, ctx: &JobContext) {
    let marked = match ctx.db.get().await {
        Ok(mut conn) => outbox::mark_delivered(&mut conn, id)
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(e.into()),
    };
    if let Err(e) = marked {
        tracing::warn!(id = %id, error = %format!("{e:#}"),
            "mail sent but not yet marked sent; its job's outcome will mark it");
    }
}

fn outgoing(m: &OutboxMail) -> Option<Outgoing<'_>> {
    Some(Outgoing {
        to: &m.recipient,
        to_name: m.recipient_name.as_deref(),
        subject: &m.subject,
        text: m.text_body.as_deref()?,
        html: m.html_body.as_deref()?,
    })
}

/// Registers `mail.send` in `registry`: delivery through `transport`, the outbox rows marked
/// sent (or their bodies erased) in the transaction that finishes their jobs.
pub fn register(registry: &mut Registry, config: &MailConfig, transport: MailTransport) {
    let delivery = Delivery::new(transport, config.from.clone());
    let settings = delivery.settings(config);
    registry
        .register(JOB_KIND, settings, move |payload, ctx| {
            let delivery = delivery.clone();
            async move { delivery.run(payload, ctx).await }
        })
        .on_succeeded(outbox::mark_sent)
        .on_failed(outbox::erase_bodies);
}
