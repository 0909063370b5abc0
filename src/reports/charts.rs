//! Pure: the chart series from the few grouped rows the store returns.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::store::{DayCount, ScoreBucket, SlugCount};
use super::views::{
    Bucket, CompletionPoint, FunnelStep, ModuleRef, QuizRef, ScoreDistribution, all_quizzes,
};
use crate::learning::progress::Outline;

/// The most days the completion series shows (the latest ones).
pub const MAX_DAYS: i64 = 1000;

/// One point per day from the cohort's start to `today`: completions so far, and what the
/// schedule expects (`enrolled` spread evenly from the start to the target date).
pub fn completion(
    starts_on: NaiveDate,
    target_on: Option<NaiveDate>,
    today: NaiveDate,
    enrolled: i64,
    days: &[DayCount],
) -> Vec<CompletionPoint> {
    let first = starts_on.max(today - Duration::days(MAX_DAYS - 1));
    let mut before: i64 = days.iter().filter(|d| d.day < first).map(|d| d.n).sum();
    let per_day: HashMap<NaiveDate, i64> = days.iter().map(|d| (d.day, d.n)).collect();
    let mut out = Vec::new();
    let mut day = first;
    while day <= today.max(first) {
        before += per_day.get(&day).copied().unwrap_or(0);
        let expected =
            super::risk::expected_percent(starts_on, target_on, day).map(|p| enrolled * p / 100);
        out.push(CompletionPoint {
            date: day,
            completed: before,
            expected,
        });
        day += Duration::days(1);
    }
    out
}

/// Every module in course order with the members who reached it.
pub fn funnel(outline: &Outline, reach: &[SlugCount]) -> Vec<FunnelStep> {
    let by_slug: HashMap<&str, i64> = reach.iter().map(|r| (r.slug.as_str(), r.n)).collect();
    outline
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| FunnelStep {
            module: ModuleRef {
                slug: m.slug.clone(),
                title: m.title.clone(),
                position: i as i32 + 1,
            },
            reached: by_slug.get(m.slug.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

/// Ten buckets per quiz of the course: 0-9, 10-19, ..., 90-100.
pub fn scores(outline: &Outline, rows: &[ScoreBucket]) -> Vec<ScoreDistribution> {
    all_quizzes(outline)
        .map(|q| ScoreDistribution {
            quiz: QuizRef {
                slug: q.slug.clone(),
                title: q.title.clone(),
            },
            buckets: (0..10)
                .map(|b| Bucket {
                    from: b * 10,
                    to: if b == 9 { 100 } else { b * 10 + 9 },
                    count: rows
                        .iter()
                        .filter(|r| r.slug == q.slug && r.bucket == b)
                        .map(|r| r.n)
                        .sum(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn completions_accumulate_against_the_schedule() {
        let days = vec![
            DayCount {
                day: d("2026-01-02"),
                n: 1,
            },
            DayCount {
                day: d("2026-01-04"),
                n: 2,
            },
        ];
        let s = completion(
            d("2026-01-01"),
            Some(d("2026-01-05")),
            d("2026-01-05"),
            8,
            &days,
        );
        let got: Vec<(i64, Option<i64>)> = s.iter().map(|p| (p.completed, p.expected)).collect();
        assert_eq!(
            got,
            vec![
                (0, Some(0)),
                (1, Some(2)),
                (1, Some(4)),
                (3, Some(6)),
                (3, Some(8))
            ]
        );
        let none = completion(d("2026-01-01"), None, d("2026-01-01"), 8, &[]);
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].expected, None);
    }
}
