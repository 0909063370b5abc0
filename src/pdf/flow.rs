//! `Flow`: a top-to-bottom layout cursor inside the margins, starting a new page when the
//! next line does not fit.

use super::document::{Document, Page};
use super::text::{self, TextStyle};
use super::{Align, Stroke};

/// Space kept free at each edge of a page, in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margins {
    /// Above the content.
    pub top: f32,
    /// Right of the content.
    pub right: f32,
    /// Below the content (a footer drawn later with `Document::for_each_page` goes here).
    pub bottom: f32,
    /// Left of the content.
    pub left: f32,
}

impl Margins {
    /// The same margin on every side.
    pub const fn all(margin: f32) -> Self {
        Margins {
            top: margin,
            right: margin,
            bottom: margin,
            left: margin,
        }
    }

    /// Margins in CSS order: top, right, bottom, left.
    pub const fn new(top: f32, right: f32, bottom: f32, left: f32) -> Self {
        Margins {
            top,
            right,
            bottom,
            left,
        }
    }
}

/// Label and value styles for [`Flow::pair`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairStyle {
    /// The label's style.
    pub label: TextStyle,
    /// The value's style.
    pub value: TextStyle,
    /// The width of the label column in points; the value takes the rest.
    pub label_width: f32,
}

/// A layout cursor on a document: content is placed from the top margin down, and a new page
/// starts when the next piece does not fit above the bottom margin. It always draws on the
/// document's last page, which it adds itself.
#[derive(Debug)]
pub struct Flow<'d> {
    doc: &'d mut Document,
    margins: Margins,
    y: f32,
}

impl<'d> Flow<'d> {
    /// Starts a new page in `doc` and puts the cursor at its top margin.
    pub fn new(doc: &'d mut Document, margins: Margins) -> Self {
        doc.add_page();
        Flow {
            y: margins.top,
            doc,
            margins,
        }
    }

    /// The page being filled.
    pub fn page(&mut self) -> &mut Page {
        let last = self.doc.page_count() - 1;
        self.doc.page_mut(last).expect("a flow always has a page")
    }

    /// The current page's number, from 1.
    pub fn page_number(&self) -> usize {
        self.doc.page_count()
    }

    /// The cursor's distance from the top of the page, in points.
    pub fn y(&self) -> f32 {
        self.y
    }

    /// The top edge of the content area.
    pub fn top(&self) -> f32 {
        self.margins.top
    }

    /// The left edge of the content area.
    pub fn left(&self) -> f32 {
        self.margins.left
    }

    /// The right edge of the content area.
    pub fn right(&self) -> f32 {
        self.doc.page_size().0 - self.margins.right
    }

    /// The width of the content area.
    pub fn width(&self) -> f32 {
        (self.right() - self.left()).max(0.0)
    }

    /// The bottom edge of the content area.
    pub fn bottom(&self) -> f32 {
        self.doc.page_size().1 - self.margins.bottom
    }

    /// The space left above the bottom margin on this page.
    pub fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }

    /// Whether nothing has been placed on this page yet.
    pub fn at_top(&self) -> bool {
        self.y <= self.margins.top
    }

    /// Starts a new page and puts the cursor at its top margin.
    pub fn new_page(&mut self) {
        self.doc.add_page();
        self.y = self.margins.top;
    }

    /// Starts a new page unless `height` points fit below the cursor (or the page is still
    /// empty, so that content taller than a page cannot loop). Returns whether it did.
    pub fn ensure(&mut self, height: f32) -> bool {
        if height > self.remaining() && !self.at_top() {
            self.new_page();
            return true;
        }
        false
    }

    /// Moves the cursor down by `height` points (a gap; it may end below the margin, and the
    /// next piece then starts a new page).
    pub fn advance(&mut self, height: f32) {
        if height.is_finite() {
            self.y += height;
        }
    }

    /// Places `text` wrapped to the content width, line by line across pages.
    pub fn paragraph(&mut self, text: &str, style: TextStyle, align: Align) {
        let anchor = align.anchor(self.left(), self.width());
        for line in text::wrap(style, text, self.width()) {
            self.ensure(style.line_height());
            let baseline = self.y + style.baseline_offset();
            self.page().shaped(anchor, baseline, line, style, align);
            self.y += style.line_height();
        }
    }

    /// Places a label and its value side by side (label column `style.label_width` wide),
    /// both wrapped, line pairs kept together across pages.
    pub fn pair(&mut self, label: &str, value: &str, style: &PairStyle) {
        let label_width = style.label_width.clamp(0.0, self.width());
        let labels = text::wrap(style.label, label, label_width);
        let values = text::wrap(style.value, value, self.width() - label_width);
        let line_height = style.label.line_height().max(style.value.line_height());
        let rows = labels.len().max(values.len());
        let mut labels = labels.into_iter();
        let mut values = values.into_iter();
        for _ in 0..rows {
            self.ensure(line_height);
            let (x, y) = (self.left(), self.y);
            if let Some(line) = labels.next() {
                let baseline = y + style.label.baseline_offset();
                self.page()
                    .shaped(x, baseline, line, style.label, Align::Left);
            }
            if let Some(line) = values.next() {
                let baseline = y + style.value.baseline_offset();
                self.page()
                    .shaped(x + label_width, baseline, line, style.value, Align::Left);
            }
            self.y += line_height;
        }
    }

    /// Draws a horizontal rule across the content width at the cursor, in a band of
    /// `stroke.width` plus 3 points above and below, and moves below it.
    pub fn rule(&mut self, stroke: Stroke) {
        let band = stroke.width + 6.0;
        self.ensure(band);
        let (x1, x2, y) = (self.left(), self.right(), self.y + band / 2.0);
        self.page().rule(x1, x2, y, stroke);
        self.advance(band);
    }

    pub(super) fn set_y(&mut self, y: f32) {
        self.y = y;
    }
}
