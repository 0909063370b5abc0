//! The OpenAPI document, built from the handlers' annotations, and the browsable reference.
//!
//! `/api/openapi.json` serves the document; `/api/docs/` serves Swagger UI from assets
//! compiled into the binary (the `vendored` feature), so the page works with no internet.
//! `docs/openapi.json` is the committed snapshot; a test fails when the two differ.

use std::sync::Arc;

use actix_web::{HttpResponse, http::header, web};
use utoipa::OpenApi;
use utoipa::openapi::RefOr;
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

/// What the server enforces beyond each handler's own annotations, added to the built document
/// in one place so no route can forget it:
///
/// - every operation that reads a JSON body can answer what the body reader refuses (see
///   `extract`): 400 `invalid_json`, 413 `payload_too_large`, 415 `unsupported_media_type` and
///   422 `invalid_body` (added to the operation's own 400 or 422 when it has one);
/// - `page` (1 to 1000000) and `per_page` (1 to 100) query parameters carry their ranges, and
///   `q` its 200-character bound (see `paging`).
pub fn add_enforced_rules(api: &mut utoipa::openapi::OpenApi) {
    for item in api.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            if reads_json(op) {
                for (status, code) in [
                    ("400", "invalid_json"),
                    ("413", "payload_too_large"),
                    ("415", "unsupported_media_type"),
                    ("422", "invalid_body"),
                ] {
                    add_error(&mut op.responses, status, code);
                }
            }
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p {
                    bound_query_parameter(p);
                }
            }
        }
    }
}

fn reads_json(op: &utoipa::openapi::path::Operation) -> bool {
    matches!(&op.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"))
}

/// Adds `` `code` `` to the response for `status`, or a response that names it.
fn add_error(responses: &mut utoipa::openapi::Responses, status: &str, code: &str) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let named = format!("`{code}`");
    match responses.responses.get_mut(status) {
        Some(RefOr::T(r)) if !r.description.contains(&named) => {
            r.description = if r.description.is_empty() {
                named
            } else {
                format!("{}; {named}", r.description)
            };
        }
        Some(_) => {}
        None => {
            let envelope = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                .build();
            let response = ResponseBuilder::new()
                .description(named)
                .content("application/json", envelope)
                .build();
            responses
                .responses
                .insert(status.into(), RefOr::T(response));
        }
    }
}

fn bound_query_parameter(p: &mut utoipa::openapi::path::Parameter) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::Schema;
    if !matches!(p.parameter_in, ParameterIn::Query) {
        return;
    }
    let Some(RefOr::T(Schema::Object(o))) = &mut p.schema else {
        return;
    };
    match p.name.as_str() {
        "page" => {
            o.minimum = Some(utoipa::Number::Int(1));
            o.maximum = Some(utoipa::Number::Int(1_000_000));
        }
        "per_page" => {
            o.minimum = Some(utoipa::Number::Int(1));
            o.maximum = Some(utoipa::Number::Int(100));
        }
        "q" => o.max_length = Some(200),
        _ => {}
    }
}

/// The methods each documented path answers, for the `Allow` header of a 405 (built from the
/// OpenAPI document, so it is the route table).
#[derive(Debug, Default, Clone)]
pub struct RouteMethods(std::collections::HashMap<String, String>);

impl RouteMethods {
    pub fn from_document(api: &utoipa::openapi::OpenApi) -> RouteMethods {
        let map = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, on)| on.then_some(m))
                .collect();
                methods.sort_unstable();
                (path.clone(), methods.join(", "))
            })
            .collect();
        RouteMethods(map)
    }

    /// The `Allow` value for a route pattern (`/api/v1/enrolments/{id}`), when it is one.
    pub fn allow(&self, pattern: &str) -> Option<&str> {
        self.0.get(pattern).map(String::as_str)
    }
}
