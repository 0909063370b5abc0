//! [`Prepared`]: a statement diesel would parse on every call (an UPDATE, an INSERT, an
//! upsert: diesel cannot know their SQL text is the same each time, since a changeset may skip
//! `None` fields) that is prepared once per connection instead, keyed by its SQL text and bind
//! types. For statements on the hot paths whose text is fixed.
//!
//! [`Fixed`]: a statement whose text is the same on every call from its call site, with that
//! text built once per process (and prepared once per connection).

use std::collections::HashMap;
use std::panic::Location;
use std::sync::{LazyLock, RwLock};

use diesel::QueryResult;
use diesel::pg::{Pg, PgQueryBuilder};
use diesel::query_builder::{AstPass, Query, QueryBuilder, QueryFragment, QueryId};

/// `statement`, prepared once per connection (see the module documentation). The cache key
/// is the statement's SQL text, so a statement whose text varies is still correct, but fills
/// the connection's cache: use it for fixed statements only.
pub fn prepared<Q>(statement: Q) -> Prepared<Q> {
    Prepared(statement)
}

#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(Q);

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // No type ID: the cache is keyed by the SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

/// `statement`, whose SQL text is the same on every call from this call site: built once per
/// process and prepared once per connection. diesel-async builds a statement's text on every
/// call, even one it has prepared (about a fifth of a lesson read's instructions, most of it
/// quoting identifiers); this pushes the text the call site built the first time instead.
/// Debug builds (the tests) still build the text every time and panic if it differs from the
/// one kept, so a call site whose text varies fails its tests instead of sending the wrong
/// statement.
///
/// Only for a whole statement (the kept text's bind placeholders are numbered from `$1`), and
/// not inside a generic function, whose every instantiation would share the one call site.
#[track_caller]
pub fn fixed<Q>(statement: Q) -> Fixed<Q> {
    Fixed {
        statement,
        site: Location::caller(),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Fixed<Q> {
    statement: Q,
    site: &'static Location<'static>,
}

/// The texts kept: one per call site, so a fixed number, never freed.
type Texts = HashMap<&'static Location<'static>, &'static str>;
static TEXTS: LazyLock<RwLock<Texts>> = LazyLock::new(Default::default);

impl<Q: QueryId> QueryId for Fixed<Q> {
    type QueryId = Q::QueryId;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q: QueryFragment<Pg>> Fixed<Q> {
    fn built(&self, backend: &Pg) -> QueryResult<String> {
        let mut builder = PgQueryBuilder::default();
        self.statement.to_sql(&mut builder, backend)?;
        Ok(builder.finish())
    }
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Fixed<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.statement.walk_ast(pass)
    }

    fn to_sql(&self, out: &mut PgQueryBuilder, backend: &Pg) -> QueryResult<()> {
        let kept = TEXTS
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(self.site)
            .copied();
        let text = match kept {
            Some(text) => {
                #[cfg(debug_assertions)]
                assert_eq!(
                    self.built(backend)?,
                    text,
                    "the statement at {} is not fixed: its text varies",
                    self.site
                );
                text
            }
            None => {
                let text: &'static str = self.built(backend)?.leak();
                let mut texts = TEXTS.write().unwrap_or_else(|e| e.into_inner());
                *texts.entry(self.site).or_insert(text)
            }
        };
        out.push_sql(text);
        Ok(())
    }

    /// Prepared once per connection, like [`Prepared`]: the text is fixed.
    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: Query> Query for Fixed<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<Q: QueryFragment<Pg>>(statement: &Fixed<Q>) -> String {
        let mut builder = PgQueryBuilder::default();
        statement.to_sql(&mut builder, &Pg).unwrap();
        builder.finish()
    }

    /// Every call of this function is one call site of `fixed`.
    fn select_from(table: &str) -> Fixed<diesel::query_builder::SqlQuery> {
        fixed(diesel::sql_query(format!("SELECT 1 FROM {table}")))
    }

    #[test]
    fn a_call_site_keeps_its_first_text_and_debug_builds_refuse_a_varying_one() {
        assert_eq!(text(&select_from("a")), "SELECT 1 FROM a");
        assert_eq!(text(&select_from("a")), "SELECT 1 FROM a", "kept");
        let site = select_from("a").site;
        assert_eq!(
            TEXTS.read().unwrap().get(site).copied(),
            Some("SELECT 1 FROM a")
        );
        let varied = std::panic::catch_unwind(|| text(&select_from("b")));
        assert_eq!(varied.is_err(), cfg!(debug_assertions), "{varied:?}");
    }
}
