//! course.toml's optional `certificate_validity_months`: how long a certificate of the course
//! stays valid, in whole months from 1 to 600; absent when certificates do not expire. Read as
//! any TOML value so that a string or a fraction gets this key's own message, on its line.

use std::path::Path;

use toml::{Spanned, Value};

use super::problems::{Problems, line_of};

/// The key's longest period: fifty years, as the database's check allows.
pub(super) const MAX_MONTHS: i64 = 600;

/// The months, or `None` (absent, or a problem recorded against the key's line).
pub(super) fn months(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    raw: Option<&Spanned<Value>>,
) -> Option<i32> {
    let raw = raw?;
    let found = match raw.get_ref() {
        Value::Integer(n) if (1..=MAX_MONTHS).contains(n) => return i32::try_from(*n).ok(),
        Value::Integer(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => format!("the string {s:?}"),
        other => format!("a {}", other.type_str()),
    };
    p.add(
        file,
        line_of(text, raw.span().start),
        format!(
            "certificate_validity_months must be a whole number of months from 1 to \
             {MAX_MONTHS} (found {found}); leave it out if certificates do not expire"
        ),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Doc {
        certificate_validity_months: Option<Spanned<Value>>,
    }

    fn check(value: &str) -> (Option<i32>, Vec<String>) {
        let text = format!("# a comment\ncertificate_validity_months = {value}\n");
        let doc: Doc = toml::from_str(&text).unwrap();
        let root = Path::new("courses");
        let mut p = Problems {
            root,
            list: Vec::new(),
        };
        let file = root.join("c/course.toml");
        let months = months(
            &mut p,
            &file,
            &text,
            doc.certificate_validity_months.as_ref(),
        );
        let problems = p.list.iter().map(|x| x.to_string()).collect();
        (months, problems)
    }

    #[test]
    fn whole_months_from_1_to_600_are_kept() {
        assert_eq!(check("1"), (Some(1), vec![]));
        assert_eq!(check("24"), (Some(24), vec![]));
        assert_eq!(check("600"), (Some(600), vec![]));
    }

    #[test]
    fn anything_else_is_refused_on_its_line() {
        for (value, found) in [
            ("0", "found 0"),
            ("601", "found 601"),
            ("-3", "found -3"),
            ("\"12\"", "found the string \"12\""),
            ("1.5", "found 1.5"),
            ("true", "found a boolean"),
        ] {
            let (months, problems) = check(value);
            assert_eq!(months, None, "{value}");
            assert_eq!(problems.len(), 1, "{value}: {problems:?}");
            let problem = &problems[0];
            assert!(problem.starts_with("c/course.toml:2: "), "{problem}");
            assert!(
                problem.contains("from 1 to 600") && problem.contains(found),
                "{problem}"
            );
        }
    }

    #[test]
    fn absent_means_no_expiry() {
        let doc: Doc = toml::from_str("").unwrap();
        let mut p = Problems {
            root: Path::new(""),
            list: Vec::new(),
        };
        let months = months(
            &mut p,
            Path::new("x"),
            "",
            doc.certificate_validity_months.as_ref(),
        );
        assert_eq!(months, None);
        assert!(p.list.is_empty());
    }
}
