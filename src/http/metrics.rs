//! Request metrics, recorded by the outermost middleware for every response: a latency
//! histogram by route template, method and status, and the count of failed sign-ins. The
//! `/metrics` route (in [`crate::metrics`]) encodes them with the gauges it reads at scrape time.
//!
//! Labels stay bounded: the route is the matched template (`/api/v1/enrolments/{id}`), never
//! the path, and requests no route takes share `route="unmatched"`.

use actix_web::http::Method;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The sign-in route, whose 401 answers are failed sign-ins (a test keeps it in step with the
/// route table).
pub const SIGN_IN_ROUTE: &str = "/api/v1/auth/login";

/// Upper bounds in seconds: 1 ms to 10 s, about three per decade.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(clippy::upper_case_acronyms)]
pub enum MethodLabel {
    GET,
    HEAD,
    POST,
    PUT,
    PATCH,
    DELETE,
    OPTIONS,
    OTHER,
}

impl From<&Method> for MethodLabel {
    fn from(m: &Method) -> Self {
        match *m {
            Method::GET => MethodLabel::GET,
            Method::HEAD => MethodLabel::HEAD,
            Method::POST => MethodLabel::POST,
            Method::PUT => MethodLabel::PUT,
            Method::PATCH => MethodLabel::PATCH,
            Method::DELETE => MethodLabel::DELETE,
            Method::OPTIONS => MethodLabel::OPTIONS,
            _ => MethodLabel::OTHER,
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: MethodLabel,
    pub status: u16,
}

type Durations = Family<RequestLabels, Histogram, fn() -> Histogram>;

/// Shared by every worker of a process (one `Arc` in the app data).
pub struct RequestMetrics {
    durations: Durations,
    sign_in_failures: Counter,
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

impl Default for RequestMetrics {
    fn default() -> Self {
        RequestMetrics {
            durations: Family::new_with_constructor(histogram),
            sign_in_failures: Counter::default(),
        }
    }
}

impl RequestMetrics {
    /// Records one answered request. `route` is the matched template, if any.
    pub fn observe(&self, route: Option<&str>, method: &Method, status: u16, seconds: f64) {
        let route = route.unwrap_or("unmatched");
        if status == 401 && route == SIGN_IN_ROUTE {
            self.sign_in_failures.inc();
        }
        let labels = RequestLabels {
            route: route.to_string(),
            method: method.into(),
            status,
        };
        self.durations.get_or_create(&labels).observe(seconds);
    }

    /// Adds this process's request metrics to a registry being encoded.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "http_request_duration_seconds",
            "Time from receiving a request to its response, by route template, method and status",
            self.durations.clone(),
        );
        registry.register(
            "benchside_sign_in_failures",
            "Sign-ins refused for a wrong email or password",
            self.sign_in_failures.clone(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::text::encode;

    fn encoded(m: &RequestMetrics) -> String {
        let mut registry = Registry::default();
        m.register(&mut registry);
        let mut out = String::new();
        encode(&mut out, &registry).unwrap();
        out
    }

    #[test]
    fn requests_are_counted_by_template_method_and_status() {
        let m = RequestMetrics::default();
        m.observe(Some("/api/v1/enrolments/{id}"), &Method::GET, 200, 0.003);
        m.observe(Some("/api/v1/enrolments/{id}"), &Method::GET, 200, 0.2);
        m.observe(None, &Method::from_bytes(b"BREW").unwrap(), 404, 0.0001);
        let out = encoded(&m);
        assert!(out.contains(
            r#"http_request_duration_seconds_count{route="/api/v1/enrolments/{id}",method="GET",status="200"} 2"#
        ), "{out}");
        assert!(out.contains(
            r#"http_request_duration_seconds_bucket{le="0.005",route="/api/v1/enrolments/{id}",method="GET",status="200"} 1"#
        ), "{out}");
        assert!(out.contains(
            r#"http_request_duration_seconds_count{route="unmatched",method="OTHER",status="404"} 1"#
        ), "{out}");
    }

    #[test]
    fn only_refused_sign_ins_count_as_failures() {
        let m = RequestMetrics::default();
        m.observe(Some(SIGN_IN_ROUTE), &Method::POST, 401, 0.05);
        m.observe(Some(SIGN_IN_ROUTE), &Method::POST, 200, 0.05);
        m.observe(Some("/api/v1/auth/refresh"), &Method::POST, 401, 0.01);
        assert!(encoded(&m).contains("benchside_sign_in_failures_total 1\n"));
    }
}
