//! The aggregate read behind the summary: two grouped queries, pipelined, whatever the number
//! of entries.

use std::collections::BTreeMap;

use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::super::requirements::Totals;
use super::super::state::{CollectionType, EntryKind, EntryState, Rating};
use crate::db::schema::{externship_competency_ratings as r, externship_entries as e};

type Group = (
    EntryKind,
    EntryState,
    Option<String>,
    Option<CollectionType>,
    Option<bool>,
    Option<bool>,
    i64,
    Option<i64>,
);

/// An enrolment's totals: counted entries (not superseded) grouped by kind, state, department,
/// type and outcome, and satisfactory ratings by competency.
pub async fn totals(conn: &AsyncPgConnection, enrolment: Uuid) -> QueryResult<Totals> {
    let groups = e::table
        .filter(e::enrolment_id.eq(enrolment))
        .filter(e::superseded_at.is_null())
        .filter(e::state.ne(EntryState::Draft))
        .group_by((
            e::kind,
            e::state,
            e::department,
            e::collection_type,
            e::successful,
            e::unaided,
        ))
        .select((
            e::kind,
            e::state,
            e::department,
            e::collection_type,
            e::successful,
            e::unaided,
            count_star(),
            sum(e::minutes),
        ))
        .load::<Group>(&mut &*conn);
    let ratings = r::table
        .filter(r::enrolment_id.eq(enrolment))
        .filter(r::rating.eq(Rating::Satisfactory))
        .group_by(r::competency)
        .select((r::competency, count_star()))
        .load::<(String, i64)>(&mut &*conn);
    let (groups, ratings) = futures_util::try_join!(groups, ratings)?;
    Ok(fold(&groups, ratings))
}

fn fold(groups: &[Group], ratings: Vec<(String, i64)>) -> Totals {
    let mut t = Totals {
        satisfactory: ratings.into_iter().collect::<BTreeMap<_, _>>(),
        ..Totals::default()
    };
    for (kind, state, dept, ctype, ok, unaided, n, minutes) in groups {
        let minutes = minutes.unwrap_or(0);
        match state {
            EntryState::Approved => match kind {
                EntryKind::Shift => {
                    *t.minutes_by_department
                        .entry(dept.clone().unwrap_or_default())
                        .or_default() += minutes;
                }
                EntryKind::Collection => {
                    t.attempts += n;
                    if let (Some(c), Some(true), Some(true)) = (ctype, ok, unaided) {
                        *t.counts.entry(c.as_str().to_string()).or_default() += n;
                    }
                }
            },
            EntryState::Submitted | EntryState::Attested => match kind {
                EntryKind::Shift => t.pending_minutes += minutes,
                EntryKind::Collection => t.pending_collections += n,
            },
            _ => {}
        }
    }
    t
}
