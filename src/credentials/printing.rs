//! A certificate's PDF: rendered on first download, kept in `certificate_pdfs`, served from
//! there afterwards. A reissue is a new certificate, so it gets its own PDFs.

use diesel_async::AsyncPgConnection;

use super::Issuing;
use super::certificate_pdf::{self, ExternshipLine, Face};
use super::code::Code;
use super::state::Paper;
use super::store::{self, CertificateRow};
use super::views;
use crate::http::{AppError, AppResult};

/// The PDF of `row` on `paper`, from the cache or rendered (off the async workers) and kept.
pub async fn pdf(
    conn: &mut AsyncPgConnection,
    issuing: &Issuing,
    row: &CertificateRow,
    paper: Paper,
) -> AppResult<Vec<u8>> {
    if let Some(bytes) = store::cached_pdf(conn, row.id, paper).await? {
        return Ok(bytes);
    }
    let (issuing, owned) = (issuing.clone(), row.clone());
    let bytes = actix_web::web::block(move || render(&issuing, &owned, paper))
        .await
        .map_err(AppError::internal)??;
    store::cache_pdf(conn, row.id, paper, &bytes).await?;
    Ok(bytes)
}

/// Renders `row` on `paper` (no I/O).
pub fn render(issuing: &Issuing, row: &CertificateRow, paper: Paper) -> AppResult<Vec<u8>> {
    let code = Code::stored(row.code.clone());
    let verify_url = issuing.urls.verify_page(&code);
    let serial = views::serial(row.serial);
    let face = Face {
        provider: &issuing.provider_name,
        holder: &row.holder_name,
        course_title: &row.course_title,
        course_version: row.course_version,
        completed_on: row.completed_at.date_naive(),
        issued_on: row.issued_at.date_naive(),
        expires_on: row.expires_at.map(|at| at.date_naive()),
        contact_hours: row.contact_hours,
        externship: views::externship(row).map(|e| ExternshipLine {
            hours: e.hours,
            collections: e.collections,
            competencies: e.competencies.len(),
        }),
        serial: &serial,
        code: &code,
        verify_url: &verify_url,
    };
    certificate_pdf::render(&face, paper).map_err(AppError::internal)
}
