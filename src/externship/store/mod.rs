//! The externship's queries, by table: the site directory and placements, log entries,
//! attestation requests (with competency ratings), and the aggregate totals. Every query uses
//! diesel's builder with bind parameters; functions taking `&AsyncPgConnection` can be
//! pipelined. Errors are diesel's: the handlers map them.

pub mod attestations;
pub mod entries;
pub mod sites;
pub mod totals;

/// Text arrays come back with nullable elements (`text[]`); the schema never stores a NULL
/// element, so they are dropped.
pub fn texts(v: Vec<Option<String>>) -> Vec<String> {
    v.into_iter().flatten().collect()
}

/// Whether `e` is a violation of constraint `name`.
pub fn violates(e: &diesel::result::Error, name: &str) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => info.constraint_name() == Some(name),
        _ => false,
    }
}
