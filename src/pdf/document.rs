//! `Document` (pages and metadata) and `Page` (what is drawn where). Pages record drawing
//! operations; `Document::finish` hands them to krilla, so page decorations that need the
//! page count ("Page 3 of 7") can be added after the content with `for_each_page`.

use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Paint};
use krilla::surface::Surface;
use krilla::text::KrillaGlyph;

use super::qr::{QUIET_ZONE, QrMatrix};
use super::text::{self, Shaped, TextStyle};
use super::{Align, Color, Orientation, Paper, PdfError, Stroke};

/// A PDF being built: its paper, its metadata and its pages, in order.
#[derive(Debug)]
pub struct Document {
    width: f32,
    height: f32,
    info: Info,
    pages: Vec<Page>,
}

#[derive(Debug, Default)]
struct Info {
    title: Option<String>,
    author: Option<String>,
    subject: Option<String>,
    creator: Option<String>,
    language: Option<String>,
    created: Option<chrono::DateTime<chrono::Utc>>,
}

impl Document {
    /// An empty document whose pages are `paper` in `orientation`.
    pub fn new(paper: Paper, orientation: Orientation) -> Self {
        let (width, height) = paper.size(orientation);
        Document {
            width,
            height,
            info: Info::default(),
            pages: Vec::new(),
        }
    }

    /// Sets the document title (shown by viewers instead of the file name).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.info.title = Some(title.into());
        self
    }

    /// Sets the author.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.info.author = Some(author.into());
        self
    }

    /// Sets the subject (the metadata's description).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.info.subject = Some(subject.into());
        self
    }

    /// Sets the creator (the application that made the content).
    pub fn creator(mut self, creator: impl Into<String>) -> Self {
        self.info.creator = Some(creator.into());
        self
    }

    /// Sets the language of the text, as a BCP 47 tag such as `en-GB`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.info.language = Some(language.into());
        self
    }

    /// Sets the creation date (none is written unless set, so output is reproducible).
    pub fn created(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.info.created = Some(at);
        self
    }

    /// Page width and height in points.
    pub fn page_size(&self) -> (f32, f32) {
        (self.width, self.height)
    }

    /// Appends a blank page and returns it.
    pub fn add_page(&mut self) -> &mut Page {
        self.pages.push(Page::new(self.width, self.height));
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// The number of pages so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The page at `index` (0-based), to draw on it again.
    pub fn page_mut(&mut self, index: usize) -> Option<&mut Page> {
        self.pages.get_mut(index)
    }

    /// Calls `f(page, number, total)` for every page, numbers from 1: for footers such as
    /// "Page 2 of 5". Call it once the content is complete.
    pub fn for_each_page(&mut self, mut f: impl FnMut(&mut Page, usize, usize)) {
        let total = self.pages.len();
        for (index, page) in self.pages.iter_mut().enumerate() {
            f(page, index + 1, total);
        }
    }

    /// Writes the PDF: fonts embedded as subsets, content streams compressed. A document with
    /// no page gets one blank page.
    pub fn finish(mut self) -> Result<Vec<u8>, PdfError> {
        if self.pages.is_empty() {
            self.add_page();
        }
        let mut pdf = krilla::Document::new();
        pdf.set_metadata(self.info.metadata());
        for page in &self.pages {
            let settings = PageSettings::from_wh(page.width, page.height)
                .ok_or(PdfError::Render("invalid page size".into()))?;
            let mut out = pdf.start_page_with(settings);
            let mut surface = out.surface();
            for op in &page.ops {
                op.draw(&mut surface);
            }
            surface.finish();
            for (rect, url) in &page.links {
                let link = LinkAnnotation::new(
                    *rect,
                    Target::Action(krilla::action::LinkAction::new(url.clone()).into()),
                );
                out.add_annotation(Annotation::new_link(link, Some(url.clone())));
            }
            out.finish();
        }
        pdf.finish().map_err(|e| PdfError::Render(e.to_string()))
    }
}

impl Info {
    fn metadata(&self) -> Metadata {
        let mut metadata = Metadata::new();
        if let Some(title) = &self.title {
            metadata = metadata.title(title.clone());
        }
        if let Some(author) = &self.author {
            metadata = metadata.authors(vec![author.clone()]);
        }
        if let Some(subject) = &self.subject {
            metadata = metadata.description(subject.clone());
        }
        if let Some(creator) = &self.creator {
            metadata = metadata.creator(creator.clone());
        }
        if let Some(language) = &self.language {
            metadata = metadata.language(language.clone());
        }
        if let Some(at) = self.created {
            metadata = metadata.creation_date(pdf_date(at));
        }
        metadata
    }
}

fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> DateTime {
    use chrono::{Datelike, Timelike};
    // Narrowing is exact: chrono's month, day, hour, minute and second fit in a u8.
    let small = |v: u32| u8::try_from(v).unwrap_or(0);
    DateTime::new(u16::try_from(at.year()).unwrap_or(0))
        .month(small(at.month()))
        .day(small(at.day()))
        .hour(small(at.hour()))
        .minute(small(at.minute()))
        .second(small(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// One page: a size and what is drawn on it. Coordinates are points from the top-left corner,
/// y growing downwards. Anything given a non-finite coordinate or size is skipped.
#[derive(Debug)]
pub struct Page {
    width: f32,
    height: f32,
    ops: Vec<Op>,
    links: Vec<(Rect, String)>,
}

#[derive(Debug)]
enum Op {
    Text {
        at: Point,
        style: TextStyle,
        text: String,
        glyphs: Vec<KrillaGlyph>,
    },
    Fill {
        rects: Vec<Rect>,
        color: Color,
    },
    Stroke {
        points: Vec<Point>,
        close: bool,
        stroke: Stroke,
    },
}

fn finite(values: &[f32]) -> bool {
    values.iter().all(|v| v.is_finite())
}

impl Page {
    fn new(width: f32, height: f32) -> Self {
        Page {
            width,
            height,
            ops: Vec::new(),
            links: Vec::new(),
        }
    }

    /// Width in points.
    pub fn width(&self) -> f32 {
        self.width
    }

    /// Height in points.
    pub fn height(&self) -> f32 {
        self.height
    }

    /// Draws `text` on one line with its baseline at `baseline`; `x` is the line's left edge,
    /// centre or right edge as `align` says. Line breaks become spaces. Returns the width.
    pub fn text(
        &mut self,
        x: f32,
        baseline: f32,
        text: &str,
        style: TextStyle,
        align: Align,
    ) -> f32 {
        let shaped = text::shape(style.font, &text::clean(style.font, text, false));
        self.shaped(x, baseline, shaped, style, align)
    }

    /// Draws `text` wrapped to `width` points, the first line's top at `top`; `x` is the box's
    /// left edge and `align` places each line in the box. Returns the height used.
    pub fn paragraph(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        text: &str,
        style: TextStyle,
        align: Align,
    ) -> f32 {
        let lines = text::wrap(style, text, width);
        let line_height = style.line_height();
        let anchor = align.anchor(x, width);
        let mut y = top;
        for line in lines {
            self.shaped(anchor, y + style.baseline_offset(), line, style, align);
            y += line_height;
        }
        y - top
    }

    pub(super) fn shaped(
        &mut self,
        x: f32,
        baseline: f32,
        shaped: Shaped,
        style: TextStyle,
        align: Align,
    ) -> f32 {
        let width = shaped.width * style.size;
        let left = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        let drawable = style.size > 0.0 && finite(&[left, baseline, style.size, width]);
        if drawable && !shaped.glyphs.is_empty() {
            self.ops.push(Op::Text {
                at: Point::from_xy(left, baseline),
                style,
                text: shaped.text,
                glyphs: shaped.glyphs,
            });
        }
        width
    }

    /// Draws a straight line from `(x1, y1)` to `(x2, y2)`.
    pub fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), stroke: Stroke) {
        if finite(&[x1, y1, x2, y2, stroke.width]) && stroke.width > 0.0 {
            let points = vec![Point::from_xy(x1, y1), Point::from_xy(x2, y2)];
            self.ops.push(Op::Stroke {
                points,
                close: false,
                stroke,
            });
        }
    }

    /// Draws a horizontal rule at `y` from `x1` to `x2`.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, stroke: Stroke) {
        self.line((x1, y), (x2, y), stroke);
    }

    /// Draws a rectangle with its top-left corner at `(x, y)`: filled, outlined, or both.
    pub fn rect(
        &mut self,
        (x, y): (f32, f32),
        (width, height): (f32, f32),
        fill: Option<Color>,
        stroke: Option<Stroke>,
    ) {
        let Some(rect) = Rect::from_xywh(x, y, width, height) else {
            return;
        };
        if let Some(color) = fill {
            self.ops.push(Op::Fill {
                rects: vec![rect],
                color,
            });
        }
        if let Some(stroke) = stroke.filter(|s| s.width.is_finite() && s.width > 0.0) {
            let points = [
                (x, y),
                (x + width, y),
                (x + width, y + height),
                (x, y + height),
            ];
            self.ops.push(Op::Stroke {
                points: points.iter().map(|&(x, y)| Point::from_xy(x, y)).collect(),
                close: true,
                stroke,
            });
        }
    }

    /// Draws a QR code for `data` (error correction M) as vector modules in a `size` × `size`
    /// square with its top-left corner at `(x, y)`, quiet zone included (painted white).
    pub fn qr(&mut self, data: &str, (x, y): (f32, f32), size: f32) -> Result<(), PdfError> {
        let matrix = QrMatrix::encode(data)?;
        if !(finite(&[x, y, size]) && size > 0.0) {
            return Ok(());
        }
        self.rect((x, y), (size, size), Some(Color::WHITE), None);
        let module = size / matrix.width_with_quiet_zone() as f32;
        let origin = |n: usize| (n + QUIET_ZONE) as f32 * module;
        let rects = matrix
            .runs()
            .into_iter()
            .filter_map(|(row, column, len)| {
                let w = len as f32 * module;
                Rect::from_xywh(x + origin(column), y + origin(row), w, module)
            })
            .collect();
        self.ops.push(Op::Fill {
            rects,
            color: Color::BLACK,
        });
        Ok(())
    }

    /// Makes the area with its top-left corner at `(x, y)` a link to `url`.
    pub fn link(&mut self, (x, y): (f32, f32), (width, height): (f32, f32), url: &str) {
        if let Some(rect) = Rect::from_xywh(x, y, width, height) {
            self.links.push((rect, url.to_owned()));
        }
    }
}

fn paint(color: Color) -> Paint {
    krilla::color::rgb::Color::new(color.r, color.g, color.b).into()
}

impl Op {
    fn draw(&self, surface: &mut Surface<'_>) {
        match self {
            Op::Text {
                at,
                style,
                text,
                glyphs,
            } => {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: paint(style.color),
                    ..Fill::default()
                }));
                let font = style.font.krilla();
                surface.draw_glyphs(*at, glyphs, font, text, style.size, false);
            }
            Op::Fill { rects, color } => {
                let mut path = PathBuilder::new();
                for rect in rects {
                    path.push_rect(*rect);
                }
                if let Some(path) = path.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: paint(*color),
                        ..Fill::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            Op::Stroke {
                points,
                close,
                stroke,
            } => stroke_path(surface, points, *close, *stroke),
        }
    }
}

fn stroke_path(surface: &mut Surface<'_>, points: &[Point], close: bool, stroke: Stroke) {
    let mut path = PathBuilder::new();
    for (n, point) in points.iter().enumerate() {
        if n == 0 {
            path.move_to(point.x, point.y);
        } else {
            path.line_to(point.x, point.y);
        }
    }
    if close {
        path.close();
    }
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(krilla::paint::Stroke {
            paint: paint(stroke.color),
            width: stroke.width,
            ..krilla::paint::Stroke::default()
        }));
        surface.draw_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Font;
    use super::*;

    fn text_origins(page: &Page) -> Vec<(String, f32, f32)> {
        page.ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { at, text, .. } => Some((text.clone(), at.x, at.y)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn alignment_places_the_line() {
        let mut doc = Document::new(Paper::Letter, Orientation::Landscape);
        let page = doc.add_page();
        let style = TextStyle::new(Font::Serif, 20.0);
        let width = style.width("Middle");
        assert_eq!(
            page.text(396.0, 100.0, "Middle", style, Align::Centre),
            width
        );
        page.text(700.0, 130.0, "Right", style, Align::Right);
        page.text(50.0, 160.0, "Left", style, Align::Left);
        let origins = text_origins(page);
        assert!((origins[0].1 - (396.0 - width / 2.0)).abs() < 0.001);
        assert_eq!(origins[0].2, 100.0);
        assert!((origins[1].1 + style.width("Right") - 700.0).abs() < 0.001);
        assert_eq!(origins[2].1, 50.0);
    }

    #[test]
    fn paragraph_lines_stack_and_report_their_height() {
        let mut doc = Document::new(Paper::A4, Orientation::Portrait);
        let page = doc.add_page();
        let style = TextStyle::new(Font::Sans, 10.0);
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let used = page.paragraph(100.0, 200.0, 80.0, text, style, Align::Right);
        let origins = text_origins(page);
        assert!(origins.len() >= 3, "{origins:?}");
        assert!((used - origins.len() as f32 * style.line_height()).abs() < 0.001);
        for (n, (line, x, y)) in origins.iter().enumerate() {
            let top = 200.0 + n as f32 * style.line_height();
            assert!((y - top - style.baseline_offset()).abs() < 0.001);
            assert!(
                (x + style.width(line) - 180.0).abs() < 0.01,
                "{line} at {x}"
            );
        }
        assert_eq!(page.paragraph(0.0, 0.0, 100.0, "", style, Align::Left), 0.0);
    }

    #[test]
    fn metadata_dates_convert() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-04T05:06:07Z").unwrap();
        let date = pdf_date(at.with_timezone(&chrono::Utc));
        let expected = DateTime::new(2026)
            .month(3)
            .day(4)
            .hour(5)
            .minute(6)
            .second(7)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
        assert_eq!(date, expected);
    }
}
