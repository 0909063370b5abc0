//! The exam outlines a course prepares for (`[[exams]]` in course.toml): each certifying
//! body's published content domains, with their weights where the body publishes them, and
//! the check that every question is tagged with domains of those outlines.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::externship::has_markup;
use super::model::{BankModel, DomainModel, ExamModel};
use super::problems::{Problems, check_text, line_of};
use crate::slug::is_slug;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExam {
    slug: String,
    name: String,
    body: String,
    source: String,
    source_title: String,
    edition: Option<String>,
    note: Option<String>,
    domains: Vec<RawDomain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    slug: String,
    title: String,
    /// Percent of the exam: `26`, or a published range `[15, 20]`. Omitted: not published.
    weight: Option<Weight>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Weight {
    One(i64),
    Range(Vec<i64>),
}

/// Limits of the fields, in characters.
const NAME_MAX: usize = 150;
const BODY_MAX: usize = 40;
const TITLE_MAX: usize = 150;
const SOURCE_TITLE_MAX: usize = 200;
const EDITION_MAX: usize = 100;
const NOTE_MAX: usize = 500;
const SOURCE_MAX: usize = 500;
/// Domains in one outline.
const MAX_DOMAINS: usize = 30;

/// The separator of a question's domain tag: `<exam-slug>:<domain-slug>`.
pub const TAG_SEPARATOR: char = ':';

/// Checks every `[[exams]]` table of course.toml and builds the outlines.
pub(super) fn models(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    raw: &[Spanned<RawExam>],
) -> Vec<ExamModel> {
    let mut slugs = HashSet::new();
    raw.iter()
        .map(|e| {
            let line = line_of(text, e.span().start);
            let e = e.get_ref();
            let at = At { file, line };
            if !is_slug(&e.slug) {
                at.add(p, format!("exam slug `{}` is not a valid slug", e.slug));
            } else if !slugs.insert(e.slug.as_str()) {
                at.add(p, format!("duplicate exam slug `{}`", e.slug));
            }
            source_url(p, &at, &e.source);
            ExamModel {
                slug: e.slug.clone(),
                name: at.plain(p, "exam name", &e.name, NAME_MAX),
                body: at.plain(p, "exam body", &e.body, BODY_MAX),
                source: e.source.trim().to_string(),
                source_title: at.plain(p, "source_title", &e.source_title, SOURCE_TITLE_MAX),
                edition: e
                    .edition
                    .as_deref()
                    .map(|s| at.plain(p, "edition", s, EDITION_MAX)),
                note: e
                    .note
                    .as_deref()
                    .map(|s| at.plain(p, "exam note", s, NOTE_MAX)),
                domains: domains(p, &at, e),
            }
        })
        .collect()
}

struct At<'a> {
    file: &'a Path,
    line: usize,
}

impl At<'_> {
    fn add(&self, p: &mut Problems<'_>, message: impl Into<String>) {
        p.add(self.file, self.line, message);
    }

    /// A plain-text field with its whitespace runs made one space: not empty, at most `max`
    /// characters, no HTML tags or control characters.
    fn plain(&self, p: &mut Problems<'_>, what: &str, value: &str, max: usize) -> String {
        let joined = value.split_whitespace().collect::<Vec<_>>().join(" ");
        check_text(p, self.file, self.line, what, &joined, max);
        if has_markup(value) {
            self.add(
                p,
                format!("{what} is plain text: no HTML tags or control characters"),
            );
        }
        joined
    }
}

fn source_url(p: &mut Problems<'_>, at: &At<'_>, source: &str) {
    let s = source.trim();
    let ok = s.chars().count() <= SOURCE_MAX
        && url::Url::parse(s)
            .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| h.contains('.')));
    if !ok {
        at.add(
            p,
            format!("source `{s}` must be an https:// URL (at most {SOURCE_MAX} characters)"),
        );
    }
}

fn domains(p: &mut Problems<'_>, at: &At<'_>, e: &RawExam) -> Vec<DomainModel> {
    if e.domains.is_empty() || e.domains.len() > MAX_DOMAINS {
        at.add(
            p,
            format!("exam `{}` lists 1 to {MAX_DOMAINS} domains", e.slug),
        );
    }
    let mut slugs = HashSet::new();
    let out: Vec<DomainModel> = e
        .domains
        .iter()
        .map(|d| {
            if !is_slug(&d.slug) {
                at.add(p, format!("domain slug `{}` is not a valid slug", d.slug));
            } else if !slugs.insert(d.slug.as_str()) {
                at.add(
                    p,
                    format!("duplicate domain slug `{}` in exam `{}`", d.slug, e.slug),
                );
            }
            DomainModel {
                slug: d.slug.clone(),
                title: at.plain(p, "domain title", &d.title, TITLE_MAX),
                weight: d.weight.as_ref().and_then(|w| weight(p, at, &d.slug, w)),
            }
        })
        .collect();
    // Published single figures (not ranges) of a complete outline add up to 100.
    let singles: Option<Vec<i32>> = out
        .iter()
        .map(|d| d.weight.filter(|(lo, hi)| lo == hi).map(|(lo, _)| lo))
        .collect();
    if let Some(ws) = singles
        && !ws.is_empty()
        && ws.iter().sum::<i32>() != 100
    {
        let sum: i32 = ws.iter().sum();
        at.add(
            p,
            format!(
                "the domain weights of exam `{}` add up to {sum} %, not 100 %",
                e.slug
            ),
        );
    }
    out
}

/// A weight in percent: one figure or a `[low, high]` range, each 0 to 100.
fn weight(p: &mut Problems<'_>, at: &At<'_>, domain: &str, w: &Weight) -> Option<(i32, i32)> {
    let (lo, hi) = match w {
        Weight::One(n) => (*n, *n),
        Weight::Range(v) if v.len() == 2 => (v[0], v[1]),
        Weight::Range(_) => (-1, -1),
    };
    if (0..=100).contains(&lo) && (lo..=100).contains(&hi) {
        Some((lo as i32, hi as i32))
    } else {
        at.add(
            p,
            format!("domain `{domain}`: weight is a percent (0-100) or a range [low, high] with low <= high"),
        );
        None
    }
}

/// Every question of the course names at least one domain when the course declares exam
/// outlines, and every tag is `<exam>:<domain>` of one of them; refused on the question's line.
pub(super) fn check_tags<'a>(
    p: &mut Problems<'_>,
    exams: &[ExamModel],
    banks: impl Iterator<Item = &'a BankModel>,
) {
    let known: HashSet<String> = exams
        .iter()
        .flat_map(|e| e.domains.iter().map(move |d| tag(&e.slug, &d.slug)))
        .collect();
    for q in banks.flat_map(|b| b.questions.iter()) {
        let (file, line) = (&q.source.0, q.source.1);
        if q.domains.is_empty() && !exams.is_empty() {
            p.add(
                file,
                line,
                format!(
                    "question `{}` names no exam domain: add `domains = [\"<exam>{TAG_SEPARATOR}<domain>\", ...]` (this course's: {})",
                    q.slug,
                    sorted(&known).join(", ")
                ),
            );
        }
        let mut seen = HashSet::new();
        for t in &q.domains {
            if !known.contains(t) {
                let msg = if exams.is_empty() {
                    format!(
                        "question `{}` names domain `{t}`, but the course declares no [[exams]]",
                        q.slug
                    )
                } else {
                    format!(
                        "question `{}` names an unknown domain `{t}` (this course's: {})",
                        q.slug,
                        sorted(&known).join(", ")
                    )
                };
                p.add(file, line, msg);
            } else if !seen.insert(t) {
                p.add(
                    file,
                    line,
                    format!("question `{}` names domain `{t}` twice", q.slug),
                );
            }
        }
    }
}

fn sorted(set: &HashSet<String>) -> Vec<&str> {
    let mut v: Vec<&str> = set.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// A question's tag for domain `domain` of exam `exam`.
pub fn tag(exam: &str, domain: &str) -> String {
    format!("{exam}{TAG_SEPARATOR}{domain}")
}
