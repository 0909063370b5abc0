//! `Table`: column titles, relative widths and rows of wrapped cells, laid out by a `Flow`
//! with the header row repeated at the top of every page the table reaches.

use super::flow::Flow;
use super::text::{self, Shaped, TextStyle};
use super::{Align, Color, Font, PdfError, Stroke};

/// One column: its title, its share of the table's width and how its cells are aligned.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The header cell's text.
    pub title: String,
    /// The width relative to the other columns (2.0 is twice as wide as 1.0).
    pub width: f32,
    /// Alignment of the header and body cells.
    pub align: Align,
}

impl Column {
    /// A left-aligned column.
    pub fn new(title: impl Into<String>, width: f32) -> Self {
        Column {
            title: title.into(),
            width,
            align: Align::Left,
        }
    }

    /// The same column with another alignment.
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
}

/// How a table looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TableStyle {
    /// Header cells.
    pub header: TextStyle,
    /// Body cells.
    pub body: TextStyle,
    /// Space inside every cell, on each side, in points.
    pub padding: f32,
    /// The header row's background, if any.
    pub header_fill: Option<Color>,
    /// The rule under the header.
    pub header_rule: Stroke,
    /// The rule under each body row.
    pub row_rule: Stroke,
}

impl Default for TableStyle {
    /// Sans 9 pt bold header on light grey, Sans 9 pt body, 3 pt padding, hairline rules.
    fn default() -> Self {
        TableStyle {
            header: TextStyle::new(Font::SansBold, 9.0),
            body: TextStyle::new(Font::Sans, 9.0),
            padding: 3.0,
            header_fill: Some(Color::LIGHT_GREY),
            header_rule: Stroke::new(0.75, Color::BLACK),
            row_rule: Stroke::new(0.25, Color::GREY),
        }
    }
}

/// A table to place with [`Flow::table`].
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    style: TableStyle,
}

impl Table {
    /// A table with these columns and the default style.
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
            style: TableStyle::default(),
        }
    }

    /// The same table with another style.
    pub fn style(mut self, style: TableStyle) -> Self {
        self.style = style;
        self
    }

    /// Adds a row. Fewer cells than columns leave the last ones empty; more is an error.
    pub fn row<I, S>(&mut self, cells: I) -> Result<&mut Self, PdfError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        if cells.len() > self.columns.len() {
            return Err(PdfError::TooManyCells {
                cells: cells.len(),
                columns: self.columns.len(),
            });
        }
        self.rows.push(cells);
        Ok(self)
    }

    /// The number of body rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no body rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Column positions in points: (left edge, width) per column.
fn column_boxes(columns: &[Column], left: f32, width: f32) -> Vec<(f32, f32)> {
    let weight = |c: &Column| {
        if c.width.is_finite() && c.width > 0.0 {
            c.width
        } else {
            0.0
        }
    };
    let total: f32 = columns.iter().map(weight).sum();
    let mut x = left;
    columns
        .iter()
        .map(|c| {
            let share = if total > 0.0 {
                weight(c) / total
            } else {
                1.0 / columns.len() as f32
            };
            let w = width * share;
            x += w;
            (x - w, w)
        })
        .collect()
}

/// A row ready to draw: each cell's wrapped lines.
struct Laid {
    cells: Vec<Vec<Shaped>>,
    lines: usize,
}

/// Where the body starts on the current page, and whether the header began the page.
struct Start {
    y: f32,
    fresh: bool,
}

struct Layout<'t> {
    table: &'t Table,
    boxes: Vec<(f32, f32)>,
}

impl Layout<'_> {
    fn lay(&self, texts: &[&str], style: TextStyle) -> Laid {
        let pad = self.table.style.padding;
        let cells: Vec<Vec<Shaped>> = self
            .boxes
            .iter()
            .enumerate()
            .map(|(i, &(_, w))| {
                let text = texts.get(i).copied().unwrap_or("");
                text::wrap(style, text, (w - 2.0 * pad).max(1.0))
            })
            .collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        Laid { cells, lines }
    }

    /// Draws lines `from..to` of a laid row at the flow's cursor and moves below them.
    fn draw(&self, flow: &mut Flow<'_>, row: &Laid, (from, to): (usize, usize), style: TextStyle) {
        let pad = self.table.style.padding;
        let top = flow.y();
        for (cell, (column, &(x, w))) in row
            .cells
            .iter()
            .zip(self.table.columns.iter().zip(&self.boxes))
        {
            let anchor = match column.align {
                Align::Left => x + pad,
                Align::Centre => x + w / 2.0,
                Align::Right => x + w - pad,
            };
            let lines = cell.iter().enumerate().skip(from).take(to - from);
            for (n, line) in lines {
                let baseline =
                    top + pad + (n - from) as f32 * style.line_height() + style.baseline_offset();
                flow.page()
                    .shaped(anchor, baseline, line.clone(), style, column.align);
            }
        }
        flow.set_y(top + 2.0 * pad + (to - from) as f32 * style.line_height());
    }

    fn height(&self, lines: usize, style: TextStyle) -> f32 {
        2.0 * self.table.style.padding + lines as f32 * style.line_height()
    }

    /// Draws the header row at the cursor; returns where the body starts on this page.
    fn header(&self, flow: &mut Flow<'_>, header: &Laid) -> Start {
        let style = &self.table.style;
        let fresh = flow.at_top();
        let top = flow.y();
        let height = self.height(header.lines, style.header);
        let (left, right) = (flow.left(), flow.right());
        if let Some(fill) = style.header_fill {
            flow.page()
                .rect((left, top), (right - left, height), Some(fill), None);
        }
        self.draw(flow, header, (0, header.lines), style.header);
        flow.page()
            .rule(left, right, top + height, style.header_rule);
        Start { y: flow.y(), fresh }
    }

    /// Lines of `style` that fit in `room` points with the cell padding.
    fn lines_in(&self, room: f32, style: TextStyle) -> usize {
        let fit = ((room - 2.0 * self.table.style.padding) / style.line_height()).floor();
        if fit.is_finite() && fit > 0.0 {
            fit as usize
        } else {
            0
        }
    }

    /// Places a body row: on this page if it fits, else on the next (after the header
    /// again); a row taller than a whole page is split between pages.
    fn body_row(&self, flow: &mut Flow<'_>, header: &Laid, row: &Laid, start: &mut Start) {
        let style = self.table.style;
        let header_height = self.height(header.lines, style.header);
        let capacity = self.lines_in(flow.bottom() - flow.top() - header_height, style.body);
        let mut from = 0;
        loop {
            let rest = row.lines - from;
            let fit = self.lines_in(flow.remaining(), style.body);
            let split = if rest > fit && rest > capacity {
                fit
            } else {
                0
            };
            // On a page that holds nothing but the header, draw at least a line.
            let take = if rest <= fit {
                rest
            } else if split == 0 && start.fresh && flow.y() <= start.y {
                1
            } else {
                split
            };
            if take > 0 {
                self.draw(flow, row, (from, from + take), style.body);
                from += take;
                if from == row.lines {
                    self.rule_under(flow);
                    return;
                }
            }
            flow.new_page();
            *start = self.header(flow, header);
        }
    }

    fn rule_under(&self, flow: &mut Flow<'_>) {
        let (left, right, y) = (flow.left(), flow.right(), flow.y());
        flow.page().rule(left, right, y, self.table.style.row_rule);
    }
}

impl Flow<'_> {
    /// Places `table` at the cursor: the header, then each row, starting a new page (with
    /// the header again) when the next row does not fit. A row taller than a whole page is
    /// split between pages.
    pub fn table(&mut self, table: &Table) {
        let layout = Layout {
            table,
            boxes: column_boxes(&table.columns, self.left(), self.width()),
        };
        let titles: Vec<&str> = table.columns.iter().map(|c| c.title.as_str()).collect();
        let header = layout.lay(&titles, table.style.header);
        let header_height = layout.height(header.lines, table.style.header);
        let lay = |cells: &Vec<String>| {
            let texts: Vec<&str> = cells.iter().map(String::as_str).collect();
            layout.lay(&texts, table.style.body)
        };
        // Keep the header with the first row (or its first three lines, if it is taller).
        let first_lines = table.rows.first().map_or(1, |cells| lay(cells).lines);
        self.ensure(header_height + layout.height(first_lines.min(3), table.style.body));
        let mut start = layout.header(self, &header);
        for cells in &table.rows {
            layout.body_row(self, &header, &lay(cells), &mut start);
        }
    }
}
