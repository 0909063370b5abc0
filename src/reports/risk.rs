//! Pure: which learners are at risk, and why. The dashboard's SQL sorts and filters by the
//! number of flags ([`Thresholds`] are computed here and bound into the query, so the query
//! compares against exactly the values these functions use); each row's flags and reasons are
//! then computed here from the same inputs the query returned.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// No activity for this many days flags a learner `inactive`.
pub const INACTIVE_DAYS: i64 = 14;
/// An attestation request waiting longer than this flags `attestation_waiting`.
pub const ATTESTATION_WAIT_DAYS: i64 = 7;
/// A required quiz failed this many times (and not passed) flags `quiz_failed_twice`.
pub const FAILED_ATTEMPTS: i32 = 2;
/// `behind_schedule`: percent complete more than this many points below the schedule.
pub const BEHIND_SLACK_POINTS: i64 = 10;

crate::text_enum! {
    /// Why a learner is flagged.
    pub enum RiskKind {
        /// No activity for [`INACTIVE_DAYS`] days.
        Inactive = "inactive",
        /// Further behind the cohort's schedule (start to target date) than the slack.
        BehindSchedule = "behind_schedule",
        /// A required quiz failed twice and not passed.
        QuizFailedTwice = "quiz_failed_twice",
        /// An attestation request waits for its supervisor longer than a week.
        AttestationWaiting = "attestation_waiting",
    }
}

/// The cutoffs a day's dashboard compares against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub now: DateTime<Utc>,
    /// Last activity before this is `inactive`.
    pub inactive_before: DateTime<Utc>,
    /// Attestations created before this are `attestation_waiting`.
    pub attestation_before: DateTime<Utc>,
    /// The percent the schedule expects today, less the slack (`None`: no target date, or the
    /// schedule expects nothing yet).
    pub behind_below_percent: Option<i64>,
    /// The same as a count of done items (lessons + required quizzes): fewer is behind.
    pub behind_below_done: Option<i64>,
}

/// The percent of the way from `starts_on` to `target_on` that `today` is (0..=100).
pub fn expected_percent(
    starts_on: NaiveDate,
    target_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<i64> {
    let target = target_on?;
    let span = (target - starts_on).num_days();
    let gone = (today - starts_on).num_days();
    if span <= 0 {
        return Some(if gone >= 0 { 100 } else { 0 });
    }
    Some((gone.clamp(0, span) * 100) / span)
}

impl Thresholds {
    /// `items`: the course's lessons plus required quizzes (what percent complete counts).
    pub fn new(
        now: DateTime<Utc>,
        starts_on: NaiveDate,
        target_on: Option<NaiveDate>,
        items: i64,
    ) -> Thresholds {
        let behind = expected_percent(starts_on, target_on, now.date_naive())
            .map(|p| p - BEHIND_SLACK_POINTS)
            .filter(|p| *p > 0 && items > 0);
        Thresholds {
            now,
            inactive_before: now - Duration::days(INACTIVE_DAYS),
            attestation_before: now - Duration::days(ATTESTATION_WAIT_DAYS),
            behind_below_percent: behind,
            // floor(done * 100 / items) < p  <=>  done * 100 < p * items  <=>  done < ceil(p * items / 100)
            behind_below_done: behind.map(|p| (p * items + 99) / 100),
        }
    }
}

/// One learner's inputs, as the dashboard query returns them.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Active and within its access period: only open enrolments are flagged.
    pub open: bool,
    pub last_activity_at: DateTime<Utc>,
    /// Percent complete (learning's rule).
    pub percent: i64,
    /// Required quizzes failed [`FAILED_ATTEMPTS`] times and not passed: their titles.
    pub failed_quizzes: Vec<String>,
    /// The oldest attestation request still waiting.
    pub oldest_pending: Option<DateTime<Utc>>,
}

/// A flag with its reason for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Risk {
    pub kind: RiskKind,
    pub reason: String,
}

/// The flags of one learner, in a fixed order.
pub fn flags(i: &Inputs, t: &Thresholds) -> Vec<Risk> {
    let mut out = Vec::new();
    if !i.open {
        return out;
    }
    if i.last_activity_at < t.inactive_before {
        let days = (t.now - i.last_activity_at).num_days();
        out.push(Risk {
            kind: RiskKind::Inactive,
            reason: format!("No activity for {days} days."),
        });
    }
    if let Some(p) = t.behind_below_percent
        && i.percent < p
    {
        let expected = p + BEHIND_SLACK_POINTS;
        out.push(Risk {
            kind: RiskKind::BehindSchedule,
            reason: format!(
                "{}% complete; the schedule expects {expected}% by today.",
                i.percent
            ),
        });
    }
    if !i.failed_quizzes.is_empty() {
        out.push(Risk {
            kind: RiskKind::QuizFailedTwice,
            reason: format!(
                "Failed {} at least twice.",
                crate::learning::progress::join_words(&i.failed_quizzes)
            ),
        });
    }
    if let Some(at) = i.oldest_pending
        && at < t.attestation_before
    {
        let days = (t.now - at).num_days();
        out.push(Risk {
            kind: RiskKind::AttestationWaiting,
            reason: format!("An attestation request has waited {days} days for the supervisor."),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn fine(now: DateTime<Utc>) -> Inputs {
        Inputs {
            open: true,
            last_activity_at: now,
            percent: 100,
            failed_quizzes: vec![],
            oldest_pending: None,
        }
    }

    #[test]
    fn the_schedule_runs_from_start_to_target() {
        let s = date("2026-01-01");
        let t = Some(date("2026-01-11"));
        assert_eq!(expected_percent(s, t, date("2025-12-01")), Some(0));
        assert_eq!(expected_percent(s, t, date("2026-01-06")), Some(50));
        assert_eq!(expected_percent(s, t, date("2026-03-01")), Some(100));
        assert_eq!(expected_percent(s, None, date("2026-03-01")), None);
        assert_eq!(expected_percent(s, Some(s), s), Some(100));
    }

    #[test]
    fn behind_compares_percent_and_done_counts_alike() {
        let now = at("2026-01-06T12:00:00Z");
        // Halfway: 50 % expected, behind below 40 %.
        let t = Thresholds::new(now, date("2026-01-01"), Some(date("2026-01-11")), 7);
        assert_eq!(t.behind_below_percent, Some(40));
        // 40 % of 7 items is 2.8: 3 done items (42 %) is on track, 2 (28 %) behind.
        assert_eq!(t.behind_below_done, Some(3));
        for done in 0..=7 {
            let percent = done * 100 / 7;
            assert_eq!(percent < 40, done < 3, "{done} done");
        }
        // Before the slack is used up nothing is behind.
        let early = Thresholds::new(now, date("2026-01-05"), Some(date("2026-02-05")), 7);
        assert_eq!(early.behind_below_done, None);
    }

    #[test]
    fn each_flag_has_its_reason() {
        let now = at("2026-03-01T00:00:00Z");
        let t = Thresholds::new(now, date("2026-01-01"), Some(date("2026-03-01")), 10);
        assert!(flags(&fine(now), &t).is_empty());
        let all = Inputs {
            open: true,
            last_activity_at: now - Duration::days(20),
            percent: 30,
            failed_quizzes: vec!["\"Final exam\"".into()],
            oldest_pending: Some(now - Duration::days(8)),
        };
        let got = flags(&all, &t);
        let kinds: Vec<RiskKind> = got.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, RiskKind::ALL.to_vec());
        assert_eq!(got[0].reason, "No activity for 20 days.");
        assert_eq!(
            got[1].reason,
            "30% complete; the schedule expects 100% by today."
        );
        assert_eq!(got[2].reason, "Failed \"Final exam\" at least twice.");
        assert_eq!(
            got[3].reason,
            "An attestation request has waited 8 days for the supervisor."
        );
        // Just inside every limit: nothing.
        let edge = Inputs {
            last_activity_at: now - Duration::days(INACTIVE_DAYS) + Duration::seconds(1),
            percent: 90,
            failed_quizzes: vec![],
            oldest_pending: Some(
                now - Duration::days(ATTESTATION_WAIT_DAYS) + Duration::seconds(1),
            ),
            ..all.clone()
        };
        assert!(flags(&edge, &t).is_empty());
        // A completed, withdrawn or expired enrolment is never flagged.
        assert!(flags(&Inputs { open: false, ..all }, &t).is_empty());
    }
}
