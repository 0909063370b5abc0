//! The certificate of completion as a PDF: one landscape page in A4 or US Letter, framed by a
//! double border, with the holder, the course, the dates and hours, the serial number, and
//! what a reader needs to check it (the verification code, the address and a vector QR code
//! to it, which is also a link). Pure (no I/O): it runs on a blocking thread.
//!
//! Long names and titles are made smaller, then wrapped, so they always stay inside the
//! border; a name the serif faces cannot draw (Hebrew, Arabic, ...) is set in DejaVu Sans.

use chrono::NaiveDate;

use super::code::Code;
use super::state::Paper;
use crate::pdf::{Align, Color, Document, Font, Orientation, Page, PdfError, Stroke, TextStyle};

/// What the certificate says.
pub struct Face<'a> {
    /// The training provider's name.
    pub provider: &'a str,
    /// The holder's name as on the account at issue.
    pub holder: &'a str,
    pub course_title: &'a str,
    /// The course content's version (small print: "Course edition 3").
    pub course_version: i32,
    pub completed_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub contact_hours: f64,
    pub externship: Option<ExternshipLine>,
    /// The serial number, e.g. `BS-001001`.
    pub serial: &'a str,
    pub code: &'a Code,
    /// The QR code's target and a link.
    pub verify_url: &'a str,
}

/// The approved externship totals a certificate states.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExternshipLine {
    pub hours: f64,
    pub collections: i64,
    pub competencies: usize,
}

const INK: Color = Color::rgb(28, 43, 74);
const GOLD: Color = Color::rgb(150, 118, 52);
const SOFT: Color = Color::rgb(80, 80, 80);
/// The outer border's inset from the paper's edge, and the inner border's.
const OUTER: f32 = 22.0;
const INNER: f32 = 30.0;
/// Space between the inner border and the text.
const PADDING: f32 = 40.0;
const QR_SIZE: f32 = 96.0;

/// The certificate's PDF bytes. Fails only when the verification URL is too long for a QR
/// code.
pub fn render(face: &Face<'_>, paper: Paper) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::new(paper.pdf(), Orientation::Landscape)
        .title(format!(
            "Certificate of Completion: {}",
            one_line(face.course_title)
        ))
        .author(face.provider)
        .subject(subject(face))
        .creator("Benchside")
        .language("en");
    let page = doc.add_page();
    borders(page);
    heading(page, face);
    body(page, face);
    small_print(page, face);
    verification(page, face)?;
    doc.finish()
}

fn subject(face: &Face<'_>) -> String {
    format!(
        "Certificate of completion of {} awarded to {}, serial {}; verify at {}",
        one_line(face.course_title),
        one_line(face.holder),
        face.serial,
        face.verify_url
    )
}

/// The text's runs of white space (line breaks included) as single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn borders(page: &mut Page) {
    let (w, h) = (page.width(), page.height());
    let frame = |inset: f32| ((inset, inset), (w - 2.0 * inset, h - 2.0 * inset));
    let (at, size) = frame(OUTER);
    page.rect(at, size, None, Some(Stroke::new(2.5, INK)));
    let (at, size) = frame(INNER);
    page.rect(at, size, None, Some(Stroke::new(0.75, GOLD)));
}

/// The left edge and width of the text area inside the inner border.
fn text_box(page_width: f32) -> (f32, f32) {
    let left = INNER + PADDING;
    (left, page_width - 2.0 * left)
}

/// How much lower than on A4 the centre block sits on taller paper.
fn drop(page: &Page) -> f32 {
    (page.height() - 595.276) / 2.0
}

fn heading(page: &mut Page, face: &Face<'_>) {
    let (_, width) = text_box(page.width());
    let centre = page.width() / 2.0;
    let dy = drop(page);
    let provider = one_line(face.provider).to_uppercase();
    let style = shrink_to(
        TextStyle::new(Font::SansBold, 12.0).color(INK),
        &provider,
        width,
    );
    page.text(centre, 82.0 + dy, &provider, style, Align::Centre);
    page.rule(
        centre - 60.0,
        centre + 60.0,
        94.0 + dy,
        Stroke::new(0.75, GOLD),
    );
    let title = TextStyle::new(Font::SerifBold, 34.0).color(INK);
    page.text(
        centre,
        136.0 + dy,
        "Certificate of Completion",
        title,
        Align::Centre,
    );
    let italic = TextStyle::new(Font::SerifItalic, 14.0).color(SOFT);
    page.text(
        centre,
        174.0 + dy,
        "This certifies that",
        italic,
        Align::Centre,
    );
}

fn body(page: &mut Page, face: &Face<'_>) {
    let (left, width) = text_box(page.width());
    let centre = page.width() / 2.0;
    let dy = drop(page);
    let name = holder_lines(face.holder, width);
    name.draw(page, (left, 184.0 + dy), (width, NAME_HEIGHT));
    let rule = Stroke::new(0.75, GOLD);
    page.rule(centre - 180.0, centre + 180.0, 254.0 + dy, rule);
    let italic = TextStyle::new(Font::SerifItalic, 14.0).color(SOFT);
    page.text(centre, 280.0 + dy, "has completed", italic, Align::Centre);
    let course = course_lines(face.course_title, width);
    course.draw(page, (left, 290.0 + dy), (width, COURSE_HEIGHT));
    let mut y = 370.0 + dy;
    let serif = TextStyle::new(Font::Serif, 13.0);
    page.text(centre, y, &completion_line(face), serif, Align::Centre);
    let sans = TextStyle::new(Font::Sans, 10.5).color(SOFT);
    for line in [
        face.externship.map(externship_line),
        face.expires_on.map(valid_until),
    ]
    .into_iter()
    .flatten()
    {
        y += 20.0;
        page.text(centre, y, &line, sans, Align::Centre);
    }
}

fn completion_line(face: &Face<'_>) -> String {
    format!(
        "Completed on {} \u{00B7} {}",
        long_date(face.completed_on),
        count(face.contact_hours, "contact hour", "contact hours")
    )
}

fn valid_until(date: NaiveDate) -> String {
    format!("Valid until {}", long_date(date))
}

/// "Clinical externship: 120 hours, 100 successful unaided collections, 5 competencies signed
/// off", singular where a count is one.
pub fn externship_line(e: ExternshipLine) -> String {
    format!(
        "Clinical externship: {}, {}, {} signed off",
        count(e.hours, "hour", "hours"),
        count(
            e.collections as f64,
            "successful unaided collection",
            "successful unaided collections"
        ),
        count(e.competencies as f64, "competency", "competencies"),
    )
}

/// `1 December 2026`.
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A number of things: `12.5 contact hours`, `1 hour`, `120 hours` (at most two decimals, no
/// trailing zeros).
pub fn count(n: f64, one: &str, many: &str) -> String {
    let number = number(n);
    let unit = if number == "1" { one } else { many };
    format!("{number} {unit}")
}

fn number(n: f64) -> String {
    let fixed = format!("{n:.2}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" { "0" } else { trimmed }.to_string()
}

fn small_print(page: &mut Page, face: &Face<'_>) {
    let (left, _) = text_box(page.width());
    let style = TextStyle::new(Font::Sans, 9.5).color(SOFT);
    let lines = [
        format!("Issued {}", long_date(face.issued_on)),
        format!("Serial number {}", face.serial),
        format!("Course edition {}", face.course_version),
    ];
    let mut y = qr_top(page) + 50.0;
    for line in &lines {
        page.text(left, y, line, style, Align::Left);
        y += 15.0;
    }
}

fn qr_top(page: &Page) -> f32 {
    page.height() - INNER - 30.0 - QR_SIZE
}

/// The code, the address and the QR code (with links over the QR code and the address).
fn verification(page: &mut Page, face: &Face<'_>) -> Result<(), PdfError> {
    let (left, width) = text_box(page.width());
    let qr_left = left + width - QR_SIZE;
    let top = qr_top(page);
    page.qr(face.verify_url, (qr_left, top), QR_SIZE)?;
    page.link((qr_left, top), (QR_SIZE, QR_SIZE), face.verify_url);
    let right = qr_left - 10.0;
    let label = TextStyle::new(Font::Sans, 8.5).color(SOFT);
    page.text(right, top + 30.0, "Verification code", label, Align::Right);
    let code = TextStyle::new(Font::SansBold, 15.0).color(INK);
    page.text(right, top + 50.0, &face.code.grouped(), code, Align::Right);
    let room = right - page.width() / 2.0;
    let url = shrink_to(
        TextStyle::new(Font::Sans, 8.5).color(INK),
        face.verify_url,
        room,
    );
    let baseline = top + 68.0;
    let url_width = page.text(right, baseline, face.verify_url, url, Align::Right);
    let ascent = url.font.ascent() * url.size;
    let link_height = url.line_height();
    page.link(
        (right - url_width, baseline - ascent),
        (url_width, link_height),
        face.verify_url,
    );
    page.text(
        right,
        top + 84.0,
        "Scan or visit to check this certificate",
        label,
        Align::Right,
    );
    Ok(())
}

/// `style` made smaller, if need be, so that `text` fits on one line `width` points wide.
fn shrink_to(style: TextStyle, text: &str, width: f32) -> TextStyle {
    let natural = style.width(text);
    if natural <= width || natural <= 0.0 {
        return style;
    }
    TextStyle {
        size: style.size * width / natural * 0.999,
        ..style
    }
}

/// Text laid out in a box: one style and the lines, centred.
#[derive(Debug)]
struct Fitted {
    style: TextStyle,
    lines: Vec<String>,
}

/// How a block of large text may shrink: its largest size, the smallest size still kept on
/// one line, the smallest wrapped size, and the height its lines may take.
struct Fit {
    font: Font,
    color: Color,
    largest: f32,
    one_line_down_to: f32,
    wrapped_down_to: f32,
    height: f32,
}

const LEADING: f32 = 1.15;

impl Fit {
    /// One line as large as `largest` allows; else the largest wrapped size whose lines fit
    /// the height; else (only for absurd lengths) one line made as small as it must be.
    fn lay_out(&self, text: &str, width: f32) -> Fitted {
        let text = one_line(text);
        let style = |size: f32| {
            TextStyle::new(self.font, size)
                .color(self.color)
                .leading(LEADING)
        };
        let single = shrink_to(style(self.largest), &text, width);
        if single.size >= self.one_line_down_to {
            return Fitted {
                style: single,
                lines: vec![text],
            };
        }
        let mut size = self.one_line_down_to;
        while size >= self.wrapped_down_to {
            let lines = style(size).wrap(&text, width);
            if lines.len() as f32 * style(size).line_height() <= self.height {
                return Fitted {
                    style: style(size),
                    lines,
                };
            }
            size -= 0.5;
        }
        Fitted {
            style: single,
            lines: vec![text],
        }
    }
}

impl Fitted {
    /// Draws the lines centred, across and down, in the box with its top-left corner at
    /// `(left, top)`.
    fn draw(&self, page: &mut Page, (left, top): (f32, f32), (width, height): (f32, f32)) {
        let centre = Align::Centre.anchor(left, width);
        let used = self.lines.len() as f32 * self.style.line_height();
        let mut y = top + (height - used).max(0.0) / 2.0 + self.style.baseline_offset();
        for line in &self.lines {
            page.text(centre, y, line, self.style, Align::Centre);
            y += self.style.line_height();
        }
    }
}

/// The height of the holder's name block (between "This certifies that" and the rule).
const NAME_HEIGHT: f32 = 64.0;
/// The height of the course title block.
const COURSE_HEIGHT: f32 = 62.0;

/// The holder's name, in the serif bold face unless it has characters that face lacks.
fn holder_lines(name: &str, width: f32) -> Fitted {
    let font = face_for(name, Font::SerifBold, Font::SansBold);
    let fit = Fit {
        font,
        color: Color::BLACK,
        largest: 34.0,
        one_line_down_to: 22.0,
        wrapped_down_to: 7.0,
        height: NAME_HEIGHT,
    };
    fit.lay_out(name, width)
}

fn course_lines(title: &str, width: f32) -> Fitted {
    let fit = Fit {
        font: face_for(title, Font::SerifBold, Font::SansBold),
        color: INK,
        largest: 22.0,
        one_line_down_to: 18.0,
        wrapped_down_to: 7.0,
        height: COURSE_HEIGHT,
    };
    fit.lay_out(title, width)
}

/// `preferred`, or `fallback` when it draws more of `text`'s characters.
fn face_for(text: &str, preferred: Font, fallback: Font) -> Font {
    let missing = |font: Font| text.chars().filter(|c| !font.has_glyph(*c)).count();
    if missing(fallback) < missing(preferred) {
        fallback
    } else {
        preferred
    }
}

#[cfg(test)]
mod tests;
