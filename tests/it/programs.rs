//! The real programs in `courses/`: they validate, meet the content bar, and import twice
//! with no change the second time.

use std::path::Path;

use benchside::catalog::import::ImportStatus;
use benchside::catalog::load::load_dir;
use diesel_async::SimpleAsyncConnection;

use crate::harness::TestApp;
use crate::support::import_dir;

#[test]
fn the_real_programs_validate_and_meet_the_content_bar() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("courses");
    let courses = load_dir(&root).unwrap_or_else(|p| {
        panic!(
            "{}",
            p.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let slugs: Vec<&str> = courses.iter().map(|c| c.slug.as_str()).collect();
    assert!(
        slugs.contains(&"mlt-foundations") && slugs.contains(&"phlebotomy-technician"),
        "{slugs:?}"
    );
    let lessons: usize = courses
        .iter()
        .map(|c| c.modules.iter().map(|m| m.lessons.len()).sum::<usize>())
        .sum();
    assert!(lessons >= 20, "{lessons} lessons");
    for c in &courses {
        assert!(
            c.quizzes.iter().any(|q| q.is_final),
            "{} has a final exam",
            c.slug
        );
        assert!(
            c.externship.is_some(),
            "{} has externship requirements",
            c.slug
        );
        for m in &c.modules {
            let bank = m
                .bank
                .as_ref()
                .unwrap_or_else(|| panic!("{}/{} has a bank", c.slug, m.slug));
            assert!(
                bank.questions.len() >= 15,
                "{}/{}: {} questions",
                c.slug,
                m.slug,
                bank.questions.len()
            );
            let kinds: std::collections::HashSet<&str> =
                bank.questions.iter().map(|q| q.kind.as_str()).collect();
            assert!(kinds.len() >= 4, "{}/{} uses {kinds:?}", c.slug, m.slug);
            for q in &bank.questions {
                assert!(
                    !q.explanation_html.trim().is_empty(),
                    "{}: explanation",
                    q.slug
                );
            }
            for l in &m.lessons {
                let text = l
                    .body_html
                    .split('<')
                    .map(|s| s.split_once('>').map_or(s, |x| x.1))
                    .collect::<String>();
                let words = text.split_whitespace().count();
                assert!(words >= 600, "{}/{}: {words} words", c.slug, l.slug);
                assert!(
                    l.body_html.contains("id=\"references\""),
                    "{}: references",
                    l.slug
                );
            }
        }
    }
}

#[actix_web::test]
async fn the_real_programs_import_and_reimport_unchanged() {
    let app = TestApp::spawn().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("courses");
    let first = import_dir(&app, &root).await;
    assert!(
        first
            .courses
            .iter()
            .all(|c| c.status == ImportStatus::Added)
    );
    let second = import_dir(&app, &root).await;
    assert!(
        second
            .courses
            .iter()
            .all(|c| c.status == ImportStatus::Unchanged),
        "{second:?}"
    );
    let mut c = app.conn().await;
    c.batch_execute("SELECT 1").await.unwrap();
}
