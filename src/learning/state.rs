//! The states learning keeps and shows, as enums (stored as text; see `db::text_enum`).

use chrono::{DateTime, Utc};

crate::text_enum! {
    /// Where an enrolment stands. Stored as `active`, `completed` or `withdrawn`; an active
    /// enrolment past its access period is shown (and treated) as `expired`.
    pub enum EnrolmentState {
        Active = "active",
        Completed = "completed",
        Withdrawn = "withdrawn",
        Expired = "expired",
    }
}

impl EnrolmentState {
    /// Withdrawn or expired: lessons, quizzes and logs are closed until an admin re-activates.
    pub fn is_inactive(self) -> bool {
        matches!(self, EnrolmentState::Withdrawn | EnrolmentState::Expired)
    }

    /// The state a learner sees at `at`: `active` past `access_expires_at` reads `expired`.
    pub fn effective(self, access_expires_at: DateTime<Utc>, at: DateTime<Utc>) -> EnrolmentState {
        if self == EnrolmentState::Active && access_expires_at <= at {
            EnrolmentState::Expired
        } else {
            self
        }
    }
}

crate::text_enum! {
    /// How a learner stands at a quiz.
    pub enum QuizStanding {
        Passed = "passed",
        /// Attempted, not passed yet.
        NotPassed = "not_passed",
        NotAttempted = "not_attempted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_active_enrolment_past_its_access_period_reads_expired() {
        let now = Utc::now();
        let past = now - chrono::Duration::seconds(1);
        let future = now + chrono::Duration::days(1);
        assert_eq!(
            EnrolmentState::Active.effective(past, now),
            EnrolmentState::Expired
        );
        assert_eq!(
            EnrolmentState::Active.effective(future, now),
            EnrolmentState::Active
        );
        // Only an active enrolment expires: completed stays completed.
        assert_eq!(
            EnrolmentState::Completed.effective(past, now),
            EnrolmentState::Completed
        );
        assert!(EnrolmentState::Expired.is_inactive() && EnrolmentState::Withdrawn.is_inactive());
        assert!(!EnrolmentState::Active.is_inactive() && !EnrolmentState::Completed.is_inactive());
    }
}
