//! The Open Badges 3.0 `OpenBadgeCredential` of a certificate, in the shape of the W3C
//! Verifiable Credentials Data Model 2.0, built from a pure [`CredentialInput`].
//!
//! What the data model requires (1EdTech's AchievementCredential JSON Schema and the OB 3.0
//! data model): the credential needs `@context`, `id`, `type`, `issuer`, `validFrom` and
//! `credentialSubject`; a Profile needs `id` and `type`; an Achievement needs `id`, `type`,
//! `name`, `description` and `criteria`; an AchievementSubject needs `type` and `achievement`
//! and takes no properties beyond the listed ones; an IdentityObject needs `type`, `hashed`,
//! `identityHash` and `identityType`; a ResultDescription needs `id`, `type`, `name` and
//! `resultType`; a Result needs `type`.
//!
//! `resultType` is an extensible vocabulary: `GradePointAverage`, `LetterGrade`, `Percent`,
//! `PerformanceLevel`, `PredictedScore`, `RawScore`, `Result`, `RubricCriterion`,
//! `RubricCriterionLevel`, `RubricScore`, `ScaledScore`, `Status`, or an `ext:` name. Contact
//! hours and the externship's figures are none of the score types, so they are `Result` (a
//! general result, its `value` a string); each attested competency is a `Status` result, whose
//! `status` is then required (`Completed`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::status_list;
use super::urls::Urls;
use super::views::ExternshipFacts;

/// The VC Data Model 2.0 context, first in every credential.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// 1EdTech's JSON Schema for an AchievementCredential (an OpenBadgeCredential).
pub const OB_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// What a certificate's credential says, gathered by the caller (no I/O here).
#[derive(Debug, Clone)]
pub struct CredentialInput<'a> {
    pub certificate_id: Uuid,
    /// The holder's user ID: `credentialSubject.id` is `urn:uuid:{subject_id}`.
    pub subject_id: Uuid,
    pub provider_name: &'a str,
    pub holder_name: &'a str,
    /// Hashed with `salt` into the subject's IdentityObject, never shown in clear.
    pub email: &'a str,
    pub salt: &'a str,
    pub course_slug: &'a str,
    pub course_title: &'a str,
    pub course_summary: &'a str,
    pub course_version: i32,
    pub completed_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub contact_hours: f64,
    pub externship: Option<ExternshipFacts>,
    pub status_position: i64,
}

/// Every `type` value these documents use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Type {
    VerifiableCredential,
    OpenBadgeCredential,
    BitstringStatusListCredential,
    BitstringStatusList,
    BitstringStatusListEntry,
    Profile,
    AchievementSubject,
    Achievement,
    IdentityObject,
    ResultDescription,
    Result,
    #[serde(rename = "1EdTechJsonSchemaValidator2019")]
    JsonSchemaValidator2019,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AchievementType {
    Certificate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultType {
    /// A general result.
    Result,
    /// The result conveys a status (`Result::status`).
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultStatus {
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IdentityType {
    EmailAddress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StatusPurpose {
    Revocation,
}

/// A credential: an OpenBadgeCredential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    pub id: String,
    #[serde(rename = "type")]
    pub types: Vec<Type>,
    pub issuer: Profile,
    #[serde(with = "seconds")]
    pub valid_from: DateTime<Utc>,
    #[serde(default, with = "seconds_opt", skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    pub name: String,
    /// Who was awarded what, for wallets (the subject itself carries no name).
    pub description: String,
    pub credential_subject: AchievementSubject,
    pub credential_schema: Vec<CredentialSchema>,
    pub credential_status: StatusEntry,
}

/// The issuer (and the document at `urls.issuer()`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Profile {
    /// The issuer's ID: the address of this profile.
    pub id: String,
    #[serde(rename = "type")]
    #[schema(value_type = Vec<String>, example = json!(["Profile"]))]
    pub types: Vec<Type>,
    /// The training provider.
    pub name: String,
    /// The provider's site.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    pub id: String,
    #[serde(rename = "type")]
    pub types: Vec<Type>,
    /// When the holder completed the course.
    #[serde(with = "seconds")]
    pub activity_end_date: DateTime<Utc>,
    pub identifier: Vec<IdentityObject>,
    pub achievement: Achievement,
    pub result: Vec<AchievedResult>,
}

/// The holder's email, salted and hashed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    #[serde(rename = "type")]
    pub kind: Type,
    pub identity_hash: String,
    pub identity_type: IdentityType,
    pub hashed: bool,
    pub salt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    pub id: String,
    #[serde(rename = "type")]
    pub types: Vec<Type>,
    pub achievement_type: AchievementType,
    pub name: String,
    pub description: String,
    pub criteria: Criteria,
    /// The course version the holder completed.
    pub version: String,
    pub result_description: Vec<ResultDescription>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criteria {
    pub narrative: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDescription {
    pub id: String,
    #[serde(rename = "type")]
    pub types: Vec<Type>,
    pub name: String,
    pub result_type: ResultType,
}

/// A `Result` of the subject (named so as not to shadow `std`'s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievedResult {
    #[serde(rename = "type")]
    pub types: Vec<Type>,
    /// The `id` of the achievement's ResultDescription this result answers.
    pub result_description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResultStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialSchema {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Type,
}

/// Where the credential's revocation bit is: a Bitstring Status List entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    /// `{statusListCredential}#{statusListIndex}`.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Type,
    pub status_purpose: StatusPurpose,
    /// The bit's index, as a string (the specification's form).
    pub status_list_index: String,
    pub status_list_credential: String,
}

/// The issuer profile of this deployment.
pub fn issuer(urls: &Urls, provider_name: &str) -> Profile {
    Profile {
        id: urls.issuer(),
        types: vec![Type::Profile],
        name: provider_name.to_string(),
        url: urls.base().to_string(),
    }
}

/// The credential of one certificate.
pub fn credential(urls: &Urls, input: &CredentialInput) -> Credential {
    let achievement_id = urls.achievement(input.course_slug);
    let (result_description, result) = results(&achievement_id, input);
    let slot = status_list::slot(input.status_position);
    let list_url = urls.status_list(slot.list);
    Credential {
        context: vec![VC_CONTEXT.into(), OB_CONTEXT.into()],
        id: Urls::credential_id(input.certificate_id),
        types: vec![Type::VerifiableCredential, Type::OpenBadgeCredential],
        issuer: issuer(urls, input.provider_name),
        valid_from: whole_seconds(input.valid_from),
        valid_until: input.valid_until.map(whole_seconds),
        name: input.course_title.to_string(),
        description: format!(
            "{} completed {}, a course of {}.",
            input.holder_name, input.course_title, input.provider_name
        ),
        credential_subject: AchievementSubject {
            id: format!("urn:uuid:{}", input.subject_id),
            types: vec![Type::AchievementSubject],
            activity_end_date: whole_seconds(input.completed_at),
            identifier: vec![identity(input.email, input.salt)],
            achievement: Achievement {
                id: achievement_id,
                types: vec![Type::Achievement],
                achievement_type: AchievementType::Certificate,
                name: input.course_title.to_string(),
                description: input.course_summary.to_string(),
                criteria: Criteria {
                    narrative: narrative(input),
                },
                version: input.course_version.to_string(),
                result_description,
            },
            result,
        },
        credential_schema: vec![CredentialSchema {
            id: OB_SCHEMA.into(),
            kind: Type::JsonSchemaValidator2019,
        }],
        credential_status: StatusEntry {
            id: format!("{list_url}#{}", slot.index),
            kind: Type::BitstringStatusListEntry,
            status_purpose: StatusPurpose::Revocation,
            status_list_index: slot.index.to_string(),
            status_list_credential: list_url,
        },
    }
}

/// The salted hash of an email address: `sha256$` and the hex digest of the lower-cased
/// address followed by the salt.
pub fn identity(email: &str, salt: &str) -> IdentityObject {
    let digest = Sha256::digest(format!("{}{salt}", email.to_lowercase()).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    IdentityObject {
        kind: Type::IdentityObject,
        identity_hash: format!("sha256${hex}"),
        identity_type: IdentityType::EmailAddress,
        hashed: true,
        salt: salt.to_string(),
    }
}

/// What completion required, in a sentence or two.
fn narrative(input: &CredentialInput) -> String {
    let mut s = format!(
        "Completed every required lesson and passed every required quiz and exam of \
         {} (version {}).",
        input.course_title, input.course_version
    );
    if input.externship.is_some() {
        s.push_str(
            " Completed the course's clinical externship: the required supervised hours, \
             specimen collections and competencies, attested by site supervisors and approved \
             by the program.",
        );
    }
    s
}

/// The achievement's result descriptions and the subject's results that answer them.
fn results(
    achievement_id: &str,
    input: &CredentialInput,
) -> (Vec<ResultDescription>, Vec<AchievedResult>) {
    let mut descriptions = Vec::new();
    let mut results = Vec::new();
    let mut add = |fragment: &str, name: String, value: Option<String>| {
        let id = format!("{achievement_id}#{fragment}");
        let kind = match value {
            Some(_) => ResultType::Result,
            None => ResultType::Status,
        };
        descriptions.push(ResultDescription {
            id: id.clone(),
            types: vec![Type::ResultDescription],
            name,
            result_type: kind,
        });
        results.push(AchievedResult {
            types: vec![Type::Result],
            result_description: id,
            status: value.is_none().then_some(ResultStatus::Completed),
            value,
        });
    };
    add(
        "contact-hours",
        "Contact hours".into(),
        Some(decimal(input.contact_hours)),
    );
    if let Some(ext) = &input.externship {
        add(
            "externship-hours",
            "Supervised externship hours".into(),
            Some(decimal(ext.hours)),
        );
        add(
            "externship-collections",
            "Externship specimen collections".into(),
            Some(ext.collections.to_string()),
        );
        for (i, name) in ext.competencies.iter().enumerate() {
            add(
                &format!("competency-{}", i + 1),
                format!("Competency: {name}"),
                None,
            );
        }
    }
    (descriptions, results)
}

/// A number with at most two decimals and no trailing zeros (`40`, `12.5`, `7.25`).
fn decimal(x: f64) -> String {
    let s = format!("{:.2}", (x * 100.0).round() / 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The time without its fraction of a second (credentials carry whole seconds).
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).expect("a timestamp in range stays in range")
}

/// RFC 3339 in whole seconds with `Z` (`2026-12-01T09:30:00Z`).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Serde for times in the credentials' form.
pub(crate) mod seconds {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

pub(crate) mod seconds_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::seconds::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::Value;

    fn urls() -> Urls {
        Urls::new(&url::Url::parse("https://learn.example.org").unwrap())
    }

    fn input(externship: Option<ExternshipFacts>) -> CredentialInput<'static> {
        CredentialInput {
            certificate_id: Uuid::from_u128(1),
            subject_id: Uuid::from_u128(2),
            provider_name: "Example Training",
            holder_name: "Ada Lovelace",
            email: "Ada@Example.org",
            salt: "pepper",
            course_slug: "phlebotomy",
            course_title: "Phlebotomy Technician",
            course_summary: "Venipuncture and specimen handling.",
            course_version: 3,
            completed_at: Utc.with_ymd_and_hms(2026, 11, 30, 17, 5, 9).unwrap(),
            valid_from: Utc.timestamp_millis_opt(1_796_000_000_750).unwrap(),
            valid_until: Some(Utc.with_ymd_and_hms(2028, 12, 1, 0, 0, 0).unwrap()),
            contact_hours: 40.5,
            externship,
            status_position: 131_073,
        }
    }

    fn figures() -> ExternshipFacts {
        ExternshipFacts {
            hours: 120.5,
            collections: 104,
            competencies: vec!["Venipuncture".into(), "Capillary puncture".into()],
        }
    }

    fn json(i: &CredentialInput) -> Value {
        serde_json::to_value(credential(&urls(), i)).unwrap()
    }

    fn has(v: &Value, keys: &[&str]) {
        for k in keys {
            assert!(v.get(k).is_some(), "missing {k} in {v}");
        }
    }

    #[test]
    fn the_credential_has_every_required_field() {
        let v = json(&input(Some(figures())));
        has(
            &v,
            &[
                "@context",
                "id",
                "type",
                "issuer",
                "validFrom",
                "name",
                "description",
                "credentialSubject",
                "credentialSchema",
                "credentialStatus",
            ],
        );
        assert_eq!(v["@context"], serde_json::json!([VC_CONTEXT, OB_CONTEXT]));
        assert_eq!(
            v["type"],
            serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"])
        );
        assert_eq!(v["id"], "urn:uuid:00000000-0000-0000-0000-000000000001");
        has(&v["issuer"], &["id", "type", "name", "url"]);
        assert_eq!(
            v["issuer"]["id"],
            "https://learn.example.org/api/v1/credentials/issuer"
        );
        assert_eq!(v["issuer"]["type"], serde_json::json!(["Profile"]));
        let subject = &v["credentialSubject"];
        has(
            subject,
            &["id", "type", "identifier", "achievement", "result"],
        );
        assert_eq!(
            subject["id"],
            "urn:uuid:00000000-0000-0000-0000-000000000002"
        );
        assert_eq!(subject["type"], serde_json::json!(["AchievementSubject"]));
        let achievement = &subject["achievement"];
        has(
            achievement,
            &["id", "type", "name", "description", "criteria"],
        );
        assert_eq!(
            achievement["id"],
            "https://learn.example.org/api/v1/courses/phlebotomy"
        );
        assert_eq!(achievement["achievementType"], "Certificate");
        assert!(achievement["criteria"]["narrative"].as_str().unwrap().len() > 20);
        assert_eq!(
            v["credentialSchema"],
            serde_json::json!([{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}])
        );
    }

    #[test]
    fn times_are_whole_seconds_in_utc() {
        let v = json(&input(None));
        assert_eq!(v["validFrom"], "2026-11-30T00:53:20Z");
        assert_eq!(v["validUntil"], "2028-12-01T00:00:00Z");
        assert_eq!(
            v["credentialSubject"]["activityEndDate"],
            "2026-11-30T17:05:09Z"
        );
        let no_expiry = CredentialInput {
            valid_until: None,
            ..input(None)
        };
        assert!(json(&no_expiry).get("validUntil").is_none());
    }

    #[test]
    fn the_email_is_salted_hashed_and_lower_cased() {
        let v = json(&input(None));
        let id = &v["credentialSubject"]["identifier"][0];
        assert_eq!(id["type"], "IdentityObject");
        assert_eq!(id["identityType"], "emailAddress");
        assert_eq!(id["hashed"], true);
        assert_eq!(id["salt"], "pepper");
        let expected = Sha256::digest(b"ada@example.orgpepper");
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(id["identityHash"], format!("sha256${hex}"));
        assert!(!v.to_string().contains("Example.org"));
    }

    #[test]
    fn every_result_points_at_a_description_of_the_achievement() {
        let v = json(&input(Some(figures())));
        let descriptions = v["credentialSubject"]["achievement"]["resultDescription"]
            .as_array()
            .unwrap();
        let results = v["credentialSubject"]["result"].as_array().unwrap();
        assert_eq!(descriptions.len(), 5);
        assert_eq!(results.len(), 5);
        for (d, r) in descriptions.iter().zip(results) {
            has(d, &["id", "type", "name", "resultType"]);
            assert_eq!(r["resultDescription"], d["id"]);
            assert_eq!(r["type"], serde_json::json!(["Result"]));
            match d["resultType"].as_str().unwrap() {
                "Result" => assert!(r["value"].is_string(), "{r}"),
                "Status" => assert_eq!(r["status"], "Completed"),
                other => panic!("unexpected resultType {other}"),
            }
        }
        let values: Vec<_> = results.iter().map(|r| r["value"].clone()).collect();
        assert_eq!(
            values[..3],
            [Value::from("40.5"), "120.5".into(), "104".into()]
        );
        assert_eq!(descriptions[3]["name"], "Competency: Venipuncture");
        // Without an externship only the contact hours remain.
        let v = json(&input(None));
        assert_eq!(
            v["credentialSubject"]["result"].as_array().unwrap().len(),
            1
        );
    }

    #[test]
    fn the_status_entry_names_the_list_and_the_scattered_index() {
        let v = json(&input(None));
        let status = &v["credentialStatus"];
        let slot = status_list::slot(131_073);
        assert_eq!(slot.list, 1);
        let list = "https://learn.example.org/api/v1/credentials/status/1";
        assert_eq!(status["type"], "BitstringStatusListEntry");
        assert_eq!(status["statusPurpose"], "revocation");
        assert_eq!(status["statusListCredential"], list);
        assert_eq!(status["statusListIndex"], slot.index.to_string());
        assert_eq!(status["id"], format!("{list}#{}", slot.index));
    }

    #[test]
    fn a_credential_reads_back_as_written() {
        let c = credential(&urls(), &input(Some(figures())));
        let back: Credential = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn decimals_are_short() {
        assert_eq!(decimal(40.0), "40");
        assert_eq!(decimal(12.5), "12.5");
        assert_eq!(decimal(7.254), "7.25");
        assert_eq!(decimal(0.0), "0");
    }
}
