//! [`Raw`]: a piece of JSON written once (a lesson's HTML, a title), sent as it is.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A value held as its JSON text (a string already escaped, an array already written), so
/// sending it costs a copy.
#[derive(Debug, Clone)]
pub struct Raw(Arc<RawValue>);

impl Raw {
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Raw {
        let raw = serde_json::value::to_raw_value(value).expect("plain data always serializes");
        Raw(Arc::from(raw))
    }

    /// The value back (for tests).
    #[cfg(test)]
    pub fn to<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(self.0.get()).expect("holds the JSON it was made from")
    }
}

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(|v| Raw::of(&v))
    }
}

impl Default for Raw {
    /// The empty string.
    fn default() -> Raw {
        Raw::of("")
    }
}

impl PartialEq<str> for Raw {
    /// Whether this is the JSON string `other` (for tests and checks, not hot paths).
    fn eq(&self, other: &str) -> bool {
        serde_json::to_string(other).is_ok_and(|s| s == self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_sent_as_the_json_string_it_stands_for() {
        let html = "<p class=\"x\">Tubes: 1 &amp; 2\n\u{2028}</p>";
        let body = Raw::of(html);
        let sent = serde_json::to_string(&body).unwrap();
        assert_eq!(sent, serde_json::to_string(html).unwrap());
        assert_eq!(body.to::<String>(), html);
        let back: Raw = serde_json::from_str(&sent).unwrap();
        assert_eq!(back.to::<String>(), html);
        let objectives = serde_json::json!(["Name the tubes", "Say \"why\""]);
        let sent = serde_json::to_string(&Raw::of(&objectives)).unwrap();
        assert_eq!(sent, objectives.to_string());
    }
}
