//! PDF documents for features to build: pages of real (extractable) text in the committed
//! fonts, rules, rectangles, vector QR codes, and a flowing layout with tables that break
//! across pages. It knows nothing about the features that use it.
//!
//! - [`Document`] holds the paper ([`Paper`], [`Orientation`]), the metadata and the pages;
//!   [`Document::finish`] writes the PDF bytes (fonts embedded as subsets).
//! - [`Page`] draws at absolute positions (points from the top-left corner, y downwards):
//!   one line of text left, centred or right-aligned ([`Page::text`]), a wrapped paragraph in
//!   a box ([`Page::paragraph`], which returns the height used), lines and rules, rectangles,
//!   a QR code ([`Page::qr`]) and link areas.
//! - [`Flow`] is a top-to-bottom cursor inside [`Margins`] that starts a new page when the
//!   next line does not fit: paragraphs, label/value pairs, rules and [`Table`]s, whose header
//!   row is repeated on every page they reach.
//! - [`TextStyle`] is a [`Font`], a size, a [`Color`] and a line height; it also measures and
//!   wraps text. Characters a font lacks are replaced by U+FFFD and control characters are
//!   dropped, so no text can make drawing fail.
//! - Page numbers that need the total ("Page 2 of 5") are drawn last, with
//!   [`Document::for_each_page`].
//!
//! A multi-page document with a table:
//!
//! ```
//! use benchside::pdf::{
//!     Align, Column, Document, Flow, Font, Margins, Orientation, PairStyle, Paper, Table,
//!     TextStyle,
//! };
//!
//! let mut doc = Document::new(Paper::A4, Orientation::Portrait)
//!     .title("Weekly record")
//!     .author("Benchside");
//! let mut table = Table::new(vec![
//!     Column::new("Date", 1.0),
//!     Column::new("Activity", 3.0),
//!     Column::new("Hours", 1.0).align(Align::Right),
//! ]);
//! for day in 1..=60 {
//!     table.row([format!("2026-03-{:02}", day % 28 + 1), "Bench work".into(), "7.5".into()])?;
//! }
//! let mut flow = Flow::new(&mut doc, Margins::all(56.0));
//! flow.paragraph("Weekly record", TextStyle::new(Font::SerifBold, 18.0), Align::Left);
//! let pair = PairStyle {
//!     label: TextStyle::new(Font::SansBold, 10.0),
//!     value: TextStyle::new(Font::Sans, 10.0),
//!     label_width: 90.0,
//! };
//! flow.pair("Name", "A. Learner", &pair);
//! flow.advance(12.0);
//! flow.table(&table);
//! let footer = TextStyle::new(Font::Sans, 8.0);
//! doc.for_each_page(|page, n, total| {
//!     let (x, y) = (page.width() / 2.0, page.height() - 30.0);
//!     page.text(x, y, &format!("Page {n} of {total}"), footer, Align::Centre);
//! });
//! assert!(doc.page_count() >= 2);
//! let bytes: Vec<u8> = doc.finish()?;
//! assert!(bytes.starts_with(b"%PDF-"));
//! # Ok::<(), benchside::pdf::PdfError>(())
//! ```
//!
//! One page of centred lines in a border, with a QR code:
//!
//! ```
//! use benchside::pdf::{Align, Color, Document, Font, Orientation, Paper, Stroke, TextStyle};
//!
//! let mut doc = Document::new(Paper::Letter, Orientation::Landscape).title("Notice");
//! let page = doc.add_page();
//! let (w, h) = (page.width(), page.height());
//! page.rect((24.0, 24.0), (w - 48.0, h - 48.0), None, Some(Stroke::new(1.5, Color::BLACK)));
//! page.text(w / 2.0, 160.0, "A Heading", TextStyle::new(Font::SerifBold, 32.0), Align::Centre);
//! page.rule(w / 2.0 - 120.0, w / 2.0 + 120.0, 180.0, Stroke::new(0.5, Color::GREY));
//! let body = TextStyle::new(Font::SerifItalic, 14.0);
//! let used = page.paragraph(w / 4.0, 200.0, w / 2.0, "A longer line of text that wraps \
//!     inside its box, each line centred.", body, Align::Centre);
//! assert!(used > 0.0);
//! let url = "https://example.org/check/abc123";
//! page.qr(url, (w - 140.0, h - 140.0), 96.0)?;
//! page.link((w - 140.0, h - 140.0), (96.0, 96.0), url);
//! let bytes = doc.finish()?;
//! # assert!(bytes.starts_with(b"%PDF-"));
//! # Ok::<(), benchside::pdf::PdfError>(())
//! ```

#![warn(missing_docs)]

mod document;
mod flow;
mod qr;
mod table;
mod text;

#[cfg(test)]
mod tests;

pub use document::{Document, Page};
pub use flow::{Flow, Margins, PairStyle};
pub use qr::{QUIET_ZONE, QrMatrix};
pub use table::{Column, Table, TableStyle};
pub use text::{Font, TextStyle};

/// Paper sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm (595.276 × 841.89 pt).
    A4,
    /// US Letter, 8.5 × 11 in (612 × 792 pt).
    Letter,
}

/// Which way up the paper is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Orientation {
    /// Taller than wide.
    Portrait,
    /// Wider than tall.
    Landscape,
}

impl Paper {
    /// Width and height in points (1/72 in) for `orientation`.
    pub fn size(self, orientation: Orientation) -> (f32, f32) {
        let (short, long) = match self {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        };
        match orientation {
            Orientation::Portrait => (short, long),
            Orientation::Landscape => (long, short),
        }
    }
}

/// Horizontal alignment: for a single line, which edge (or the centre) its `x` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Align {
    /// `x` is the left edge.
    Left,
    /// `x` is the centre.
    Centre,
    /// `x` is the right edge.
    Right,
}

impl Align {
    /// The `x` to give a line so that it sits this way in a box from `left`, `width` wide.
    pub fn anchor(self, left: f32, width: f32) -> f32 {
        match self {
            Align::Left => left,
            Align::Centre => left + width / 2.0,
            Align::Right => left + width,
        }
    }
}

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color {
    /// Red, 0-255.
    pub r: u8,
    /// Green, 0-255.
    pub g: u8,
    /// Blue, 0-255.
    pub b: u8,
}

impl Color {
    /// Black.
    pub const BLACK: Color = Color::rgb(0, 0, 0);
    /// White.
    pub const WHITE: Color = Color::rgb(255, 255, 255);
    /// A mid grey for thin rules.
    pub const GREY: Color = Color::rgb(128, 128, 128);
    /// A light grey for backgrounds.
    pub const LIGHT_GREY: Color = Color::rgb(230, 230, 230);

    /// A colour from its red, green and blue components.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Color { r, g, b }
    }
}

/// How a line or an outline is drawn: its width in points and its colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    /// Line width in points.
    pub width: f32,
    /// Line colour.
    pub color: Color,
}

impl Stroke {
    /// A stroke `width` points wide in `color`.
    pub const fn new(width: f32, color: Color) -> Self {
        Stroke { width, color }
    }
}

/// What can go wrong building a PDF. Text never fails: see [`TextStyle`].
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The data does not fit in a QR code (or cannot be encoded).
    #[error("cannot make a QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
    /// A table row has more cells than the table has columns.
    #[error("a table row has {cells} cells but the table has {columns} columns")]
    TooManyCells {
        /// Cells given.
        cells: usize,
        /// Columns in the table.
        columns: usize,
    },
    /// krilla could not write the PDF.
    #[error("cannot write the PDF: {0}")]
    Render(String),
}
