//! The certificate PDF checked by Debian's own readers, as a printer or a verifier's phone
//! would see it: poppler (`pdftotext`, `pdffonts`, `pdfinfo`, `pdftoppm`), zbar (`zbarimg`)
//! and qpdf. A missing tool fails the test and names the package to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use benchside::credentials::certificate_pdf::{self, ExternshipLine, Face};
use benchside::credentials::{Code, Paper};
use chrono::NaiveDate;

const HOLDER: &str = "Zoë Ñúñez-O'Brien";
const COURSE: &str = "Phlebotomy Technician: Venipuncture and Capillary Collection";
const URL: &str = "https://learn.example.org/verify/7QX2M-4KD9R-H3WTA";

fn temp_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `program` and returns its standard output; panics (naming the Debian package) when
/// the program is missing, and with its output when it fails.
fn run(program: &str, package: &str, args: &[&str]) -> String {
    let out = match Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{program}` is not installed: the certificate print checks need the Debian \
             package {package} (apt-get install -y {package})"
        ),
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn render(dir: &Path, paper: Paper) -> PathBuf {
    let code: Code = "7QX2M4KD9RH3WTA".parse().unwrap();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let face = Face {
        provider: "Riverside Allied Health Academy",
        holder: HOLDER,
        course_title: COURSE,
        course_version: 3,
        completed_on: day(12, 1),
        issued_on: day(12, 2),
        expires_on: Some(NaiveDate::from_ymd_opt(2028, 12, 1).unwrap()),
        contact_hours: 12.5,
        externship: Some(ExternshipLine {
            hours: 120.0,
            collections: 100,
            competencies: 5,
        }),
        serial: "BS-001001",
        code: &code,
        verify_url: URL,
    };
    let path = dir.join(format!("certificate-{paper}.pdf"));
    std::fs::write(&path, certificate_pdf::render(&face, paper).unwrap()).unwrap();
    path
}

fn check_text(pdf: &str) {
    let text = run("pdftotext", "poppler-utils", &[pdf, "-"]);
    for expected in [
        HOLDER,
        COURSE,
        "7QX2M-4KD9R-H3WTA",
        URL,
        "12.5 contact hours",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in pdftotext's {text}"
        );
    }
}

fn check_fonts(pdf: &str) {
    let listing = run("pdffonts", "poppler-utils", &[pdf]);
    // Two heading lines, then one line per font: name, type (two words), encoding, emb, ...
    let fonts: Vec<&str> = listing
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(fonts.len() >= 4, "{listing}");
    for font in fonts {
        let columns: Vec<&str> = font.split_whitespace().collect();
        let emb = columns.len() - 5;
        assert_eq!(columns[emb], "yes", "not embedded: {font}\n{listing}");
        assert!(columns[0].contains("DejaVu"), "{font}");
    }
}

fn check_qr(dir: &Path, pdf: &str) {
    let prefix = dir.join(Path::new(pdf).file_stem().unwrap());
    let prefix = prefix.to_str().unwrap();
    run(
        "pdftoppm",
        "poppler-utils",
        &["-r", "300", "-png", "-singlefile", pdf, prefix],
    );
    let png = format!("{prefix}.png");
    let decoded = run("zbarimg", "zbar-tools", &["--raw", "-q", &png]);
    assert_eq!(
        decoded.strip_suffix('\n'),
        Some(URL),
        "zbarimg read {decoded:?}"
    );
}

#[test]
fn both_paper_sizes_pass_debians_pdf_and_qr_readers() {
    let dir = temp_dir("certificate-print");
    let sizes = [
        (Paper::A4, "Page size:       841.89 x 595.276 pts (A4)"),
        (Paper::Letter, "Page size:       792 x 612 pts (letter)"),
    ];
    for (paper, page_size) in sizes {
        let path = render(&dir, paper);
        let pdf = path.to_str().unwrap();
        check_text(pdf);
        check_fonts(pdf);
        let info = run("pdfinfo", "poppler-utils", &[pdf]);
        assert!(
            info.lines().any(|l| l == page_size),
            "{page_size:?} not in\n{info}"
        );
        assert!(info.lines().any(|l| l == "Pages:           1"), "{info}");
        check_qr(&dir, pdf);
        run("qpdf", "qpdf", &["--check", pdf]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
