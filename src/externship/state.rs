//! The externship's states and kinds, as enums stored as text (see `db::text_enum`).

crate::text_enum! {
    /// What an entry of the log records.
    pub enum EntryKind {
        Shift = "shift",
        Collection = "collection",
    }
}

crate::text_enum! {
    /// Where an entry stands. `draft` → `submitted` (out for attestation) → `attested` or
    /// `rejected` (by the supervisor, with a reason) → `approved` or `returned` (by the program,
    /// with a note). Only drafts are edited; anything decided is corrected by an amendment.
    pub enum EntryState {
        Draft = "draft",
        Submitted = "submitted",
        Attested = "attested",
        Rejected = "rejected",
        Approved = "approved",
        Returned = "returned",
    }
}

impl EntryState {
    /// The learner may still change or delete the entry itself.
    pub fn is_editable(self) -> bool {
        self == EntryState::Draft
    }

    /// The entry has a decision that a correction must amend (not while it is out for
    /// attestation, and not a draft, which is simply edited).
    pub fn is_amendable(self) -> bool {
        matches!(
            self,
            EntryState::Attested
                | EntryState::Rejected
                | EntryState::Approved
                | EntryState::Returned
        )
    }

    /// The entry still claims its time (rejected and returned entries free it for a
    /// correction).
    pub fn holds_time(self) -> bool {
        !matches!(self, EntryState::Rejected | EntryState::Returned)
    }
}

crate::text_enum! {
    /// The kind of collection attempt (the slugs a course's procedure requirements use).
    pub enum CollectionType {
        Venipuncture = "venipuncture",
        SkinPuncture = "skin-puncture",
        Arterial = "arterial",
    }
}

crate::text_enum! {
    /// How the specimen was drawn.
    pub enum CollectionMethod {
        EvacuatedTube = "evacuated_tube",
        Syringe = "syringe",
        WingedSet = "winged_set",
    }
}

crate::text_enum! {
    /// The patient's age group (the only thing recorded about a patient).
    pub enum AgeGroup {
        Adult = "adult",
        Pediatric = "pediatric",
        Geriatric = "geriatric",
    }
}

crate::text_enum! {
    /// A supervisor's rating of a competency on one attestation.
    pub enum Rating {
        Satisfactory = "satisfactory",
        NeedsImprovement = "needs_improvement",
        NotObserved = "not_observed",
    }
}

crate::text_enum! {
    /// The supervisor's decision on one entry.
    pub enum Decision {
        Attest = "attest",
        Reject = "reject",
    }
}

crate::text_enum! {
    /// The program's decision on one attested entry.
    pub enum ReviewDecision {
        Approve = "approve",
        Return = "return",
    }
}

crate::text_enum! {
    /// Where an attestation request stands (derived from its timestamps).
    pub enum AttestationStatus {
        /// Sent, waiting for the supervisor.
        Pending = "pending",
        /// The supervisor decided.
        Decided = "decided",
        /// Replaced by a resent link, or withdrawn.
        Voided = "voided",
        /// Not used within its lifetime.
        Expired = "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_drafts_are_edited_and_only_decided_entries_amended() {
        for s in EntryState::ALL {
            assert_eq!(s.is_editable(), *s == EntryState::Draft);
            assert!(!(s.is_editable() && s.is_amendable()));
        }
        assert!(!EntryState::Submitted.is_amendable());
        assert!(EntryState::Approved.is_amendable());
        assert!(!EntryState::Rejected.holds_time());
        assert!(EntryState::Attested.holds_time());
    }

    #[test]
    fn collection_types_are_the_course_procedure_slugs() {
        assert_eq!(CollectionType::SkinPuncture.as_str(), "skin-puncture");
        assert_eq!(
            CollectionType::parse("venipuncture"),
            Some(CollectionType::Venipuncture)
        );
    }
}
