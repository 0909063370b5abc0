//! The read behind the summary: the enrolment's tally rows (kept by triggers on the log, see
//! the migration) and its satisfactory ratings grouped by competency, two queries pipelined,
//! whatever the number of entries.

use std::collections::BTreeMap;

use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::super::requirements::Totals;
use super::super::state::{CollectionType, EntryKind, EntryState, Rating};
use crate::db::schema::{externship_competency_ratings as r, externship_tallies as t};

type Group = (EntryKind, EntryState, String, String, bool, bool, i32, i64);

/// An enrolment's totals: counted entries (not superseded) grouped by kind, state, department,
/// type and outcome, and satisfactory ratings by competency.
pub async fn totals(conn: &AsyncPgConnection, enrolment: Uuid) -> QueryResult<Totals> {
    let groups = t::table
        .filter(t::enrolment_id.eq(enrolment))
        .filter(t::counted.eq(true))
        .filter(t::state.ne(EntryState::Draft.as_str()))
        .filter(t::entries.gt(0))
        .select((
            t::kind,
            t::state,
            t::department,
            t::collection_type,
            t::successful,
            t::unaided,
            t::entries,
            t::minutes,
        ))
        .load::<(String, String, String, String, bool, bool, i32, i64)>(&mut &*conn);
    let ratings = r::table
        .filter(r::enrolment_id.eq(enrolment))
        .filter(r::rating.eq(Rating::Satisfactory))
        .group_by(r::competency)
        .select((r::competency, count_star()))
        .load::<(String, i64)>(&mut &*conn);
    let (groups, ratings) = futures_util::try_join!(groups, ratings)?;
    let groups: Vec<Group> = groups
        .into_iter()
        .filter_map(|(k, s, d, c, ok, un, n, m)| {
            Some((
                EntryKind::parse(&k)?,
                EntryState::parse(&s)?,
                d,
                c,
                ok,
                un,
                n,
                m,
            ))
        })
        .collect();
    Ok(fold(&groups, ratings))
}

fn fold(groups: &[Group], ratings: Vec<(String, i64)>) -> Totals {
    let mut t = Totals {
        satisfactory: ratings.into_iter().collect::<BTreeMap<_, _>>(),
        ..Totals::default()
    };
    for (kind, state, dept, ctype, ok, unaided, n, minutes) in groups {
        let (n, minutes) = (i64::from(*n), *minutes);
        match state {
            EntryState::Approved => match kind {
                EntryKind::Shift => {
                    *t.minutes_by_department.entry(dept.clone()).or_default() += minutes;
                }
                EntryKind::Collection => {
                    t.attempts += n;
                    if *ok && *unaided && CollectionType::parse(ctype).is_some() {
                        *t.counts.entry(ctype.clone()).or_default() += n;
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
