//! A certificate's status and the paper sizes of its PDF.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::pdf;

crate::text_enum! {
    /// Where a certificate stands. Not stored: it follows from the row and the time
    /// ([`status`]), so expiry needs no job.
    pub enum Status {
        /// Issued, current and not revoked.
        Active = "active",
        /// Past the course's validity period.
        Expired = "expired",
        /// Withdrawn by the provider, with a reason.
        Revoked = "revoked",
        /// Replaced by a reissued certificate (after a name change, for example).
        Superseded = "superseded",
    }
}

/// The parts of a certificate row its status depends on.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<Uuid>,
}

/// The status at `now`: revocation and replacement outrank expiry.
pub fn status(s: Standing, now: DateTime<Utc>) -> Status {
    if s.revoked_at.is_some() {
        Status::Revoked
    } else if s.superseded_by.is_some() {
        Status::Superseded
    } else if s.expires_at.is_some_and(|at| at <= now) {
        Status::Expired
    } else {
        Status::Active
    }
}

crate::text_enum! {
    /// The PDF's paper size (`?paper=`).
    pub enum Paper {
        A4 = "a4",
        Letter = "letter",
    }
}

impl Paper {
    pub fn pdf(self) -> pdf::Paper {
        match self {
            Paper::A4 => pdf::Paper::A4,
            Paper::Letter => pdf::Paper::Letter,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn revocation_and_replacement_outrank_expiry() {
        let now = Utc::now();
        let past = Some(now - Duration::days(1));
        let none = Standing {
            expires_at: None,
            revoked_at: None,
            superseded_by: None,
        };
        assert_eq!(status(none, now), Status::Active);
        let future = Standing {
            expires_at: Some(now + Duration::days(1)),
            ..none
        };
        assert_eq!(status(future, now), Status::Active);
        let expired = Standing {
            expires_at: past,
            ..none
        };
        assert_eq!(status(expired, now), Status::Expired);
        let superseded = Standing {
            superseded_by: Some(Uuid::nil()),
            ..expired
        };
        assert_eq!(status(superseded, now), Status::Superseded);
        let revoked = Standing {
            revoked_at: past,
            ..expired
        };
        assert_eq!(status(revoked, now), Status::Revoked);
    }
}
