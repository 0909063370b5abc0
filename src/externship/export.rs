//! The learner's record, exported: every approved shift and collection with the placement,
//! who attested it and when, and who approved it (or, with `scope=all`, every entry of the
//! log with its state). The CSV and the PDF logbook are built from the same [`Record`].

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::state::EntryState;
use super::store::attestations::{self, AttestationRow, RatingRow};
use super::store::entries::{self, EntryRow};
use super::store::sites::{self, PlacementRow};
use crate::http::{AppError, AppResult};
use crate::learning::access::EnrolmentBrief;

crate::text_enum! {
    /// Which entries an export holds.
    pub enum ExportScope {
        /// The approved record (what counts).
        Approved = "approved",
        /// Every entry of the log, whatever its state.
        All = "all",
    }
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `approved` (default) or `all`.
    #[serde(default = "approved")]
    #[param(inline)]
    pub scope: ExportScope,
}

fn approved() -> ExportScope {
    ExportScope::Approved
}

/// What an export shows.
pub struct Record {
    pub entries: Vec<EntryRow>,
    pub placements: HashMap<Uuid, (PlacementRow, String)>,
    pub requests: HashMap<Uuid, AttestationRow>,
    pub ratings: Vec<RatingRow>,
}

impl Record {
    /// Reads an enrolment's record (four queries, one round trip).
    pub async fn read(
        conn: &AsyncPgConnection,
        enrolment: &EnrolmentBrief,
        scope: ExportScope,
    ) -> AppResult<Record> {
        let id = enrolment.row.id;
        let (rows, placements, requests, ratings) = futures_util::try_join!(
            entries::entries_of(conn, id),
            sites::placements_of(conn, id),
            attestations::of_enrolment(conn, id),
            attestations::ratings_of_enrolment(conn, id),
        )?;
        let entries = rows
            .into_iter()
            .filter(|r| {
                scope == ExportScope::All
                    || (r.state == EntryState::Approved && r.superseded_at.is_none())
            })
            .collect();
        Ok(Record {
            entries,
            placements: placements.into_iter().map(|p| (p.0.id, p)).collect(),
            requests: requests.into_iter().map(|a| (a.id, a)).collect(),
            ratings,
        })
    }

    /// The placement's site and supervisor of an entry.
    pub fn placement(&self, e: &EntryRow) -> Option<&(PlacementRow, String)> {
        self.placements.get(&e.placement_id)
    }

    /// The request an entry was decided on.
    pub fn request(&self, e: &EntryRow) -> Option<&AttestationRow> {
        e.attestation_id.and_then(|a| self.requests.get(&a))
    }
}

const HEADER: [&str; 24] = [
    "entry_id",
    "kind",
    "date",
    "start",
    "end",
    "minutes",
    "department",
    "activities",
    "collection_type",
    "method",
    "age_group",
    "successful",
    "unaided",
    "notes",
    "state",
    "site",
    "supervisor",
    "supervisor_credential",
    "attested_by_signature",
    "decided_at",
    "rejected_reason",
    "approved_or_returned_at",
    "amends_entry_id",
    "amend_reason",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn line(record: &Record, e: &EntryRow) -> Vec<String> {
    let place = record.placement(e);
    let request = record.request(e);
    vec![
        e.id.to_string(),
        e.kind.to_string(),
        e.occurred_on.to_string(),
        opt(e.starts_at.map(|t| t.format("%H:%M"))),
        opt(e.ends_at.map(|t| t.format("%H:%M"))),
        opt(e.minutes),
        opt(e.department.as_deref()),
        opt(e.activities.as_deref()),
        opt(e.collection_type),
        opt(e.method),
        opt(e.age_group),
        opt(e.successful),
        opt(e.unaided),
        opt(e.notes.as_deref()),
        if e.superseded_at.is_some() {
            format!("{} (superseded)", e.state)
        } else {
            e.state.to_string()
        },
        opt(place.map(|p| p.1.as_str())),
        opt(place.map(|p| p.0.supervisor_name.as_str())),
        opt(place.and_then(|p| p.0.supervisor_credential.as_deref())),
        opt(request.and_then(|r| r.signature_name.as_deref())),
        opt(e.decided_at.map(|t| t.to_rfc3339())),
        opt(e.rejected_reason.as_deref()),
        opt(e.reviewed_at.map(|t| t.to_rfc3339())),
        opt(e.amends_id),
        opt(e.amend_reason.as_deref()),
    ]
}

/// A spreadsheet must not run a cell as a formula: a leading `=`, `+`, `-`, `@` (or tab/CR)
/// gets a `'` in front.
fn cell(v: String) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v
    }
}

/// The record as CSV (UTF-8, a header row, one row per entry).
pub fn csv(record: &Record) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).map_err(AppError::internal)?;
    for e in &record.entries {
        w.write_record(line(record, e).into_iter().map(cell))
            .map_err(AppError::internal)?;
    }
    w.into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
}
