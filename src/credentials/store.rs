//! Certificate queries. Every read of a certificate selects [`CertificateRow`]; the signed
//! credential is read only where it is downloaded.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::code::Code;
use super::state::{Paper, Standing, Status};
use crate::db::schema::{certificate_pdfs, certificates, courses, enrolments, users};

/// A certificate as shown and as written: every column but the signing key's ID, the signed
/// credential and the expiry notice, which [`insert`] adds and nothing else reads together.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certificates)]
pub struct CertificateRow {
    pub id: Uuid,
    pub serial: i64,
    pub code: String,
    pub enrolment_id: Uuid,
    pub user_id: Uuid,
    pub holder_name: String,
    pub course_id: Uuid,
    pub course_slug: String,
    pub course_title: String,
    pub course_version: i32,
    pub completed_at: DateTime<Utc>,
    pub contact_hours: f64,
    pub externship: Option<Value>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub status_position: i64,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub superseded_by: Option<Uuid>,
    pub superseded_at: Option<DateTime<Utc>>,
}

impl CertificateRow {
    pub fn standing(&self) -> Standing {
        Standing {
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            superseded_by: self.superseded_by,
        }
    }

    /// Neither revoked nor superseded (it may have expired).
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none() && self.superseded_by.is_none()
    }
}

/// What a completed enrolment's certificate states, read when it is issued.
#[derive(Debug, Clone, Queryable)]
pub struct IssueFacts {
    pub user_id: Uuid,
    pub email: String,
    pub holder_name: String,
    pub course_id: Uuid,
    pub course_slug: String,
    pub course_title: String,
    pub course_summary: String,
    pub course_version: i32,
    pub completed_at: Option<DateTime<Utc>>,
    pub contact_hours: f64,
    pub validity_months: Option<i32>,
}

pub async fn issue_facts(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<Option<IssueFacts>> {
    enrolments::table
        .inner_join(users::table)
        .inner_join(courses::table)
        .filter(enrolments::id.eq(enrolment))
        .select((
            users::id,
            users::email,
            users::name,
            courses::id,
            courses::slug,
            courses::title,
            courses::summary,
            enrolments::course_version,
            enrolments::completed_at,
            courses::contact_hours,
            courses::certificate_validity_months,
        ))
        .first(conn)
        .await
        .optional()
}

/// The next serial number and status-list position (one round trip).
pub async fn next_numbers(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Numbers {
        #[diesel(sql_type = BigInt)]
        serial: i64,
        #[diesel(sql_type = BigInt)]
        position: i64,
    }
    let n: Numbers = diesel::sql_query(
        "SELECT nextval('certificate_serials') AS serial, \
                nextval('certificate_status_positions') AS position",
    )
    .get_result(conn)
    .await?;
    Ok((n.serial, n.position))
}

/// Writes a new certificate with the key that signed its credential.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &CertificateRow,
    kid: &str,
    credential_jwt: &str,
) -> QueryResult<()> {
    diesel::insert_into(certificates::table)
        .values((
            row,
            certificates::kid.eq(kid),
            certificates::credential_jwt.eq(credential_jwt),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Whether enrolment `enrolment` was ever certified (live or not): a certificate is issued
/// once; afterwards only an admin's reissue makes another.
pub async fn exists_for_enrolment(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        certificates::table.filter(certificates::enrolment_id.eq(enrolment)),
    ))
    .get_result(conn)
    .await
}

/// Whether enrolment `enrolment` has a live certificate (neither revoked nor superseded).
pub async fn live_for_enrolment(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        certificates::table
            .filter(certificates::enrolment_id.eq(enrolment))
            .filter(certificates::revoked_at.is_null())
            .filter(certificates::superseded_by.is_null()),
    ))
    .get_result(conn)
    .await
}

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .find(id)
        .select(CertificateRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks certificate `id` for a revocation or reissue.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .find(id)
        .select(CertificateRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// A certificate by its verification code (the public verification's one query).
pub async fn by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .filter(certificates::code.eq(code))
        .select(CertificateRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The verification code of certificate `id` (the replacement a superseded one points at).
pub async fn code_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<String> {
    certificates::table
        .find(id)
        .select(certificates::code)
        .first(conn)
        .await
}

/// A learner's certificates, newest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Vec<CertificateRow>> {
    certificates::table
        .filter(certificates::user_id.eq(user))
        .order((certificates::issued_at.desc(), certificates::serial.desc()))
        .select(CertificateRow::as_select())
        .load(conn)
        .await
}

/// The signed credential of certificate `id`.
pub async fn credential_jwt(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<String> {
    certificates::table
        .find(id)
        .select(certificates::credential_jwt)
        .first(conn)
        .await
}

pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    reason: &str,
) -> QueryResult<CertificateRow> {
    diesel::update(certificates::table.find(id))
        .set((
            certificates::revoked_at.eq(diesel::dsl::now),
            certificates::revoked_reason.eq(reason),
        ))
        .returning(CertificateRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks `old` superseded by `new` (which the caller inserts next, in the same transaction:
/// the foreign key is checked at commit).
pub async fn supersede(conn: &mut AsyncPgConnection, old: Uuid, new: Uuid) -> QueryResult<()> {
    diesel::update(certificates::table.find(old))
        .set((
            certificates::superseded_by.eq(new),
            certificates::superseded_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Records that the holder was told certificate `id` expired; `false` when it was already
/// recorded, or the certificate is no longer live or not yet expired.
pub async fn note_expiry(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::update(
        certificates::table
            .find(id)
            .filter(certificates::expiry_noticed_at.is_null())
            .filter(certificates::revoked_at.is_null())
            .filter(certificates::superseded_by.is_null())
            .filter(certificates::expires_at.le(diesel::dsl::now)),
    )
    .set(certificates::expiry_noticed_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// The holder's address and account name (for mails and reissues).
pub async fn holder(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<(String, String)> {
    users::table
        .find(user)
        .select((users::email, users::name))
        .first(conn)
        .await
}

pub async fn cached_pdf(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    paper: Paper,
) -> QueryResult<Option<Vec<u8>>> {
    certificate_pdfs::table
        .find((id, paper))
        .select(certificate_pdfs::pdf)
        .first(conn)
        .await
        .optional()
}

/// Keeps a rendered PDF (a concurrent first download may have kept the same one already).
pub async fn cache_pdf(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    paper: Paper,
    pdf: &[u8],
) -> QueryResult<()> {
    diesel::insert_into(certificate_pdfs::table)
        .values((
            certificate_pdfs::certificate_id.eq(id),
            certificate_pdfs::paper.eq(paper),
            certificate_pdfs::pdf.eq(pdf),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// Which certificates an admin lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Text in the holder's name or the course title (case-insensitive), or a verification
    /// code or serial number.
    pub text: Option<&'a str>,
    pub status: Option<Status>,
    pub user: Option<Uuid>,
    pub enrolment: Option<Uuid>,
    /// Only the certificates of the members of this staff account's cohorts
    /// (`accounts::Scope::staff`; `None`: every certificate).
    pub staff: Option<Uuid>,
}

fn filtered<'a>(f: Filter<'a>) -> certificates::BoxedQuery<'a, diesel::pg::Pg> {
    use certificates::dsl as c;
    let mut q = certificates::table.into_boxed();
    if let Some(t) = f.text {
        let pattern = crate::db::like_pattern(t);
        let code = t.parse::<Code>().map(|c| c.as_str().to_string()).ok();
        let serial = t
            .trim_start_matches(['B', 'S', 'b', 's', '-'])
            .parse::<i64>()
            .ok();
        q = q.filter(
            c::holder_name
                .ilike(pattern.clone())
                .or(c::course_title.ilike(pattern))
                .or(c::code.nullable().eq(code))
                .or(c::serial.nullable().eq(serial)),
        );
    }
    if let Some(user) = f.user {
        q = q.filter(c::user_id.eq(user));
    }
    if let Some(enrolment) = f.enrolment {
        q = q.filter(c::enrolment_id.eq(enrolment));
    }
    if let Some(staff) = f.staff {
        q = q.filter(c::enrolment_id.eq_any(crate::accounts::staff::owned_enrolments(staff)));
    }
    let live = c::revoked_at.is_null().and(c::superseded_by.is_null());
    let unexpired = c::expires_at
        .is_null()
        .or(c::expires_at.gt(diesel::dsl::now));
    q = match f.status {
        Some(Status::Active) => q.filter(live.and(unexpired)),
        Some(Status::Expired) => q.filter(live.and(c::expires_at.le(diesel::dsl::now))),
        Some(Status::Revoked) => q.filter(c::revoked_at.is_not_null()),
        Some(Status::Superseded) => q.filter(c::superseded_by.is_not_null()),
        None => q,
    };
    q
}

/// One page of matching certificates, newest first, and how many match in all.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: Filter<'_>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<CertificateRow>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn).await?;
    let rows = filtered(filter)
        .order((certificates::issued_at.desc(), certificates::serial.desc()))
        .limit(limit)
        .offset(offset)
        .select(CertificateRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}
