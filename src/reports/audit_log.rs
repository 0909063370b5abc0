//! The audit log viewer (admins): filters, a page, the export. Reads `audit_log` (append-only)
//! with the actor's name from `users`.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::csv_cells::opt;
use super::exports::{CsvRow, Query};

/// What the log is filtered by (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<Uuid>,
    /// An exact action (`cohort.created`) or, ending in `.` or without a dot, a prefix
    /// (`cohort.` and `cohort` both match `cohort.created` and `cohort.archived`).
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Filter {
    /// `(exact, prefix pattern)` for the action filter.
    fn action_terms(&self) -> (Option<String>, Option<String>) {
        match self.action.as_deref() {
            None => (None, None),
            Some(a) => {
                let stem = a.trim_end_matches('.');
                let prefix = crate::db::like_pattern(&format!("{stem}."));
                // like_pattern makes `%text%`; a prefix must not start with `%`.
                (Some(a.to_string()), Some(prefix[1..].to_string()))
            }
        }
    }
}

const WHERE: &str = "
 WHERE ($1::uuid IS NULL OR a.actor_id = $1)
   AND ($2::text IS NULL OR a.action = $2 OR a.action LIKE $3)
   AND ($4::text IS NULL OR a.subject_type = $4)
   AND ($5::text IS NULL OR a.subject_id = $5)
   AND ($6::timestamptz IS NULL OR a.occurred_at >= $6)
   AND ($7::timestamptz IS NULL OR a.occurred_at < $7)";

const SELECT: &str = "SELECT a.id, a.occurred_at, a.actor_kind, a.actor_id, u.name AS actor_name,
        a.action, a.subject_type, a.subject_id, a.request_id, a.client_addr, a.details
   FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id";

fn bound(sql: String, f: &Filter) -> Query {
    let (exact, prefix) = f.action_terms();
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<Nullable<SqlUuid>, _>(f.actor)
        .bind::<Nullable<Text>, _>(exact)
        .bind::<Nullable<Text>, _>(prefix)
        .bind::<Nullable<Text>, _>(f.subject_type.clone())
        .bind::<Nullable<Text>, _>(f.subject_id.clone())
        .bind::<Nullable<Timestamptz>, _>(f.from)
        .bind::<Nullable<Timestamptz>, _>(f.to)
}

#[derive(Debug, QueryableByName)]
pub struct AuditRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub actor_kind: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub subject_type: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub subject_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub request_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub client_addr: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub details: Value,
}

#[derive(Debug, QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A page, newest first, and the filter's total: two statements pipelined.
pub async fn page(
    conn: &AsyncPgConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<(Vec<AuditRow>, i64)> {
    let rows = bound(
        format!("{SELECT}{WHERE} ORDER BY a.occurred_at DESC, a.id DESC LIMIT $8 OFFSET $9"),
        f,
    )
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load::<AuditRow>(&mut &*conn);
    let total = bound(format!("SELECT count(*) AS n FROM audit_log a{WHERE}"), f)
        .get_result::<Total>(&mut &*conn);
    let (rows, total) = futures_util::try_join!(rows, total)?;
    Ok((rows, total.n))
}

/// The export's query: the same filter, oldest first.
pub fn export(f: &Filter) -> Query {
    bound(format!("{SELECT}{WHERE} ORDER BY a.occurred_at, a.id"), f)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// `user`, `system` or `anonymous`.
    pub kind: String,
    #[schema(required = true)]
    pub id: Option<Uuid>,
    #[schema(required = true)]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: String,
    #[schema(required = true)]
    pub subject_type: Option<String>,
    #[schema(required = true)]
    pub subject_id: Option<String>,
    #[schema(required = true)]
    pub request_id: Option<String>,
    #[schema(required = true)]
    pub client_addr: Option<String>,
    /// What the action recorded, by action: a free-form object.
    #[schema(value_type = Object)]
    pub details: Value,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at,
            actor: AuditActor {
                kind: r.actor_kind,
                id: r.actor_id,
                name: r.actor_name,
            },
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            request_id: r.request_id,
            client_addr: r.client_addr,
            details: r.details,
        }
    }
}

impl CsvRow for AuditRow {
    const HEADER: &'static [&'static str] = &[
        "id",
        "occurred_at",
        "actor_kind",
        "actor_id",
        "actor_name",
        "action",
        "subject_type",
        "subject_id",
        "request_id",
        "client_addr",
        "details",
    ];
    fn cells(self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.occurred_at.to_rfc3339(),
            self.actor_kind,
            opt(self.actor_id),
            opt(self.actor_name),
            self.action,
            opt(self.subject_type),
            opt(self.subject_id),
            opt(self.request_id),
            opt(self.client_addr),
            self.details.to_string(),
        ]
    }
}
