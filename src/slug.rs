//! Text rules shared by every layer: what a slug is. No HTTP, no database.

/// The longest slug, in characters (all ASCII, so also bytes).
pub const MAX_SLUG_LEN: usize = 64;

/// Whether `s` can be a slug: `a-z`, `0-9` and `-`, starting with a letter, at most 64
/// characters. Course files must use slugs; handlers answer 404 for anything else without
/// asking the database.
pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.len() <= MAX_SLUG_LEN
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::is_slug;

    #[test]
    fn slugs_are_lowercase_words_with_hyphens() {
        for good in ["order-of-draw", "a", "phlebotomy-101", &"a".repeat(64)] {
            assert!(is_slug(good), "{good:?}");
        }
        for bad in [
            "",
            "Order",
            "1st",
            "-lead",
            "a b",
            "a_b",
            "a\u{0}",
            "é",
            &"a".repeat(65),
        ] {
            assert!(!is_slug(bad), "{bad:?}");
        }
    }
}
