//! Structured logging with `tracing`. `RUST_LOG` filters (default `info`);
//! `BENCHSIDE_LOG_FORMAT=json` writes one JSON object per line for log collectors.
//!
//! Lines are written to stderr by a thread of their own, in batches: a request's log line
//! costs the worker a channel send, not a write system call. The channel is bounded, so a
//! stalled stderr slows the workers down instead of growing memory, and no line is dropped.
//! [`LogGuard`] writes out what is queued when the process ends.

use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::LogFormat;

/// Lines that may wait for the writer thread before a logging thread blocks.
const QUEUED_LINES: usize = 16 * 1024;

enum Msg {
    Line(Vec<u8>),
    /// Everything sent before it is written: tell the sender.
    Flush(SyncSender<()>),
}

/// Hands each formatted line to the writer thread.
#[derive(Clone)]
struct QueuedStderr(SyncSender<Msg>);

/// One event's line, sent when the formatter drops it.
struct Line {
    buf: Vec<u8>,
    to: SyncSender<Msg>,
}

impl Write for Line {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let line = std::mem::take(&mut self.buf);
            // The writer thread is gone only when the process is ending: write it here.
            if let Err(e) = self.to.send(Msg::Line(line))
                && let Msg::Line(line) = e.0
            {
                let _ = io::stderr().write_all(&line);
            }
        }
    }
}

impl<'a> MakeWriter<'a> for QueuedStderr {
    type Writer = Line;
    fn make_writer(&'a self) -> Line {
        Line {
            buf: Vec::with_capacity(256),
            to: self.0.clone(),
        }
    }
}

/// How long the writer thread sleeps between batches. It polls instead of waiting on the
/// channel so that a worker sending a line never has to wake it (a wake-up per request is a
/// context switch per request on a busy core).
const BATCH_EVERY: Duration = Duration::from_millis(20);

/// Every `BATCH_EVERY`, writes every queued line with one `write` (or a few); ends when every
/// sender is gone.
fn write_lines(rx: Receiver<Msg>, to: impl Write) {
    let mut out = io::BufWriter::with_capacity(64 * 1024, to);
    loop {
        std::thread::sleep(BATCH_EVERY);
        loop {
            match rx.try_recv() {
                Ok(Msg::Line(line)) => {
                    let _ = out.write_all(&line);
                }
                Ok(Msg::Flush(done)) => {
                    let _ = out.flush();
                    let _ = done.send(());
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    let _ = out.flush();
                    return;
                }
            }
        }
        let _ = out.flush();
    }
}

/// Writes out the queued log lines when dropped (at the end of `main`).
pub struct LogGuard(Option<SyncSender<Msg>>);

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(to) = self.0.take() {
            let (done, wait) = sync_channel(1);
            if to.send(Msg::Flush(done)).is_ok() {
                let _ = wait.recv_timeout(Duration::from_secs(2));
            }
        }
    }
}

/// Where [`access`] writes its lines: the format and the queue, set by [`init`].
static ACCESS: OnceLock<(LogFormat, SyncSender<Msg>)> = OnceLock::new();

/// One answered request, for its log line.
pub struct Access<'a> {
    pub request_id: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub elapsed_ms: f64,
}

/// The target the request lines are logged under (as `RUST_LOG` names it).
const ACCESS_TARGET: &str = "benchside::http::middleware";

/// Logs one answered request: the line tracing writes for the event `request finished`
/// (`status`, `elapsed_ms`) in the span `request` (`request_id`, `method`, `path`), at INFO,
/// WARN for a 5xx, in the configured format. It is formatted here and queued directly:
/// tracing's formatter had cost an eighth of a lesson read's instructions. `RUST_LOG` still
/// decides whether it is written. Without [`init`] (the tests), or with a value that would
/// need escaping, it goes through tracing.
pub fn access(a: &Access) {
    let warn = a.status >= 500;
    let enabled = if warn {
        tracing::enabled!(target: ACCESS_TARGET, tracing::Level::WARN)
    } else {
        tracing::enabled!(target: ACCESS_TARGET, tracing::Level::INFO)
    };
    if !enabled {
        return;
    }
    let plain = |v: &str| v.bytes().all(|b| (0x21..0x7f).contains(&b));
    let (Some((format, to)), true) = (ACCESS.get(), plain(a.method) && plain(a.path)) else {
        let (status, elapsed_ms) = (a.status, a.elapsed_ms);
        if warn {
            tracing::warn!(target: ACCESS_TARGET, status, elapsed_ms, "request finished");
        } else {
            tracing::info!(target: ACCESS_TARGET, status, elapsed_ms, "request finished");
        }
        return;
    };
    let line = access_line(
        *format,
        a,
        &Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
    );
    if let Err(e) = to.send(Msg::Line(line.into_bytes()))
        && let Msg::Line(line) = e.0
    {
        let _ = io::stderr().write_all(&line);
    }
}

/// The line [`access`] writes at time `at`, as tracing's compact or JSON formatter would.
fn access_line(format: LogFormat, a: &Access, at: &str) -> String {
    let level = if a.status >= 500 { "WARN" } else { "INFO" };
    match format {
        LogFormat::Pretty => format!(
            "{at}  {level} request: {ACCESS_TARGET}: request finished status={} elapsed_ms={:?} \
             request_id={} method={} path={}\n",
            a.status, a.elapsed_ms, a.request_id, a.method, a.path
        ),
        LogFormat::Json => {
            let text = |v: &str| serde_json::Value::from(v).to_string();
            format!(
                "{{\"timestamp\":\"{at}\",\"level\":\"{level}\",\"message\":\"request finished\",\
                 \"status\":{},\"elapsed_ms\":{:?},\"target\":\"{ACCESS_TARGET}\",\"span\":{{\
                 \"request_id\":{},\"method\":{},\"path\":{},\"name\":\"request\"}}}}\n",
                a.status,
                a.elapsed_ms,
                text(a.request_id),
                text(a.method),
                text(a.path)
            )
        }
    }
}

/// Installs the global subscriber. Safe to call more than once (later calls do nothing and
/// their guard has nothing to flush).
pub fn init(format: LogFormat) -> LogGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let (to, rx) = sync_channel(QUEUED_LINES);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        // Colours only for a person at a terminal: in a log file or a collector the escape
        // codes are noise (and were a twentieth of a lesson read's instructions).
        .with_ansi(io::stderr().is_terminal())
        .with_writer(QueuedStderr(to.clone()));
    let installed = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    if installed.is_err() {
        return LogGuard(None);
    }
    let _ = ACCESS.set((format, to.clone()));
    let started = std::thread::Builder::new()
        .name("log-writer".into())
        .spawn(move || write_lines(rx, io::stderr()));
    match started {
        Ok(_) => LogGuard(Some(to)),
        // Without its thread the queue would fill and block: every line is written by its
        // sender instead (the channel's receiver is gone, see `Line::drop`).
        Err(_) => LogGuard(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn queued_lines_are_written_in_order_and_flushed_on_request() {
        let (to, rx) = sync_channel(4);
        let out = Shared::default();
        let sink = out.clone();
        let writer = std::thread::spawn(move || write_lines(rx, sink));
        let queue = QueuedStderr(to.clone());
        // More lines than the queue holds: the senders wait, nothing is lost.
        for i in 0..10 {
            let mut line = queue.make_writer();
            writeln!(line, "line {i}").unwrap();
        }
        drop(LogGuard(Some(to)));
        let expected: String = (0..10).map(|i| format!("line {i}\n")).collect();
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            expected
        );
        drop(queue);
        writer.join().unwrap();
    }

    impl<'a> MakeWriter<'a> for Shared {
        type Writer = Shared;
        fn make_writer(&'a self) -> Shared {
            self.clone()
        }
    }

    /// What tracing's formatter writes for the request event inside the request span, as
    /// the middleware logged it before [`access`].
    fn traced(format: LogFormat, a: &Access) -> String {
        let out = Shared::default();
        let builder = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(out.clone());
        let event = || {
            let span = tracing::info_span!(
                "request",
                request_id = %a.request_id,
                method = %a.method,
                path = %a.path,
            );
            let _g = span.enter();
            let (status, elapsed_ms) = (a.status, a.elapsed_ms);
            if status >= 500 {
                tracing::warn!(target: ACCESS_TARGET, status, elapsed_ms, "request finished");
            } else {
                tracing::info!(target: ACCESS_TARGET, status, elapsed_ms, "request finished");
            }
        };
        match format {
            LogFormat::Pretty => {
                tracing::subscriber::with_default(builder.compact().finish(), event)
            }
            LogFormat::Json => tracing::subscriber::with_default(
                builder
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .finish(),
                event,
            ),
        }
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn the_request_line_is_the_one_tracing_would_write() {
        for status in [200, 404, 503] {
            let a = Access {
                request_id: "01a24d5c-7f8c-7208-abc3-4efbbb17e41f",
                method: "GET",
                path: "/api/v1/enrolments/e/lessons/l",
                status,
                elapsed_ms: 3.251785,
            };
            // The compact line, after its timestamp.
            let ours = access_line(LogFormat::Pretty, &a, "T");
            let theirs = traced(LogFormat::Pretty, &a);
            let (_, theirs_rest) = theirs.split_once(' ').unwrap();
            assert_eq!(ours, format!("T {theirs_rest}"), "status {status}");
            // The JSON object, timestamp aside.
            let parse = |l: &str| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                assert!(v["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
                v.as_object_mut().unwrap().remove("timestamp");
                v
            };
            let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
            assert_eq!(
                parse(&access_line(LogFormat::Json, &a, &at)),
                parse(&traced(LogFormat::Json, &a)),
                "status {status}"
            );
        }
    }
}
