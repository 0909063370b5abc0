//! The logging rules, as pure functions over what the store read: a shift's span, dates that
//! are not in the future or outside the placement, overlaps, the daily maximum and plausible
//! collection counts. The handlers turn a [`RuleError`] into its 4xx.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use uuid::Uuid;

/// The most collection attempts one request may record (a quick entry of identical ones).
pub const MAX_QUICK_ENTRY: i64 = 100;

/// A learner anywhere on Earth may be a day ahead of UTC: dates up to UTC+14's today count as
/// today (the server does not know the site's time zone).
pub fn latest_allowed_date(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(14)).date_naive()
}

/// Why a log entry breaks a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleError {
    /// Start and end are the same time.
    EmptyShift,
    /// The date is after today.
    InFuture { latest: NaiveDate },
    /// The date is outside the placement's dates.
    OutsidePlacement {
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    },
    /// The shift overlaps another counted shift.
    Overlaps { other: Uuid },
    /// The day's shifts would exceed the daily maximum.
    DailyLimit {
        limit_minutes: i64,
        logged_minutes: i64,
    },
    /// More attempts than minutes in the shift (or in the daily maximum, without a shift).
    TooManyCollections { limit: i64, logged: i64 },
}

/// A shift's start and end as wall-clock times at the site. An end at or before the start is
/// the next day (a night shift); the length must be more than zero and at most 24 hours.
pub fn shift_span(
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
) -> Result<(NaiveDateTime, NaiveDateTime), RuleError> {
    if start == end {
        return Err(RuleError::EmptyShift);
    }
    let starts_at = date.and_time(start);
    let mut ends_at = date.and_time(end);
    if end < start {
        ends_at += Duration::days(1);
    }
    Ok((starts_at, ends_at))
}

/// Whole minutes between two wall-clock times (as the database's generated column counts).
pub fn minutes(starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> i64 {
    (ends_at - starts_at).num_minutes()
}

/// A date the learner may log: not in the future and within the placement.
pub fn check_date(
    date: NaiveDate,
    now: DateTime<Utc>,
    placement: (NaiveDate, NaiveDate),
) -> Result<(), RuleError> {
    let latest = latest_allowed_date(now);
    if date > latest {
        return Err(RuleError::InFuture { latest });
    }
    let (starts_on, ends_on) = placement;
    if date < starts_on || date > ends_on {
        return Err(RuleError::OutsidePlacement { starts_on, ends_on });
    }
    Ok(())
}

/// A counted shift of the learner's near the new one: its ID, span and length.
#[derive(Debug, Clone, Copy)]
pub struct NearbyShift {
    pub id: Uuid,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// The new shift `[starts_at, ends_at)` against the learner's other counted shifts (`others`,
/// which excludes the one being replaced): no overlap, and the shifts starting on its date add
/// up to at most `max_minutes`.
pub fn check_shift(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    others: &[NearbyShift],
    max_minutes: i64,
) -> Result<(), RuleError> {
    if let Some(o) = others
        .iter()
        .find(|o| o.starts_at < ends_at && starts_at < o.ends_at)
    {
        return Err(RuleError::Overlaps { other: o.id });
    }
    let day = starts_at.date();
    let logged: i64 = others
        .iter()
        .filter(|o| o.starts_at.date() == day)
        .map(|o| minutes(o.starts_at, o.ends_at))
        .sum();
    if logged + minutes(starts_at, ends_at) > max_minutes {
        return Err(RuleError::DailyLimit {
            limit_minutes: max_minutes,
            logged_minutes: logged,
        });
    }
    Ok(())
}

/// `adding` more attempts where `logged` are already counted and at most `limit` fit (the
/// shift's minutes, or the daily maximum's without a shift): one attempt a minute at most.
pub fn check_collections(adding: i64, logged: i64, limit: i64) -> Result<(), RuleError> {
    if logged + adding > limit {
        return Err(RuleError::TooManyCollections { limit, logged });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn shift(date: &str, a: &str, b: &str) -> NearbyShift {
        let (starts_at, ends_at) = shift_span(d(date), t(a), t(b)).unwrap();
        NearbyShift {
            id: Uuid::new_v4(),
            starts_at,
            ends_at,
        }
    }

    #[test]
    fn night_shifts_end_the_next_day_and_empty_ones_are_refused() {
        let (a, b) = shift_span(d("2026-11-02"), t("19:00"), t("07:00")).unwrap();
        assert_eq!(b.date(), d("2026-11-03"));
        assert_eq!(minutes(a, b), 720);
        assert_eq!(
            shift_span(d("2026-11-02"), t("08:00"), t("08:00")),
            Err(RuleError::EmptyShift)
        );
    }

    #[test]
    fn dates_must_not_be_in_the_future_or_outside_the_placement() {
        let now: DateTime<Utc> = "2026-11-10T12:00:00Z".parse().unwrap();
        let p = (d("2026-11-01"), d("2026-11-30"));
        assert_eq!(check_date(d("2026-11-10"), now, p), Ok(()));
        // UTC+14 is already on the 11th.
        assert_eq!(check_date(d("2026-11-11"), now, p), Ok(()));
        assert!(matches!(
            check_date(d("2026-11-12"), now, p),
            Err(RuleError::InFuture { .. })
        ));
        assert!(matches!(
            check_date(d("2026-10-31"), now, p),
            Err(RuleError::OutsidePlacement { .. })
        ));
    }

    #[test]
    fn overlaps_and_the_daily_maximum() {
        let morning = shift("2026-11-02", "07:00", "11:00");
        let night_before = shift("2026-11-01", "22:00", "06:00");
        let others = [morning, night_before];
        let (a, b) = shift_span(d("2026-11-02"), t("10:00"), t("12:00")).unwrap();
        assert_eq!(
            check_shift(a, b, &others, 720),
            Err(RuleError::Overlaps { other: morning.id })
        );
        let (a, b) = shift_span(d("2026-11-02"), t("05:00"), t("06:30")).unwrap();
        assert_eq!(
            check_shift(a, b, &others, 720),
            Err(RuleError::Overlaps {
                other: night_before.id
            })
        );
        // Touching is not overlapping.
        let (a, b) = shift_span(d("2026-11-02"), t("11:00"), t("19:00")).unwrap();
        assert_eq!(check_shift(a, b, &others, 720), Ok(()));
        let (a, b) = shift_span(d("2026-11-02"), t("11:00"), t("19:01")).unwrap();
        assert_eq!(
            check_shift(a, b, &others, 720),
            Err(RuleError::DailyLimit {
                limit_minutes: 720,
                logged_minutes: 240
            })
        );
    }

    #[test]
    fn collections_fit_the_minutes() {
        assert_eq!(check_collections(14, 0, 480), Ok(()));
        assert_eq!(
            check_collections(10, 475, 480),
            Err(RuleError::TooManyCollections {
                limit: 480,
                logged: 475
            })
        );
    }
}
