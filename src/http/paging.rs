//! Query-string helpers shared by list endpoints: pages and search text.

use super::{AppError, AppResult, ErrorCode};

/// The slug rule lives in [`crate::slug`]; re-exported for the handlers that check path
/// segments.
pub use crate::slug::is_slug;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based.
    pub page: i64,
    /// 1 to 100.
    pub per_page: i64,
}

impl Paging {
    pub fn parse(page: Option<i64>, per_page: Option<i64>, default: i64) -> AppResult<Paging> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(default);
        if !(1..=1_000_000).contains(&page) || !(1..=100).contains(&per_page) {
            return Err(AppError::bad_request(
                ErrorCode::InvalidQuery,
                "`page` is from 1 to 1000000 and `per_page` from 1 to 100.",
            ));
        }
        Ok(Paging { page, per_page })
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// The trimmed search text of a `q` parameter (`None` when empty): at most 200 characters and
/// no control characters (PostgreSQL text cannot hold NUL).
pub fn search_text(q: Option<&str>) -> AppResult<Option<&str>> {
    let text = q.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > 200 || t.chars().any(char::is_control)) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidQuery,
            "`q` is at most 200 characters of text.",
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        assert_eq!(
            Paging::parse(None, None, 20).unwrap(),
            Paging {
                page: 1,
                per_page: 20
            }
        );
        assert_eq!(Paging::parse(Some(3), Some(10), 20).unwrap().offset(), 20);
        for (p, n) in [(Some(0), None), (None, Some(0)), (None, Some(101))] {
            assert_eq!(
                Paging::parse(p, n, 20).unwrap_err().code(),
                ErrorCode::InvalidQuery
            );
        }
    }

    #[test]
    fn search_text_is_trimmed_and_bounded() {
        assert_eq!(search_text(Some("  ana ")).unwrap(), Some("ana"));
        assert_eq!(search_text(Some("   ")).unwrap(), None);
        assert!(search_text(Some(&"x".repeat(201))).is_err());
        assert!(search_text(Some("a\u{0}b")).is_err());
        assert!(Paging::parse(Some(i64::MAX), None, 20).is_err());
        assert!(is_slug("order-of-draw") && !is_slug("a\u{0}") && !is_slug("Order"));
    }
}
