//! Structured logging with `tracing`. `RUST_LOG` filters (default `info`);
//! `BENCHSIDE_LOG_FORMAT=json` writes one JSON object per line for log collectors.
//!
//! Lines are written to stderr by a thread of their own, in batches: a request's log line
//! costs the worker a channel send, not a write system call. The channel is bounded, so a
//! stalled stderr slows the workers down instead of growing memory, and no line is dropped.
//! [`LogGuard`] writes out what is queued when the process ends.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

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
}
