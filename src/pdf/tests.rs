//! Whole documents rendered and read back with lopdf.

use lopdf::content::Content;
use lopdf::{Object, ObjectId};

use super::*;

fn load(bytes: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(bytes).expect("krilla's output parses")
}

/// The text of each page, in page order.
fn page_texts(pdf: &lopdf::Document) -> Vec<String> {
    pdf.get_pages()
        .keys()
        .map(|n| pdf.extract_text(&[*n]).expect("text extracts"))
        .collect()
}

/// Writes `bytes` to `$BENCHSIDE_PDF_DUMP/name` when that variable is set, to look at.
fn dump(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("BENCHSIDE_PDF_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}

fn number(object: &Object) -> f32 {
    match object {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        other => panic!("not a number: {other:?}"),
    }
}

fn media_box(pdf: &lopdf::Document, page: ObjectId) -> Vec<f32> {
    let dict = pdf.get_dictionary(page).unwrap();
    let array = dict.get(b"MediaBox").unwrap().as_array().unwrap();
    array.iter().map(number).collect()
}

fn footer(doc: &mut Document) {
    let style = TextStyle::new(Font::Sans, 8.0);
    doc.for_each_page(|page, n, total| {
        let (x, y) = (page.width() - 40.0, page.height() - 24.0);
        page.text(x, y, &format!("Page {n} of {total}"), style, Align::Right);
    });
}

#[test]
fn text_reads_back_in_every_font() {
    let mut doc = Document::new(Paper::A4, Orientation::Portrait)
        .title("Readback title")
        .author("Test author")
        .creator("Benchside tests");
    let page = doc.add_page();
    let words = [
        "Serifword",
        "Boldword",
        "Italicword",
        "Sansword",
        "Heavyword",
    ];
    for (n, (font, word)) in Font::ALL.iter().zip(words).enumerate() {
        let y = 100.0 + 30.0 * n as f32;
        page.text(72.0, y, word, TextStyle::new(*font, 14.0), Align::Left);
    }
    let w = page.width();
    page.text(
        w / 2.0,
        300.0,
        "Centredline",
        TextStyle::new(Font::Serif, 12.0),
        Align::Centre,
    );
    page.text(
        w - 72.0,
        330.0,
        "Rightline",
        TextStyle::new(Font::Serif, 12.0),
        Align::Right,
    );
    let body = TextStyle::new(Font::Serif, 11.0);
    let text = "Wrapped paragraph text with Unicode: café, naïve, Ærø, Œuvre, 1½ hours, ±2 °C.";
    let used = page.paragraph(72.0, 360.0, 150.0, text, body, Align::Left);
    assert!(used >= 3.0 * body.line_height(), "{used}");
    let bytes = doc.finish().unwrap();
    dump("text.pdf", &bytes);

    let pdf = load(&bytes);
    let texts = page_texts(&pdf).concat();
    for word in words
        .iter()
        .chain(&["Centredline", "Rightline", "café", "Œuvre", "°C"])
    {
        assert!(texts.contains(word), "{word} missing from {texts:?}");
    }
    let info = pdf
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .unwrap();
    let info = pdf.get_dictionary(info).unwrap();
    let title = info.get(b"Title").unwrap();
    assert!(format!("{title:?}").contains("Readback title"), "{title:?}");
    assert!(info.get(b"Author").is_ok() && info.get(b"Creator").is_ok());
}

#[test]
fn long_table_breaks_pages_with_the_header_on_each() {
    let mut doc = Document::new(Paper::Letter, Orientation::Portrait);
    let mut table = Table::new(vec![
        Column::new("Shiftdate", 1.2),
        Column::new("Sitename", 2.0),
        Column::new("Supervisor note", 3.0),
        Column::new("Hourscol", 0.8).align(Align::Right),
    ]);
    for n in 1..=300 {
        let note = if n % 7 == 0 {
            "A longer note that has to wrap over several lines inside its narrow column."
        } else {
            "Short note"
        };
        table
            .row([
                format!("row{n:03}"),
                "General Hospital".into(),
                note.into(),
                "8".into(),
            ])
            .unwrap();
    }
    let mut flow = Flow::new(&mut doc, Margins::new(54.0, 54.0, 60.0, 54.0));
    flow.paragraph(
        "Table title",
        TextStyle::new(Font::SerifBold, 16.0),
        Align::Left,
    );
    flow.table(&table);
    footer(&mut doc);
    let pages = doc.page_count();
    let bytes = doc.finish().unwrap();
    dump("table.pdf", &bytes);

    let pdf = load(&bytes);
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), pages);
    assert!(pages >= 5, "300 rows on {pages} pages");
    for (n, text) in texts.iter().enumerate() {
        for title in ["Shiftdate", "Sitename", "Supervisor", "Hourscol"] {
            assert!(text.contains(title), "page {} lacks {title}", n + 1);
        }
        let footer = format!("Page {} of {pages}", n + 1);
        assert!(text.contains(&footer), "page {} lacks {footer:?}", n + 1);
    }
    let all = texts.concat();
    for n in 1..=300 {
        assert_eq!(all.matches(&format!("row{n:03}")).count(), 1, "row{n:03}");
    }
    assert_eq!(all.matches("Table title").count(), 1);
}

#[test]
fn a_row_taller_than_a_page_is_split() {
    let mut doc = Document::new(Paper::A4, Orientation::Landscape);
    let mut table = Table::new(vec![
        Column::new("Headerword", 1.0),
        Column::new("Other", 1.0),
    ]);
    let tall: String = (1..=150).map(|n| format!("line{n:03}\n")).collect();
    table.row([tall.as_str(), "x"]).unwrap();
    table.row(["after"]).unwrap();
    assert!(matches!(
        table.row(["a", "b", "c"]),
        Err(PdfError::TooManyCells {
            cells: 3,
            columns: 2
        })
    ));
    Flow::new(&mut doc, Margins::all(40.0)).table(&table);
    let pages = doc.page_count();
    assert!(pages >= 3, "{pages}");
    let texts = page_texts(&load(&doc.finish().unwrap()));
    assert!(texts.iter().all(|t| t.contains("Headerword")));
    let all = texts.concat();
    assert!((1..=150).all(|n| all.contains(&format!("line{n:03}"))));
    assert!(texts.last().unwrap().contains("after"));
}

/// The filled subpaths of the page's content stream as (x, y, width, height) in the page's
/// top-down coordinates, grouped by fill operation.
fn filled_paths(pdf: &lopdf::Document, page: ObjectId) -> Vec<Vec<[f32; 4]>> {
    let content = Content::decode(&pdf.get_page_content(page)).unwrap();
    let height = media_box(pdf, page)[3];
    let mut paths = Vec::new();
    let mut current: Vec<[f32; 4]> = Vec::new();
    let mut points: Vec<(f32, f32)> = Vec::new();
    let flush = |points: &mut Vec<(f32, f32)>, current: &mut Vec<[f32; 4]>| {
        if !points.is_empty() {
            let xs = points.iter().map(|p| p.0);
            let ys = points.iter().map(|p| p.1);
            let (x0, x1) = (
                xs.clone().fold(f32::MAX, f32::min),
                xs.fold(f32::MIN, f32::max),
            );
            let (y0, y1) = (
                ys.clone().fold(f32::MAX, f32::min),
                ys.fold(f32::MIN, f32::max),
            );
            current.push([x0, y0, x1 - x0, y1 - y0]);
            points.clear();
        }
    };
    let mut flipped = false;
    for op in &content.operations {
        let args: Vec<f32> = op
            .operands
            .iter()
            .filter_map(|o| o.as_float().ok())
            .collect();
        match op.operator.as_str() {
            // krilla flips the page once so that y grows downwards.
            "cm" if args == [1.0, 0.0, 0.0, -1.0, 0.0, height] => flipped = true,
            "m" => {
                flush(&mut points, &mut current);
                points.push((args[0], args[1]));
            }
            "l" => points.push((args[0], args[1])),
            "f" | "f*" => {
                flush(&mut points, &mut current);
                paths.push(std::mem::take(&mut current));
            }
            "S" | "n" => {
                points.clear();
                current.clear();
            }
            _ => {}
        }
    }
    assert!(flipped, "expected krilla's top-down page transform");
    paths
}

#[test]
fn qr_modules_match_the_qrcode_matrix() {
    let url = "https://benchside.example/verify/7f9c1e2a-credential";
    let (x, y, size) = (100.0, 120.0, 148.0);
    let mut doc = Document::new(Paper::A4, Orientation::Portrait);
    doc.add_page().qr(url, (x, y), size).unwrap();
    let bytes = doc.finish().unwrap();
    dump("qr.pdf", &bytes);
    let pdf = load(&bytes);
    let page = *pdf.get_pages().values().next().unwrap();
    let paths = filled_paths(&pdf, page);
    // The white quiet-zone square, then the dark modules in one path.
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(paths[0].len(), 1);
    let [bx, by, bw, bh] = paths[0][0];
    assert!((bx - x).abs() < 0.01 && (by - y).abs() < 0.01);
    assert!((bw - size).abs() < 0.01 && (bh - size).abs() < 0.01);

    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).unwrap();
    let width = code.width();
    let module = size / (width + 2 * QUIET_ZONE) as f32;
    let mut drawn = vec![false; width * width];
    for [rx, ry, rw, rh] in &paths[1] {
        assert!((rh - module).abs() < 0.01, "module height {rh}");
        let column = ((rx - x) / module).round() as usize - QUIET_ZONE;
        let row = ((ry - y) / module).round() as usize - QUIET_ZONE;
        let len = (rw / module).round() as usize;
        for c in column..column + len {
            assert!(!drawn[row * width + c], "module ({row}, {c}) drawn twice");
            drawn[row * width + c] = true;
        }
    }
    let expected: Vec<bool> = code
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    assert_eq!(drawn, expected);
}

#[test]
fn page_sizes_and_embedded_subset_fonts() {
    let cases = [
        (Paper::A4, Orientation::Portrait, [595.276, 841.89]),
        (Paper::A4, Orientation::Landscape, [841.89, 595.276]),
        (Paper::Letter, Orientation::Portrait, [612.0, 792.0]),
        (Paper::Letter, Orientation::Landscape, [792.0, 612.0]),
    ];
    for (paper, orientation, [w, h]) in cases {
        let mut doc = Document::new(paper, orientation);
        let page = doc.add_page();
        page.text(
            50.0,
            50.0,
            "Serif",
            TextStyle::new(Font::Serif, 12.0),
            Align::Left,
        );
        page.text(
            50.0,
            80.0,
            "Sans",
            TextStyle::new(Font::SansBold, 12.0),
            Align::Left,
        );
        let bytes = doc.finish().unwrap();
        let pdf = load(&bytes);
        let page = *pdf.get_pages().values().next().unwrap();
        let media = media_box(&pdf, page);
        assert!(
            (media[2] - media[0] - w).abs() < 0.01,
            "{paper:?} {orientation:?} {media:?}"
        );
        assert!(
            (media[3] - media[1] - h).abs() < 0.01,
            "{paper:?} {orientation:?} {media:?}"
        );

        let mut embedded = Vec::new();
        for object in pdf.objects.values() {
            let Ok(dict) = object.as_dict() else { continue };
            let is_descriptor =
                dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor");
            if is_descriptor && (dict.has(b"FontFile2") || dict.has(b"FontFile3")) {
                let name = dict.get(b"FontName").and_then(Object::as_name).unwrap();
                embedded.push(String::from_utf8_lossy(name).into_owned());
            }
        }
        embedded.sort();
        assert_eq!(embedded.len(), 2, "{embedded:?}");
        for name in &embedded {
            // A subset's name is six capitals and a plus sign before the font's name.
            let (tag, base) = name.split_once('+').expect("subset tag");
            assert!(
                tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
                "{name}"
            );
            assert!(base.starts_with("DejaVu"), "{name}");
        }
        // Subsets: a few glyphs each, far below the committed 0.35-0.75 MB files.
        assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
    }
}

#[test]
fn hostile_text_never_fails() {
    let nasty = [
        "emoji 😀👍🏽👨‍👩‍👧 flags 🇫🇷🇯🇵",
        "CJK 中文字符 日本語 한국어",
        "controls \u{0}\u{1}\u{7}\u{8}\u{1b}[0m\u{7f}\u{85}\u{9c} end",
        "bidi עברית العربية \u{202E}reversed\u{202C} \u{200F}",
        "combining e\u{301}\u{302}\u{303} zalgo a\u{360}\u{361}\u{362}",
        "specials \u{FFFE}\u{FFFF}\u{E000}\u{10FFFF}\u{FEFF}\u{AD}",
        "",
        " \n\r\n\t ",
    ];
    let mut doc = Document::new(Paper::A4, Orientation::Portrait);
    let mut table = Table::new(vec![Column::new("😀", 1.0), Column::new("中", 0.0)]);
    for text in nasty {
        table.row([text, text]).unwrap();
    }
    let mut flow = Flow::new(&mut doc, Margins::all(36.0));
    for font in Font::ALL {
        for text in nasty {
            flow.paragraph(text, TextStyle::new(font, 10.0), Align::Centre);
        }
    }
    flow.table(&table);
    let page = flow.page();
    let style = TextStyle::new(Font::Serif, 12.0);
    page.text(f32::NAN, 10.0, "nan", style, Align::Left);
    page.text(10.0, f32::INFINITY, "inf", style, Align::Right);
    page.text(
        10.0,
        10.0,
        "zero",
        TextStyle::new(Font::Serif, 0.0),
        Align::Left,
    );
    page.text(
        10.0,
        10.0,
        "negative",
        TextStyle::new(Font::Serif, -5.0),
        Align::Left,
    );
    page.paragraph(10.0, 10.0, -5.0, "negative width", style, Align::Right);
    page.rect(
        (0.0, 0.0),
        (-5.0, f32::NAN),
        Some(Color::BLACK),
        Some(Stroke::new(1.0, Color::GREY)),
    );
    page.rule(0.0, 100.0, 50.0, Stroke::new(f32::NAN, Color::BLACK));
    page.link((0.0, 0.0), (-1.0, -1.0), "x");
    assert!(page.qr(&"q".repeat(4000), (0.0, 0.0), 50.0).is_err());
    page.qr("", (10.0, 10.0), f32::NAN).unwrap();
    let bytes = doc.finish().unwrap();
    dump("hostile.pdf", &bytes);
    let text = page_texts(&load(&bytes)).concat();
    for word in [
        "emoji", "CJK", "controls", "end", "reversed", "zalgo", "specials",
    ] {
        assert!(text.contains(word), "{word} missing from {text:?}");
    }
}

#[test]
fn an_empty_document_has_one_blank_page() {
    let bytes = Document::new(Paper::Letter, Orientation::Landscape)
        .finish()
        .unwrap();
    assert_eq!(load(&bytes).get_pages().len(), 1);
}

#[test]
fn flow_pairs_and_rules_advance_the_cursor() {
    let mut doc = Document::new(Paper::A4, Orientation::Portrait);
    let mut flow = Flow::new(&mut doc, Margins::all(50.0));
    assert_eq!(flow.y(), 50.0);
    assert!(flow.at_top());
    let style = PairStyle {
        label: TextStyle::new(Font::SansBold, 10.0),
        value: TextStyle::new(Font::Sans, 10.0),
        label_width: 100.0,
    };
    flow.pair("Labelword", "Valueword", &style);
    assert!((flow.y() - 50.0 - 12.5).abs() < 0.01, "{}", flow.y());
    flow.rule(Stroke::new(1.0, Color::BLACK));
    assert!((flow.y() - 50.0 - 12.5 - 7.0).abs() < 0.01, "{}", flow.y());
    let long = "word ".repeat(2000);
    flow.pair("Long", &long, &style);
    assert!(flow.page_number() >= 2);
    assert!(!flow.ensure(1.0));
    flow.advance(10_000.0);
    assert!(flow.ensure(1.0));
    let text = page_texts(&load(&doc.finish().unwrap())).concat();
    assert!(text.contains("Labelword") && text.contains("Valueword"));
}

/// A figure for the record, not a check: `cargo test --release --lib pdf::tests::timing --
/// --ignored --nocapture`.
#[test]
#[ignore = "timing figure; run with --release --ignored --nocapture"]
fn timing_1000_row_table() {
    let started = std::time::Instant::now();
    let mut doc = Document::new(Paper::A4, Orientation::Portrait).title("Timing");
    let mut table = Table::new(vec![
        Column::new("Date", 1.0),
        Column::new("Site", 2.0),
        Column::new("Activity", 3.0),
        Column::new("Hours", 0.7).align(Align::Right),
    ]);
    for n in 0..1000 {
        let date = format!("2026-{:02}-{:02}", n % 12 + 1, n % 28 + 1);
        let activity =
            format!("Venipuncture and specimen handling, entry {n}, observed and signed");
        table
            .row([date, "Riverside Clinic".into(), activity, "7.5".into()])
            .unwrap();
    }
    Flow::new(&mut doc, Margins::all(48.0)).table(&table);
    footer(&mut doc);
    let pages = doc.page_count();
    let laid = started.elapsed();
    let bytes = doc.finish().unwrap();
    let total = started.elapsed();
    println!(
        "1000-row table: {pages} pages, {} bytes, layout {laid:?}, total {total:?}",
        bytes.len()
    );
}

#[test]
fn one_centred_page_with_border_and_qr() {
    let mut doc = Document::new(Paper::A4, Orientation::Landscape).title("Centred page");
    let page = doc.add_page();
    let (w, h) = (page.width(), page.height());
    let border = Stroke::new(2.0, Color::rgb(40, 60, 90));
    page.rect((20.0, 20.0), (w - 40.0, h - 40.0), None, Some(border));
    page.rect(
        (26.0, 26.0),
        (w - 52.0, h - 52.0),
        None,
        Some(Stroke::new(0.5, Color::GREY)),
    );
    let lines = [
        (
            "Headline words",
            TextStyle::new(Font::SerifBold, 34.0),
            150.0,
        ),
        (
            "a smaller line",
            TextStyle::new(Font::SerifItalic, 16.0),
            200.0,
        ),
        ("Person Name", TextStyle::new(Font::Serif, 28.0), 260.0),
    ];
    for (text, style, y) in lines {
        page.text(w / 2.0, y, text, style, Align::Centre);
    }
    page.rule(
        w / 2.0 - 150.0,
        w / 2.0 + 150.0,
        272.0,
        Stroke::new(0.75, Color::BLACK),
    );
    let body = TextStyle::new(Font::Sans, 11.0).color(Color::rgb(60, 60, 60));
    let text = "A paragraph of explanatory text that is long enough to wrap onto a second \
                line inside a box narrower than the page.";
    let used = page.paragraph(w / 2.0 - 200.0, 300.0, 400.0, text, body, Align::Centre);
    assert!(used >= 2.0 * body.line_height());
    let url = "https://benchside.example/v/2b7e1516";
    page.qr(url, (w - 150.0, h - 150.0), 100.0).unwrap();
    page.link((w - 150.0, h - 150.0), (100.0, 100.0), url);
    let small = TextStyle::new(Font::Sans, 7.0);
    page.text(w - 100.0, h - 40.0, url, small, Align::Centre);
    let bytes = doc.finish().unwrap();
    dump("centred.pdf", &bytes);

    let pdf = load(&bytes);
    assert_eq!(pdf.get_pages().len(), 1);
    let text = page_texts(&pdf).concat();
    for word in [
        "Headline words",
        "smaller line",
        "Person Name",
        "explanatory",
        url,
    ] {
        assert!(text.contains(word), "{word} missing from {text:?}");
    }
    let page = *pdf.get_pages().values().next().unwrap();
    let annots = pdf.get_dictionary(page).unwrap().get(b"Annots").unwrap();
    assert_eq!(annots.as_array().unwrap().len(), 1);
    let qr = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).unwrap();
    let dark = qr
        .to_colors()
        .iter()
        .filter(|c| **c == qrcode::Color::Dark)
        .count();
    let drawn: f32 = filled_paths(&pdf, page)
        .iter()
        .flatten()
        .filter(|r| r[3] < 5.0)
        .map(|r| r[2])
        .sum();
    let module = 100.0 / (qr.width() + 8) as f32;
    assert!((drawn / module - dark as f32).abs() < 0.5, "{drawn} {dark}");
}

#[test]
fn documents_can_move_to_a_blocking_thread() {
    fn send<T: Send + 'static>() {}
    send::<Document>();
    send::<Table>();
    send::<PdfError>();
}
