//! Must-pass questions, as the loader checks them: every draw holds its bank's must-pass
//! questions, and every `review` names a lesson section of the course (resolved to its link
//! and label). A child of `load`, so it reads the loader's parts directly.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Parts, Problems, hash_json, lesson_slug};
use crate::catalog::model::QuizModel;
use crate::catalog::render;

/// Every must-pass question's draw holds all of its bank's must-pass questions, so each is
/// always drawn.
pub(super) fn check_draws(
    p: &mut Problems<'_>,
    quizzes: &[(PathBuf, usize, QuizModel)],
    must_pass: &HashMap<String, usize>,
) {
    for (file, line, quiz) in quizzes {
        for d in &quiz.draw {
            let n = must_pass.get(&d.bank).copied().unwrap_or(0);
            if (d.count as usize) < n {
                p.add(
                    file,
                    *line,
                    format!(
                        "quiz `{}` draws {} questions from bank `{}`, which holds {n} must-pass questions; each must-pass question is always drawn, so draw at least {n}",
                        quiz.slug, d.count, d.bank
                    ),
                );
            }
        }
    }
}

/// Each lesson's title and heading anchors, by lesson slug.
fn lesson_sections(parts: &Parts) -> HashMap<String, (String, Vec<(String, String)>)> {
    parts
        .lesson_sources
        .iter()
        .filter_map(|(mi, src)| {
            let slug = lesson_slug(src);
            let lesson = parts
                .modules
                .get(*mi)?
                .lessons
                .iter()
                .find(|l| l.slug == slug)?;
            Some((slug, (lesson.title.clone(), render::headings(&src.body))))
        })
        .collect()
}

/// Resolves every question's `review` to a lesson section of the course (its URL and label),
/// refusing a missing lesson or anchor on the question's line. The question's content hash
/// then covers the resolved target, so a renamed section re-imports it.
pub(super) fn resolve_reviews(p: &mut Problems<'_>, course: &str, parts: &mut Parts) {
    let sections = lesson_sections(parts);
    let questions = parts
        .modules
        .iter_mut()
        .filter_map(|m| m.bank.as_mut())
        .flat_map(|b| b.questions.iter_mut());
    for q in questions {
        let Some(r) = q.review.as_mut() else { continue };
        let Some((title, headings)) = sections.get(&r.lesson) else {
            let msg = format!("review names a missing lesson `{}`", r.lesson);
            p.add(&r.file, r.line, msg);
            continue;
        };
        let Some((_, text)) = headings.iter().find(|(id, _)| *id == r.anchor) else {
            let known: Vec<&str> = headings.iter().map(|(id, _)| id.as_str()).collect();
            let msg = format!(
                "review: lesson `{}` has no section `#{}` (its sections: {})",
                r.lesson,
                r.anchor,
                known.join(", ")
            );
            p.add(&r.file, r.line, msg);
            continue;
        };
        r.href = format!("/courses/{course}/lessons/{}#{}", r.lesson, r.anchor);
        r.label = format!("{title}: {text}");
        q.content_hash = hash_json(&(&q.content_hash, &r.href, &r.label));
    }
}
