//! The PDF logbook: the learner's record as a document they can keep and show: who they are,
//! the course, the approved totals, and tables of shifts, collections, competency ratings and
//! attestation requests (who attested what and when). Built from the same [`Record`] as the
//! CSV, with the shared `pdf` module; pure (no I/O), so it runs on a blocking thread.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::export::{ExportScope, Record};
use super::requirements::Summary;
use super::state::EntryKind;
use super::store::entries::EntryRow;
use crate::pdf::{
    Align, Color, Column, Document, Flow, Font, Margins, Orientation, PairStyle, Paper, PdfError,
    Stroke, Table, TextStyle,
};

crate::text_enum! {
    /// The paper a PDF is laid out on.
    pub enum PaperSize {
        A4 = "a4",
        Letter = "letter",
    }
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct LogbookQuery {
    /// `approved` (default) or `all`.
    #[serde(default = "approved")]
    #[param(inline)]
    pub scope: ExportScope,
    /// `a4` (default) or `letter`.
    #[serde(default = "a4")]
    #[param(inline)]
    pub paper: PaperSize,
}

fn approved() -> ExportScope {
    ExportScope::Approved
}

fn a4() -> PaperSize {
    PaperSize::A4
}

/// Who and what the logbook is for.
pub struct Cover<'a> {
    pub learner_name: &'a str,
    pub course_title: &'a str,
    pub scope: ExportScope,
    pub generated_at: DateTime<Utc>,
}

const BODY: TextStyle = TextStyle::new(Font::Sans, 9.5);
const HEADING: TextStyle = TextStyle::new(Font::SerifBold, 13.0);

fn heading(flow: &mut Flow<'_>, text: &str) {
    flow.advance(10.0);
    flow.ensure(60.0);
    flow.paragraph(text, HEADING, Align::Left);
    flow.advance(4.0);
}

fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn day(at: Option<DateTime<Utc>>) -> String {
    opt(at.map(|t| t.format("%Y-%m-%d")))
}

fn signer(record: &Record, e: &EntryRow) -> String {
    record
        .request(e)
        .and_then(|r| r.signature_name.clone())
        .unwrap_or_default()
}

fn site(record: &Record, e: &EntryRow) -> String {
    record.placement(e).map(|p| p.1.clone()).unwrap_or_default()
}

fn state(e: &EntryRow) -> String {
    if e.superseded_at.is_some() {
        format!("{} (superseded)", e.state)
    } else {
        e.state.to_string()
    }
}

fn shifts(record: &Record) -> Result<Table, PdfError> {
    let mut t = Table::new(vec![
        Column::new("Date", 1.1),
        Column::new("Time", 1.1),
        Column::new("Hours", 0.7).align(Align::Right),
        Column::new("Department", 1.2),
        Column::new("Site", 1.5),
        Column::new("Attested by", 1.4),
        Column::new("Attested", 1.1),
        Column::new("State", 1.0),
    ]);
    for e in record.entries.iter().filter(|e| e.kind == EntryKind::Shift) {
        let time = match (e.starts_at, e.ends_at) {
            (Some(a), Some(b)) => format!("{}\u{2013}{}", a.format("%H:%M"), b.format("%H:%M")),
            _ => String::new(),
        };
        t.row([
            e.occurred_on.to_string(),
            time,
            format!("{:.2}", f64::from(e.minutes.unwrap_or(0)) / 60.0),
            opt(e.department.as_deref()),
            site(record, e),
            signer(record, e),
            day(e.decided_at),
            state(e),
        ])?;
    }
    Ok(t)
}

fn collections(record: &Record) -> Result<Table, PdfError> {
    let mut t = Table::new(vec![
        Column::new("Date", 1.1),
        Column::new("Type", 1.2),
        Column::new("Method", 1.2),
        Column::new("Age group", 1.0),
        Column::new("Outcome", 1.3),
        Column::new("Site", 1.4),
        Column::new("Attested by", 1.4),
        Column::new("State", 1.0),
    ]);
    for e in record
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Collection)
    {
        let outcome = format!(
            "{}, {}",
            if e.successful == Some(true) {
                "successful"
            } else {
                "unsuccessful"
            },
            if e.unaided == Some(true) {
                "unaided"
            } else {
                "assisted"
            },
        );
        t.row([
            e.occurred_on.to_string(),
            opt(e.collection_type),
            opt(e.method).replace('_', " "),
            opt(e.age_group),
            outcome,
            site(record, e),
            signer(record, e),
            state(e),
        ])?;
    }
    Ok(t)
}

fn ratings(record: &Record) -> Result<Table, PdfError> {
    let mut t = Table::new(vec![
        Column::new("Rated", 1.0),
        Column::new("Competency", 2.0),
        Column::new("Rating", 1.3),
        Column::new("Rated by", 1.4),
        Column::new("Comment", 2.5),
    ]);
    for r in &record.ratings {
        let request = record.requests.get(&r.attestation_id);
        t.row([
            day(request.and_then(|a| a.decided_at)),
            r.competency.clone(),
            r.rating.as_str().replace('_', " "),
            opt(request.and_then(|a| a.signature_name.as_deref())),
            opt(r.comment.as_deref()),
        ])?;
    }
    Ok(t)
}

fn requests(record: &Record) -> Result<Table, PdfError> {
    let mut t = Table::new(vec![
        Column::new("Sent", 1.0),
        Column::new("Supervisor", 2.2),
        Column::new("Entries", 0.8).align(Align::Right),
        Column::new("Decided", 1.0),
        Column::new("Signed", 1.6),
    ]);
    let mut list: Vec<_> = record.requests.values().collect();
    list.sort_by_key(|r| r.created_at);
    for r in list {
        t.row([
            day(Some(r.created_at)),
            format!("{} <{}>", r.supervisor_name, r.supervisor_email),
            r.entry_count.to_string(),
            day(r.decided_at),
            opt(r.signature_name.as_deref()),
        ])?;
    }
    Ok(t)
}

fn totals(flow: &mut Flow<'_>, summary: &Summary) {
    let pair = PairStyle {
        label: TextStyle::new(Font::SansBold, 9.5),
        value: BODY,
        label_width: 190.0,
    };
    let h = &summary.hours;
    flow.pair(
        "Approved clinical hours",
        &format!("{} of {}", h.done, h.required),
        &pair,
    );
    for m in summary
        .departments
        .iter()
        .chain(&summary.procedures)
        .chain(&summary.competencies)
    {
        flow.pair(&m.name, &format!("{} of {}", m.done, m.required), &pair);
    }
    if let Some(m) = &summary.procedures_total {
        flow.pair(&m.name, &format!("{} of {}", m.done, m.required), &pair);
    }
    let met = if summary.met { "met" } else { "not yet met" };
    flow.pair("Externship requirements", met, &pair);
}

/// The logbook's PDF bytes.
pub fn render(
    cover: &Cover<'_>,
    summary: &Summary,
    record: &Record,
    paper: PaperSize,
) -> Result<Vec<u8>, PdfError> {
    let paper = match paper {
        PaperSize::A4 => Paper::A4,
        PaperSize::Letter => Paper::Letter,
    };
    let mut doc = Document::new(paper, Orientation::Landscape)
        .title(format!(
            "Clinical externship logbook: {}",
            cover.learner_name
        ))
        .author("Benchside")
        .created(cover.generated_at);
    let mut flow = Flow::new(&mut doc, Margins::new(48.0, 40.0, 52.0, 40.0));
    flow.paragraph(
        "Clinical externship logbook",
        TextStyle::new(Font::SerifBold, 20.0),
        Align::Left,
    );
    flow.paragraph(
        &format!("{} \u{2014} {}", cover.learner_name, cover.course_title),
        TextStyle::new(Font::Serif, 13.0),
        Align::Left,
    );
    let scope = match cover.scope {
        ExportScope::Approved => {
            "the approved record: entries attested by the site supervisor \
                                  and approved by the program"
        }
        ExportScope::All => "every entry of the log, whatever its state",
    };
    flow.paragraph(&format!("This logbook holds {scope}."), BODY, Align::Left);
    flow.rule(Stroke::new(0.5, Color::GREY));
    heading(&mut flow, "Totals from the approved record");
    totals(&mut flow, summary);
    heading(&mut flow, "Shifts");
    flow.table(&shifts(record)?);
    heading(&mut flow, "Collection attempts");
    flow.table(&collections(record)?);
    heading(&mut flow, "Competency ratings");
    flow.table(&ratings(record)?);
    heading(&mut flow, "Attestation requests");
    flow.table(&requests(record)?);
    let footer = TextStyle::new(Font::Sans, 7.5).color(Color::GREY);
    let generated = cover.generated_at.format("%Y-%m-%d %H:%M UTC").to_string();
    doc.for_each_page(|page, n, total| {
        let y = page.height() - 26.0;
        page.text(
            40.0,
            y,
            &format!("Generated by Benchside on {generated}"),
            footer,
            Align::Left,
        );
        let right = page.width() - 40.0;
        page.text(
            right,
            y,
            &format!("Page {n} of {total}"),
            footer,
            Align::Right,
        );
    });
    doc.finish()
}
