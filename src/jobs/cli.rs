//! `benchside jobs list` and `benchside jobs retry`: what the operator reads.

use std::fmt::Write as _;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::Registry;
use super::store::{self, JobRow, RetryOutcome};

/// The newest `limit` jobs (only failed ones when `failed_only`) as a table: ID, kind, state,
/// attempts/max, run_at and last error. A job without a limit of its own shows its kind's
/// limit from `registry` (`-` for a kind no handler is registered for).
pub async fn list(
    conn: &mut AsyncPgConnection,
    registry: &Registry,
    failed_only: bool,
    limit: i64,
) -> diesel::QueryResult<String> {
    let rows = store::list(conn, failed_only, limit).await?;
    Ok(format_table(&rows, registry, failed_only))
}

fn format_table(rows: &[JobRow], registry: &Registry, failed_only: bool) -> String {
    if rows.is_empty() {
        return if failed_only {
            "no failed jobs\n".into()
        } else {
            "no jobs\n".into()
        };
    }
    let cells: Vec<[String; 6]> = rows.iter().map(|r| cells(r, registry)).collect();
    let header = ["ID", "KIND", "STATE", "ATTEMPTS", "RUN AT", "LAST ERROR"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let mut line = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(c);
            } else {
                let _ = write!(line, "{c:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn cells(r: &JobRow, registry: &Registry) -> [String; 6] {
    let max = r
        .max_attempts
        .map(|m| m.to_string())
        .or_else(|| {
            registry
                .get(&r.kind)
                .map(|k| k.settings.max_attempts.to_string())
        })
        .unwrap_or_else(|| "-".into());
    let error = r
        .last_error
        .as_deref()
        .map(|e| one_line(e, 80))
        .unwrap_or_default();
    [
        r.id.to_string(),
        r.kind.clone(),
        r.state.to_string(),
        format!("{}/{max}", r.attempts),
        r.run_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        error,
    ]
}

/// `s` on one line, at most `max` characters (with an ellipsis when cut).
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// `jobs retry ID`: the message for the operator and whether the job was put back.
pub async fn retry(conn: &mut AsyncPgConnection, id: Uuid) -> diesel::QueryResult<(String, bool)> {
    Ok(match store::retry(conn, id).await? {
        RetryOutcome::Retried => (
            format!("job {id} is pending again (attempts reset to 0), due now"),
            true,
        ),
        RetryOutcome::NotFound => (format!("no job has the ID {id}"), false),
        RetryOutcome::NotFailed(state) => (
            format!("job {id} is {state}, not failed; only failed jobs can be retried"),
            false,
        ),
        RetryOutcome::Duplicate => (
            format!("job {id} was not retried: another unfinished job has the same dedupe key"),
            false,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::{JobContext, JobError, JobState, KindSettings};
    use chrono::TimeZone;

    async fn ok(_: serde_json::Value, _: JobContext) -> Result<(), JobError> {
        Ok(())
    }

    fn row(kind: &str, state: JobState, max: Option<i32>, error: Option<&str>) -> JobRow {
        JobRow {
            id: Uuid::nil(),
            kind: kind.into(),
            payload: serde_json::json!({}),
            state,
            run_at: chrono::Utc
                .with_ymd_and_hms(2026, 11, 24, 9, 30, 0)
                .unwrap(),
            attempts: 3,
            max_attempts: max,
            last_error: error.map(String::from),
            dedupe_key: None,
            created_at: chrono::Utc::now(),
            finished_at: None,
        }
    }

    #[test]
    fn the_table_aligns_columns_and_shows_the_effective_limit() {
        let mut registry = Registry::new();
        registry.register(
            "mail.send",
            KindSettings {
                max_attempts: 12,
                ..KindSettings::default()
            },
            ok,
        );
        let rows = [
            row(
                "mail.send",
                JobState::Failed,
                None,
                Some("SMTP: 550\nno such user"),
            ),
            row("other.kind", JobState::Pending, None, None),
            row("other.kind", JobState::Pending, Some(4), None),
        ];
        let t = format_table(&rows, &registry, false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(lines[0].starts_with("ID  "), "{t}");
        let at = lines[0].find("KIND").unwrap();
        assert_eq!(&lines[1][at..at + 9], "mail.send", "{t}");
        assert!(lines[1].contains("failed"), "{t}");
        assert!(lines[1].contains("3/12"), "{t}");
        assert!(lines[1].contains("2026-11-24 09:30:00 UTC"), "{t}");
        assert!(lines[1].ends_with("SMTP: 550 no such user"), "{t}");
        assert!(lines[2].contains("3/-"), "{t}");
        assert!(lines[3].contains("3/4"), "{t}");
        assert_eq!(format_table(&[], &registry, true), "no failed jobs\n");
    }

    #[test]
    fn long_errors_are_cut_to_one_line() {
        assert_eq!(one_line("a\n  b", 10), "a b");
        assert_eq!(one_line(&"x".repeat(100), 5), "xxxx…");
    }
}
