//! Bulk enrolment: `POST /api/v1/admin/cohorts/{id}/imports?dry_run=true|false` with a CSV
//! body. Admins, and staff for the cohorts they own. The route reads the body itself, with
//! its own limit ([`MAX_UPLOAD_BYTES`], above the JSON limit).

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, post, web};
use diesel_async::AsyncConnection;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::codes::archived;
use super::{CohortId, cohort_not_found};
use crate::accounts::{ClientInfo, StaffUser};
use crate::cohorts::import::{self, CsvError, ImportReport, MAX_ROWS, MAX_UPLOAD_BYTES};
use crate::cohorts::importing::{self, Importer, Refusal};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import_members);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true` (the default): report every row's outcome and write nothing. `false`: write
    /// them, in one transaction, if no row is refused.
    pub dry_run: Option<bool>,
}

/// Enrol learners from a CSV file whose header names `email`, `name` and optionally `cohort`
/// (another open cohort of the same course, by name), at most 10,000 rows and 5 MiB, UTF-8
/// (a byte-order mark is skipped). People without an account get one, without a password,
/// and an invitation mail to choose it; existing accounts are enrolled and get the enrolment
/// confirmation. The same file again enrols no one twice.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The cohort's ID"), ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "`email,name[,cohort]` then a row per learner"),
    responses(
        (status = 200, description = "Every row's outcome; `applied` when written", body = ImportReport),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no cohort you can see has this ID", body = ErrorEnvelope),
        (status = 409, description = "`cohort_archived`, `import_stale`", body = ErrorEnvelope),
        (status = 413, description = "`payload_too_large` (`details.max_bytes`)", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`: send `text/csv`", body = ErrorEnvelope),
        (status = 422, description = "`csv_header`, `csv_encoding`, `csv_malformed` (`details.line`), `csv_too_many_rows` (`details.max_rows`), `import_rejected` (a real run with refused rows; `details.report`)", body = ErrorEnvelope),
    )
)]
#[post("/admin/cohorts/{id}/imports")]
pub async fn import_members(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    who: StaffUser,
    id: CohortId,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<web::Json<ImportReport>> {
    let id = id.into_inner();
    let client = ClientInfo::extract(&req).await?;
    let dry_run = query.dry_run.unwrap_or(true);
    {
        let mut conn = db.get().await?;
        if !who.scope.sees_cohort(&mut conn, id).await? {
            return Err(cohort_not_found());
        }
    }
    ensure_csv(&req)?;
    let body = read_body(payload).await?;
    let rows = import::parse(&body).map_err(csv_error)?;
    let by = Importer {
        user: who.user.id,
        scope: who.scope,
        origin: &client.origin,
        public_url: &config.public_url,
    };
    let mut conn = db.get().await?;
    let report = conn
        .transaction::<_, Refusal, _>(async |tx| importing::run(tx, by, id, &rows, dry_run).await)
        .await
        .map_err(refusal)?;
    Ok(web::Json(report))
}

/// 415 unless the body says it is CSV (or plain text, or what some systems label CSV files).
fn ensure_csv(req: &HttpRequest) -> AppResult<()> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("text/csv" | "text/plain" | "application/csv" | "application/vnd.ms-excel") => Ok(()),
        _ => Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the file with Content-Type: text/csv.",
        )),
    }
}

/// The body, refused with 413 past [`MAX_UPLOAD_BYTES`].
async fn read_body(mut payload: web::Payload) -> AppResult<Vec<u8>> {
    let too_large = || {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "The file is larger than 5 MiB; split it into smaller files.",
        )
        .with_details(json!({ "max_bytes": MAX_UPLOAD_BYTES }))
    };
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| too_large())?;
        if body.len() + chunk.len() > MAX_UPLOAD_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn csv_error(e: CsvError) -> AppError {
    match e {
        CsvError::Header { found } => AppError::unprocessable(
            ErrorCode::CsvHeader,
            "The first line must name the columns: email, name, and optionally cohort.",
        )
        .with_details(
            json!({ "line": 1, "found": found, "expected": ["email", "name", "cohort"] }),
        ),
        CsvError::Encoding { line } => AppError::unprocessable(
            ErrorCode::CsvEncoding,
            format!(
                "Line {line} is not UTF-8 text. Save the file as \"CSV UTF-8\" and upload it again."
            ),
        )
        .with_details(json!({ "line": line })),
        CsvError::Malformed { line, message } => {
            AppError::unprocessable(ErrorCode::CsvMalformed, format!("Line {line}: {message}."))
                .with_details(json!({ "line": line }))
        }
        CsvError::TooManyRows => AppError::unprocessable(
            ErrorCode::CsvTooManyRows,
            format!("The file has more than {MAX_ROWS} rows; split it into smaller files."),
        )
        .with_details(json!({ "max_rows": MAX_ROWS })),
    }
}

fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::NotFound => cohort_not_found(),
        Refusal::Archived => archived(),
        Refusal::Rejected(report) => {
            let n = report.summary.rejected;
            AppError::unprocessable(
                ErrorCode::ImportRejected,
                format!(
                    "Nothing was imported: {n} of {} rows are refused.",
                    report.summary.rows
                ),
            )
            .with_details(json!({ "report": report }))
        }
        Refusal::Stale => AppError::conflict(
            ErrorCode::ImportStale,
            "Nothing was imported: some addresses got an account while the file was imported. Check the file again.",
        ),
        Refusal::Db(e) => e.into(),
    }
}
