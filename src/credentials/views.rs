//! What the API answers about certificates: the holder's and admin's [`Certificate`], and the
//! public [`Verification`], which names only what an employer needs (no email address, no
//! account or enrolment ID).

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Issuing;
use super::code::Code;
use super::state::{self, Status};
use super::store::CertificateRow;

/// The approved externship a certificate states, as stored at issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ExternshipFacts {
    /// Approved clinical hours.
    pub hours: f64,
    /// Successful unaided specimen collections, approved.
    pub collections: i64,
    /// Competencies signed off, by name.
    pub competencies: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseRef {
    pub slug: String,
    pub title: String,
    /// The content version the holder completed.
    pub version: i32,
}

/// Where to fetch a certificate's parts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateLinks {
    /// The public verification page (the QR code's target).
    pub verify: String,
    pub pdf_a4: String,
    pub pdf_letter: String,
    /// The signed Open Badges 3.0 credential (VC-JWT).
    pub credential_jwt: String,
    /// The same credential as JSON.
    pub credential_json: String,
    /// LinkedIn's "add a licence or certification" form, filled in.
    pub linkedin: String,
}

/// A certificate, for its holder and for admins.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Certificate {
    pub id: Uuid,
    /// The provider's serial number, e.g. `BS-001001`.
    pub serial: String,
    /// The verification code in groups of five.
    pub code: String,
    pub status: Status,
    /// The holder's name as on the account when the certificate was issued.
    pub holder_name: String,
    pub course: CourseRef,
    pub enrolment_id: Uuid,
    pub completed_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    /// When the course sets a validity period.
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    pub contact_hours: f64,
    /// `null` when the course has no externship.
    #[schema(required = true)]
    pub externship: Option<ExternshipFacts>,
    #[schema(required = true)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub revoked_reason: Option<String>,
    /// The certificate that replaced this one.
    #[schema(required = true)]
    pub superseded_by: Option<Uuid>,
    pub links: CertificateLinks,
}

/// The issuing provider, as a verifier sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuerRef {
    pub name: String,
    pub url: String,
}

/// The certificate that replaced a superseded one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Replacement {
    pub code: String,
    pub verify_url: String,
}

/// The public answer to "is this certificate genuine and current?".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// `true` only when the certificate is active.
    pub valid: bool,
    pub status: Status,
    pub code: String,
    pub serial: String,
    pub holder_name: String,
    pub course_title: String,
    pub course_version: i32,
    pub completed_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    pub contact_hours: f64,
    /// The externship as attested and approved at issue; `null` when the course has none.
    #[schema(required = true)]
    pub externship: Option<ExternshipFacts>,
    pub issuer: IssuerRef,
    /// When it was revoked (the reason is the provider's and the holder's business).
    #[schema(required = true)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Where the current certificate is, when this one was superseded.
    #[schema(required = true)]
    pub superseded_by: Option<Replacement>,
    /// The time of this answer (statuses change: check again rather than keep it).
    pub checked_at: DateTime<Utc>,
}

/// `BS-001001`.
pub fn serial(n: i64) -> String {
    format!("BS-{n:06}")
}

/// The stored externship facts (absent or unreadable: none; the column is written only from
/// [`ExternshipFacts`]).
pub fn externship(row: &CertificateRow) -> Option<ExternshipFacts> {
    row.externship
        .as_ref()
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

fn code(row: &CertificateRow) -> Code {
    Code::stored(row.code.clone())
}

pub fn certificate(issuing: &Issuing, row: CertificateRow, now: DateTime<Utc>) -> Certificate {
    let code = code(&row);
    let api = format!("{}/api/v1/certificates/{}", issuing.urls.base(), row.id);
    let verify = issuing.urls.verify_page(&code);
    let linkedin = linkedin(issuing, &row, &code, &verify);
    Certificate {
        id: row.id,
        serial: serial(row.serial),
        code: code.grouped(),
        status: state::status(row.standing(), now),
        externship: externship(&row),
        course: CourseRef {
            slug: row.course_slug,
            title: row.course_title,
            version: row.course_version,
        },
        holder_name: row.holder_name,
        enrolment_id: row.enrolment_id,
        completed_at: row.completed_at,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        contact_hours: row.contact_hours,
        revoked_at: row.revoked_at,
        revoked_reason: row.revoked_reason,
        superseded_by: row.superseded_by,
        links: CertificateLinks {
            verify,
            pdf_a4: format!("{api}.pdf?paper=a4"),
            pdf_letter: format!("{api}.pdf?paper=letter"),
            credential_jwt: format!("{api}/credential.jwt"),
            credential_json: format!("{api}/credential.json"),
            linkedin,
        },
    }
}

/// LinkedIn's add-to-profile link for a certification.
fn linkedin(issuing: &Issuing, row: &CertificateRow, code: &Code, verify: &str) -> String {
    let mut url = Url::parse("https://www.linkedin.com/profile/add").expect("static URL");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("startTask", "CERTIFICATION_NAME")
            .append_pair("name", &row.course_title)
            .append_pair("organizationName", &issuing.provider_name)
            .append_pair("issueYear", &row.issued_at.year().to_string())
            .append_pair("issueMonth", &row.issued_at.month().to_string());
        if let Some(at) = row.expires_at {
            q.append_pair("expirationYear", &at.year().to_string())
                .append_pair("expirationMonth", &at.month().to_string());
        }
        q.append_pair("certUrl", verify)
            .append_pair("certId", &code.grouped());
    }
    url.into()
}

pub fn verification(
    issuing: &Issuing,
    row: CertificateRow,
    replacement: Option<String>,
    now: DateTime<Utc>,
) -> Verification {
    let status = state::status(row.standing(), now);
    let superseded_by = replacement.map(Code::stored).map(|c| Replacement {
        verify_url: issuing.urls.verify_page(&c),
        code: c.grouped(),
    });
    Verification {
        valid: status == Status::Active,
        status,
        code: code(&row).grouped(),
        serial: serial(row.serial),
        externship: externship(&row),
        holder_name: row.holder_name,
        course_title: row.course_title,
        course_version: row.course_version,
        completed_at: row.completed_at,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        contact_hours: row.contact_hours,
        issuer: IssuerRef {
            name: issuing.provider_name.clone(),
            url: issuing.urls.base().to_string(),
        },
        revoked_at: row.revoked_at,
        superseded_by,
        checked_at: now,
    }
}
