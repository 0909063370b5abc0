//! Every SQL of the signing keys (`signing_keys`: public halves only).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Jsonb, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::signing_keys;

/// A row of `signing_keys`.
#[derive(Debug, Clone, Queryable)]
pub struct KeyRow {
    pub kid: String,
    pub public_jwk: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub signs_from: DateTime<Utc>,
}

/// Every key, oldest first.
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<KeyRow>> {
    signing_keys::table
        .select((
            signing_keys::kid,
            signing_keys::public_jwk,
            signing_keys::created_at,
            signing_keys::signs_from,
        ))
        .order((signing_keys::created_at, signing_keys::kid))
        .load(conn)
        .await
}

/// The keys that may sign now (`signs_from` has come), newest first.
pub async fn signing_now(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    signing_keys::table
        .filter(signing_keys::signs_from.le(diesel::dsl::now))
        .order((
            signing_keys::signs_from.desc(),
            signing_keys::created_at.desc(),
        ))
        .select(signing_keys::kid)
        .load(conn)
        .await
}

/// Whether any key exists.
pub async fn any(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        signing_keys::table.select(signing_keys::kid),
    ))
    .get_result(conn)
    .await
}

/// Publishes a key now that signs `lead_secs` seconds from now. With `only_first`, nothing is
/// added when a key already exists. Returns whether the row was added.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    kid: &str,
    public_jwk: &serde_json::Value,
    lead_secs: f64,
    only_first: bool,
) -> QueryResult<bool> {
    let added = diesel::sql_query(
        "INSERT INTO signing_keys (kid, public_jwk, created_at, signs_from) \
         SELECT $1, $2, now(), now() + $3 * interval '1 second' \
         WHERE NOT $4 OR NOT EXISTS (SELECT 1 FROM signing_keys)",
    )
    .bind::<Text, _>(kid)
    .bind::<Jsonb, _>(public_jwk)
    .bind::<Double, _>(lead_secs)
    .bind::<Bool, _>(only_first)
    .execute(conn)
    .await?;
    Ok(added == 1)
}
