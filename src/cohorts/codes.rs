//! Enrolment codes: the readable generator and the status a code has at a moment (computed,
//! never stored). Pure.

use chrono::{DateTime, Utc};

/// The letters and digits of generated codes: no 0/O, 1/I/L, which people misread.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Groups of [`GROUP`] characters after the prefix.
pub const GROUPS: usize = 2;
pub const GROUP: usize = 4;
/// Random bytes one generation needs (more than the characters, for the rejected ones).
pub const RANDOM_BYTES: usize = 32;

crate::text_enum! {
    /// Whether a code lets a learner join now.
    pub enum CodeStatus {
        Active = "active",
        Expired = "expired",
        UsedUp = "used_up",
        Disabled = "disabled",
    }
}

/// A code's status at `now`: disabled first, then expired, then used up.
pub fn status(
    disabled_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    max_uses: Option<i32>,
    uses: i32,
    now: DateTime<Utc>,
) -> CodeStatus {
    if disabled_at.is_some() {
        CodeStatus::Disabled
    } else if expires_at.is_some_and(|e| e <= now) {
        CodeStatus::Expired
    } else if max_uses.is_some_and(|m| uses >= m) {
        CodeStatus::UsedUp
    } else {
        CodeStatus::Active
    }
}

/// The prefix of a course's codes: the first four letters or digits of its slug, upper-cased
/// (`demo-course` -> `DEMO`).
pub fn prefix(course_slug: &str) -> String {
    let p: String = course_slug
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    if p.is_empty() { "CODE".into() } else { p }
}

/// A code like `DEMO-7KQ3-M9XD` from `random` bytes: each byte below the largest multiple of
/// the alphabet's size picks a character (so every character is equally likely); `None` if
/// too few bytes were usable (draw again).
pub fn generate(prefix: &str, random: &[u8]) -> Option<String> {
    let n = ALPHABET.len();
    let limit = 256 - 256 % n;
    let mut chars = random
        .iter()
        .filter(|b| usize::from(**b) < limit)
        .map(|b| char::from(ALPHABET[usize::from(*b) % n]));
    let mut code = prefix.to_string();
    for _ in 0..GROUPS {
        code.push('-');
        for _ in 0..GROUP {
            code.push(chars.next()?);
        }
    }
    Some(code)
}

/// A fresh random code for `course_slug`.
pub fn random(course_slug: &str) -> String {
    let prefix = prefix(course_slug);
    loop {
        let mut bytes = [0u8; RANDOM_BYTES];
        rand::fill(&mut bytes);
        if let Some(code) = generate(&prefix, &bytes) {
            return code;
        }
    }
}

/// A code typed by staff, normalised: trimmed, upper-cased, 3 to 64 of `A-Z`, `0-9` and `-`.
pub fn normalise(raw: &str) -> Option<String> {
    let c = raw.trim().to_ascii_uppercase();
    let ok = (3..=64).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    ok.then_some(c)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn generated_codes_use_only_unambiguous_characters() {
        for c in b"0O1IL" {
            assert!(!ALPHABET.contains(c), "{}", char::from(*c));
        }
        for _ in 0..500 {
            let code = random("demo-course");
            assert_eq!(code.len(), "DEMO-XXXX-XXXX".len(), "{code}");
            assert!(code.starts_with("DEMO-"));
            assert!(
                code[5..]
                    .bytes()
                    .all(|b| b == b'-' || ALPHABET.contains(&b)),
                "{code}"
            );
            assert_eq!(normalise(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn generation_is_a_function_of_the_bytes_and_skips_biased_ones() {
        let bytes: Vec<u8> = (0..32).collect();
        assert_eq!(generate("AB", &bytes).unwrap(), "AB-2345-6789");
        // 248.. would favour the first characters: they are skipped.
        let mut biased = vec![255u8; 3];
        biased.extend(0..8u8);
        assert_eq!(generate("AB", &biased).unwrap(), "AB-2345-6789");
        assert_eq!(generate("AB", &[255; 32]), None, "too few usable bytes");
    }

    #[test]
    fn codes_rarely_repeat() {
        let codes: HashSet<String> = (0..2000).map(|_| random("x")).collect();
        assert!(codes.len() >= 1999);
    }

    #[test]
    fn the_prefix_comes_from_the_slug() {
        assert_eq!(prefix("phlebotomy-basics"), "PHLE");
        assert_eq!(prefix("a-b"), "AB");
        assert_eq!(prefix("---"), "CODE");
    }

    #[test]
    fn typed_codes_are_normalised_or_refused() {
        assert_eq!(normalise("  spring-27 ").as_deref(), Some("SPRING-27"));
        for bad in ["ab", "with space", "ÉTÉ-2027", &"A".repeat(65)] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_status_is_computed_in_order() {
        let now = Utc::now();
        let past = Some(now - chrono::Duration::seconds(1));
        let future = Some(now + chrono::Duration::days(1));
        assert_eq!(status(None, None, None, 9, now), CodeStatus::Active);
        assert_eq!(status(None, future, Some(2), 1, now), CodeStatus::Active);
        assert_eq!(status(None, None, Some(2), 2, now), CodeStatus::UsedUp);
        assert_eq!(status(None, past, Some(2), 2, now), CodeStatus::Expired);
        assert_eq!(status(past, past, Some(2), 2, now), CodeStatus::Disabled);
    }
}
