//! [`Prepared`]: a statement diesel would parse on every call (an UPDATE, an INSERT, an
//! upsert: diesel cannot know their SQL text is the same each time, since a changeset may skip
//! `None` fields) that is prepared once per connection instead, keyed by its SQL text and bind
//! types. For statements on the hot paths whose text is fixed.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

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
