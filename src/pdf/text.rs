//! The committed fonts, text styles, shaping (rustybuzz), measuring and line wrapping.
//!
//! Text is cleaned before it is shaped: tabs and line breaks become spaces (or line breaks
//! where a paragraph keeps them), other control characters are dropped, invisible format
//! characters the font lacks (joiners, variation selectors) are dropped, and any other
//! character the font has no glyph for is replaced by U+FFFD (or `?`). So no input text can
//! fail or draw an empty `.notdef` box, and what is drawn is what a reader extracts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{Direction, Script, ShapePlan};

use super::Color;

/// One of the five committed faces (DejaVu Serif and Sans, see `src/pdf/fonts/README.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Font {
    /// DejaVu Serif.
    Serif,
    /// DejaVu Serif Bold.
    SerifBold,
    /// DejaVu Serif Italic.
    SerifItalic,
    /// DejaVu Sans.
    Sans,
    /// DejaVu Sans Bold.
    SansBold,
}

impl Font {
    /// Every face, in declaration order.
    pub const ALL: [Font; 5] = [
        Font::Serif,
        Font::SerifBold,
        Font::SerifItalic,
        Font::Sans,
        Font::SansBold,
    ];

    fn bytes(self) -> &'static [u8] {
        match self {
            Font::Serif => include_bytes!("fonts/DejaVuSerif.ttf"),
            Font::SerifBold => include_bytes!("fonts/DejaVuSerif-Bold.ttf"),
            Font::SerifItalic => include_bytes!("fonts/DejaVuSerif-Italic.ttf"),
            Font::Sans => include_bytes!("fonts/DejaVuSans.ttf"),
            Font::SansBold => include_bytes!("fonts/DejaVuSans-Bold.ttf"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Whether the face has a glyph for `c`.
    pub fn has_glyph(self, c: char) -> bool {
        loaded(self).face.glyph_index(c).is_some()
    }

    /// The ascender above the baseline, in ems.
    pub fn ascent(self) -> f32 {
        loaded(self).ascent
    }

    /// The descender below the baseline, in ems (positive).
    pub fn descent(self) -> f32 {
        loaded(self).descent
    }

    pub(super) fn krilla(self) -> krilla::text::Font {
        loaded(self).krilla.clone()
    }
}

/// A face parsed once per process: the shaper's view and krilla's handle on the same bytes.
struct Loaded {
    face: rustybuzz::Face<'static>,
    krilla: krilla::text::Font,
    units_per_em: f32,
    ascent: f32,
    descent: f32,
    replacement: char,
}

static LOADED: [OnceLock<Loaded>; 5] = [const { OnceLock::new() }; 5];

thread_local! {
    static PLANS: RefCell<HashMap<(Font, Direction, Script), ShapePlan>> =
        RefCell::new(HashMap::new());
}

fn loaded(font: Font) -> &'static Loaded {
    LOADED[font.index()].get_or_init(|| {
        let bytes = font.bytes();
        // The bytes are compiled in; `fonts_load` in the tests parses every face.
        let face = rustybuzz::Face::from_slice(bytes, 0).expect("committed font parses");
        let krilla = krilla::text::Font::new(bytes.into(), 0).expect("committed font loads");
        let units_per_em = face.units_per_em() as f32;
        let replacement = if face.glyph_index('\u{FFFD}').is_some() {
            '\u{FFFD}'
        } else {
            '?'
        };
        Loaded {
            ascent: f32::from(face.ascender()) / units_per_em,
            descent: -f32::from(face.descender()) / units_per_em,
            face,
            krilla,
            units_per_em,
            replacement,
        }
    })
}

/// How a run of text looks: face, size in points, colour and line spacing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    /// The face.
    pub font: Font,
    /// The size in points.
    pub size: f32,
    /// The fill colour.
    pub color: Color,
    /// Line height as a multiple of `size` (1.25 unless changed).
    pub leading: f32,
}

impl TextStyle {
    /// Black text in `font` at `size` points, line height 1.25 × size.
    pub const fn new(font: Font, size: f32) -> Self {
        TextStyle {
            font,
            size,
            color: Color::BLACK,
            leading: 1.25,
        }
    }

    /// The same style in another colour.
    pub const fn color(mut self, color: Color) -> Self {
        self.color = color;
        self
    }

    /// The same style with another line height factor.
    pub const fn leading(mut self, leading: f32) -> Self {
        self.leading = leading;
        self
    }

    /// The distance from one line's top to the next's, in points.
    pub fn line_height(&self) -> f32 {
        self.size * self.leading
    }

    /// Where the baseline sits below the top of a line box (half the leading above the
    /// ascender, as CSS does).
    pub fn baseline_offset(&self) -> f32 {
        let ascent = self.font.ascent() * self.size;
        let extent = (self.font.ascent() + self.font.descent()) * self.size;
        (self.line_height() - extent) / 2.0 + ascent
    }

    /// The advance width of `text` on one line, in points (after cleaning, see the module).
    pub fn width(&self, text: &str) -> f32 {
        shape(self.font, &clean(self.font, text, false)).width * self.size
    }

    /// `text` broken into lines no wider than `width` points: at spaces, at line breaks in
    /// the text, and inside a word that is wider than `width` by itself.
    pub fn wrap(&self, text: &str, width: f32) -> Vec<String> {
        wrap(*self, text, width)
            .into_iter()
            .map(|line| line.text)
            .collect()
    }
}

/// A shaped line: the cleaned text, its glyphs (advances in ems) and its width in ems.
#[derive(Clone, Debug)]
pub(super) struct Shaped {
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    pub width: f32,
    /// Shaped right to left (glyphs in visual order).
    pub rtl: bool,
}

/// Default-ignorable characters that are dropped when the font lacks them.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Text the font can draw: see the module documentation. With `keep_breaks`, line breaks
/// (`\n`, `\r\n`, `\r`, U+2028, U+2029) stay as `\n`; otherwise they become spaces.
pub(super) fn clean(font: Font, text: &str, keep_breaks: bool) -> String {
    let loaded = loaded(font);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' if keep_breaks => out.push('\n'),
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c if loaded.face.glyph_index(c).is_some() => out.push(c),
            c if is_ignorable(c) => {}
            _ => out.push(loaded.replacement),
        }
    }
    out
}

/// Shapes cleaned text on one line with the font's default features (kerning, ligatures).
pub(super) fn shape(font: Font, text: &str) -> Shaped {
    let loaded = loaded(font);
    if text.is_empty() {
        return Shaped {
            text: String::new(),
            glyphs: Vec::new(),
            width: 0.0,
            rtl: false,
        };
    }
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    if buffer.direction() == Direction::Invalid {
        buffer.set_direction(Direction::LeftToRight);
    }
    let rtl = buffer.direction() == Direction::RightToLeft;
    let key = (font, buffer.direction(), buffer.script());
    // A plan costs far more than shaping a short line: keep one per face, direction and script.
    let output = PLANS.with_borrow_mut(|plans| {
        let plan = plans
            .entry(key)
            .or_insert_with(|| ShapePlan::new(&loaded.face, key.1, Some(key.2), None, &[]));
        rustybuzz::shape_with_plan(&loaded.face, plan, buffer)
    });
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let upem = loaded.units_per_em;
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut width = 0.0;
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        let end = cluster_end(infos, i, rtl).unwrap_or(text.len());
        let advance = pos.x_advance as f32 / upem;
        width += advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            advance,
            pos.x_offset as f32 / upem,
            pos.y_offset as f32 / upem,
            pos.y_advance as f32 / upem,
            start..end.max(start),
            None,
        ));
    }
    Shaped {
        text: text.to_owned(),
        glyphs,
        width,
        rtl,
    }
}

/// The byte where glyph `i`'s cluster ends: the next cluster's start in logical order.
fn cluster_end(infos: &[rustybuzz::GlyphInfo], i: usize, rtl: bool) -> Option<usize> {
    let cluster = infos[i].cluster;
    let next = |j: &usize| infos[*j].cluster != cluster;
    let found = if rtl {
        (0..i).rev().find(next)
    } else {
        (i + 1..infos.len()).find(next)
    };
    found.map(|j| infos[j].cluster as usize)
}

/// Cleans, wraps and shapes `text` into lines no wider than `width` points. An empty text
/// gives no lines; an empty line in the text gives an empty line.
pub(super) fn wrap(style: TextStyle, text: &str, width: f32) -> Vec<Shaped> {
    let font = style.font;
    let size = style.size;
    let cleaned = clean(font, text, true);
    let mut lines = Vec::new();
    if cleaned.is_empty() || size.is_nan() || size <= 0.0 {
        return lines;
    }
    let max = (if width.is_finite() {
        width.max(0.0)
    } else {
        f32::MAX
    }) / size;
    for paragraph in cleaned.split('\n') {
        let run = shape(font, paragraph);
        if run.rtl {
            wrap_words(font, paragraph, max, &mut lines);
        } else {
            Breaker::new(font, &run, max, &mut lines).run();
        }
    }
    lines
}

/// Right-to-left text: each word measured, each line shaped again.
fn wrap_words(font: Font, paragraph: &str, max: f32, lines: &mut Vec<Shaped>) {
    let space = shape(font, " ").width;
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
        let shaped = shape(font, word);
        if !line.is_empty() && line_width + space + shaped.width <= max {
            line.push(' ');
            line.push_str(word);
            line_width += space + shaped.width;
            continue;
        }
        if !line.is_empty() {
            lines.push(shape(font, &line));
        }
        let rest = split_long(font, shaped, max, lines);
        line_width = rest.width;
        line = rest.text;
    }
    lines.push(shape(font, &line));
}

/// Pushes the leading pieces of a word wider than `max` as lines; returns the last piece.
fn split_long(font: Font, mut word: Shaped, max: f32, lines: &mut Vec<Shaped>) -> Shaped {
    while word.width > max {
        let Some((head, tail)) = split_word(font, &word, max) else {
            break;
        };
        lines.push(head);
        word = tail;
    }
    word
}

/// Greedy line breaking of a left-to-right paragraph shaped once: lines are slices of its
/// glyphs, broken at spaces (only the pieces of an over-long word are shaped again).
struct Breaker<'a> {
    font: Font,
    run: &'a Shaped,
    max: f32,
    lines: &'a mut Vec<Shaped>,
    /// The end of a split word that begins the current line.
    prefix: Option<Shaped>,
    /// The current line's glyphs in `run` (after `prefix`).
    from: usize,
    to: usize,
    width: f32,
    open: bool,
}

impl<'a> Breaker<'a> {
    fn new(font: Font, run: &'a Shaped, max: f32, lines: &'a mut Vec<Shaped>) -> Self {
        Breaker {
            font,
            run,
            max,
            lines,
            prefix: None,
            from: 0,
            to: 0,
            width: 0.0,
            open: false,
        }
    }

    fn is_space(&self, glyph: &KrillaGlyph) -> bool {
        self.run.text.get(glyph.text_range.clone()) == Some(" ")
    }

    fn run(mut self) {
        let glyphs = &self.run.glyphs;
        let mut i = 0;
        let mut space = 0.0;
        while i < glyphs.len() {
            if self.is_space(&glyphs[i]) {
                space += glyphs[i].x_advance;
                i += 1;
                continue;
            }
            let (start, mut width) = (i, 0.0);
            while i < glyphs.len() && !self.is_space(&glyphs[i]) {
                width += glyphs[i].x_advance;
                i += 1;
            }
            self.word(start, i, width, space);
            space = 0.0;
        }
        if self.open {
            self.flush();
        } else {
            self.lines.push(shape(self.font, ""));
        }
    }

    fn word(&mut self, start: usize, end: usize, width: f32, space: f32) {
        if self.open && self.width + space + width <= self.max {
            self.to = end;
            self.width += space + width;
            return;
        }
        if self.open {
            self.flush();
        }
        self.open = true;
        if width <= self.max {
            (self.from, self.to, self.width) = (start, end, width);
        } else {
            let word = slice(self.run, start, end);
            let rest = split_long(self.font, word, self.max, self.lines);
            (self.from, self.to, self.width) = (end, end, rest.width);
            self.prefix = Some(rest);
        }
    }

    fn flush(&mut self) {
        let tail = slice(self.run, self.from, self.to);
        let line = match self.prefix.take() {
            Some(prefix) => concat(prefix, tail),
            None => tail,
        };
        self.lines.push(line);
        self.open = false;
    }
}

/// Glyphs `from..to` of a left-to-right run as a line of their own.
fn slice(run: &Shaped, from: usize, to: usize) -> Shaped {
    let glyphs = &run.glyphs[from..to.max(from)];
    let start = glyphs.first().map_or(0, |g| g.text_range.start);
    let end = glyphs
        .iter()
        .map(|g| g.text_range.end)
        .max()
        .unwrap_or(start);
    let glyphs: Vec<KrillaGlyph> = glyphs
        .iter()
        .map(|g| {
            let mut g = g.clone();
            g.text_range = g.text_range.start - start..g.text_range.end - start;
            g
        })
        .collect();
    Shaped {
        text: run.text[start..end].to_owned(),
        width: glyphs.iter().map(|g| g.x_advance).sum(),
        glyphs,
        rtl: false,
    }
}

/// `a` followed by `b` on one line.
fn concat(mut a: Shaped, b: Shaped) -> Shaped {
    let offset = a.text.len();
    a.glyphs.extend(b.glyphs.into_iter().map(|mut g| {
        g.text_range = g.text_range.start + offset..g.text_range.end + offset;
        g
    }));
    a.text.push_str(&b.text);
    a.width += b.width;
    a
}

/// Splits a shaped word wider than `max` ems at the last cluster boundary that fits (at least
/// one cluster goes first). `None` when the word is a single cluster.
fn split_word(font: Font, word: &Shaped, max: f32) -> Option<(Shaped, Shaped)> {
    let mut clusters: Vec<(usize, f32)> = Vec::new();
    for glyph in &word.glyphs {
        let start = glyph.text_range.start;
        match clusters.iter_mut().find(|(s, _)| *s == start) {
            Some((_, advance)) => *advance += glyph.x_advance,
            None => clusters.push((start, glyph.x_advance)),
        }
    }
    clusters.sort_by_key(|(start, _)| *start);
    let mut used = 0.0;
    let mut cut = None;
    for (n, (start, advance)) in clusters.iter().enumerate() {
        if n > 0 && used + advance > max {
            cut = Some(*start);
            break;
        }
        used += advance;
    }
    let cut = cut.filter(|&c| c > 0 && c < word.text.len())?;
    let (head, tail) = word.text.split_at(cut);
    Some((shape(font, head), shape(font, tail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_load() {
        for font in Font::ALL {
            assert!(font.has_glyph('A'), "{font:?}");
            assert!(font.ascent() > 0.5 && font.descent() > 0.1, "{font:?}");
            assert!(TextStyle::new(font, 12.0).width("Hello") > 20.0);
        }
    }

    #[test]
    fn widths_grow_with_text_and_size() {
        let style = TextStyle::new(Font::Serif, 10.0);
        let short = style.width("Logbook");
        assert!(style.width("Logbook entries") > short);
        let double = TextStyle::new(Font::Serif, 20.0).width("Logbook");
        assert!((double - 2.0 * short).abs() < 0.01);
        assert_eq!(style.width(""), 0.0);
    }

    #[test]
    fn clean_replaces_missing_and_drops_controls() {
        let cleaned = clean(Font::Serif, "a\u{7}b\tc\r\nd 😀 漢 👍🏽 e\u{200D}f", false);
        assert!(!cleaned.chars().any(char::is_control), "{cleaned:?}");
        assert!(
            cleaned.chars().all(|c| Font::Serif.has_glyph(c)),
            "{cleaned:?}"
        );
        assert!(cleaned.starts_with("ab c d "), "{cleaned:?}");
        // U+200D stays where the font has it (rustybuzz draws it as nothing).
        assert!(
            cleaned.ends_with('f') && cleaned.contains(" e"),
            "{cleaned:?}"
        );
        assert_eq!(cleaned.matches('\u{FFFD}').count(), 4, "{cleaned:?}");
        assert_eq!(clean(Font::Sans, "x\r\ny\rz", true), "x\ny\nz");
    }

    #[test]
    fn wrap_fits_the_width() {
        let style = TextStyle::new(Font::Sans, 10.0);
        let text = "The quick brown fox jumps over the lazy dog and keeps on running \
                    through the field until the sun goes down.";
        let lines = style.wrap(text, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(style.width(line) <= 120.5, "{line:?}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn wrap_breaks_long_words_and_keeps_blank_lines() {
        let style = TextStyle::new(Font::Serif, 10.0);
        let word = "x".repeat(200);
        let lines = style.wrap(&word, 50.0);
        assert!(lines.len() > 5, "{lines:?}");
        assert!(lines.iter().all(|l| style.width(l) <= 50.5));
        assert_eq!(lines.concat(), word);
        assert_eq!(style.wrap("one\n\ntwo", 500.0), ["one", "", "two"]);
        assert!(style.wrap("", 100.0).is_empty());
        // Degenerate widths still terminate, one cluster per line at worst.
        assert_eq!(style.wrap("abc", 0.0), ["a", "b", "c"]);
        assert_eq!(style.wrap("abc def", f32::NAN), ["abc def"]);
    }

    #[test]
    fn sliced_lines_match_lines_shaped_alone() {
        let style = TextStyle::new(Font::Serif, 11.0);
        let text = "Office fluffy waffles, AV Ta; first-floor efficiency (VA) kiosk.";
        let lines = wrap(style, text, 90.0);
        assert!(lines.len() > 2);
        for line in &lines {
            let alone = shape(style.font, &line.text);
            let ids = |s: &Shaped| s.glyphs.iter().map(|g| g.glyph_id).collect::<Vec<_>>();
            assert_eq!(ids(line), ids(&alone), "{:?}", line.text);
            assert!((line.width - alone.width).abs() < 1e-4, "{:?}", line.text);
            for g in &line.glyphs {
                assert!(
                    line.text.get(g.text_range.clone()).is_some(),
                    "{:?}",
                    line.text
                );
            }
        }
    }

    #[test]
    fn a_split_word_shares_its_last_line() {
        let style = TextStyle::new(Font::Sans, 10.0);
        let url = format!("https://example.org/{}", "a".repeat(60));
        let lines = style.wrap(&format!("see {url} for more"), 100.0);
        assert_eq!(lines.first().map(String::as_str), Some("see"));
        // The word's last piece and the next word share a line.
        assert!(lines.iter().any(|l| l.ends_with("aa for")), "{lines:?}");
        assert!(lines.iter().all(|l| style.width(l) <= 100.5), "{lines:?}");
        assert_eq!(lines.concat(), format!("see{url} formore"));
    }

    #[test]
    fn right_to_left_text_wraps() {
        let style = TextStyle::new(Font::Sans, 10.0);
        let text = "שלום עולם ".repeat(20);
        let lines = style.wrap(&text, 120.0);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(lines.iter().all(|l| style.width(l) <= 120.5));
        assert_eq!(lines.join(" "), text.trim_end());
    }

    #[test]
    fn hostile_text_shapes() {
        let style = TextStyle::new(Font::SerifItalic, 9.0);
        let text = "\u{0}\u{1b}[31m😀🇫🇷 中文 한국어 עברית العربية \u{202E}abc \u{FFFF}\u{10FFFF}";
        let lines = style.wrap(text, 80.0);
        assert!(!lines.is_empty());
        for line in lines {
            assert!(
                line.chars().all(|c| Font::SerifItalic.has_glyph(c)),
                "{line:?}"
            );
        }
    }
}
