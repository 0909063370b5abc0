//! course.toml's `[externship]` table: hours (in all, by department, at most per day),
//! procedure minimums, supervisor-observed competencies and certifying bodies' published
//! thresholds. Read by [`super::load`], which reports every problem with its file and line.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::model::{
    CertificationModel, CompetencyModel, CountThreshold, DEFAULT_MAX_HOURS_PER_DAY,
    ExternshipModel, PROCEDURE_TYPES, Requirement,
};
use super::problems::{Problems, check_text, line_of};
use super::render::{self, Context};
use crate::slug::is_slug;

// ---- the format (see courses/README.md) -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExternship {
    total_hours: f64,
    max_hours_per_day: Option<Spanned<f64>>,
    #[serde(default)]
    departments: Vec<Spanned<RawDepartment>>,
    #[serde(default)]
    procedures: Vec<Spanned<RawProcedure>>,
    min_total_procedures: Option<i64>,
    notes: Option<String>,
    #[serde(default)]
    competencies: Vec<Spanned<RawCompetency>>,
    #[serde(default)]
    certifications: Vec<Spanned<RawCertification>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    slug: String,
    name: String,
    min_hours: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    slug: String,
    name: String,
    min_count: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetency {
    slug: String,
    name: String,
    description: Option<String>,
    observations: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertification {
    slug: String,
    name: String,
    body: String,
    source: Spanned<String>,
    source_title: String,
    clinical_hours: Option<f64>,
    #[serde(default)]
    procedures: Vec<Spanned<RawCountThreshold>>,
    min_total_procedures: Option<i64>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCountThreshold {
    slug: String,
    min_count: i64,
}

/// Limits of the fields, in characters.
const NAME_MAX: usize = 150;
const DESCRIPTION_MAX: usize = 500;
const BODY_MAX: usize = 40;
const SOURCE_TITLE_MAX: usize = 200;
const SOURCE_MAX: usize = 500;
/// Satisfactory observations a competency may ask for.
const OBSERVATIONS: std::ops::RangeInclusive<i64> = 1..=50;
const MAX_COUNT: i64 = 100_000;

/// Where in course.toml: the file, its text (for lines) and the `[externship]` table's line.
struct At<'a> {
    file: &'a Path,
    text: &'a str,
    table: usize,
}

impl At<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        line_of(self.text, s.span().start)
    }
}

/// Checks the `[externship]` table and builds its model (`None` after any problem).
pub(super) fn model(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    e: &Spanned<RawExternship>,
    course: &str,
) -> Option<ExternshipModel> {
    let at = At {
        file,
        text,
        table: line_of(text, e.span().start),
    };
    let r = e.get_ref();
    let before = p.list.len();
    let max_hours_per_day = hours(p, &at, r);
    departments(p, &at, r);
    let procedure_slugs = procedures(p, &at, r);
    let competencies = competencies(p, &at, &r.competencies);
    let certifications = certifications(p, &at, &r.certifications, &procedure_slugs);
    if p.list.len() > before {
        return None;
    }
    let ctx = Context {
        course,
        module: None,
    };
    Some(ExternshipModel {
        total_hours: r.total_hours,
        max_hours_per_day,
        departments: r
            .departments
            .iter()
            .map(|d| d.get_ref())
            .map(|d| Requirement {
                slug: d.slug.clone(),
                name: d.name.clone(),
                minimum: d.min_hours,
            })
            .collect(),
        procedures: r
            .procedures
            .iter()
            .map(|d| d.get_ref())
            .map(|d| Requirement {
                slug: d.slug.clone(),
                name: d.name.clone(),
                minimum: d.min_count as f64,
            })
            .collect(),
        min_total_procedures: r.min_total_procedures.map(|n| n as i32),
        notes_html: r.notes.as_deref().map(|n| render::render(n, &ctx)),
        competencies,
        certifications,
    })
}

/// total_hours and max_hours_per_day; returns the daily cap.
fn hours(p: &mut Problems<'_>, at: &At<'_>, r: &RawExternship) -> f64 {
    if !(r.total_hours.is_finite() && r.total_hours > 0.0 && r.total_hours < 100000.0) {
        p.add(
            at.file,
            at.table,
            "externship.total_hours must be more than zero",
        );
    }
    let Some(cap) = &r.max_hours_per_day else {
        return DEFAULT_MAX_HOURS_PER_DAY;
    };
    let hours = *cap.get_ref();
    if !(hours.is_finite() && hours > 0.0 && hours <= 24.0) {
        p.add(
            at.file,
            at.line(cap),
            format!(
                "externship.max_hours_per_day must be more than 0 and at most 24 (found {hours})"
            ),
        );
    }
    hours
}

fn departments(p: &mut Problems<'_>, at: &At<'_>, r: &RawExternship) {
    let mut slugs = HashSet::new();
    let mut sum = 0.0;
    for d in &r.departments {
        let line = at.line(d);
        let d = d.get_ref();
        if !is_slug(&d.slug) || !slugs.insert(d.slug.as_str()) {
            p.add(
                at.file,
                line,
                format!("department slug `{}` is invalid or repeated", d.slug),
            );
        }
        check_text(p, at.file, line, "department name", &d.name, 100);
        if !(d.min_hours.is_finite() && d.min_hours > 0.0) {
            p.add(
                at.file,
                line,
                format!("department `{}`: min_hours must be more than zero", d.slug),
            );
        }
        sum += d.min_hours;
    }
    if sum > r.total_hours + 1e-9 {
        p.add(
            at.file,
            at.table,
            format!(
                "department minimums add up to {sum} hours, more than total_hours {}",
                r.total_hours
            ),
        );
    }
}

/// The procedure minimums and min_total_procedures; returns the procedure slugs.
fn procedures<'r>(p: &mut Problems<'_>, at: &At<'_>, r: &'r RawExternship) -> HashSet<&'r str> {
    let mut slugs = HashSet::new();
    for pr in &r.procedures {
        let line = at.line(pr);
        let pr = pr.get_ref();
        if !PROCEDURE_TYPES.contains(&pr.slug.as_str()) {
            p.add(
                at.file,
                line,
                format!(
                    "procedure slug `{}` is not a collection type Benchside logs ({})",
                    pr.slug,
                    PROCEDURE_TYPES.join(", ")
                ),
            );
        } else if !slugs.insert(pr.slug.as_str()) {
            p.add(
                at.file,
                line,
                format!("procedure slug `{}` is repeated", pr.slug),
            );
        }
        check_text(p, at.file, line, "procedure name", &pr.name, 100);
        if !(1..=MAX_COUNT).contains(&pr.min_count) {
            p.add(
                at.file,
                line,
                format!("procedure `{}`: min_count must be at least 1", pr.slug),
            );
        }
    }
    if let Some(n) = r.min_total_procedures {
        let sum: i64 = r.procedures.iter().map(|p| p.get_ref().min_count).sum();
        let message = if !(1..=MAX_COUNT).contains(&n) {
            Some("min_total_procedures must be at least 1".to_string())
        } else if r.procedures.is_empty() {
            Some("min_total_procedures needs a procedures list".to_string())
        } else if n < sum {
            Some(format!(
                "min_total_procedures ({n}) is less than the procedures' own minimums ({sum})"
            ))
        } else {
            None
        };
        if let Some(m) = message {
            p.add(at.file, at.table, m);
        }
    }
    slugs
}

fn competencies(
    p: &mut Problems<'_>,
    at: &At<'_>,
    raw: &[Spanned<RawCompetency>],
) -> Vec<CompetencyModel> {
    let mut slugs = HashSet::new();
    let mut out = Vec::new();
    for c in raw {
        let line = at.line(c);
        let c = c.get_ref();
        if !is_slug(&c.slug) {
            p.add(
                at.file,
                line,
                format!("competency slug `{}` is not a valid slug", c.slug),
            );
        } else if !slugs.insert(c.slug.as_str()) {
            p.add(
                at.file,
                line,
                format!("duplicate competency slug `{}`", c.slug),
            );
        }
        if !OBSERVATIONS.contains(&c.observations) {
            p.add(
                at.file,
                line,
                format!(
                    "competency `{}`: observations must be from 1 to 50 (found {})",
                    c.slug, c.observations
                ),
            );
        }
        let name = plain(p, at, line, "competency name", &c.name, NAME_MAX);
        let description = c
            .description
            .as_deref()
            .map(|d| plain(p, at, line, "competency description", d, DESCRIPTION_MAX));
        out.push(CompetencyModel {
            slug: c.slug.clone(),
            name,
            description,
            observations: c.observations.clamp(0, 50) as i32,
        });
    }
    out
}

fn certifications(
    p: &mut Problems<'_>,
    at: &At<'_>,
    raw: &[Spanned<RawCertification>],
    procedure_slugs: &HashSet<&str>,
) -> Vec<CertificationModel> {
    let mut slugs = HashSet::new();
    let mut out = Vec::new();
    for c in raw {
        let line = at.line(c);
        let c = c.get_ref();
        if !is_slug(&c.slug) {
            p.add(
                at.file,
                line,
                format!("certification slug `{}` is not a valid slug", c.slug),
            );
        } else if !slugs.insert(c.slug.as_str()) {
            p.add(
                at.file,
                line,
                format!("duplicate certification slug `{}`", c.slug),
            );
        }
        source_url(p, at, &c.source);
        let procedures = thresholds(p, at, c, line, procedure_slugs);
        let name = plain(p, at, line, "certification name", &c.name, NAME_MAX);
        let body = plain(p, at, line, "certification body", &c.body, BODY_MAX);
        let source_title = plain(
            p,
            at,
            line,
            "source_title",
            &c.source_title,
            SOURCE_TITLE_MAX,
        );
        let note = c
            .note
            .as_deref()
            .map(|n| plain(p, at, line, "certification note", n, DESCRIPTION_MAX));
        out.push(CertificationModel {
            slug: c.slug.clone(),
            name,
            body,
            source: c.source.get_ref().trim().to_string(),
            source_title,
            clinical_hours: c.clinical_hours,
            procedures,
            min_total_procedures: c.min_total_procedures.map(|n| n.clamp(0, MAX_COUNT) as i32),
            note,
        });
    }
    out
}

/// A certification's hours and counts: at least one, each in range, procedure slugs among the
/// course's.
fn thresholds(
    p: &mut Problems<'_>,
    at: &At<'_>,
    c: &RawCertification,
    line: usize,
    procedure_slugs: &HashSet<&str>,
) -> Vec<CountThreshold> {
    let slug = &c.slug;
    if c.clinical_hours.is_none() && c.procedures.is_empty() && c.min_total_procedures.is_none() {
        p.add(
            at.file,
            line,
            format!("certification `{slug}` states no threshold (clinical_hours, procedures or min_total_procedures)"),
        );
    }
    if let Some(h) = c.clinical_hours
        && !(h.is_finite() && h > 0.0 && h < 100000.0)
    {
        p.add(
            at.file,
            line,
            format!("certification `{slug}`: clinical_hours must be more than zero"),
        );
    }
    let mut seen = HashSet::new();
    let mut sum = 0;
    for t in &c.procedures {
        let tline = at.line(t);
        let t = t.get_ref();
        if !procedure_slugs.contains(t.slug.as_str()) {
            p.add(
                at.file,
                tline,
                format!(
                    "certification `{slug}` counts procedure `{}`, which is not among this course's procedures",
                    t.slug
                ),
            );
        } else if !seen.insert(t.slug.as_str()) {
            p.add(
                at.file,
                tline,
                format!("certification `{slug}` names procedure `{}` twice", t.slug),
            );
        }
        if !(1..=MAX_COUNT).contains(&t.min_count) {
            p.add(
                at.file,
                tline,
                format!("certification `{slug}`: min_count must be at least 1"),
            );
        }
        sum += t.min_count;
    }
    if let Some(n) = c.min_total_procedures {
        if !(1..=MAX_COUNT).contains(&n) {
            p.add(
                at.file,
                line,
                format!("certification `{slug}`: min_total_procedures must be at least 1"),
            );
        } else if procedure_slugs.is_empty() {
            p.add(
                at.file,
                line,
                format!("certification `{slug}`: min_total_procedures needs the course's procedures list"),
            );
        } else if n < sum {
            p.add(
                at.file,
                line,
                format!("certification `{slug}`: min_total_procedures ({n}) is less than its procedures' own minimums ({sum})"),
            );
        }
    }
    c.procedures
        .iter()
        .map(|t| CountThreshold {
            slug: t.get_ref().slug.clone(),
            min_count: t.get_ref().min_count.clamp(0, MAX_COUNT) as i32,
        })
        .collect()
}

/// `source` is an absolute https URL with a host.
fn source_url(p: &mut Problems<'_>, at: &At<'_>, source: &Spanned<String>) {
    let s = source.get_ref().trim();
    let ok = s.chars().count() <= SOURCE_MAX
        && url::Url::parse(s)
            .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| h.contains('.')));
    if !ok {
        p.add(
            at.file,
            at.line(source),
            format!("source `{s}` must be an https:// URL of the primary source (at most {SOURCE_MAX} characters)"),
        );
    }
}

/// A plain-text field, checked and with its whitespace runs (line breaks too) made one space:
/// not empty, at most `max` characters, no HTML tags and no control characters.
fn plain(
    p: &mut Problems<'_>,
    at: &At<'_>,
    line: usize,
    what: &str,
    value: &str,
    max: usize,
) -> String {
    let joined = value.split_whitespace().collect::<Vec<_>>().join(" ");
    check_text(p, at.file, line, what, &joined, max);
    if has_markup(value) {
        p.add(
            at.file,
            line,
            format!("{what} is plain text: no HTML tags or control characters"),
        );
    }
    joined
}

/// An HTML tag (`<` before a letter, `/`, `!` or `?`) or a control character other than a line
/// break or tab.
pub(super) fn has_markup(s: &str) -> bool {
    let tag = s.match_indices('<').any(|(i, _)| {
        s[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || "/!?".contains(c))
    });
    tag || s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::has_markup;

    #[test]
    fn markup_is_tags_and_control_characters_not_comparisons() {
        assert!(has_markup("Uses <b>gloves</b>"));
        assert!(has_markup("a </p>"));
        assert!(has_markup("<!-- x -->"));
        assert!(has_markup("bell\u{7}"));
        assert!(!has_markup("Tourniquet < 1 minute; 3 <= 5"));
        assert!(!has_markup("Line one\nline two\ttabbed"));
    }
}
