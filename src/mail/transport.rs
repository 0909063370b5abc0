//! Where mail goes: an SMTP relay (lettre), `.eml` files in a folder (development), or memory
//! (unit tests). One enum, one `send`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use url::Url;
use uuid::Uuid;

use super::RenderedMail;
use crate::config::{MailConfig, MailTransportKind};

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The message itself is unusable (for example a malformed recipient address); another
    /// attempt cannot succeed.
    #[error("the message cannot be built: {0}")]
    Invalid(String),
    /// The transport failed (relay unreachable, refused, timed out, disk full); a later
    /// attempt may succeed.
    #[error("{0}")]
    Transport(String),
}

impl SendError {
    /// Whether retrying is pointless.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Invalid(_))
    }
}

/// The parts of one message, borrowed from a [`RenderedMail`] or an outbox row.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub to_name: Option<&'a str>,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

impl<'a> From<&'a RenderedMail> for Outgoing<'a> {
    fn from(m: &'a RenderedMail) -> Self {
        Outgoing {
            to: &m.to,
            to_name: m.to_name.as_deref(),
            subject: &m.subject,
            text: &m.text,
            html: &m.html,
        }
    }
}

/// A message the in-memory transport kept.
#[derive(Debug, Clone)]
pub struct SentMessage {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The whole message as it would go over the wire (RFC 5322).
    pub raw: Vec<u8>,
}

/// The in-memory transport's store; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryTransport {
    sent: Arc<Mutex<Vec<SentMessage>>>,
}

impl MemoryTransport {
    pub fn new() -> MemoryTransport {
        MemoryTransport::default()
    }

    /// Everything sent so far, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.sent.lock().expect("not poisoned").clone()
    }
}

/// The configured way out for mail. Cheap to clone (the SMTP pool is shared).
#[derive(Debug, Clone)]
pub enum MailTransport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The relay URL with any password hidden, for logs.
        display: String,
        /// Bound on one whole delivery (connect, greeting, envelope, data).
        deadline: Duration,
    },
    File {
        dir: PathBuf,
    },
    Memory(MemoryTransport),
}

impl MailTransport {
    /// The transport `config` asks for. SMTP needs a Tokio runtime (its pool runs a task).
    pub fn from_config(config: &MailConfig) -> anyhow::Result<MailTransport> {
        match config.transport {
            MailTransportKind::Smtp => {
                let url = config
                    .smtp_url
                    .as_ref()
                    .context("BENCHSIDE_SMTP_URL is not set")?;
                Self::smtp(url, config.smtp_timeout)
            }
            MailTransportKind::File => Ok(Self::file(&config.dir)),
        }
    }

    /// An SMTP relay: `smtp://host:port` (plain), `smtp://...?tls=required` (STARTTLS),
    /// `smtps://user:password@host:465` (implicit TLS). `timeout` bounds connecting and each
    /// command; a whole delivery is bounded by four times that.
    pub fn smtp(url: &Url, timeout: Duration) -> anyhow::Result<MailTransport> {
        let display = crate::db::redact_url(url.as_str());
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .with_context(|| format!("BENCHSIDE_SMTP_URL {display}"))?
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(8))
            .build();
        Ok(MailTransport::Smtp {
            transport,
            display,
            deadline: timeout * 4,
        })
    }

    /// One `.eml` file per message in `dir` (created when needed).
    pub fn file(dir: impl Into<PathBuf>) -> MailTransport {
        MailTransport::File { dir: dir.into() }
    }

    /// Memory, for tests; read what was sent through the returned store.
    pub fn memory() -> (MailTransport, MemoryTransport) {
        let store = MemoryTransport::new();
        (MailTransport::Memory(store.clone()), store)
    }

    /// What this is, for logs and `check`: `smtp smtp://relay:25`, `file ./.benchside/mail`.
    pub fn describe(&self) -> String {
        match self {
            MailTransport::Smtp { display, .. } => format!("smtp {display}"),
            MailTransport::File { dir } => format!("file {}", dir.display()),
            MailTransport::Memory(_) => "memory".into(),
        }
    }

    /// The longest one `send` can take before it gives up.
    pub fn deadline(&self) -> Duration {
        match self {
            MailTransport::Smtp { deadline, .. } => *deadline,
            MailTransport::File { .. } | MailTransport::Memory(_) => Duration::from_secs(30),
        }
    }

    /// Sends one mail from `from`. `id` becomes the Message-ID (`<id@sender-domain>`), so a
    /// retried outbox row keeps its identity.
    pub async fn send(
        &self,
        from: &Mailbox,
        mail: Outgoing<'_>,
        id: Uuid,
    ) -> Result<(), SendError> {
        let message = build_message(from, mail, id)?;
        let deadline = self.deadline();
        let sending = async {
            match self {
                MailTransport::Smtp { transport, .. } => transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError::Transport(format!("SMTP: {e}"))),
                MailTransport::File { dir } => write_eml(dir, id, &message.formatted())
                    .await
                    .map_err(|e| SendError::Transport(format!("{e:#}"))),
                MailTransport::Memory(store) => {
                    let to = message
                        .envelope()
                        .to()
                        .iter()
                        .map(|a| a.to_string())
                        .collect();
                    store.sent.lock().expect("not poisoned").push(SentMessage {
                        to,
                        raw: message.formatted(),
                    });
                    Ok(())
                }
            }
        };
        tokio::time::timeout(deadline, sending)
            .await
            .unwrap_or_else(|_| {
                Err(SendError::Transport(format!(
                    "gave up after {} ms",
                    deadline.as_millis()
                )))
            })
    }
}

/// The RFC 5322 message: `multipart/alternative` with the text part first and the HTML part
/// second, both quoted-printable (readable, and safe for long lines and any characters).
pub fn build_message(from: &Mailbox, mail: Outgoing<'_>, id: Uuid) -> Result<Message, SendError> {
    let address: Address = mail
        .to
        .parse()
        .map_err(|e| SendError::Invalid(format!("recipient {:?}: {e}", mail.to)))?;
    let to = Mailbox::new(mail.to_name.map(str::to_string), address);
    let part = |content_type: ContentType, body: &str| {
        SinglePart::builder()
            .header(content_type)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body.to_string())
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject)
        .message_id(Some(format!("<{id}@{}>", from.email.domain())))
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, mail.text))
                .singlepart(part(ContentType::TEXT_HTML, mail.html)),
        )
        .map_err(|e| SendError::Invalid(e.to_string()))
}

/// Writes `dir/<id>.eml` whole or not at all (a temporary file renamed into place).
async fn write_eml(dir: &Path, id: Uuid, raw: &[u8]) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("creating the mail folder {}", dir.display()))?;
    let path = dir.join(format!("{id}.eml"));
    let tmp = dir.join(format!(".{id}.eml.tmp"));
    tokio::fs::write(&tmp, raw)
        .await
        .with_context(|| format!("writing {}", tmp.display()))?;
    tokio::fs::rename(&tmp, &path)
        .await
        .with_context(|| format!("renaming {} into place", tmp.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates;

    fn from() -> Mailbox {
        "Benchside <no-reply@learn.example.org>".parse().unwrap()
    }

    fn sample() -> RenderedMail {
        templates::password_reset(
            &Url::parse("https://learn.example.org").unwrap(),
            "ana@example.org",
            "Ana Pérez",
            "tok_123",
        )
    }

    #[tokio::test]
    async fn memory_transport_keeps_the_envelope_and_the_whole_message() {
        let (t, store) = MailTransport::memory();
        let id = Uuid::new_v4();
        t.send(&from(), (&sample()).into(), id).await.unwrap();
        let sent = store.messages();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to, vec!["ana@example.org"]);
        let raw = String::from_utf8(sent[0].raw.clone()).unwrap();
        assert!(
            raw.contains("From: Benchside <no-reply@learn.example.org>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("Subject: Reset your Benchside password\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains(&format!("Message-ID: <{id}@learn.example.org>\r\n")),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: multipart/alternative;"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/html; charset=utf-8"),
            "{raw}"
        );
        assert_eq!(
            raw.matches("Content-Transfer-Encoding: quoted-printable")
                .count(),
            2
        );
        // Non-ASCII names are encoded in the header, not sent raw.
        assert!(!raw.contains("Pérez"), "{raw}");
        assert!(raw.contains("To: =?utf-8?"), "{raw}");
        assert_eq!(t.describe(), "memory");
    }

    #[tokio::test]
    async fn a_malformed_recipient_is_a_permanent_error() {
        let (t, store) = MailTransport::memory();
        let mut m = sample();
        m.to = "not an address".into();
        let err = t
            .send(&from(), (&m).into(), Uuid::new_v4())
            .await
            .unwrap_err();
        assert!(err.is_permanent(), "{err}");
        assert!(err.to_string().contains("not an address"), "{err}");
        assert!(store.messages().is_empty());
    }

    #[tokio::test]
    async fn file_transport_writes_one_eml_per_message_named_by_id() {
        let dir = std::env::temp_dir().join(format!("benchside-mail-{}", Uuid::new_v4()));
        let t = MailTransport::file(&dir);
        let id = Uuid::new_v4();
        t.send(&from(), (&sample()).into(), id).await.unwrap();
        // A retry of the same row replaces its file rather than adding one.
        t.send(&from(), (&sample()).into(), id).await.unwrap();
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![format!("{id}.eml")]);
        let raw = std::fs::read_to_string(dir.join(format!("{id}.eml"))).unwrap();
        assert!(raw.contains("To: "), "{raw}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn file_transport_reports_an_unwritable_folder() {
        let file = std::env::temp_dir().join(format!("benchside-mail-{}", Uuid::new_v4()));
        std::fs::write(&file, b"not a folder").unwrap();
        let err = MailTransport::file(file.join("mail"))
            .send(&from(), (&sample()).into(), Uuid::new_v4())
            .await
            .unwrap_err();
        assert!(!err.is_permanent());
        assert!(
            err.to_string().contains("creating the mail folder"),
            "{err}"
        );
        std::fs::remove_file(&file).unwrap();
    }

    #[tokio::test]
    async fn smtp_urls_from_the_configuration_build_transports() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtps://user:secret@smtp.example.org",
            "smtp://user:secret@smtp.example.org:587?tls=required",
        ] {
            let t = MailTransport::smtp(&Url::parse(url).unwrap(), Duration::from_secs(2))
                .unwrap_or_else(|e| panic!("{url}: {e:#}"));
            assert!(t.describe().starts_with("smtp smtp"), "{}", t.describe());
            assert!(!t.describe().contains("secret"), "{}", t.describe());
            assert_eq!(t.deadline(), Duration::from_secs(8));
        }
    }
}
