//! Bulk enrolment from CSV, the pure part: reading the upload (header rules, byte-order mark,
//! quoted newlines, UTF-8, the row limit) and classifying every row against what the database
//! said about its addresses and the cohorts (invited, enrolled, already enrolled, invalid email
//! or name, duplicate row, capacity exceeded, unknown cohort). No I/O: the caller reads the
//! facts for all rows at once and writes the outcome in one transaction.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::domain::{Email, Name};

/// The most data rows one upload holds.
pub const MAX_ROWS: usize = 10_000;
/// The largest upload, in bytes: 10,000 rows of long addresses and names fit.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// Why an upload is refused as a whole (each a 422 naming the line where there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    /// The header is not `email,name` or `email,name,cohort` (any order and case).
    Header { found: Vec<String> },
    /// A field is not UTF-8.
    Encoding { line: u64 },
    /// The CSV cannot be read (a field count that differs from the header's, an unclosed
    /// quote).
    Malformed { line: u64, message: String },
    /// More than [`MAX_ROWS`] data rows.
    TooManyRows,
}

/// A data row as uploaded. `line` is the line it starts on (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    pub line: u64,
    pub email: String,
    pub name: String,
    /// The `cohort` column's name, if the column exists and the cell is not blank.
    pub cohort: Option<String>,
}

const COLUMNS: [&str; 3] = ["email", "name", "cohort"];

/// The positions of `email`, `name` and `cohort` (if present) in the header.
fn header_positions(header: &[String]) -> Result<[Option<usize>; 3], CsvError> {
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut at = [None; 3];
    for (i, n) in names.iter().enumerate() {
        let Some(col) = COLUMNS.iter().position(|c| c == n) else {
            return Err(CsvError::Header { found: names });
        };
        if at[col].replace(i).is_some() {
            return Err(CsvError::Header { found: names });
        }
    }
    if at[0].is_none() || at[1].is_none() {
        return Err(CsvError::Header { found: names });
    }
    Ok(at)
}

fn text(record: &csv::ByteRecord, at: Option<usize>, line: u64) -> Result<String, CsvError> {
    match at.and_then(|i| record.get(i)) {
        None => Ok(String::new()),
        Some(bytes) => std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| CsvError::Encoding { line }),
    }
}

fn malformed(e: &csv::Error) -> CsvError {
    let line = e.position().map_or(0, csv::Position::line);
    CsvError::Malformed {
        line,
        message: match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("the row has {len} fields; the header has {expected_len}"),
            _ => "the row cannot be read as CSV".to_string(),
        },
    }
}

/// The line of a quote that is never closed, if any. The CSV reader takes such a quote to run
/// to the end of the file (swallowing every row after it), so it is refused instead. A doubled
/// quote inside a quoted field toggles twice, so it changes nothing.
fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let (mut line, mut opened, mut quoted) = (1u64, 0u64, false);
    for b in bytes {
        match b {
            b'"' => {
                quoted = !quoted;
                opened = line;
            }
            b'\n' => line += 1,
            _ => {}
        }
    }
    quoted.then_some(opened)
}

/// Reads an upload: a header, then at most [`MAX_ROWS`] rows (reading stops at the first row
/// past the limit). A leading byte-order mark is skipped; blank lines are ignored.
pub fn parse(bytes: &[u8]) -> Result<Vec<CsvRow>, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(line) = unclosed_quote(bytes) {
        return Err(CsvError::Malformed {
            line,
            message: "a quote opened on this line is never closed".into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(CsvError::Header { found: Vec::new() }),
        Some(r) => r.map_err(|e| malformed(&e))?,
    };
    let header: Vec<String> = (0..header.len())
        .map(|i| text(&header, Some(i), 1))
        .collect::<Result<_, _>>()?;
    let [email, name, cohort] = header_positions(&header)?;
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| malformed(&e))?;
        if rows.len() == MAX_ROWS {
            return Err(CsvError::TooManyRows);
        }
        let line = record.position().map_or(0, csv::Position::line);
        let cohort = text(&record, cohort, line)?;
        rows.push(CsvRow {
            line,
            email: text(&record, email, line)?,
            name: text(&record, name, line)?,
            cohort: Some(cohort.trim().to_string()).filter(|c| !c.is_empty()),
        });
    }
    Ok(rows)
}

crate::text_enum! {
    /// What happens (or would happen) to a row.
    pub enum ImportOutcome {
        /// A new account is created and mailed an invitation to set its password.
        Invited = "invited",
        /// An existing account is enrolled.
        Enrolled = "enrolled",
        AlreadyEnrolled = "already_enrolled",
        InvalidEmail = "invalid_email",
        InvalidName = "invalid_name",
        DuplicateRow = "duplicate_row",
        CapacityExceeded = "capacity_exceeded",
        UnknownCohort = "unknown_cohort",
    }
}

impl ImportOutcome {
    /// A rejected row stops a real run.
    pub fn is_rejected(self) -> bool {
        !matches!(
            self,
            ImportOutcome::Invited | ImportOutcome::Enrolled | ImportOutcome::AlreadyEnrolled
        )
    }
}

/// What the database said about an address: the account and whether it is enrolled in the
/// course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub enrolled: bool,
}

/// A cohort a row may name: the upload's own or another of the same course in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub id: Uuid,
    /// Seats left (`None`: no limit).
    pub free: Option<i64>,
}

/// The facts a classification needs, read for every row at once.
#[derive(Debug, Clone)]
pub struct Facts {
    /// By normalised address.
    pub accounts: HashMap<String, Account>,
    /// The upload's cohort.
    pub cohort: Target,
    /// Other open cohorts of the course in the caller's scope, by lower-cased name.
    pub others: HashMap<String, Target>,
}

/// A row's outcome, as the report shows it and the real run applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowReport {
    pub line: u64,
    pub email: String,
    pub name: String,
    #[schema(required = true)]
    pub cohort: Option<String>,
    pub outcome: ImportOutcome,
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The account (existing rows) and cohort the row goes to, for the real run.
    #[serde(skip)]
    pub account: Option<Uuid>,
    #[serde(skip)]
    pub target: Option<Uuid>,
}

/// Classifies every row, in order. The first row of an address wins; a later one (in any
/// letter case) is `duplicate_row`. Seats are taken in row order; an already enrolled account
/// takes none.
pub fn classify(rows: &[CsvRow], facts: &Facts) -> Vec<RowReport> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut free: HashMap<Uuid, Option<i64>> = HashMap::new();
    rows.iter()
        .map(|row| {
            let mut report = RowReport {
                line: row.line,
                email: row.email.trim().to_string(),
                name: row.name.trim().to_string(),
                cohort: row.cohort.clone(),
                outcome: ImportOutcome::Invited,
                reason: None,
                account: None,
                target: None,
            };
            let (outcome, reason) = decide(row, facts, &mut first_line, &mut free, &mut report);
            report.outcome = outcome;
            report.reason = reason;
            report
        })
        .collect()
}

const FORMULA: &str = "The cell starts with =, +, - or @, which spreadsheets run as a formula: \
                       remove that first character.";

/// A cell a spreadsheet would read as a formula (what exports neutralise, imports refuse).
fn is_formula(cell: &str) -> bool {
    cell.trim_start().starts_with(['=', '+', '-', '@'])
}

fn decide(
    row: &CsvRow,
    facts: &Facts,
    first_line: &mut HashMap<String, u64>,
    free: &mut HashMap<Uuid, Option<i64>>,
    report: &mut RowReport,
) -> (ImportOutcome, Option<String>) {
    if is_formula(&row.email) {
        return (ImportOutcome::InvalidEmail, Some(FORMULA.into()));
    }
    let email = match Email::parse(&row.email) {
        Ok(e) => e,
        Err(e) => return (ImportOutcome::InvalidEmail, Some(e.message().to_string())),
    };
    report.email = email.as_str().to_string();
    if let Some(line) = first_line.get(email.as_str()) {
        return (
            ImportOutcome::DuplicateRow,
            Some(format!("The same address is on line {line}.")),
        );
    }
    first_line.insert(email.as_str().to_string(), row.line);
    let account = facts.accounts.get(email.as_str()).copied();
    if account.is_none() && is_formula(&row.name) {
        return (ImportOutcome::InvalidName, Some(FORMULA.into()));
    }
    // An existing account keeps its name; a new one needs a valid one.
    if let (None, Err(e)) = (account, Name::parse(&row.name)) {
        return (ImportOutcome::InvalidName, Some(e.message().to_string()));
    }
    let target = match &row.cohort {
        None => facts.cohort,
        Some(name) => match facts.others.get(&name.to_lowercase()) {
            Some(t) => *t,
            None => {
                return (
                    ImportOutcome::UnknownCohort,
                    Some(format!(
                        "No open cohort of this course you can see is named \"{name}\"."
                    )),
                );
            }
        },
    };
    report.account = account.map(|a| a.id);
    report.target = Some(target.id);
    if account.is_some_and(|a| a.enrolled) {
        return (ImportOutcome::AlreadyEnrolled, None);
    }
    let seats = free.entry(target.id).or_insert(target.free);
    match seats {
        Some(0) => {
            return (
                ImportOutcome::CapacityExceeded,
                Some("The cohort has no seat left for this row.".into()),
            );
        }
        Some(n) => *n -= 1,
        None => {}
    }
    match account {
        Some(_) => (ImportOutcome::Enrolled, None),
        None => (ImportOutcome::Invited, None),
    }
}

/// The report's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportSummary {
    pub rows: usize,
    pub invited: usize,
    pub enrolled: usize,
    pub already_enrolled: usize,
    pub rejected: usize,
}

pub fn summary(rows: &[RowReport]) -> ImportSummary {
    let mut s = ImportSummary {
        rows: rows.len(),
        ..ImportSummary::default()
    };
    for r in rows {
        match r.outcome {
            ImportOutcome::Invited => s.invited += 1,
            ImportOutcome::Enrolled => s.enrolled += 1,
            ImportOutcome::AlreadyEnrolled => s.already_enrolled += 1,
            _ => s.rejected += 1,
        }
    }
    s
}

/// What a bulk enrolment answers: every row with its outcome, and whether it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// The rows were written (a real run that refused none).
    pub applied: bool,
    pub summary: ImportSummary,
    /// In file order.
    pub rows: Vec<RowReport>,
}

impl ImportReport {
    pub fn new(rows: Vec<RowReport>, dry_run: bool) -> ImportReport {
        ImportReport {
            dry_run,
            applied: false,
            summary: summary(&rows),
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &str) -> Vec<CsvRow> {
        parse(csv.as_bytes()).unwrap()
    }

    #[test]
    fn the_header_is_email_and_name_and_maybe_cohort_in_any_order_and_case() {
        let r = rows("\u{FEFF}Name, EMAIL\nAna Diaz,ana@example.org\n");
        assert_eq!(
            r,
            vec![CsvRow {
                line: 2,
                email: "ana@example.org".into(),
                name: "Ana Diaz".into(),
                cohort: None
            }]
        );
        let r = rows("cohort,email,name\nSpring B,bo@example.org,Bo\n ,cy@example.org,Cy\n");
        assert_eq!(r[0].cohort.as_deref(), Some("Spring B"));
        assert_eq!(r[1].cohort, None, "a blank cell is the upload's cohort");
        for bad in [
            "email\n",
            "email,name,phone\n",
            "email,email,name\n",
            "",
            "mail,name\n",
        ] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(CsvError::Header { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn quoted_newlines_stay_in_their_field_and_blank_lines_are_skipped() {
        let r = rows("email,name\n\"ana@example.org\",\"Ana\nDiaz\"\n\nbo@example.org,Bo\n");
        assert_eq!(r[0].name, "Ana\nDiaz");
        assert_eq!(r.len(), 2, "the blank line is no row");
        assert_eq!(r[1].email, "bo@example.org");
        assert!(r[1].line > r[0].line);
    }

    #[test]
    fn bad_bytes_and_bad_rows_name_their_line() {
        let mut bytes = b"email,name\nana@example.org,Ana\nbo@example.org,B".to_vec();
        bytes.extend([0xE9, b'\n']);
        assert_eq!(parse(&bytes), Err(CsvError::Encoding { line: 3 }));
        let e = parse(b"email,name\nana@example.org,Ana,extra\n").unwrap_err();
        assert!(matches!(e, CsvError::Malformed { line: 2, .. }), "{e:?}");
    }

    #[test]
    fn a_quote_never_closed_is_refused_at_the_line_it_opens() {
        let e = parse(b"email,name\na@example.org,Ana\nb@example.org,\"Bo\nc@example.org,C\n");
        assert!(
            matches!(e, Err(CsvError::Malformed { line: 3, .. })),
            "{e:?}"
        );
        // Doubled quotes inside a quoted field are text.
        let r = rows("email,name\na@example.org,\"Ana \"\"the\"\" Diaz\"\n");
        assert_eq!(r[0].name, "Ana \"the\" Diaz");
    }

    #[test]
    fn more_than_the_limit_is_refused() {
        let mut csv = String::from("email,name\n");
        for i in 0..MAX_ROWS {
            csv.push_str(&format!("l{i}@example.org,L {i}\n"));
        }
        assert_eq!(parse(csv.as_bytes()).unwrap().len(), MAX_ROWS);
        csv.push_str("one-more@example.org,One\n");
        assert_eq!(parse(csv.as_bytes()), Err(CsvError::TooManyRows));
    }

    fn facts(capacity: Option<i64>) -> Facts {
        let mut accounts = HashMap::new();
        accounts.insert(
            "old@example.org".to_string(),
            Account {
                id: Uuid::from_u128(1),
                enrolled: false,
            },
        );
        accounts.insert(
            "in@example.org".to_string(),
            Account {
                id: Uuid::from_u128(2),
                enrolled: true,
            },
        );
        let mut others = HashMap::new();
        others.insert(
            "spring b".to_string(),
            Target {
                id: Uuid::from_u128(20),
                free: None,
            },
        );
        Facts {
            accounts,
            cohort: Target {
                id: Uuid::from_u128(10),
                free: capacity,
            },
            others,
        }
    }

    fn outcomes(csv: &str, f: &Facts) -> Vec<ImportOutcome> {
        classify(&rows(csv), f).iter().map(|r| r.outcome).collect()
    }

    #[test]
    fn every_row_gets_its_outcome() {
        let csv = "email,name,cohort\n\
                   new@example.org,New Person,\n\
                   OLD@example.org,,\n\
                   in@example.org,In,\n\
                   not-an-address,X,\n\
                   New@Example.org,Again,\n\
                   other@example.org,   ,\n\
                   b@example.org,B,SPRING B\n\
                   c@example.org,C,Winter\n";
        let f = facts(None);
        assert_eq!(
            outcomes(csv, &f),
            [
                ImportOutcome::Invited,
                ImportOutcome::Enrolled,
                ImportOutcome::AlreadyEnrolled,
                ImportOutcome::InvalidEmail,
                ImportOutcome::DuplicateRow,
                ImportOutcome::InvalidName,
                ImportOutcome::Invited,
                ImportOutcome::UnknownCohort,
            ]
        );
        let r = classify(&rows(csv), &f);
        assert_eq!(r[1].email, "old@example.org");
        assert_eq!(r[1].account, Some(Uuid::from_u128(1)));
        assert_eq!(
            r[4].reason.as_deref(),
            Some("The same address is on line 2.")
        );
        assert!(r[3].reason.as_deref().unwrap().contains("no @"));
        assert_eq!(r[6].target, Some(Uuid::from_u128(20)));
        let s = summary(&r);
        assert_eq!(
            (
                s.rows,
                s.invited,
                s.enrolled,
                s.already_enrolled,
                s.rejected
            ),
            (8, 2, 1, 1, 4)
        );
    }

    #[test]
    fn formula_cells_are_refused_naming_the_rule() {
        let f = facts(None);
        let csv = "email,name\n=cmd@example.org,Ana\nbo@example.org,=HYPERLINK(\"x\")\n\
                   cy@example.org,  @SUM(A1)\ndee@example.org,-Dee\n";
        let r = classify(&rows(csv), &f);
        let got: Vec<_> = r.iter().map(|r| r.outcome).collect();
        assert_eq!(
            got,
            [
                ImportOutcome::InvalidEmail,
                ImportOutcome::InvalidName,
                ImportOutcome::InvalidName,
                ImportOutcome::InvalidName
            ]
        );
        assert!(r[1].reason.as_deref().unwrap().contains("formula"));
    }

    #[test]
    fn seats_are_taken_in_row_order_and_enrolled_accounts_take_none() {
        let csv =
            "email,name\nin@example.org,In\na@example.org,A\nb@example.org,B\nc@example.org,C\n";
        assert_eq!(
            outcomes(csv, &facts(Some(2))),
            [
                ImportOutcome::AlreadyEnrolled,
                ImportOutcome::Invited,
                ImportOutcome::Invited,
                ImportOutcome::CapacityExceeded
            ]
        );
        assert!(
            ImportOutcome::CapacityExceeded.is_rejected()
                && !ImportOutcome::AlreadyEnrolled.is_rejected()
        );
    }
}
