//! Parsed account inputs: once a value has one of these types, it is valid.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::http::ErrorCode;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// An input that breaks its rule: the code clients switch on, a sentence for people, and the
/// field it concerns. Answered 422.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: ErrorCode,
    pub message: String,
    /// e.g. `{"field": "email"}`.
    pub details: serde_json::Value,
}

impl Invalid {
    fn new(code: ErrorCode, message: impl Into<String>, details: serde_json::Value) -> Invalid {
        Invalid {
            code,
            message: message.into(),
            details,
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A normalised email address: trimmed, lower-cased, in Unicode NFC (so the composed and the
/// decomposed spelling of one address are one account), one `@`, a dotted domain, at most 254
/// characters; no invisible, bidirectional, control or other format character (general
/// category C: U+202E, U+200B, U+00AD, U+FEFF, ...), and a local part in one script (Latin
/// mixed with Cyrillic or Greek look-alikes is refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Invalid> {
        use unicode_normalization::UnicodeNormalization;
        let e: String = raw.trim().to_lowercase().nfc().collect();
        let invalid = |why: &str| {
            Invalid::new(
                ErrorCode::InvalidEmail,
                format!("The email address is not valid: {why}."),
                serde_json::json!({ "field": "email" }),
            )
        };
        if let Some(c) = e.chars().find(|&c| is_invisible(c)) {
            return Err(invalid(&format!(
                "it contains an invisible or control character (U+{:04X})",
                c as u32
            )));
        }
        if e.is_empty() {
            return Err(invalid("it is empty"));
        }
        if e.chars().count() > 254 {
            return Err(invalid("it is longer than 254 characters"));
        }
        let Some((local, domain)) = e.split_once('@') else {
            return Err(invalid("it has no @"));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(invalid("the part before @ must be 1 to 64 characters"));
        }
        if domain.contains('@') {
            return Err(invalid("it has more than one @"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(invalid("the domain after @ is not a valid host name"));
        }
        if e.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c))
        {
            return Err(invalid("it contains characters an address cannot have"));
        }
        if !one_script(local) {
            return Err(invalid(
                "the part before @ mixes letters of different scripts (such as Latin and Cyrillic)",
            ));
        }
        Ok(Email(e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Control, format (bidirectional marks, zero-width characters, the soft hyphen, the byte
/// order mark), surrogate, private-use and unassigned code points: general category C.
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    c.general_category_group() == GeneralCategoryGroup::Other
}

/// Whether every letter of `text` belongs to one script (by Unicode script extensions, where
/// digits and punctuation go with any script). Han, Hiragana, Katakana, Hangul and Bopomofo
/// count as one, since Japanese, Korean and Chinese writing mix them.
fn one_script(text: &str) -> bool {
    use unicode_script::{Script, ScriptExtension, UnicodeScript};
    let cjk = [
        Script::Hiragana,
        Script::Katakana,
        Script::Hangul,
        Script::Bopomofo,
    ]
    .into_iter()
    .fold(ScriptExtension::from(Script::Han), |all, s| {
        all.union(ScriptExtension::from(s))
    });
    let mut common = ScriptExtension::default();
    for c in text.chars() {
        let mut ext = c.script_extension();
        let any = ext.is_common() || ext.is_inherited();
        if !any && !ext.intersection(cjk).is_empty() {
            ext = ext.union(cjk);
        }
        common.intersect_with(ext);
    }
    !common.is_empty()
}

/// A display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Name, Invalid> {
        let n = raw.trim();
        let invalid = |why: &str| {
            Invalid::new(
                ErrorCode::InvalidName,
                format!("The name is not valid: {why}."),
                serde_json::json!({ "field": "name" }),
            )
        };
        if n.is_empty() {
            return Err(invalid("it is empty"));
        }
        if n.chars().count() > 100 {
            return Err(invalid("it is longer than 100 characters"));
        }
        if n.chars().any(char::is_control) {
            return Err(invalid("it contains control characters"));
        }
        Ok(Name(n.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// A new password that meets the policy: 10 to 256 characters, not one of the 30,000 most
/// common passwords, not the account's own email address.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str, email: Option<&Email>) -> Result<NewPassword, Invalid> {
        let field = serde_json::json!({ "field": "password", "min_length": MIN_PASSWORD_CHARS });
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(Invalid::new(
                ErrorCode::PasswordTooShort,
                format!("The password must be at least {MIN_PASSWORD_CHARS} characters long."),
                field,
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(Invalid::new(
                ErrorCode::PasswordTooLong,
                format!("The password must be at most {MAX_PASSWORD_CHARS} characters long."),
                field,
            ));
        }
        let lower = raw.to_lowercase();
        if COMMON.contains(lower.as_str())
            || email.is_some_and(|e| {
                lower == e.as_str() || lower == e.as_str().split('@').next().unwrap_or("")
            })
        {
            return Err(Invalid::new(
                ErrorCode::PasswordTooCommon,
                "This password is too common or too easy to guess. Please choose another.",
                field,
            ));
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text_enum! {
    /// What a user may do. Stored as text with a CHECK constraint; adding a role means a
    /// variant here, a migration widening the CHECK, and the permissions it grants.
    pub enum Role {
        Learner = "learner",
        /// Runs the cohorts it owns (see `accounts::staff`).
        Staff = "staff",
        Admin = "admin",
    }
}

impl Role {
    /// Only admins manage accounts, keys and every cohort; staff use the admin area within
    /// their own cohorts (see `accounts::staff`).
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stored_text() {
        for role in [Role::Learner, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::json!(role), role.as_str());
        }
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ana.Lopez@Example.ORG ").unwrap().as_str(),
            "ana.lopez@example.org"
        );
        for bad in [
            "",
            "ana",
            "@example.org",
            "ana@",
            "ana@example",
            "ana@@example.org",
            "ana lopez@example.org",
            "ana@exa_mple.org",
            "ana@-example.org",
            "<ana>@example.org",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().code(),
                ErrorCode::InvalidEmail,
                "{bad:?}"
            );
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    fn refusal(raw: &str) -> String {
        let e = Email::parse(raw).expect_err(raw);
        assert_eq!(e.code(), ErrorCode::InvalidEmail, "{raw:?}");
        assert_eq!(e.details["field"], "email");
        e.message
    }

    #[test]
    fn invisible_bidirectional_and_control_characters_are_refused() {
        for (c, name) in [
            ('\u{202E}', "right-to-left override"),
            ('\u{200B}', "zero-width space"),
            ('\u{00AD}', "soft hyphen"),
            ('\u{FEFF}', "byte order mark"),
            ('\u{200D}', "zero-width joiner"),
            ('\u{2066}', "left-to-right isolate"),
            ('\u{0007}', "bell (Cc)"),
            ('\u{E000}', "private use"),
        ] {
            for raw in [format!("an{c}a@example.org"), format!("ana@exa{c}mple.org")] {
                let m = refusal(&raw);
                assert!(
                    m.contains(&format!("U+{:04X}", c as u32)) && m.contains("invisible"),
                    "{name}: {m}"
                );
            }
        }
        // Leading or trailing ones are not trimmed away into a valid address either.
        refusal("\u{FEFF}ana@example.org");
    }

    #[test]
    fn composed_and_decomposed_spellings_are_one_address() {
        let composed = Email::parse("jos\u{00E9}@example.org").unwrap();
        let decomposed = Email::parse("jose\u{0301}@example.org").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(decomposed.as_str(), "jos\u{00E9}@example.org");
        assert_eq!(
            Email::parse("JOSE\u{0301}@Example.org").unwrap(),
            composed,
            "lower-cased too"
        );
    }

    #[test]
    fn mixed_script_local_parts_are_refused_and_single_scripts_accepted() {
        for mixed in [
            "p\u{0430}ypal@example.org",     // Latin with a Cyrillic a
            "\u{03BF}liver@example.org",     // a Greek omicron for the o
            "\u{0430}\u{0431}c@example.org", // Cyrillic then Latin
        ] {
            assert!(refusal(mixed).contains("scripts"), "{mixed:?}");
        }
        for fine in [
            "ana.lopez+lab_2@example.org",
            "\u{0430}\u{043D}\u{043D}\u{0430}@example.org", // all Cyrillic
            "\u{03B1}\u{03BB}\u{03C6}\u{03B1}.1@example.org", // all Greek, with a digit
            "\u{5C71}\u{7530}\u{305F}\u{308D}\u{3046}@example.jp", // kanji with hiragana
            "jos\u{00E9}-2@example.org",
        ] {
            assert!(Email::parse(fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Ana López ").unwrap().as_str(), "Ana López");
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"x".repeat(101)).is_err());
        assert!(Name::parse("Ana\u{0}").is_err());
    }

    #[test]
    fn passwords_follow_the_policy() {
        let email = Email::parse("ana.lopez@example.org").unwrap();
        assert_eq!(
            NewPassword::parse("short", None).err().unwrap().code(),
            ErrorCode::PasswordTooShort
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(257), None)
                .err()
                .unwrap()
                .code(),
            ErrorCode::PasswordTooLong
        );
        for common in ["password123", "Qwertyuiop", "1234567890"] {
            assert_eq!(
                NewPassword::parse(common, None).err().unwrap().code(),
                ErrorCode::PasswordTooCommon,
                "{common}"
            );
        }
        assert_eq!(
            NewPassword::parse("Ana.Lopez@example.org", Some(&email))
                .err()
                .unwrap()
                .code(),
            ErrorCode::PasswordTooCommon
        );
        assert!(NewPassword::parse("tourniquet-before-needle", Some(&email)).is_ok());
        // Ten characters, counted as characters, not bytes.
        assert!(NewPassword::parse("éééééééééé", None).is_ok());
    }
}
