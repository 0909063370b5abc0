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
/// - every operation with query parameters can answer 400 `invalid_query` (a value its type
///   does not read, such as an unknown enum variant, or a rule between parameters);
/// - `page` (1 to 1000000) and `per_page` (1 to 100) query parameters carry their ranges, and
///   `q` its 200-character bound and its refusal of control characters (see `paging`);
/// - the text fields of [`TRIMMED_TEXT`], whose rules (counted after trimming) need a pattern,
///   and the free-form objects of [`FREE_FORM`];
/// - the main flows' response `links` (see [`LINKS`]), which say where an ID in a response is
///   used next (schemathesis's stateful phase follows them).
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
            if has_query_parameters(op) {
                add_error(&mut op.responses, "400", "invalid_query");
            }
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p {
                    bound_query_parameter(p);
                }
            }
        }
    }
    add_text_rules(api);
    add_links(api);
}

/// Unicode White_Space, what `str::trim` removes (spelled out: `\s` differs between the regex
/// engines that read the document).
const WHITE_SPACE: &str =
    r"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// `char::is_control`: the Unicode category Cc.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// Cc without the line feed.
const CONTROL_BUT_NEWLINE: &str = r"\u0000-\u0009\u000b-\u001f\u007f-\u009f";

/// How a trimmed text field is read.
#[derive(Clone, Copy)]
enum Text {
    /// 1 to N characters without control characters, after trimming (`cohorts::input::name`).
    Name(usize),
    /// Blank (none) or at most N characters without control characters but line feeds, after
    /// trimming (`cohorts::input::reason`).
    Note(usize),
    /// 3 to 64 of `A-Z`, `a-z`, `0-9` and `-` after trimming (`cohorts::codes::normalise`).
    Code,
}

/// Request fields read trimmed: (schema, property, rule).
const TRIMMED_TEXT: &[(&str, &str, Text)] = &[
    ("CreateCohort", "name", Text::Name(200)),
    ("UpdateCohort", "name", Text::Name(200)),
    ("WithdrawMember", "reason", Text::Note(500)),
    ("CreateCode", "code", Text::Code),
];

/// The pattern of a rule: the surrounding white space is free, the rest is counted.
fn text_pattern(rule: Text) -> String {
    let (ws, cc, nl) = (WHITE_SPACE, CONTROL, CONTROL_BUT_NEWLINE);
    let edge = format!("[^{ws}{cc}]");
    let core = match rule {
        Text::Name(max) => format!("{edge}(?:[^{cc}]{{0,{}}}{edge})?", max - 2),
        Text::Note(max) => format!("(?:{edge}(?:[^{nl}]{{0,{}}}{edge})?)?", max - 2),
        Text::Code => "[A-Za-z0-9-]{3,64}".to_string(),
    };
    format!("^[{ws}]*{core}[{ws}]*$")
}

/// Free-form objects (any keys, any values): `additionalProperties: true` says so, where a bare
/// `type: object` reads as "no properties" to code generators. utoipa drops its attribute on a
/// `value_type = Object` field, so it is set here.
const FREE_FORM: &[(&str, &str)] = &[
    ("ErrorBody", "details"),
    ("AuditEvent", "details"),
    ("AttemptView", "answers"),
    ("SaveAnswers", "answers"),
];

fn add_text_rules(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::AdditionalProperties;
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for &(schema, name, rule) in TRIMMED_TEXT {
        property_mut(components, schema, name).pattern = Some(text_pattern(rule));
    }
    for &(schema, name) in FREE_FORM {
        property_mut(components, schema, name).additional_properties =
            Some(Box::new(AdditionalProperties::FreeForm(true)));
    }
}

/// A property of a component schema; a name that is not in the document is a bug here.
fn property_mut<'a>(
    components: &'a mut utoipa::openapi::Components,
    schema: &str,
    property: &str,
) -> &'a mut utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::Schema;
    let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(schema) else {
        panic!("{schema} is not an object schema of the document");
    };
    match o.properties.get_mut(property) {
        Some(RefOr::T(Schema::Object(p))) => p,
        _ => panic!("{schema}.{property} is not a property of the document"),
    }
}

fn has_query_parameters(op: &utoipa::openapi::path::Operation) -> bool {
    use utoipa::openapi::path::ParameterIn;
    op.parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)))
}

/// One OpenAPI link: from the 2xx responses of `from` to `to`, with the target's parameters
/// (name, runtime expression) and, when it reads one, its request body.
struct LinkSpec {
    from: &'static str,
    name: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    body: Option<fn() -> serde_json::Value>,
}

const fn link(
    from: &'static str,
    name: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
) -> LinkSpec {
    LinkSpec {
        from,
        name,
        to,
        parameters,
        body: None,
    }
}

const BODY_ID: &[(&str, &str)] = &[("id", "$response.body#/id")];
const PATH_ID: &[(&str, &str)] = &[("id", "$request.path.id")];
const LESSON: &[(&str, &str)] = &[
    ("id", "$request.path.id"),
    ("lesson", "$request.path.lesson"),
];
const FIRST_LESSON: &[(&str, &str)] = &[
    ("id", "$response.body#/id"),
    ("lesson", "$response.body#/modules/0/lessons/0/slug"),
];
const FIRST_QUIZ: &[(&str, &str)] = &[
    ("id", "$response.body#/id"),
    ("quiz", "$response.body#/modules/0/quiz/slug"),
];
const ATTEMPT: &[(&str, &str)] = &[("id", "$response.body#/id")];
const MEMBER: &[(&str, &str)] = &[("id", "$response.body#/enrolment_id")];
const ENTRY: &[(&str, &str)] = &[("id", "$request.path.id"), ("entry", "$response.body#/id")];

/// The main flows, by operation ID: an account signs in and reads itself; a learner enrols,
/// reads the enrolment, opens, times and completes a lesson, opens a quiz and starts, saves and
/// submits an attempt, logs an externship shift and edits it; an admin creates a cohort, its
/// codes (which a learner joins with) and members (whose enrolment staff extend, move,
/// withdraw and re-activate), an externship site and a placement.
const LINKS: &[LinkSpec] = &[
    LinkSpec {
        from: "register",
        name: "SignIn",
        to: "login",
        parameters: &[],
        body: Some(
            || serde_json::json!({"email": "$request.body#/email", "password": "$request.body#/password"}),
        ),
    },
    link("login", "Me", "me", &[]),
    link("login", "MyEnrolments", "my_enrolments", &[]),
    link("me", "UpdateMe", "update_me", &[]),
    link("enrol", "Enrolment", "get_enrolment", BODY_ID),
    link("enrol", "Withdraw", "withdraw", BODY_ID),
    link("join", "Enrolment", "get_enrolment", BODY_ID),
    link("get_enrolment", "FirstLesson", "get_lesson", FIRST_LESSON),
    link("get_enrolment", "FirstQuiz", "get_quiz", FIRST_QUIZ),
    link(
        "get_enrolment",
        "StartFirstQuiz",
        "start_attempt",
        FIRST_QUIZ,
    ),
    link("get_enrolment", "Externship", "overview", BODY_ID),
    link("get_lesson", "Complete", "complete_lesson", LESSON),
    link("get_lesson", "Heartbeat", "heartbeat", LESSON),
    link(
        "get_quiz",
        "Start",
        "start_attempt",
        &[("id", "$request.path.id"), ("quiz", "$request.path.quiz")],
    ),
    link("start_attempt", "Attempt", "get_attempt", ATTEMPT),
    link("start_attempt", "Save", "save_answers", ATTEMPT),
    link("start_attempt", "Submit", "submit_attempt", ATTEMPT),
    link("get_attempt", "Save", "save_answers", PATH_ID),
    link("save_answers", "Submit", "submit_attempt", PATH_ID),
    link("log_shift", "Edit", "edit_entry", ENTRY),
    link("log_shift", "Delete", "delete_entry", ENTRY),
    link("log_collections", "Entries", "list_entries", PATH_ID),
    link("create_cohort", "Cohort", "get_cohort", BODY_ID),
    link("create_cohort", "Update", "update_cohort", BODY_ID),
    link("create_cohort", "Archive", "archive_cohort", BODY_ID),
    link("create_cohort", "Codes", "list_codes", BODY_ID),
    link("create_cohort", "CreateCode", "create_code", BODY_ID),
    link("create_cohort", "Members", "list_members", BODY_ID),
    link("create_cohort", "AddMember", "add_member", BODY_ID),
    link("create_cohort", "Dashboard", "dashboard", BODY_ID),
    link("create_cohort", "Outcomes", "outcomes", BODY_ID),
    link("archive_cohort", "Unarchive", "unarchive_cohort", PATH_ID),
    link("create_code", "Update", "update_code", BODY_ID),
    LinkSpec {
        from: "create_code",
        name: "Join",
        to: "join",
        parameters: &[],
        body: Some(|| serde_json::json!({"code": "$response.body#/code"})),
    },
    link("add_member", "Extend", "extend_member", MEMBER),
    link("add_member", "Move", "move_member", MEMBER),
    link("add_member", "Withdraw", "withdraw_member", MEMBER),
    link("withdraw_member", "Reactivate", "reactivate", PATH_ID),
    link("create_site", "Site", "get_site", BODY_ID),
    link("create_site", "Update", "update_site", BODY_ID),
    link("create_placement", "Update", "update_placement", BODY_ID),
];

/// Adds [`LINKS`] to the 2xx responses of their source operations. A link naming an
/// operation ID that is not in the document is a programming error (a test builds it).
fn add_links(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    let known: std::collections::HashSet<String> = operations(api)
        .filter_map(|op| op.operation_id.clone())
        .collect();
    for spec in LINKS {
        assert!(
            known.contains(spec.to),
            "link to unknown operation {}",
            spec.to
        );
    }
    for item in api.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            let Some(id) = op.operation_id.clone() else {
                continue;
            };
            for spec in LINKS.iter().filter(|l| l.from == id) {
                let mut builder = LinkBuilder::new().operation_id(spec.to);
                for (name, value) in spec.parameters {
                    builder = builder.parameter(*name, *value);
                }
                let built = builder.request_body(spec.body.map(|b| b())).build();
                for (status, response) in op.responses.responses.iter_mut() {
                    if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
                        r.links.insert(spec.name.into(), RefOr::T(built.clone()));
                    }
                }
            }
        }
    }
}

fn operations(
    api: &utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &utoipa::openapi::path::Operation> {
    api.paths.paths.values().flat_map(|item| {
        [&item.get, &item.put, &item.post, &item.patch, &item.delete]
            .into_iter()
            .flatten()
    })
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
        "q" => {
            o.max_length = Some(200);
            // `char::is_control`: the Unicode category Cc.
            o.pattern = Some(format!("^[^{CONTROL}]*$"));
        }
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

    /// The `Allow` value for a route pattern (`/api/v1/enrolments/{id}`), when it is one. A
    /// segment's regex (`{path:.*}`, as the router writes it) is not in the document's path.
    pub fn allow(&self, pattern: &str) -> Option<&str> {
        self.0.get(&document_path(pattern)).map(String::as_str)
    }
}

/// A router pattern as the document writes it: `/assets/{path:.*}` is `/assets/{path}`.
fn document_path(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut in_regex = false;
    for c in pattern.chars() {
        match c {
            ':' if out.rfind('{') > out.rfind('}') => in_regex = true,
            '}' => {
                in_regex = false;
                out.push(c);
            }
            _ if in_regex => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::document_path;

    #[test]
    fn a_segment_regex_is_not_in_the_document_path() {
        assert_eq!(
            document_path("/api/v1/courses/{slug}/assets/{path:.*}"),
            "/api/v1/courses/{slug}/assets/{path}"
        );
        assert_eq!(
            document_path("/api/v1/enrolments/{id}"),
            "/api/v1/enrolments/{id}"
        );
    }
}
