//! Which users' sessions, and which single sessions, were revoked recently, kept in memory so
//! checking an access token costs no database round trip.
//!
//! `users.sessions_revoked_at` (every session of a user) and `refresh_tokens.revoked_at` (one
//! session: its refresh-token family, ended by logout, refresh-token reuse and the rest) are
//! the source of truth. Each process refreshes these maps every `REFRESH_EVERY` from the rows
//! revoked within the last access-token lifetime (older revocations no longer matter: every
//! token issued before them has expired), and applies its own revocations at once. So a revocation takes effect immediately in the process that made
//! it and within `REFRESH_EVERY` everywhere else.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::DbPool;
use crate::db::schema::{refresh_tokens, users};

pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Revocations {
    /// user -> revoked-at, in Unix milliseconds.
    map: RwLock<HashMap<Uuid, i64>>,
    /// Ended sessions (refresh-token family -> ended-at, Unix milliseconds). A revoked family
    /// never gets a new token, so every access token of it is refused whenever it was issued.
    sessions: RwLock<HashMap<Uuid, i64>>,
}

impl Revocations {
    /// Whether a token issued at `issued_ms` (Unix milliseconds) for `user` in `session` has
    /// been revoked.
    pub fn is_revoked(&self, user: Uuid, session: Uuid, issued_ms: i64) -> bool {
        let by_user = self
            .map
            .read()
            .map(|m| m.get(&user).is_some_and(|&at| issued_ms < at))
            .unwrap_or(false);
        by_user
            || self
                .sessions
                .read()
                .map(|s| s.contains_key(&session))
                .unwrap_or(false)
    }

    /// Records that this process ended one session (refresh-token family).
    pub fn note_session(&self, session: Uuid) {
        if let Ok(mut s) = self.sessions.write() {
            s.insert(session, Utc::now().timestamp_millis());
        }
    }

    /// Records a revocation made by this process.
    pub fn note(&self, user: Uuid, at: DateTime<Utc>) {
        if let Ok(mut m) = self.map.write() {
            let ms = at.timestamp_millis();
            let e = m.entry(user).or_insert(ms);
            *e = (*e).max(ms);
        }
    }

    /// Reloads revocations from the last `window`.
    pub async fn refresh(&self, pool: &DbPool, window: Duration) -> anyhow::Result<()> {
        let mut conn = pool.get().await?;
        let since = Utc::now() - chrono::Duration::from_std(window)?;
        let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = users::table
            .filter(users::sessions_revoked_at.gt(since))
            .select((users::id, users::sessions_revoked_at))
            .load(&mut conn)
            .await?;
        let fresh: HashMap<Uuid, i64> = rows
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?.timestamp_millis())))
            .collect();
        let ended: Vec<(Uuid, Option<DateTime<Utc>>)> = refresh_tokens::table
            .filter(refresh_tokens::revoked_at.gt(since))
            .group_by(refresh_tokens::family_id)
            .select((
                refresh_tokens::family_id,
                diesel::dsl::max(refresh_tokens::revoked_at),
            ))
            .load(&mut conn)
            .await?;
        let ended: HashMap<Uuid, i64> = ended
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?.timestamp_millis())))
            .collect();
        let since = since.timestamp_millis();
        if let Ok(mut m) = self.map.write() {
            *m = merge(fresh, &m, since);
        }
        if let Ok(mut s) = self.sessions.write() {
            *s = merge(ended, &s, since);
        }
        Ok(())
    }

    /// Keeps the map fresh until the returned task is aborted.
    pub fn spawn_refresher(
        self: &Arc<Self>,
        pool: DbPool,
        window: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = this.refresh(&pool, window).await {
                    tracing::warn!(error = %format!("{e:#}"), "could not refresh session revocations");
                }
            }
        })
    }
}

/// What the database says, plus this process's own entries still inside the window: one
/// noted after the database was read is not lost until the next reload.
fn merge(
    mut fresh: HashMap<Uuid, i64>,
    local: &HashMap<Uuid, i64>,
    since_ms: i64,
) -> HashMap<Uuid, i64> {
    for (&k, &at) in local.iter().filter(|&(_, &at)| at > since_ms) {
        let e = fresh.entry(k).or_insert(at);
        *e = (*e).max(at);
    }
    fresh
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_issued_before_a_revocation_are_revoked() {
        let r = Revocations::default();
        let (u, s) = (Uuid::new_v4(), Uuid::new_v4());
        let at = DateTime::from_timestamp_millis(1_000_500).unwrap();
        assert!(!r.is_revoked(u, s, 1_000_499));
        r.note(u, at);
        assert!(
            r.is_revoked(u, s, 1_000_499),
            "issued a millisecond before: revoked"
        );
        assert!(!r.is_revoked(u, s, 1_000_500), "issued at or after: valid");
        assert!(!r.is_revoked(Uuid::new_v4(), s, 1_000_499));
        // An older revocation never lowers a newer one.
        r.note(u, DateTime::from_timestamp_millis(500).unwrap());
        assert!(r.is_revoked(u, s, 1_000_499));
    }

    #[test]
    fn every_token_of_an_ended_session_is_revoked() {
        let r = Revocations::default();
        let (u, s, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        r.note_session(s);
        assert!(r.is_revoked(u, s, i64::MAX), "whenever it was issued");
        assert!(
            !r.is_revoked(u, other, 0),
            "the user's other sessions live on"
        );
    }

    #[test]
    fn a_reload_keeps_recent_local_entries_and_drops_old_ones() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let fresh = HashMap::from([(a, 50)]);
        let local = HashMap::from([(a, 70), (b, 80), (c, 10)]);
        let merged = merge(fresh, &local, 20);
        assert_eq!(merged, HashMap::from([(a, 70), (b, 80)]));
    }
}
