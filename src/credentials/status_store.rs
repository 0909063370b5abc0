//! The status lists' SQL: which positions of a list are revoked, and how far issuing has got.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::certificates;

/// The revoked status positions of list `list` (the partial index of revoked positions).
pub async fn revoked_positions(
    conn: &mut AsyncPgConnection,
    list: i64,
    list_size: i64,
) -> QueryResult<Vec<i64>> {
    let start = list * list_size;
    certificates::table
        .filter(certificates::revoked_at.is_not_null())
        .filter(certificates::status_position.ge(start))
        .filter(certificates::status_position.lt(start + list_size))
        .select(certificates::status_position)
        .load(conn)
        .await
}

/// The highest status position of any certificate (`None` before the first).
pub async fn highest_position(conn: &mut AsyncPgConnection) -> QueryResult<Option<i64>> {
    certificates::table
        .select(diesel::dsl::max(certificates::status_position))
        .get_result(conn)
        .await
}
