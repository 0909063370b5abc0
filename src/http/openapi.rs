//! The OpenAPI document, built from the handlers' annotations, and the browsable reference.
//!
//! `/api/openapi.json` serves the document; `/api/docs/` serves Swagger UI from assets
//! compiled into the binary (the `vendored` feature), so the page works with no internet.
//! `docs/openapi.json` is the committed snapshot; a test fails when the two differ.

use std::sync::Arc;

use actix_web::{HttpResponse, http::header, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
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
    components(schemas(crate::http::error::ErrorEnvelope, crate::http::error::ErrorBody)),
    tags((name = "health", description = "Liveness and readiness probes")),
)]
struct ApiDoc;

/// The complete OpenAPI document: the annotated routes of [`super::api_routes`].
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(super::api_routes)
        .split_for_parts();
    api
}

/// The document as pretty JSON with a trailing newline (the snapshot's format).
pub fn document_json() -> String {
    let mut s = document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
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
