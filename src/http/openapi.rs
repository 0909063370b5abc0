//! The OpenAPI document, built from the handlers' annotations, and the browsable reference.
//!
//! `/api/openapi.json` serves the document; `/api/docs/` serves Swagger UI from assets
//! compiled into the binary (the `vendored` feature), so the page works with no internet.
//! `docs/openapi.json` is the committed snapshot; a test fails when the two differ.

use std::sync::Arc;

use actix_web::{HttpResponse, http::header, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Benchside API",
        description = "Course delivery for allied-health career training: courses, enrolments, \
            quizzes, clinical externships and verifiable certificates.\n\n\
            Errors always have the shape \
            `{\"error\": {\"code\": \"...\", \"message\": \"...\", \"details\": {...}}}`; \
            `code` is stable, `message` is for people. Every response carries `X-Request-Id`.",
        license(name = "Proprietary"),
    ),
    components(schemas(
        crate::http::error::ErrorEnvelope,
        crate::http::error::ErrorBody,
        crate::http::error::ErrorCode
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "operations", description = "Prometheus metrics for operators (a token of their own, not a user's session)"),
        (name = "auth", description = "Registration, email verification, sign-in, sessions and password reset"),
        (name = "me", description = "The signed-in user's own account"),
        (name = "catalog", description = "Published courses and their outlines (no account needed)"),
        (name = "learning", description = "Enrolment, lessons, progress and the learner's dashboard"),
        (name = "quizzes", description = "Quizzes and exams: attempts, autosaved answers, grading and review"),
        (name = "credentials", description = "Signed certificates: the signing keys, the issuer profile and the revocation status lists (no account needed)"),
        (name = "admin", description = "Administration (admins only)"),
        (name = "cohorts", description = "Cohorts, their codes and members, and bulk enrolment (admins, and staff for the cohorts they own)"),
    ),
)]
struct ApiDoc;

/// The `bearer` security scheme: `Authorization: Bearer <access token>`.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from `POST /api/v1/auth/login` or `/auth/refresh`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's base: description, shared schemas, security scheme and tags. The routes
/// are added by `startup::openapi_document`.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn docs_routes(cfg: &mut web::ServiceConfig, api: Arc<utoipa::openapi::OpenApi>) {
    cfg.route(
        "/api/docs",
        web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, "/api/docs/"))
                .finish()
        }),
    )
    .service(
        SwaggerUi::new("/api/docs/{_:.*}")
            .url("/api/openapi.json", (*api).clone())
            // Swagger UI would otherwise ask validator.swagger.io for a badge.
            .config(SwaggerConfig::new(["/api/openapi.json"]).validator_url("none")),
    );
}
