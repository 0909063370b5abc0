//! Progress against requirements: a pure function from the approved totals (one aggregate
//! read) and the course's externship rules to the summary the learner, the program and the
//! completion engine see. Certifying bodies' thresholds are evaluated the same way, as
//! readiness information beside the course's own requirements.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::learning::ExternshipStanding;
use crate::learning::progress::ExternshipRules;

/// What the approved (and pending) records add up to, per enrolment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Approved minutes by department (`""` for a shift without one).
    pub minutes_by_department: BTreeMap<String, i64>,
    /// Approved successful unaided collections by type.
    pub counts: BTreeMap<String, i64>,
    /// Approved collection attempts in all (successful or not, aided or not).
    pub attempts: i64,
    /// Minutes and collections submitted or attested, not yet approved.
    pub pending_minutes: i64,
    pub pending_collections: i64,
    /// Satisfactory ratings by competency, and the most recent rating of each.
    pub satisfactory: BTreeMap<String, i64>,
}

impl Totals {
    pub fn minutes(&self) -> i64 {
        self.minutes_by_department.values().sum()
    }

    pub fn successful_unaided(&self) -> i64 {
        self.counts.values().sum()
    }
}

/// One requirement: what counts, how much there is, and whether it is met.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Measure {
    pub slug: String,
    pub name: String,
    /// Approved hours, or a count.
    pub done: f64,
    pub required: f64,
    pub met: bool,
}

/// A certifying body's threshold, checked against the approved record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    pub slug: String,
    pub name: String,
    pub body: String,
    pub source: String,
    pub source_title: String,
    #[schema(required = true)]
    pub note: Option<String>,
    /// Each part of the threshold: clinical hours, each procedure, the combined total.
    pub measures: Vec<Measure>,
    pub met: bool,
}

/// The externship summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    /// Every requirement of the course is met by approved records.
    pub met: bool,
    pub hours: Measure,
    pub departments: Vec<Measure>,
    pub procedures: Vec<Measure>,
    /// The combined minimum of successful unaided collections, when the course sets one.
    #[schema(required = true)]
    pub procedures_total: Option<Measure>,
    pub competencies: Vec<Measure>,
    /// Approved collection attempts in all, successful or not.
    pub attempts: i64,
    /// Not yet approved: hours and collections submitted or attested.
    pub pending_hours: f64,
    pub pending_collections: i64,
    /// Certifying bodies' published thresholds (readiness information, not requirements).
    pub certifications: Vec<Readiness>,
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

fn measure(slug: &str, name: &str, done: f64, required: f64) -> Measure {
    Measure {
        slug: slug.to_string(),
        name: name.to_string(),
        done,
        required,
        met: done + 1e-9 >= required,
    }
}

fn count(totals: &Totals, slug: &str) -> f64 {
    totals.counts.get(slug).copied().unwrap_or(0) as f64
}

/// The summary of `totals` against `rules`.
pub fn evaluate(rules: &ExternshipRules, totals: &Totals) -> Summary {
    let all = totals.minutes();
    let hours_m = measure("hours", "Clinical hours", hours(all), rules.total_hours);
    let departments: Vec<Measure> = rules
        .departments
        .iter()
        .map(|d| {
            let m = totals
                .minutes_by_department
                .get(&d.slug)
                .copied()
                .unwrap_or(0);
            measure(&d.slug, &d.name, hours(m), d.min_hours)
        })
        .collect();
    let procedures: Vec<Measure> = rules
        .procedures
        .iter()
        .map(|p| measure(&p.slug, &p.name, count(totals, &p.slug), p.min_count as f64))
        .collect();
    let procedures_total = rules.min_total_procedures.map(|n| {
        let done: f64 = rules
            .procedures
            .iter()
            .map(|p| count(totals, &p.slug))
            .sum();
        measure(
            "total",
            "Successful unaided collections in all",
            done,
            n as f64,
        )
    });
    let competencies: Vec<Measure> = rules
        .competencies
        .iter()
        .map(|c| {
            let n = totals.satisfactory.get(&c.slug).copied().unwrap_or(0);
            measure(&c.slug, &c.name, n as f64, c.observations as f64)
        })
        .collect();
    let met = hours_m.met
        && departments.iter().all(|m| m.met)
        && procedures.iter().all(|m| m.met)
        && procedures_total.as_ref().is_none_or(|m| m.met)
        && competencies.iter().all(|m| m.met);
    Summary {
        met,
        hours: hours_m,
        departments,
        procedures,
        procedures_total,
        competencies,
        attempts: totals.attempts,
        pending_hours: hours(totals.pending_minutes),
        pending_collections: totals.pending_collections,
        certifications: readiness(rules, totals),
    }
}

fn readiness(rules: &ExternshipRules, totals: &Totals) -> Vec<Readiness> {
    let all = hours(totals.minutes());
    rules
        .certifications
        .iter()
        .map(|c| {
            let mut measures = Vec::new();
            if let Some(h) = c.clinical_hours {
                measures.push(measure("hours", "Clinical hours", all, h));
            }
            for p in &c.procedures {
                let name = rules
                    .procedures
                    .iter()
                    .find(|r| r.slug == p.slug)
                    .map_or(p.slug.as_str(), |r| r.name.as_str());
                measures.push(measure(
                    &p.slug,
                    name,
                    count(totals, &p.slug),
                    p.min_count as f64,
                ));
            }
            if let Some(n) = c.min_total_procedures {
                // Like the course's own combined minimum: every procedure type of the course.
                let done: f64 = rules
                    .procedures
                    .iter()
                    .map(|p| count(totals, &p.slug))
                    .sum();
                measures.push(measure(
                    "total",
                    "Successful unaided collections",
                    done,
                    n as f64,
                ));
            }
            Readiness {
                slug: c.slug.clone(),
                name: c.name.clone(),
                body: c.body.clone(),
                source: c.source.clone(),
                source_title: c.source_title.clone(),
                note: c.note.clone(),
                met: measures.iter().all(|m| m.met),
                measures,
            }
        })
        .collect()
}

/// The standing recorded on the enrolment for the completion engine and the dashboard.
pub fn standing(summary: &Summary, totals: &Totals) -> ExternshipStanding {
    ExternshipStanding {
        met: summary.met,
        minutes: totals.minutes(),
        counts: totals.counts.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> ExternshipRules {
        serde_json::from_value(json!({
            "total_hours": 20.0,
            "departments": [{"slug": "outpatient", "name": "Outpatient", "min_hours": 4.0}],
            "procedures": [
                {"slug": "venipuncture", "name": "Venipunctures", "min_count": 5},
                {"slug": "skin-puncture", "name": "Skin punctures", "min_count": 2}],
            "min_total_procedures": 8,
            "competencies": [{"slug": "id", "name": "Two identifiers", "observations": 2}],
            "certifications": [{"slug": "x", "name": "X", "body": "X", "source": "https://x",
                "source_title": "X", "clinical_hours": 10.0,
                "procedures": [{"slug": "venipuncture", "min_count": 3}],
                "min_total_procedures": 4}]
        }))
        .unwrap()
    }

    fn totals(minutes: i64, veni: i64, skin: i64, sat: i64) -> Totals {
        Totals {
            minutes_by_department: BTreeMap::from([("outpatient".into(), minutes)]),
            counts: BTreeMap::from([
                ("venipuncture".into(), veni),
                ("skin-puncture".into(), skin),
            ]),
            attempts: veni + skin,
            satisfactory: BTreeMap::from([("id".into(), sat)]),
            ..Totals::default()
        }
    }

    #[test]
    fn every_requirement_must_be_met() {
        let r = rules();
        let s = evaluate(&r, &totals(20 * 60, 6, 2, 2));
        assert!(s.met);
        assert_eq!(s.hours.done, 20.0);
        // The combined minimum (8) is met only with both types together.
        let s = evaluate(&r, &totals(20 * 60, 5, 2, 2));
        assert!(!s.met);
        assert!(!s.procedures_total.as_ref().unwrap().met);
        assert!(s.procedures.iter().all(|m| m.met));
        // A missing competency observation keeps the externship open.
        assert!(!evaluate(&r, &totals(20 * 60, 6, 2, 1)).met);
        assert!(!evaluate(&r, &totals(20 * 60 - 1, 6, 2, 2)).met);
    }

    #[test]
    fn certification_thresholds_are_readiness_apart_from_requirements() {
        let r = rules();
        let s = evaluate(&r, &totals(10 * 60, 3, 1, 0));
        assert!(!s.met);
        let c = &s.certifications[0];
        assert!(c.met, "{c:?}");
        assert_eq!(c.measures.len(), 3);
        let s = evaluate(&r, &totals(10 * 60, 2, 5, 0));
        assert!(!s.certifications[0].met, "3 venipunctures are needed");
    }
}
