//! Verification codes: 15 Crockford base32 characters (75 random bits), shown in three groups
//! of five for reading aloud (`7QX2M-4KD9R-H3WTA`). Reading one back forgives what people do:
//! lower case, spaces or dashes between groups, and the letters Crockford maps to digits
//! (O to 0, I and L to 1).

use std::fmt;
use std::str::FromStr;

/// Crockford's alphabet: digits and letters without I, L, O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code (5 bits each).
pub const LEN: usize = 15;

/// A well-formed verification code, stored and compared without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code(String);

impl Code {
    /// A new random code from the operating system's generator.
    pub fn generate() -> Code {
        let mut bytes = [0u8; LEN];
        rand::fill(&mut bytes);
        // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
        Code(
            bytes
                .iter()
                .map(|b| ALPHABET[usize::from(b & 31)] as char)
                .collect(),
        )
    }

    /// A code read from the database, whose CHECK constraint holds it to the same form.
    pub fn stored(s: String) -> Code {
        debug_assert!(s.parse::<Code>().is_ok_and(|c| c.0 == s), "{s:?}");
        Code(s)
    }

    /// The code as stored (15 characters, no separators).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code in groups of five: `XXXXX-XXXXX-XXXXX`.
    pub fn grouped(&self) -> String {
        let s = &self.0;
        format!("{}-{}-{}", &s[0..5], &s[5..10], &s[10..15])
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

/// Not a verification code (wrong length or a character outside the alphabet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotACode;

impl FromStr for Code {
    type Err = NotACode;

    /// Reads a code as a person may type it. Anything longer than a grouped code with a few
    /// extra separators is refused before it is looked at character by character.
    fn from_str(s: &str) -> Result<Code, NotACode> {
        if s.len() > 40 {
            return Err(NotACode);
        }
        let mut out = String::with_capacity(LEN);
        for c in s.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(NotACode),
            };
            out.push(c);
        }
        if out.len() != LEN {
            return Err(NotACode);
        }
        Ok(Code(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_have_the_length_and_alphabet_the_schema_checks() {
        let re = regex::Regex::new("^[0-9A-HJKMNP-TV-Z]{15}$").unwrap();
        for _ in 0..200 {
            let c = Code::generate();
            assert!(re.is_match(c.as_str()), "{c:?}");
            assert_eq!(c.as_str().parse::<Code>(), Ok(c.clone()));
        }
        // 75 bits: two hundred codes never repeat.
        let set: std::collections::HashSet<_> = (0..200).map(|_| Code::generate()).collect();
        assert_eq!(set.len(), 200);
    }

    #[test]
    fn a_code_is_read_back_as_people_type_it() {
        let c: Code = "7qx2m-4kd9r h3wta".parse().unwrap();
        assert_eq!(c.as_str(), "7QX2M4KD9RH3WTA");
        assert_eq!(c.grouped(), "7QX2M-4KD9R-H3WTA");
        let aliases: Code = "ABCDE-FGH1O-olI00".parse().unwrap();
        assert_eq!(aliases.as_str(), "ABCDEFGH1001100");
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "7QX2M-4KD9R",
            "7QX2M-4KD9R-H3WTAA",
            "7QX2M-4KD9R-H3WTU",
            "7QX2M_4KD9R_H3WTA",
            "7QX2M-4KD9R-H3WT\u{e9}",
            &"-".repeat(41),
        ] {
            assert_eq!(bad.parse::<Code>(), Err(NotACode), "{bad:?}");
        }
    }
}
