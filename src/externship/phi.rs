//! Keeping patient information out of the log. There is no field for a patient identifier;
//! free text (notes, activities, reasons) is checked for what looks like a date of birth, a
//! medical record number, a social security number or a phone number, and refused with 422
//! `phi_suspected` naming the part. The web app runs the same rules before sending
//! (`frontend/src/offline/phi.ts`); keep the two identical.
//!
//! Rules, checked in this order (the first kind that matches anywhere wins, with its leftmost
//! match); the patterns are in [`patterns`], character for character those of the web app:
//! 1. `ssn`: `123-45-6789` or `123 45 6789`;
//! 2. `phone`: ten digits grouped as a North American number, optionally `+1`, with `(`, `)`,
//!    spaces, dots or dashes: `555-123-4567`, `(555) 123 4567`, `+1 555.123.4567`;
//! 3. `date_of_birth`: a date (`3/4/1950`, `04-03-50`, `1950-03-04`, `March 4, 1950`), or "DOB"
//!    or "born" followed by a date or year;
//! 4. `record_number`: any run of six or more digits.
//!
//! Times ("07:30"), counts ("14 venipunctures", "23G") and blood pressures ("120/80") pass.
//! Both sides run the cases in `tests/fixtures/phi-cases.json`.

use std::sync::LazyLock;

use regex::bytes::{Regex, RegexBuilder};
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

const MONTH: &str = "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|\
                     august|sep|september|oct|october|nov|november|dec|december";

/// The rules, exactly as `frontend/src/offline/phi.ts` writes them (ASCII digits and word
/// boundaries, case-insensitive, leftmost-first alternatives, like JavaScript's engine).
fn patterns() -> Vec<(PhiKind, String)> {
    vec![
        (
            PhiKind::Ssn,
            r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|[0-9]{3} [0-9]{2} [0-9]{4}".into(),
        ),
        (
            PhiKind::Phone,
            r"(?:\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b".into(),
        ),
        (
            PhiKind::DateOfBirth,
            [
                r"\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}\b".to_string(),
                r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b".to_string(),
                format!(
                    r"\b(?:{MONTH})\b\.?[ \t]*[0-9]{{1,2}}(?:st|nd|rd|th)?,?[ \t]+[0-9]{{4}}\b"
                ),
                r"\b(?:dob|born)\b[^A-Za-z0-9]{0,3}(?:(?:on|in)[ \t]+)?[0-9](?:[0-9/.-]*[0-9])?"
                    .to_string(),
            ]
            .join("|"),
        ),
        (PhiKind::RecordNumber, "[0-9]{6,}".into()),
    ]
}

static RULES: LazyLock<Vec<(PhiKind, Regex)>> = LazyLock::new(|| {
    patterns()
        .into_iter()
        .map(|(kind, p)| {
            let re = RegexBuilder::new(&p)
                .unicode(false)
                .case_insensitive(true)
                .build()
                .expect("a valid built-in pattern");
            (kind, re)
        })
        .collect()
});

/// The first suspected piece of patient information in `text`, if any.
pub fn find(text: &str) -> Option<PhiFinding> {
    RULES.iter().find_map(|(kind, re)| {
        re.find(text.as_bytes()).map(|m| PhiFinding {
            kind: *kind,
            matched: String::from_utf8_lossy(m.as_bytes()).into_owned(),
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
    fn the_cases_shared_with_the_web_app_agree() {
        let text = include_str!("../../tests/fixtures/phi-cases.json");
        let cases: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        assert!(cases.len() >= 20);
        for c in cases {
            let note = c["text"].as_str().unwrap();
            let want = c["kind"].as_str();
            assert_eq!(find(note).map(|f| f.kind.as_str()), want, "{note}");
            if let Some(m) = c["match"].as_str() {
                assert_eq!(find(note).unwrap().matched, m, "{note}");
            }
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
        assert_eq!(kind("born in 1950"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("seen 1950-03-04"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("March 4, 1950"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("04-03-50"), Some(PhiKind::DateOfBirth));
        assert_eq!(kind("MRN 1234567"), Some(PhiKind::RecordNumber));
        let f = find("notes: MRN 00123456 drawn").unwrap();
        assert_eq!(f.matched, "00123456");
        assert_eq!(f.index, 11);
    }
}
