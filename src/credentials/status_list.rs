//! Revocation as a W3C Bitstring Status List: each certificate owns one bit of a list of
//! [`LIST_SIZE`] bits, published as a signed `BitstringStatusListCredential` at
//! `urls.status_list(list)`. A set bit means revoked.
//!
//! A certificate's `status_position` (a sequence) picks the list (`position / LIST_SIZE`);
//! its bit inside the list is scattered ([`slot`]) so neighbouring bits do not tell who was
//! certified one after the other. The list is the minimum size the specification asks for
//! (16 KB before compression) for herd privacy.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;
use super::status_store;
use super::urls::Urls;
use super::vc::{self, StatusPurpose, Type};
use crate::http::{AppError, AppResult};

/// Bits in one list: 2^17 = 131,072.
pub const LIST_SIZE: i64 = 1 << 17;
/// The scatter: `index = (offset * MULTIPLIER + SHIFT) mod 2^17`. An odd multiplier is
/// invertible modulo a power of two, so the map is a bijection on each list.
const MULTIPLIER: i64 = 92_821;
const SHIFT: i64 = 48_271;
/// How long a signed list is served from memory before it is rebuilt.
const CACHE_FOR: Duration = Duration::from_secs(30);

/// Where a certificate's bit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub list: i64,
    pub index: i64,
}

/// The list and the bit of status position `position` (not negative: the schema checks it).
pub fn slot(position: i64) -> Slot {
    Slot {
        list: position.div_euclid(LIST_SIZE),
        index: scatter(position.rem_euclid(LIST_SIZE)),
    }
}

fn scatter(offset: i64) -> i64 {
    (offset * MULTIPLIER + SHIFT) & (LIST_SIZE - 1)
}

/// The `encodedList` with the given bits set: the bitstring (bit 0 is the most significant bit
/// of byte 0), gzipped, base64url without padding, with the multibase prefix `u`.
pub fn encode(indices: impl IntoIterator<Item = i64>) -> String {
    let mut bits = vec![0u8; (LIST_SIZE / 8) as usize];
    for i in indices {
        if (0..LIST_SIZE).contains(&i) {
            bits[(i / 8) as usize] |= 0x80 >> (i % 8);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bits).expect("writing to memory cannot fail");
    let zipped = gz.finish().expect("writing to memory cannot fail");
    format!("u{}", URL_SAFE_NO_PAD.encode(zipped))
}

/// The bitstring inside an `encodedList` (for tests and checks).
pub fn decode(encoded: &str) -> anyhow::Result<Vec<u8>> {
    let b64 = encoded
        .strip_prefix('u')
        .ok_or_else(|| anyhow::anyhow!("no multibase prefix `u`"))?;
    let zipped = URL_SAFE_NO_PAD.decode(b64)?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(zipped.as_slice())
        .take(16 * 1024 * 1024)
        .read_to_end(&mut bits)?;
    Ok(bits)
}

/// Whether bit `index` is set in a decoded bitstring.
pub fn is_set(bits: &[u8], index: i64) -> bool {
    usize::try_from(index / 8)
        .ok()
        .and_then(|byte| bits.get(byte))
        .is_some_and(|b| b & (0x80 >> (index % 8)) != 0)
}

/// A status list credential (VC Data Model 2.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListCredential {
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    pub id: String,
    #[serde(rename = "type")]
    pub types: Vec<Type>,
    /// The issuer's ID (the same issuer as the credentials whose bits it holds).
    pub issuer: String,
    #[serde(with = "vc::seconds")]
    pub valid_from: DateTime<Utc>,
    pub credential_subject: StatusListSubject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListSubject {
    /// `{list url}#list`.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Type,
    pub status_purpose: StatusPurpose,
    pub encoded_list: String,
}

/// The unsigned credential of list `list` with the given bits set.
pub fn credential(
    urls: &Urls,
    list: i64,
    revoked: impl IntoIterator<Item = i64>,
    now: DateTime<Utc>,
) -> StatusListCredential {
    let id = urls.status_list(list);
    StatusListCredential {
        context: vec![vc::VC_CONTEXT.into()],
        credential_subject: StatusListSubject {
            id: format!("{id}#list"),
            kind: Type::BitstringStatusList,
            status_purpose: StatusPurpose::Revocation,
            encoded_list: encode(revoked),
        },
        id,
        types: vec![
            Type::VerifiableCredential,
            Type::BitstringStatusListCredential,
        ],
        issuer: urls.issuer(),
        valid_from: vc::whole_seconds(now),
    }
}

/// Signed status lists, each kept in memory for [`CACHE_FOR`]. Revoking a certificate calls
/// [`StatusLists::invalidate`] so its list is rebuilt at the next request.
#[derive(Default)]
pub struct StatusLists {
    cache: Mutex<HashMap<i64, (Instant, Arc<str>)>>,
}

impl StatusLists {
    /// The VC-JWT of list `list`, or `None` for a list no certificate can point into yet
    /// (beyond the one of the highest issued position; list 0 always exists).
    pub async fn signed(
        &self,
        conn: &mut AsyncPgConnection,
        keys: &KeyRing,
        urls: &Urls,
        list: i64,
    ) -> AppResult<Option<Arc<str>>> {
        if let Some(jwt) = self.cached(list) {
            return Ok(Some(jwt));
        }
        let highest = status_store::highest_position(conn).await?.unwrap_or(0);
        if list < 0 || list > highest / LIST_SIZE {
            return Ok(None);
        }
        let positions = status_store::revoked_positions(conn, list, LIST_SIZE).await?;
        let indices = positions.into_iter().map(|p| slot(p).index);
        let unsigned = credential(urls, list, indices, Utc::now());
        let value = serde_json::to_value(&unsigned).map_err(AppError::internal)?;
        let signer = keys.signer(conn).await?;
        let jwt: Arc<str> = signer
            .sign_credential(urls, &value)
            .map_err(AppError::internal)?
            .into();
        self.lock().insert(list, (Instant::now(), jwt.clone()));
        Ok(Some(jwt))
    }

    /// Forgets the signed copy of list `list` (after a revocation in it).
    pub fn invalidate(&self, list: i64) {
        self.lock().remove(&list);
    }

    fn cached(&self, list: i64) -> Option<Arc<str>> {
        let cache = self.lock();
        let (at, jwt) = cache.get(&list)?;
        (at.elapsed() < CACHE_FOR).then(|| jwt.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Instant, Arc<str>)>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scatter_is_a_bijection_on_a_list() {
        let mut seen = vec![false; LIST_SIZE as usize];
        for p in 0..LIST_SIZE {
            let s = slot(p);
            assert_eq!(s.list, 0);
            assert!(!seen[s.index as usize], "index {} twice", s.index);
            seen[s.index as usize] = true;
        }
        assert!(seen.iter().all(|&b| b));
        // The next list starts over with the same scatter.
        assert_eq!(
            slot(LIST_SIZE + 5),
            Slot {
                list: 1,
                index: slot(5).index
            }
        );
        // Consecutive positions do not land on neighbouring bits.
        assert!((slot(1).index - slot(0).index).abs() > 1);
    }

    #[test]
    fn bit_zero_is_the_most_significant_bit_of_byte_zero() {
        let bits = decode(&encode([0, 9, LIST_SIZE - 1])).unwrap();
        assert_eq!(bits.len() as i64 * 8, LIST_SIZE);
        assert!(bits.len() * 8 >= 131_072);
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[bits.len() - 1], 0b0000_0001);
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 3);
    }

    #[test]
    fn an_encoded_list_round_trips() {
        let revoked: Vec<i64> = (0..500).map(|p| slot(p * 7).index).collect();
        let encoded = encode(revoked.iter().copied());
        assert!(encoded.starts_with('u'));
        assert!(!encoded.contains(['=', '+', '/']));
        let bits = decode(&encoded).unwrap();
        for i in 0..LIST_SIZE {
            assert_eq!(is_set(&bits, i), revoked.contains(&i), "bit {i}");
        }
        // An empty list compresses to almost nothing.
        assert!(encode([]).len() < 200);
    }

    #[test]
    fn the_list_credential_has_the_specified_shape() {
        let urls = Urls::new(&url::Url::parse("https://learn.example.org").unwrap());
        let c = credential(&urls, 2, [4], Utc::now());
        let v = serde_json::to_value(&c).unwrap();
        let url = "https://learn.example.org/api/v1/credentials/status/2";
        assert_eq!(v["id"], url);
        assert_eq!(
            v["type"],
            serde_json::json!(["VerifiableCredential", "BitstringStatusListCredential"])
        );
        assert_eq!(v["issuer"], urls.issuer());
        assert!(v["validFrom"].as_str().unwrap().ends_with('Z'));
        let s = &v["credentialSubject"];
        assert_eq!(s["id"], format!("{url}#list"));
        assert_eq!(s["type"], "BitstringStatusList");
        assert_eq!(s["statusPurpose"], "revocation");
        let bits = decode(s["encodedList"].as_str().unwrap()).unwrap();
        assert!(is_set(&bits, 4) && !is_set(&bits, 5));
    }
}
