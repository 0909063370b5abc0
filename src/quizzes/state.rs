//! The states quizzes keep and show, as enums (stored as text; see `db::text_enum`).

crate::text_enum! {
    /// An attempt is open (answers can change) until it is submitted or its time runs out.
    pub enum AttemptState {
        Open = "open",
        Submitted = "submitted",
    }
}

crate::text_enum! {
    /// When the review (answers, correct answers, explanations) opens.
    pub enum ReviewPolicy {
        AfterSubmit = "after_submit",
        AfterPass = "after_pass",
        AfterAttemptsUsed = "after_attempts_used",
    }
}

crate::text_enum! {
    /// Where a learner stands with a quiz right now.
    pub enum QuizStatus {
        /// A new attempt can start.
        Available = "available",
        /// An attempt is open.
        Open = "open",
        /// Earlier requirements come first (`locked_reason` says which).
        Locked = "locked",
        /// The pause after the last attempt has not ended (`available_at`).
        Cooldown = "cooldown",
        /// Every allowed attempt is used.
        Exhausted = "exhausted",
    }
}

crate::text_enum! {
    /// Why an attempt no longer takes answers (`details.reason` of `attempt_closed`).
    pub enum ClosedReason {
        Submitted = "submitted",
        Deadline = "deadline",
    }
}

crate::text_enum! {
    /// How a submitted attempt stands against its quiz (`result.outcome`).
    pub enum AttemptOutcome {
        Passed = "passed",
        /// Under the pass mark, every must-pass question right.
        BelowPassMark = "below_pass_mark",
        /// A must-pass question is not fully right: not a pass whatever the percent.
        MustPassMissed = "must_pass_missed",
    }
}
