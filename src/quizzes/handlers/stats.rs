//! `/api/v1/admin/courses/{slug}/questions/stats`: the item statistics of a course's
//! questions, each with its weakness flags.

use actix_web::{get, web};

use crate::accounts::StaffUser;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult};
use crate::quizzes::store;
use crate::quizzes::views::{self, ItemStats, QuestionStats};

fn round(v: Option<f64>, places: i32) -> Option<f64> {
    let f = 10f64.powi(places);
    v.map(|v| (v * f).round() / f)
}

/// Item statistics of a course's questions over submitted attempts (admins: every attempt;
/// staff: only for a course where they own a cohort, over their cohorts' members' attempts).
#[utoipa::path(
    tag = "admin",
    params(("slug" = String, Path, description = "The course's slug")),
    responses(
        (status = 200, body = QuestionStats),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no course has this slug (staff: none where they own a cohort)", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/courses/{slug}/questions/stats")]
pub async fn question_stats(
    db: web::Data<DbPool>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> AppResult<web::Json<QuestionStats>> {
    let slug = slug.into_inner();
    let conn = db.get().await?;
    let (attempts, rows) = store::item_stats(&conn, &slug, staff.scope.staff())
        .await?
        .ok_or_else(|| AppError::not_found("No course has this slug."))?;
    Ok(web::Json(QuestionStats {
        course: slug,
        attempts,
        questions: rows
            .into_iter()
            .map(|r| {
                let weak_reasons =
                    views::weak_reasons(r.shown, r.percent_correct, r.discrimination);
                ItemStats {
                    weak: !weak_reasons.is_empty(),
                    weak_reasons,
                    bank: r.bank,
                    slug: r.slug,
                    kind: r.kind,
                    retired: r.retired,
                    shown: r.shown,
                    answered: r.answered,
                    percent_correct: round(r.percent_correct, 1),
                    mean_credit: round(r.mean_credit, 2),
                    discrimination: round(r.discrimination, 2),
                }
            })
            .collect(),
    }))
}
