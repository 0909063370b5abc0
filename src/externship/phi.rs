//! Keeping patient information out of the log. There is no field for a patient identifier;
//! free text (notes, activities, reasons) is checked for what looks like a date of birth, a
//! medical record number, a social security number or a phone number, and refused with 422
//! `phi_suspected` naming the part. The web app runs the same rules before sending
//! (`frontend/src/offline/phi.ts`); keep the two identical.
//!
//! Rules, checked in this order (the first finding is reported):
//! 1. `ssn`: `123-45-6789` or `123 45 6789`;
//! 2. `phone`: ten digits grouped as a North American number, optionally `+1`, with `(`, `)`,
//!    spaces, dots or dashes: `555-123-4567`, `(555) 123 4567`, `+1 555.123.4567`;
//! 3. `date_of_birth`: a date (`3/4/1950`, `04-03-50`, `1950-03-04`, `March 4, 1950`), or "DOB"
//!    or "born" followed by a digit;
//! 4. `record_number`: any run of six or more digits.
//!
//! Times ("07:30") and counts ("14 venipunctures", "23G") pass.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use utoipa::ToSchema;

crate::text_enum! {
    /// What a suspected piece of patient information looks like.
    pub enum PhiKind {
        Ssn = "ssn",
        Phone = "phone",
        DateOfBirth = "date_of_birth",
        RecordNumber = "record_number",
    }
}

/// A suspected piece of patient information in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PhiFinding {
    pub kind: PhiKind,
    /// The offending text, as written.
    #[serde(rename = "match")]
    pub matched: String,
    /// Its byte offset in the text.
    pub index: usize,
}

impl PhiKind {
    /// What it looks like, for a sentence ("a phone number").
    pub fn noun(self) -> &'static str {
        match self {
            PhiKind::Ssn => "a social security number",
            PhiKind::Phone => "a phone number",
            PhiKind::DateOfBirth => "a date of birth",
            PhiKind::RecordNumber => "a medical record number",
        }
    }
}

fn rx(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

static RULES: LazyLock<Vec<(PhiKind, Regex)>> = LazyLock::new(|| {
    vec![
        (
            PhiKind::Ssn,
            rx(r"\b\d{3}-\d{2}-\d{4}\b|\b\d{3} \d{2} \d{4}\b"),
        ),
        (
            PhiKind::Phone,
            rx(r"(?:\+?1[ .-]?)?(?:\(\d{3}\)|\b\d{3})[ .-]?\d{3}[ .-]?\d{4}\b"),
        ),
        (
            PhiKind::DateOfBirth,
            rx(concat!(
                r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b",
                r"|(?i)\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?",
                r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)",
                r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b",
                r"|(?i)\b(?:dob|d\.o\.b\.?|born)\W{0,3}\d",
            )),
        ),
        (PhiKind::RecordNumber, rx(r"\d{6,}")),
    ]
});

/// The first suspected piece of patient information in `text`, if any.
pub fn find(text: &str) -> Option<PhiFinding> {
    RULES.iter().find_map(|(kind, re)| {
        re.find(text).map(|m| PhiFinding {
            kind: *kind,
            matched: m.as_str().to_string(),
            index: m.start(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<PhiKind> {
        find(text).map(|f| f.kind)
    }

    #[test]
    fn ordinary_clinical_notes_pass() {
        for ok in [
            "2 tubes, 14:05",
            "gauge 21",
            "used 23G butterfly, patient anxious",
            "14 venipunctures at the outpatient station",
            "Drew 3 lavender and 1 light blue; redraw after hemolysis",
            "shift 07:30-15:30, 12 draws",
            "",
        ] {
            assert_eq!(find(ok), None, "{ok}");
        }
    }

    #[test]
    fn identifiers_are_found_with_their_kind_and_text() {
        assert_eq!(kind("SSN 123-45-6789"), Some(PhiKind::Ssn));
        assert_eq!(kind("123 45 6789"), Some(PhiKind::Ssn));
        assert_eq!(kind("call 555-123-4567 later"), Some(PhiKind::Phone));
        assert_eq!(kind("(555) 123 4567"), Some(PhiKind::Phone));
        assert_eq!(kind("+1 555.123.4567"), Some(PhiKind::Phone));
        assert_eq!(kind("DOB 3/4/1950"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("pt born 1950"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("seen 1950-03-04"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("March 4, 1950"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("04-03-50"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("MRN 1234567"), Some(PhiKind::RecordNumber));
        let f = find("notes: MRN 00123456 drawn").unwrap();
        assert_eq!(f.matched, "00123456");
        assert_eq!(f.index, 11);
    }
}
