//! The certificate rendered and read back with lopdf.

use lopdf::Object;

use super::*;

const URL: &str = "https://learn.example.org/verify/7QX2M-4KD9R-H3WTA";

fn code() -> Code {
    "7QX2M4KD9RH3WTA".parse().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn face<'a>(holder: &'a str, course_title: &'a str, code: &'a Code) -> Face<'a> {
    Face {
        provider: "Riverside Allied Health Academy",
        holder,
        course_title,
        course_version: 3,
        completed_on: date(2026, 12, 1),
        issued_on: date(2026, 12, 2),
        expires_on: Some(date(2028, 12, 1)),
        contact_hours: 12.5,
        externship: Some(ExternshipLine {
            hours: 120.0,
            collections: 100,
            competencies: 5,
        }),
        serial: "BS-001001",
        code,
        verify_url: URL,
    }
}

/// Writes `bytes` to `$BENCHSIDE_PDF_DUMP/name` when that variable is set, to look at.
fn dump(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("BENCHSIDE_PDF_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}

fn load(bytes: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(bytes).expect("the certificate parses")
}

fn text(pdf: &lopdf::Document) -> String {
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    pdf.extract_text(&pages).unwrap()
}

fn page_dict(pdf: &lopdf::Document) -> &lopdf::Dictionary {
    let id = *pdf.get_pages().values().next().unwrap();
    pdf.get_dictionary(id).unwrap()
}

fn number(object: &Object) -> f32 {
    match object {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        other => panic!("not a number: {other:?}"),
    }
}

/// A string object's text (PDF text strings may be UTF-16 with a byte order mark).
fn string(object: &Object) -> String {
    let bytes = object.as_str().unwrap();
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[test]
fn the_page_says_who_what_when_and_how_to_check() {
    let code = code();
    let title = "Phlebotomy Technician: Venipuncture and Capillary Collection";
    let bytes = render(&face("Zoë Ñúñez-O'Brien", title, &code), Paper::A4).unwrap();
    dump("certificate-a4.pdf", &bytes);
    let pdf = load(&bytes);
    assert_eq!(pdf.get_pages().len(), 1);
    let text = text(&pdf);
    for expected in [
        "RIVERSIDE ALLIED HEALTH ACADEMY",
        "Certificate of Completion",
        "This certifies that",
        "Zoë Ñúñez-O'Brien",
        "has completed",
        "Venipuncture",
        "Completed on 1 December 2026",
        "12.5 contact hours",
        "Clinical externship: 120 hours, 100 successful unaided collections, 5 competencies \
         signed off",
        "Valid until 1 December 2028",
        "Issued 2 December 2026",
        "BS-001001",
        "Course edition 3",
        "7QX2M-4KD9R-H3WTA",
        URL,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from {text:?}"
        );
    }
}

#[test]
fn optional_lines_are_left_out() {
    let code = code();
    let mut face = face("Ana Lima", "Medical Laboratory Technician", &code);
    face.externship = None;
    face.expires_on = None;
    let text = text(&load(&render(&face, Paper::Letter).unwrap()));
    assert!(text.contains("Ana Lima"), "{text:?}");
    assert!(
        !text.contains("externship") && !text.contains("Valid until"),
        "{text:?}"
    );
}

#[test]
fn both_papers_are_landscape_with_embedded_fonts() {
    let code = code();
    for (paper, [w, h]) in [
        (Paper::A4, [841.89, 595.276]),
        (Paper::Letter, [792.0, 612.0]),
    ] {
        let bytes = render(&face("Sam Okafor", "Phlebotomy", &code), paper).unwrap();
        let pdf = load(&bytes);
        let media: Vec<f32> = page_dict(&pdf)
            .get(b"MediaBox")
            .and_then(Object::as_array)
            .unwrap()
            .iter()
            .map(number)
            .collect();
        assert!(
            (media[2] - media[0] - w).abs() < 0.01,
            "{paper:?} {media:?}"
        );
        assert!(
            (media[3] - media[1] - h).abs() < 0.01,
            "{paper:?} {media:?}"
        );
        let descriptors: Vec<&lopdf::Dictionary> = pdf
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| d.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor"))
            .collect();
        assert!(descriptors.len() >= 4, "{} fonts", descriptors.len());
        for d in descriptors {
            let name = String::from_utf8_lossy(d.get(b"FontName").unwrap().as_name().unwrap());
            assert!(d.has(b"FontFile2"), "{name} is not embedded");
            assert!(name.contains("DejaVu"), "{name}");
        }
    }
}

#[test]
fn metadata_and_links_name_the_certificate() {
    let code = code();
    let bytes = render(&face("Sam Okafor", "Phlebotomy", &code), Paper::A4).unwrap();
    let pdf = load(&bytes);
    let info = pdf
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .unwrap();
    let info = pdf.get_dictionary(info).unwrap();
    assert_eq!(
        string(info.get(b"Title").unwrap()),
        "Certificate of Completion: Phlebotomy"
    );
    assert_eq!(
        string(info.get(b"Author").unwrap()),
        "Riverside Allied Health Academy"
    );
    assert!(string(info.get(b"Subject").unwrap()).contains("Sam Okafor"));
    let catalog = pdf.catalog().unwrap();
    assert_eq!(string(catalog.get(b"Lang").unwrap()), "en");
    let annots = page_dict(&pdf)
        .get(b"Annots")
        .and_then(Object::as_array)
        .unwrap();
    assert_eq!(annots.len(), 2, "links over the QR code and the address");
    for annot in annots {
        let annot = pdf.get_dictionary(annot.as_reference().unwrap()).unwrap();
        let action = match annot.get(b"A").unwrap() {
            Object::Reference(id) => pdf.get_dictionary(*id).unwrap(),
            other => other.as_dict().unwrap(),
        };
        assert_eq!(string(action.get(b"URI").unwrap()), URL);
    }
}

/// The holder's name, laid out for `paper`, stays inside the inner border and its block.
fn assert_name_fits(name: &str, paper: Paper) -> Fitted {
    let (page_width, _) = paper.pdf().size(Orientation::Landscape);
    let (left, width) = text_box(page_width);
    let fitted = holder_lines(name, width);
    assert!(!fitted.lines.is_empty());
    for line in &fitted.lines {
        let used = fitted.style.width(line);
        assert!(used <= width + 0.01, "{used} > {width} for {line:?}");
        let start = left + (width - used) / 2.0;
        assert!(
            start >= INNER && start + used <= page_width - INNER,
            "{line:?}"
        );
    }
    let height = fitted.lines.len() as f32 * fitted.style.line_height();
    let one_line = fitted.lines.len() == 1 && fitted.style.line_height() <= NAME_HEIGHT;
    assert!(one_line || height <= NAME_HEIGHT, "{height} for {name:?}");
    fitted
}

#[test]
fn long_names_shrink_and_wrap_inside_the_border() {
    let long: String = "Maximiliana Wolfeschlegelsteinhausen "
        .repeat(6)
        .chars()
        .take(200)
        .collect();
    assert_eq!(long.chars().count(), 200);
    let unbroken = "W".repeat(200);
    let absurd = "Hubert Blaine ".repeat(150);
    for paper in [Paper::A4, Paper::Letter] {
        let short = assert_name_fits("Zoë Ñúñez-O'Brien", paper);
        assert_eq!((short.style.size, short.lines.len()), (34.0, 1));
        let medium = assert_name_fits("Maria de los Ángeles Fernández García-Rodríguez", paper);
        assert_eq!(medium.lines.len(), 1);
        assert!(medium.style.size < 34.0 && medium.style.size >= 22.0);
        let fitted = assert_name_fits(&long, paper);
        assert!(
            fitted.lines.len() > 1 && fitted.style.size >= 10.0,
            "{fitted:?}"
        );
        assert_name_fits(&unbroken, paper);
        assert_name_fits(&absurd, paper);
    }
    // The whole 200 characters are on the page, not cut off.
    let code = code();
    let bytes = render(&face(&long, "Phlebotomy", &code), Paper::Letter).unwrap();
    dump("certificate-long-name.pdf", &bytes);
    let text: String = text(&load(&bytes)).split_whitespace().collect();
    let expected: String = long.split_whitespace().collect();
    assert!(text.contains(&expected), "{text:?}");
}

#[test]
fn names_in_other_scripts_are_drawn_not_replaced() {
    let code = code();
    for name in [
        "Σωκράτης Παπαδόπουλος",
        "Анна Каренина-Иванова",
        "ნინო ბერიძე",
    ] {
        assert_eq!(
            holder_lines(name, 600.0).style.font,
            Font::SerifBold,
            "{name}"
        );
        let bytes = render(&face(name, "Phlebotomy", &code), Paper::A4).unwrap();
        let text = text(&load(&bytes));
        assert!(text.contains(name), "{name} missing from {text:?}");
        assert!(!text.contains('\u{FFFD}'), "{text:?}");
    }
    // Scripts the serif faces lack use DejaVu Sans, which has them.
    for name in ["דוד לוי", "محمد الأحمد"] {
        let fitted = holder_lines(name, 600.0);
        assert_eq!(fitted.style.font, Font::SansBold, "{name}");
        assert!(name.chars().all(|c| Font::SansBold.has_glyph(c)), "{name}");
        render(&face(name, "Phlebotomy", &code), Paper::A4).unwrap();
    }
}

#[test]
fn long_course_titles_wrap_inside_their_block() {
    let title = "Medical Laboratory Technician: Haematology, Clinical Chemistry, Urinalysis, \
                 Microbiology and Specimen Processing for the Hospital and Reference Laboratory";
    let (_, width) = text_box(792.0);
    let fitted = course_lines(title, width);
    assert!(fitted.lines.len() >= 2, "{fitted:?}");
    assert!(fitted.lines.len() as f32 * fitted.style.line_height() <= COURSE_HEIGHT);
    assert!(fitted.lines.iter().all(|l| fitted.style.width(l) <= width));
}

#[test]
fn counts_and_dates_read_naturally() {
    assert_eq!(
        count(12.5, "contact hour", "contact hours"),
        "12.5 contact hours"
    );
    assert_eq!(
        count(12.0, "contact hour", "contact hours"),
        "12 contact hours"
    );
    assert_eq!(
        count(1.0, "contact hour", "contact hours"),
        "1 contact hour"
    );
    assert_eq!(count(0.25, "hour", "hours"), "0.25 hours");
    assert_eq!(count(7.5000001, "hour", "hours"), "7.5 hours");
    assert_eq!(long_date(date(2026, 12, 1)), "1 December 2026");
    assert_eq!(long_date(date(2027, 3, 15)), "15 March 2027");
    let one = ExternshipLine {
        hours: 1.0,
        collections: 1,
        competencies: 1,
    };
    assert_eq!(
        externship_line(one),
        "Clinical externship: 1 hour, 1 successful unaided collection, 1 competency signed off"
    );
    let many = ExternshipLine {
        hours: 120.0,
        collections: 100,
        competencies: 5,
    };
    assert_eq!(
        externship_line(many),
        "Clinical externship: 120 hours, 100 successful unaided collections, 5 competencies \
         signed off"
    );
}

#[test]
fn a_url_too_long_for_a_qr_code_is_an_error() {
    let code = code();
    let url = format!("https://example.org/{}", "x".repeat(3000));
    let mut face = face("Sam Okafor", "Phlebotomy", &code);
    face.verify_url = &url;
    assert!(matches!(render(&face, Paper::A4), Err(PdfError::Qr(_))));
}

/// A figure for the record, not a check: `cargo test --release --lib
/// certificate_pdf::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore = "timing figure; run with --release --ignored --nocapture"]
fn timing_one_certificate() {
    let code = code();
    let face = face("Zoë Ñúñez-O'Brien", "Phlebotomy Technician", &code);
    let started = std::time::Instant::now();
    let first = render(&face, Paper::A4).unwrap();
    let cold = started.elapsed();
    let runs = 50;
    let started = std::time::Instant::now();
    for _ in 0..runs {
        render(&face, Paper::Letter).unwrap();
    }
    let warm = started.elapsed() / runs;
    println!(
        "certificate: {} bytes, first render {cold:?} (fonts parsed), then {warm:?} each",
        first.len()
    );
}
