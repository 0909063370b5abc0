//! Writing validated courses to the database, in one transaction.
//!
//! Per course: an unchanged content hash means no writes at all. Otherwise the course gets a
//! new version and every table is brought in line with the files with one upsert per table
//! (new and changed rows together) and one retirement per table (rows whose slug is gone get
//! `retired_at`; they are never deleted, so progress and attempts keyed to them survive).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::model::*;
use crate::db::schema::{
    course_assets, course_modules, course_versions, courses, externship_department_requirements,
    externship_procedure_requirements, lessons, question_banks, questions, quizzes,
};

mod exams;

const IMPORT_LOCK_KEY: i64 = 0x6265_6e63_6869_6d70; // "benchimp"

crate::text_enum! {
    /// What an import did to a course.
    pub enum ImportStatus {
        Added = "added",
        Changed = "changed",
        Unchanged = "unchanged",
    }
}

/// What an import did to one course.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CourseReport {
    pub slug: String,
    pub status: ImportStatus,
    pub version: i32,
    pub modules: usize,
    pub lessons: usize,
    pub questions: usize,
    pub quizzes: usize,
    /// e.g. `lesson order-of-draw`.
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub retired: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub courses: Vec<CourseReport>,
}

impl ImportReport {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in &self.courses {
            out.push_str(&format!(
                "{} ({}, version {}): {} modules, {} lessons, {} questions, {} quizzes\n",
                c.slug, c.status, c.version, c.modules, c.lessons, c.questions, c.quizzes
            ));
            for (label, items) in [
                ("added", &c.added),
                ("changed", &c.changed),
                ("retired", &c.retired),
            ] {
                if !items.is_empty() {
                    out.push_str(&format!("  {label}: {}\n", items.join(", ")));
                }
            }
        }
        out
    }
}

/// Imports every course in one transaction.
pub async fn import(
    conn: &mut AsyncPgConnection,
    models: &[CourseModel],
) -> anyhow::Result<ImportReport> {
    conn.transaction::<_, anyhow::Error, _>(async move |tx| {
        tx.batch_execute(&format!("SELECT pg_advisory_xact_lock({IMPORT_LOCK_KEY})"))
            .await?;
        let mut report = ImportReport::default();
        for m in models {
            report.courses.push(import_course(tx, m).await?);
        }
        Ok(report)
    })
    .await
}

fn counts(m: &CourseModel) -> (usize, usize, usize, usize) {
    (
        m.modules.len(),
        m.modules.iter().map(|x| x.lessons.len()).sum(),
        m.modules
            .iter()
            .filter_map(|x| x.bank.as_ref())
            .map(|b| b.questions.len())
            .sum(),
        m.quizzes.len(),
    )
}

/// The public outline of a course, stored with it (GET /api/v1/courses/{slug} serves it).
pub fn outline(m: &CourseModel, version: i32) -> Value {
    let quiz_json = |q: &QuizModel| {
        json!({
            "slug": q.slug, "title": q.title, "final": q.is_final, "required": q.required,
            "requires_other_requirements": q.requires_other_requirements,
            "pass_percent": q.pass_percent, "max_attempts": q.max_attempts,
            "time_limit_minutes": q.time_limit_minutes, "cooldown_minutes": q.cooldown_minutes,
            "review": q.review,
            "question_count": q.draw.iter().map(|d| d.count).sum::<i32>(),
        })
    };
    let (module_count, lesson_count, _, _) = counts(m);
    json!({
        "slug": m.slug,
        "title": m.title,
        "summary": m.summary,
        "description_html": m.description_html,
        "level": m.level,
        "estimated_hours": m.estimated_hours,
        "contact_hours": m.contact_hours,
        "sequential": m.sequential,
        "access_days": m.access_days,
        "certificate_validity_months": m.certificate_validity_months,
        "version": version,
        "module_count": module_count,
        "lesson_count": lesson_count,
        "modules": m.modules.iter().map(|md| json!({
            "slug": md.slug,
            "title": md.title,
            "summary": md.summary,
            "lessons": md.lessons.iter().map(|l| json!({
                "slug": l.slug, "title": l.title,
                "estimated_minutes": l.estimated_minutes, "free_preview": l.free_preview,
            })).collect::<Vec<_>>(),
            "quiz": m.quizzes.iter().find(|q| q.module_slug.as_deref() == Some(md.slug.as_str())).map(quiz_json),
        })).collect::<Vec<_>>(),
        "quizzes": m.quizzes.iter().filter(|q| q.module_slug.is_none()).map(quiz_json).collect::<Vec<_>>(),
        "completion": {
            "all_lessons": m.completion_all_lessons,
            "required_quizzes": m.quizzes.iter().filter(|q| q.required).map(|q| q.slug.clone()).collect::<Vec<_>>(),
            "externship": m.completion_externship,
        },
        "externship": m.externship.as_ref().map(externship_json),
    })
}

/// The outline's `externship` object. The externship module reads these keys by name.
fn externship_json(e: &ExternshipModel) -> Value {
    json!({
        "total_hours": e.total_hours,
        "max_hours_per_day": e.max_hours_per_day,
        "departments": e.departments.iter().map(|d| json!({ "slug": d.slug, "name": d.name, "min_hours": d.minimum })).collect::<Vec<_>>(),
        "procedures": e.procedures.iter().map(|d| json!({ "slug": d.slug, "name": d.name, "min_count": d.minimum as i64 })).collect::<Vec<_>>(),
        "min_total_procedures": e.min_total_procedures,
        "notes_html": e.notes_html,
        "competencies": e.competencies.iter().map(|c| json!({
            "slug": c.slug, "name": c.name, "description": c.description,
            "observations": c.observations,
        })).collect::<Vec<_>>(),
        "certifications": e.certifications.iter().map(|c| json!({
            "slug": c.slug, "name": c.name, "body": c.body,
            "source": c.source, "source_title": c.source_title,
            "clinical_hours": c.clinical_hours,
            "procedures": c.procedures.iter().map(|t| json!({ "slug": t.slug, "min_count": t.min_count })).collect::<Vec<_>>(),
            "min_total_procedures": c.min_total_procedures,
            "note": c.note,
        })).collect::<Vec<_>>(),
    })
}

/// Content hash and version per slug, as stored: what the files are compared with.
type Stored = HashMap<String, (String, Option<DateTime<Utc>>)>;

/// The course being written: its row, the version the import makes, and the retirement time.
#[derive(Clone, Copy)]
struct Target<'a> {
    model: &'a CourseModel,
    course_id: Uuid,
    version: i32,
    now: DateTime<Utc>,
}

async fn import_course(
    tx: &mut AsyncPgConnection,
    m: &CourseModel,
) -> anyhow::Result<CourseReport> {
    let (n_modules, n_lessons, n_questions, n_quizzes) = counts(m);
    let existing: Option<(Uuid, String, i32)> = courses::table
        .filter(courses::slug.eq(&m.slug))
        .select((courses::id, courses::content_hash, courses::version))
        .for_update()
        .first(tx)
        .await
        .optional()?;
    let mut report = CourseReport {
        slug: m.slug.clone(),
        status: ImportStatus::Unchanged,
        version: 1,
        modules: n_modules,
        lessons: n_lessons,
        questions: n_questions,
        quizzes: n_quizzes,
        added: vec![],
        changed: vec![],
        retired: vec![],
    };
    if let Some((_, hash, version)) = &existing
        && *hash == m.content_hash
    {
        report.version = *version;
        return Ok(report);
    }
    let version = existing.as_ref().map_or(1, |e| e.2 + 1);
    report.version = version;
    report.status = if existing.is_some() {
        ImportStatus::Changed
    } else {
        ImportStatus::Added
    };
    let course_id = upsert_course(tx, m, existing.map(|e| e.0), version).await?;
    let t = Target {
        model: m,
        course_id,
        version,
        now: Utc::now(),
    };
    let module_ids = import_modules(tx, &mut report, t).await?;
    import_lessons(tx, &mut report, t, &module_ids).await?;
    let bank_ids = import_banks(tx, t, &module_ids).await?;
    import_questions(tx, &mut report, t, &bank_ids).await?;
    import_quizzes(tx, &mut report, t, &module_ids).await?;
    import_externship(tx, t).await?;
    exams::import_exams(tx, t).await?;
    import_assets(tx, t).await?;
    diesel::insert_into(course_versions::table)
        .values((
            course_versions::course_id.eq(course_id),
            course_versions::version.eq(version),
            course_versions::content_hash.eq(&m.content_hash),
            course_versions::changes.eq(json!({
                "added": report.added, "changed": report.changed, "retired": report.retired,
            })),
        ))
        .execute(tx)
        .await?;
    Ok(report)
}

/// Writes the course row (a new one, or `existing` updated) and returns its ID.
async fn upsert_course(
    tx: &mut AsyncPgConnection,
    m: &CourseModel,
    existing: Option<Uuid>,
    version: i32,
) -> anyhow::Result<Uuid> {
    let (n_modules, n_lessons, _, _) = counts(m);
    let ext = m.externship.as_ref();
    let values = (
        courses::slug.eq(&m.slug),
        courses::title.eq(&m.title),
        courses::summary.eq(&m.summary),
        courses::description_html.eq(&m.description_html),
        courses::level.eq(&m.level),
        courses::estimated_hours.eq(m.estimated_hours),
        courses::contact_hours.eq(m.contact_hours),
        courses::sequential.eq(m.sequential),
        courses::access_days.eq(m.access_days),
        courses::certificate_validity_months.eq(m.certificate_validity_months),
        courses::published.eq(m.published),
        courses::completion_all_lessons.eq(m.completion_all_lessons),
        courses::completion_externship.eq(m.completion_externship),
        courses::externship_total_hours.eq(ext.map(|e| e.total_hours)),
        courses::externship_min_total_procedures.eq(ext.and_then(|e| e.min_total_procedures)),
        courses::externship_notes_html.eq(ext.and_then(|e| e.notes_html.clone())),
        courses::module_count.eq(n_modules as i32),
        courses::lesson_count.eq(n_lessons as i32),
        courses::outline.eq(outline(m, version).to_string()),
        courses::content_hash.eq(&m.content_hash),
        courses::version.eq(version),
    );
    Ok(match existing {
        Some(id) => {
            diesel::update(courses::table.find(id))
                .set(values)
                .execute(tx)
                .await?;
            id
        }
        None => {
            diesel::insert_into(courses::table)
                .values(values)
                .returning(courses::id)
                .get_result(tx)
                .await?
        }
    })
}

/// Modules: upserts the new and changed ones, retires the missing ones, and returns every
/// module's ID by slug.
async fn import_modules(
    tx: &mut AsyncPgConnection,
    report: &mut CourseReport,
    t: Target<'_>,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let (m, course_id) = (t.model, t.course_id);
    let old: Stored = course_modules::table
        .filter(course_modules::course_id.eq(course_id))
        .select((
            course_modules::slug,
            course_modules::content_hash,
            course_modules::retired_at,
        ))
        .load::<(String, String, Option<DateTime<Utc>>)>(tx)
        .await?
        .into_iter()
        .map(|(s, h, r)| (s, (h, r)))
        .collect();
    let write: Vec<&ModuleModel> = m
        .modules
        .iter()
        .filter(|x| diff(report, "module", &x.slug, &x.content_hash, old.get(&x.slug)))
        .collect();
    if !write.is_empty() {
        let rows: Vec<_> = write
            .iter()
            .map(|x| {
                (
                    course_modules::course_id.eq(course_id),
                    course_modules::slug.eq(&x.slug),
                    course_modules::position.eq(x.position),
                    course_modules::title.eq(&x.title),
                    course_modules::summary.eq(&x.summary),
                    course_modules::content_hash.eq(&x.content_hash),
                )
            })
            .collect();
        diesel::insert_into(course_modules::table)
            .values(rows)
            .on_conflict((course_modules::course_id, course_modules::slug))
            .do_update()
            .set((
                course_modules::position.eq(excluded(course_modules::position)),
                course_modules::title.eq(excluded(course_modules::title)),
                course_modules::summary.eq(excluded(course_modules::summary)),
                course_modules::content_hash.eq(excluded(course_modules::content_hash)),
                course_modules::retired_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(tx)
            .await?;
    }
    let keep: Vec<&str> = m.modules.iter().map(|x| x.slug.as_str()).collect();
    retire_missing(report, "module", &old, &keep);
    diesel::update(
        course_modules::table
            .filter(course_modules::course_id.eq(course_id))
            .filter(course_modules::retired_at.is_null())
            .filter(course_modules::slug.ne_all(&keep)),
    )
    .set(course_modules::retired_at.eq(t.now))
    .execute(tx)
    .await?;
    Ok(course_modules::table
        .filter(course_modules::course_id.eq(course_id))
        .select((course_modules::slug, course_modules::id))
        .load::<(String, Uuid)>(tx)
        .await?
        .into_iter()
        .collect())
}

/// Lessons: upserts the new and changed ones and retires the missing ones.
async fn import_lessons(
    tx: &mut AsyncPgConnection,
    report: &mut CourseReport,
    t: Target<'_>,
    module_ids: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let (m, course_id, version) = (t.model, t.course_id, t.version);
    let old: Stored = lessons::table
        .filter(lessons::course_id.eq(course_id))
        .select((lessons::slug, lessons::content_hash, lessons::retired_at))
        .load::<(String, String, Option<DateTime<Utc>>)>(tx)
        .await?
        .into_iter()
        .map(|(s, h, r)| (s, (h, r)))
        .collect();
    let mut rows = Vec::new();
    for md in &m.modules {
        for l in &md.lessons {
            if diff(report, "lesson", &l.slug, &l.content_hash, old.get(&l.slug)) {
                rows.push((
                    lessons::course_id.eq(course_id),
                    lessons::module_id.eq(module_ids[&md.slug]),
                    lessons::slug.eq(&l.slug),
                    lessons::position.eq(l.position),
                    lessons::title.eq(&l.title),
                    lessons::estimated_minutes.eq(l.estimated_minutes),
                    lessons::objectives.eq(json!(l.objectives)),
                    lessons::free_preview.eq(l.free_preview),
                    lessons::body_html.eq(&l.body_html),
                    lessons::content_hash.eq(&l.content_hash),
                    lessons::added_in_version.eq(version),
                    lessons::changed_in_version.eq(version),
                ));
            }
        }
    }
    if !rows.is_empty() {
        diesel::insert_into(lessons::table)
            .values(rows)
            .on_conflict((lessons::course_id, lessons::slug))
            .do_update()
            .set((
                lessons::module_id.eq(excluded(lessons::module_id)),
                lessons::position.eq(excluded(lessons::position)),
                lessons::title.eq(excluded(lessons::title)),
                lessons::estimated_minutes.eq(excluded(lessons::estimated_minutes)),
                lessons::objectives.eq(excluded(lessons::objectives)),
                lessons::free_preview.eq(excluded(lessons::free_preview)),
                lessons::body_html.eq(excluded(lessons::body_html)),
                lessons::content_hash.eq(excluded(lessons::content_hash)),
                lessons::changed_in_version.eq(excluded(lessons::changed_in_version)),
                lessons::retired_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(tx)
            .await?;
    }
    let keep: Vec<&str> = m
        .modules
        .iter()
        .flat_map(|x| x.lessons.iter().map(|l| l.slug.as_str()))
        .collect();
    retire_missing(report, "lesson", &old, &keep);
    diesel::update(
        lessons::table
            .filter(lessons::course_id.eq(course_id))
            .filter(lessons::retired_at.is_null())
            .filter(lessons::slug.ne_all(&keep)),
    )
    .set(lessons::retired_at.eq(t.now))
    .execute(tx)
    .await?;
    Ok(())
}

/// The modules that have a question bank, with it.
fn banks(m: &CourseModel) -> Vec<(&ModuleModel, &BankModel)> {
    m.modules
        .iter()
        .filter_map(|md| md.bank.as_ref().map(|b| (md, b)))
        .collect()
}

/// Question banks (one per module that has questions): upserts them, retires the missing
/// ones, and returns every bank's ID by slug.
async fn import_banks(
    tx: &mut AsyncPgConnection,
    t: Target<'_>,
    module_ids: &HashMap<String, Uuid>,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let course_id = t.course_id;
    let banks = banks(t.model);
    if !banks.is_empty() {
        let rows: Vec<_> = banks
            .iter()
            .map(|(md, b)| {
                (
                    question_banks::course_id.eq(course_id),
                    question_banks::module_id.eq(Some(module_ids[&md.slug])),
                    question_banks::slug.eq(&b.slug),
                )
            })
            .collect();
        diesel::insert_into(question_banks::table)
            .values(rows)
            .on_conflict((question_banks::course_id, question_banks::slug))
            .do_update()
            .set((
                question_banks::module_id.eq(excluded(question_banks::module_id)),
                question_banks::retired_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(tx)
            .await?;
    }
    let keep_banks: Vec<&str> = banks.iter().map(|(_, b)| b.slug.as_str()).collect();
    diesel::update(
        question_banks::table
            .filter(question_banks::course_id.eq(course_id))
            .filter(question_banks::retired_at.is_null())
            .filter(question_banks::slug.ne_all(&keep_banks)),
    )
    .set(question_banks::retired_at.eq(t.now))
    .execute(tx)
    .await?;
    Ok(question_banks::table
        .filter(question_banks::course_id.eq(course_id))
        .select((question_banks::slug, question_banks::id))
        .load::<(String, Uuid)>(tx)
        .await?
        .into_iter()
        .collect())
}

/// Questions, keyed by bank and slug: upserts the new and changed ones (500 rows a statement)
/// and retires the missing ones.
async fn import_questions(
    tx: &mut AsyncPgConnection,
    report: &mut CourseReport,
    t: Target<'_>,
    bank_ids: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let banks = banks(t.model);
    let old: Stored = questions::table
        .inner_join(question_banks::table)
        .filter(question_banks::course_id.eq(t.course_id))
        .select((
            question_banks::slug,
            questions::slug,
            questions::content_hash,
            questions::retired_at,
        ))
        .load::<(String, String, String, Option<DateTime<Utc>>)>(tx)
        .await?
        .into_iter()
        .map(|(b, s, h, r)| (format!("{b}/{s}"), (h, r)))
        .collect();
    let mut rows = Vec::new();
    let mut keep_q: Vec<(Uuid, &str)> = Vec::new();
    for (_, b) in &banks {
        let bank_id = bank_ids[&b.slug];
        for q in &b.questions {
            keep_q.push((bank_id, q.slug.as_str()));
            let key = format!("{}/{}", b.slug, q.slug);
            if diff(report, "question", &key, &q.content_hash, old.get(&key)) {
                rows.push((
                    questions::bank_id.eq(bank_id),
                    questions::slug.eq(&q.slug),
                    questions::position.eq(q.position),
                    questions::kind.eq(&q.kind),
                    questions::prompt_html.eq(&q.prompt_html),
                    questions::explanation_html.eq(&q.explanation_html),
                    questions::shuffle.eq(q.shuffle),
                    questions::spec.eq(&q.spec),
                    questions::must_pass.eq(q.must_pass),
                    questions::review_href.eq(q.review.as_ref().map(|r| r.href.as_str())),
                    questions::review_label.eq(q.review.as_ref().map(|r| r.label.as_str())),
                    questions::content_hash.eq(&q.content_hash),
                ));
            }
        }
    }
    for chunk in rows.chunks(500) {
        diesel::insert_into(questions::table)
            .values(chunk.to_vec())
            .on_conflict((questions::bank_id, questions::slug))
            .do_update()
            .set((
                questions::position.eq(excluded(questions::position)),
                questions::kind.eq(excluded(questions::kind)),
                questions::prompt_html.eq(excluded(questions::prompt_html)),
                questions::explanation_html.eq(excluded(questions::explanation_html)),
                questions::shuffle.eq(excluded(questions::shuffle)),
                questions::spec.eq(excluded(questions::spec)),
                questions::must_pass.eq(excluded(questions::must_pass)),
                questions::review_href.eq(excluded(questions::review_href)),
                questions::review_label.eq(excluded(questions::review_label)),
                questions::content_hash.eq(excluded(questions::content_hash)),
                questions::retired_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(tx)
            .await?;
    }
    retire_questions(tx, report, t, bank_ids, &banks, &old, &keep_q).await
}

/// Retires every live question of the course not in the files, in one statement.
async fn retire_questions(
    tx: &mut AsyncPgConnection,
    report: &mut CourseReport,
    t: Target<'_>,
    bank_ids: &HashMap<String, Uuid>,
    banks: &[(&ModuleModel, &BankModel)],
    old: &Stored,
    keep_q: &[(Uuid, &str)],
) -> anyhow::Result<()> {
    let keep_keys: BTreeSet<String> = banks
        .iter()
        .flat_map(|(_, b)| {
            b.questions
                .iter()
                .map(move |q| format!("{}/{}", b.slug, q.slug))
        })
        .collect();
    let gone: Vec<String> = old
        .iter()
        .filter(|(k, (_, r))| r.is_none() && !keep_keys.contains(*k))
        .map(|(k, _)| k.clone())
        .collect();
    for k in &gone {
        report.retired.push(format!("question {k}"));
    }
    if gone.is_empty() {
        return Ok(());
    }
    let bank_list: Vec<Uuid> = bank_ids.values().copied().collect();
    let live_keep: Vec<String> = keep_q.iter().map(|(b, s)| format!("{b}/{s}")).collect();
    diesel::sql_query(
        "UPDATE questions SET retired_at = $1
          WHERE bank_id = ANY($2) AND retired_at IS NULL
            AND NOT ((bank_id::text || '/' || slug) = ANY($3))",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(t.now)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&bank_list)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&live_keep)
    .execute(tx)
    .await?;
    Ok(())
}

/// Quizzes: upserts the new and changed ones and retires the missing ones.
async fn import_quizzes(
    tx: &mut AsyncPgConnection,
    report: &mut CourseReport,
    t: Target<'_>,
    module_ids: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let (m, course_id) = (t.model, t.course_id);
    let old: Stored = quizzes::table
        .filter(quizzes::course_id.eq(course_id))
        .select((quizzes::slug, quizzes::content_hash, quizzes::retired_at))
        .load::<(String, String, Option<DateTime<Utc>>)>(tx)
        .await?
        .into_iter()
        .map(|(s, h, r)| (s, (h, r)))
        .collect();
    let rows: Vec<_> = m
        .quizzes
        .iter()
        .filter(|q| diff(report, "quiz", &q.slug, &q.content_hash, old.get(&q.slug)))
        .map(|q| {
            (
                quizzes::course_id.eq(course_id),
                quizzes::module_id.eq(q.module_slug.as_ref().map(|s| module_ids[s])),
                quizzes::slug.eq(&q.slug),
                quizzes::title.eq(&q.title),
                quizzes::is_final.eq(q.is_final),
                quizzes::required.eq(q.required),
                quizzes::requires_other_requirements.eq(q.requires_other_requirements),
                quizzes::pass_percent.eq(q.pass_percent),
                quizzes::max_attempts.eq(q.max_attempts),
                quizzes::time_limit_minutes.eq(q.time_limit_minutes),
                quizzes::cooldown_minutes.eq(q.cooldown_minutes),
                quizzes::review.eq(&q.review),
                quizzes::draw.eq(json!(q.draw)),
                quizzes::content_hash.eq(&q.content_hash),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(quizzes::table)
            .values(rows)
            .on_conflict((quizzes::course_id, quizzes::slug))
            .do_update()
            .set((
                quizzes::module_id.eq(excluded(quizzes::module_id)),
                quizzes::title.eq(excluded(quizzes::title)),
                quizzes::is_final.eq(excluded(quizzes::is_final)),
                quizzes::required.eq(excluded(quizzes::required)),
                quizzes::requires_other_requirements
                    .eq(excluded(quizzes::requires_other_requirements)),
                quizzes::pass_percent.eq(excluded(quizzes::pass_percent)),
                quizzes::max_attempts.eq(excluded(quizzes::max_attempts)),
                quizzes::time_limit_minutes.eq(excluded(quizzes::time_limit_minutes)),
                quizzes::cooldown_minutes.eq(excluded(quizzes::cooldown_minutes)),
                quizzes::review.eq(excluded(quizzes::review)),
                quizzes::draw.eq(excluded(quizzes::draw)),
                quizzes::content_hash.eq(excluded(quizzes::content_hash)),
                quizzes::retired_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(tx)
            .await?;
    }
    let keep: Vec<&str> = m.quizzes.iter().map(|q| q.slug.as_str()).collect();
    retire_missing(report, "quiz", &old, &keep);
    diesel::update(
        quizzes::table
            .filter(quizzes::course_id.eq(course_id))
            .filter(quizzes::retired_at.is_null())
            .filter(quizzes::slug.ne_all(&keep)),
    )
    .set(quizzes::retired_at.eq(t.now))
    .execute(tx)
    .await?;
    Ok(())
}

/// Externship requirements: definitions keyed by slug, replaced as a whole.
async fn import_externship(tx: &mut AsyncPgConnection, t: Target<'_>) -> anyhow::Result<()> {
    use externship_department_requirements as dept;
    use externship_procedure_requirements as proc;
    let course_id = t.course_id;
    diesel::delete(dept::table.filter(dept::course_id.eq(course_id)))
        .execute(tx)
        .await?;
    diesel::delete(proc::table.filter(proc::course_id.eq(course_id)))
        .execute(tx)
        .await?;
    let Some(e) = t.model.externship.as_ref() else {
        return Ok(());
    };
    if !e.departments.is_empty() {
        let rows: Vec<_> = e
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| {
                (
                    dept::course_id.eq(course_id),
                    dept::slug.eq(&d.slug),
                    dept::name.eq(&d.name),
                    dept::position.eq(i as i32),
                    dept::min_hours.eq(d.minimum),
                )
            })
            .collect();
        diesel::insert_into(dept::table)
            .values(rows)
            .execute(tx)
            .await?;
    }
    if !e.procedures.is_empty() {
        let rows: Vec<_> = e
            .procedures
            .iter()
            .enumerate()
            .map(|(i, d)| {
                (
                    proc::course_id.eq(course_id),
                    proc::slug.eq(&d.slug),
                    proc::name.eq(&d.name),
                    proc::position.eq(i as i32),
                    proc::min_count.eq(d.minimum as i32),
                )
            })
            .collect();
        diesel::insert_into(proc::table)
            .values(rows)
            .execute(tx)
            .await?;
    }
    Ok(())
}

/// Assets: upserts the new and changed files and deletes the missing ones.
async fn import_assets(tx: &mut AsyncPgConnection, t: Target<'_>) -> anyhow::Result<()> {
    let (m, course_id) = (t.model, t.course_id);
    let old_assets: HashMap<String, String> = course_assets::table
        .filter(course_assets::course_id.eq(course_id))
        .select((course_assets::path, course_assets::sha256))
        .load::<(String, String)>(tx)
        .await?
        .into_iter()
        .collect();
    let rows: Vec<_> = m
        .assets
        .iter()
        .filter(|a| old_assets.get(&a.path) != Some(&a.sha256))
        .map(|a| {
            (
                course_assets::course_id.eq(course_id),
                course_assets::path.eq(&a.path),
                course_assets::content_type.eq(&a.content_type),
                course_assets::bytes.eq(&a.bytes),
                course_assets::sha256.eq(&a.sha256),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(course_assets::table)
            .values(rows)
            .on_conflict((course_assets::course_id, course_assets::path))
            .do_update()
            .set((
                course_assets::content_type.eq(excluded(course_assets::content_type)),
                course_assets::bytes.eq(excluded(course_assets::bytes)),
                course_assets::sha256.eq(excluded(course_assets::sha256)),
            ))
            .execute(tx)
            .await?;
    }
    let keep: Vec<&str> = m.assets.iter().map(|a| a.path.as_str()).collect();
    diesel::delete(
        course_assets::table
            .filter(course_assets::course_id.eq(course_id))
            .filter(course_assets::path.ne_all(&keep)),
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Whether an item must be written (new, changed or coming back), noting it in the report.
fn diff(
    report: &mut CourseReport,
    kind: &str,
    slug: &str,
    hash: &str,
    old: Option<&(String, Option<DateTime<Utc>>)>,
) -> bool {
    match old {
        None => {
            report.added.push(format!("{kind} {slug}"));
            true
        }
        Some((_, Some(_))) => {
            report.added.push(format!("{kind} {slug} (restored)"));
            true
        }
        Some((h, None)) if h != hash => {
            report.changed.push(format!("{kind} {slug}"));
            true
        }
        _ => false,
    }
}

fn retire_missing(report: &mut CourseReport, kind: &str, old: &Stored, keep: &[&str]) {
    let mut gone: Vec<&String> = old
        .iter()
        .filter(|(s, (_, r))| r.is_none() && !keep.contains(&s.as_str()))
        .map(|(s, _)| s)
        .collect();
    gone.sort();
    for s in gone {
        report.retired.push(format!("{kind} {s}"));
    }
}
