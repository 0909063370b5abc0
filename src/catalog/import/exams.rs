//! The import's exam outlines: outlines, their domains and the questions' domain tags, replaced
//! as a whole on every import that writes (nothing a learner did refers to them).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{Target, banks};
use crate::db::schema::{exam_domains, exam_outlines, question_banks, question_domains, questions};

/// Exam outlines, their domains and the questions' domain tags: definitions keyed by slug,
/// replaced as a whole (three inserts after one delete, which cascades to domains and tags).
/// Nothing a learner did refers to them, so progress and attempts are untouched.
pub(super) async fn import_exams(tx: &mut AsyncPgConnection, t: Target<'_>) -> anyhow::Result<()> {
    let (m, course_id) = (t.model, t.course_id);
    diesel::delete(exam_outlines::table.filter(exam_outlines::course_id.eq(course_id)))
        .execute(tx)
        .await?;
    if m.exams.is_empty() {
        return Ok(());
    }
    let outlines: Vec<_> = m
        .exams
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                exam_outlines::course_id.eq(course_id),
                exam_outlines::slug.eq(&e.slug),
                exam_outlines::position.eq(i as i32),
                exam_outlines::name.eq(&e.name),
                exam_outlines::body.eq(&e.body),
                exam_outlines::source.eq(&e.source),
                exam_outlines::source_title.eq(&e.source_title),
                exam_outlines::edition.eq(e.edition.as_deref()),
                exam_outlines::note.eq(e.note.as_deref()),
            )
        })
        .collect();
    diesel::insert_into(exam_outlines::table)
        .values(outlines)
        .execute(tx)
        .await?;
    let domains: Vec<_> = m
        .exams
        .iter()
        .flat_map(|e| e.domains.iter().enumerate().map(move |(i, d)| (e, i, d)))
        .map(|(e, i, d)| {
            (
                exam_domains::course_id.eq(course_id),
                exam_domains::exam_slug.eq(&e.slug),
                exam_domains::slug.eq(&d.slug),
                exam_domains::position.eq(i as i32),
                exam_domains::title.eq(&d.title),
                exam_domains::weight_low.eq(d.weight.map(|w| w.0 as i16)),
                exam_domains::weight_high.eq(d.weight.map(|w| w.1 as i16)),
            )
        })
        .collect();
    diesel::insert_into(exam_domains::table)
        .values(domains)
        .execute(tx)
        .await?;
    import_question_domains(tx, t).await
}

/// Every live question's domain tags (the loader checked each names a declared domain).
async fn import_question_domains(tx: &mut AsyncPgConnection, t: Target<'_>) -> anyhow::Result<()> {
    let ids: HashMap<(String, String), Uuid> = questions::table
        .inner_join(question_banks::table)
        .filter(question_banks::course_id.eq(t.course_id))
        .filter(questions::retired_at.is_null())
        .select((question_banks::slug, questions::slug, questions::id))
        .load::<(String, String, Uuid)>(tx)
        .await?
        .into_iter()
        .map(|(b, q, id)| ((b, q), id))
        .collect();
    let mut rows = Vec::new();
    for (_, b) in banks(t.model) {
        for q in &b.questions {
            let Some(&id) = ids.get(&(b.slug.clone(), q.slug.clone())) else {
                continue;
            };
            for tag in &q.domains {
                if let Some((exam, domain)) = tag.split_once(crate::catalog::exams::TAG_SEPARATOR) {
                    rows.push((
                        question_domains::question_id.eq(id),
                        question_domains::course_id.eq(t.course_id),
                        question_domains::exam_slug.eq(exam),
                        question_domains::domain_slug.eq(domain),
                    ));
                }
            }
        }
    }
    for chunk in rows.chunks(1000) {
        diesel::insert_into(question_domains::table)
            .values(chunk.to_vec())
            .execute(tx)
            .await?;
    }
    Ok(())
}
