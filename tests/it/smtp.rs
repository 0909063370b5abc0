//! A real SMTP server for tests: `SmtpSink` listens on 127.0.0.1 and records every message it
//! accepts (envelope sender and recipients, raw data). It runs on a thread and runtime of its
//! own, so a test may block (run a command, say) while mail arrives. It can be stopped (the
//! port then refuses connections and open connections drop) and restarted on the same port, be
//! told to refuse some recipients with a permanent 550, and be slowed down.
//!
//! ```ignore
//! let sink = SmtpSink::start();
//! let app = TestApp::builder().var("BENCHSIDE_SMTP_URL", &sink.url()).build().await;
//! // ... something that sends a password reset ...
//! let mail = sink.wait_for(1, Duration::from_secs(10)).await.remove(0);
//! let token = link_with_token(&mail.data, "/reset-password");
//! ```

#![allow(dead_code)] // helpers for every test module that sends mail

use std::net::{SocketAddr, TcpListener as StdTcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mail_parser::MessageParser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses, in order.
    pub to: Vec<String>,
    /// The message as sent after `DATA` (dot-stuffing undone, CRLF line ends kept).
    pub data: String,
    /// The client's address (one per SMTP connection).
    pub peer: SocketAddr,
}

impl Received {
    fn parsed(&self) -> mail_parser::Message<'_> {
        MessageParser::default()
            .parse(self.data.as_bytes())
            .unwrap_or_else(|| panic!("not a parseable message:\n{}", self.data))
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    /// The `Message-ID`, without angle brackets.
    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_string()
    }

    /// The `From` header as `(name, address)`.
    pub fn sender_header(&self) -> (Option<String>, String) {
        addr(self.parsed().from())
    }

    /// The `To` header as `(name, address)`.
    pub fn recipient_header(&self) -> (Option<String>, String) {
        addr(self.parsed().to())
    }

    /// The decoded `text/plain` part.
    pub fn text(&self) -> String {
        let m = self.parsed();
        assert!(m.text_body_count() >= 1, "no text part:\n{}", self.data);
        m.body_text(0).unwrap_or_default().into_owned()
    }

    /// The decoded `text/html` part.
    pub fn html(&self) -> String {
        let m = self.parsed();
        let part = m
            .html_part(0)
            .unwrap_or_else(|| panic!("no HTML part:\n{}", self.data));
        assert!(part.is_text_html(), "no real HTML part:\n{}", self.data);
        part.text_contents().unwrap_or_default().to_string()
    }
}

fn addr(a: Option<&mail_parser::Address<'_>>) -> (Option<String>, String) {
    let a = a.and_then(|a| a.first()).expect("an address");
    (
        a.name.as_ref().map(|n| n.to_string()),
        a.address.as_deref().unwrap_or_default().to_string(),
    )
}

/// The value of the `token` query parameter of the first link to `path` (such as
/// `/reset-password`) in a raw message's text part, decoded. Handles quoted-printable and
/// base64 parts and soft line breaks (through a real MIME parser).
pub fn link_with_token(raw: &str, path: &str) -> String {
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap_or_else(|| panic!("not a parseable message:\n{raw}"));
    let text = message.body_text(0).unwrap_or_default().into_owned();
    let needle = format!("{path}?");
    let at = text
        .find(&needle)
        .unwrap_or_else(|| panic!("no link to {path} in:\n{text}"));
    let start = text[..at]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let end = text[at..]
        .find(|c: char| c.is_whitespace())
        .map_or(text.len(), |i| at + i);
    let link = url::Url::parse(&text[start..end])
        .unwrap_or_else(|e| panic!("{:?} is not a URL: {e}", &text[start..end]));
    link.query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no token in {link}"))
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    /// Recipients refused (one entry per refused `RCPT TO`).
    refused: Vec<String>,
    /// Recipients to refuse with 550.
    refuse: Vec<String>,
    /// Pause before answering the end of `DATA`.
    delay: Duration,
}

struct Running {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

/// A real SMTP server on 127.0.0.1 that records what it receives.
pub struct SmtpSink {
    port: u16,
    state: Arc<Mutex<State>>,
    running: Option<Running>,
}

impl SmtpSink {
    /// Starts on a free port.
    pub fn start() -> SmtpSink {
        let listener = StdTcpListener::bind("127.0.0.1:0").expect("binding the SMTP sink");
        let mut sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            state: Arc::default(),
            running: None,
        };
        sink.run(listener);
        sink
    }

    /// `smtp://127.0.0.1:PORT` (plain SMTP, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything accepted so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().unwrap().messages.clone()
    }

    /// Waits until at least `n` messages have arrived; panics after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < timeout,
                "expected {n} messages within {timeout:?}, got {}: {:#?}",
                got.len(),
                got.iter().map(|m| (&m.to, m.subject())).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Refuses `RCPT TO` this address with `550 5.1.1` from now on.
    pub fn refuse_recipient(&self, address: &str) {
        self.state.lock().unwrap().refuse.push(address.to_string());
    }

    /// Every refused `RCPT TO`, one entry per attempt.
    pub fn refused(&self) -> Vec<String> {
        self.state.lock().unwrap().refused.clone()
    }

    /// Pauses this long before accepting each message (to make deliveries overlap).
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// Stops listening and drops every open connection; the port refuses connections until
    /// [`restart`](Self::restart). What was received is kept.
    pub fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.stop.send(());
            r.thread.join().expect("the SMTP sink thread ended cleanly");
        }
    }

    /// Listens again on the same port.
    pub fn restart(&mut self) {
        assert!(self.running.is_none(), "the sink is running");
        let started = Instant::now();
        let listener = loop {
            match StdTcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(e) if started.elapsed() < Duration::from_secs(5) => {
                    eprintln!("rebinding the SMTP sink on {}: {e}; retrying", self.port);
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("rebinding the SMTP sink on {}: {e}", self.port),
            }
        };
        self.run(listener);
    }

    fn run(&mut self, listener: StdTcpListener) {
        listener.set_nonblocking(true).unwrap();
        let (stop, mut stopped) = oneshot::channel();
        let state = self.state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                let mut connections = JoinSet::new();
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => match accepted {
                            Ok((stream, peer)) => {
                                connections.spawn(session(stream, peer, state.clone()));
                            }
                            Err(e) => eprintln!("SMTP sink accept: {e}"),
                        },
                        Some(_) = connections.join_next(), if !connections.is_empty() => {}
                    }
                }
                // Dropping the set aborts every session and closes its socket.
                connections.shutdown().await;
            });
        });
        self.running = Some(Running { stop, thread });
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One SMTP conversation (RFC 5321, the subset a client needs to deliver).
async fn session(stream: TcpStream, peer: SocketAddr, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    if write
        .write_all(b"220 benchside-test-sink ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    loop {
        let mut line = Vec::new();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line).trim_end().to_string();
        let upper = line.to_ascii_uppercase();
        let answer: String = if upper.starts_with("EHLO") {
            "250-benchside-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into()
        } else if upper.starts_with("HELO") {
            "250 benchside-test-sink\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            from = Some(angle(&line["MAIL FROM:".len()..]));
            to.clear();
            "250 2.1.0 OK\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = angle(&line["RCPT TO:".len()..]);
            let mut s = state.lock().unwrap();
            if from.is_none() {
                "503 5.5.1 MAIL first\r\n".into()
            } else if s.refuse.iter().any(|r| r.eq_ignore_ascii_case(&rcpt)) {
                s.refused.push(rcpt);
                "550 5.1.1 mailbox unavailable\r\n".into()
            } else {
                to.push(rcpt);
                "250 2.1.5 OK\r\n".into()
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                "554 5.5.1 no valid recipients\r\n".into()
            } else {
                if write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(data) = read_data(&mut lines).await else {
                    return;
                };
                let delay = state.lock().unwrap().delay;
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                state.lock().unwrap().messages.push(Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                    peer,
                });
                "250 2.0.0 OK queued\r\n".into()
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            "250 2.0.0 OK\r\n".into()
        } else if upper.starts_with("NOOP") {
            "250 2.0.0 OK\r\n".into()
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
            return;
        } else {
            "502 5.5.2 command not implemented\r\n".into()
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads message data up to the lone `.` line, undoing dot-stuffing.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut R) -> Option<String> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(String::from_utf8_lossy(&data).into_owned());
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(line);
        if data.len() > 10 * 1024 * 1024 {
            return None;
        }
    }
}

/// The address inside `<...>`, without SMTP parameters.
fn angle(s: &str) -> String {
    let s = s.trim();
    match (s.find('<'), s.find('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].to_string(),
        _ => s.split_whitespace().next().unwrap_or("").to_string(),
    }
}
