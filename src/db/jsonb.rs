//! A `jsonb` value as PostgreSQL will store it, measured on our side, so a handler can refuse
//! what the database would refuse (with the handler's own 422) instead of failing the query.
//!
//! PostgreSQL's text form of a `jsonb` (what `value::text` gives, and what a CHECK on
//! `octet_length(value::text)` measures) differs from serde's compact JSON: members are
//! separated by `", "` and keys by `": "`, and numbers are stored as `numeric` and written out
//! in full (`1e300` becomes a 1 followed by 300 zeros, `1e-7` becomes `0.0000001`). Strings
//! are escaped the same way by both. PostgreSQL cannot store a NUL (`\u0000`) in a `jsonb`
//! string or key at all.

use serde_json::Value;

/// Whether a NUL character appears in any key or string of `v`, at any depth.
pub fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// The length in bytes of `v::jsonb::text` in PostgreSQL (`octet_length`), for the JSON text
/// serde sends. Saturates on absurd sizes.
pub fn text_len(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => numeric_text_len(&n.to_string()),
        Value::String(s) => string_len(s),
        // "[" a ", " b "]"
        Value::Array(items) => items
            .iter()
            .map(text_len)
            .fold(2 + 2 * items.len().saturating_sub(1), usize::saturating_add),
        // "{" "k": v ", " ... "}"
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| string_len(k).saturating_add(2).saturating_add(text_len(v)))
            .fold(2 + 2 * map.len().saturating_sub(1), usize::saturating_add),
    }
}

/// A JSON string with PostgreSQL's escaping (`escape_json`): `"` `\` and the five short
/// control escapes take two bytes, other control characters six (`\u001f`), the rest as UTF-8.
fn string_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// The length of `numeric_out` for a JSON number's text: the integer part without leading
/// zeros (at least `0`), then as many decimals as the input had after its point, less its
/// exponent; a minus sign unless the value is zero.
fn numeric_text_len(text: &str) -> usize {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().unwrap_or(i64::MAX)),
        None => (rest, 0),
    };
    let (int_digits, frac_digits) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let frac_len = frac_digits.len() as i64;
    let scale = frac_len.saturating_sub(exponent).max(0);
    // Where the point falls among the significant digits, once leading zeros are dropped.
    let digits = || int_digits.bytes().chain(frac_digits.bytes());
    let leading_zeros = digits().take_while(|&b| b == b'0').count() as i64;
    let is_zero = digits().all(|b| b == b'0');
    let point = (int_digits.len() as i64)
        .saturating_add(exponent)
        .saturating_sub(leading_zeros);
    let int_len = if is_zero || point <= 0 { 1 } else { point };
    let len = int_len
        .saturating_add(if scale > 0 { scale + 1 } else { 0 })
        .saturating_add(i64::from(negative && !is_zero));
    usize::try_from(len).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn numeric(text: &str) -> String {
        // What numeric_out prints, written out by hand for the cases below.
        match text {
            "1e300" => format!("1{}", "0".repeat(300)),
            "1e-7" => "0.0000001".into(),
            "1.5e-7" => "0.00000015".into(),
            "123.45e1" => "1234.5".into(),
            "-0.0" => "0.0".into(),
            "0.000" => "0.000".into(),
            "-12.5" => "-12.5".into(),
            "1.0" => "1.0".into(),
            "1E+2" => "100".into(),
            other => other.into(),
        }
    }

    #[test]
    fn numbers_are_measured_as_numeric_prints_them() {
        for n in [
            "1e300", "1e-7", "1.5e-7", "123.45e1", "-0.0", "0.000", "-12.5", "1.0", "1E+2", "0",
            "42", "-7",
        ] {
            assert_eq!(numeric_text_len(n), numeric(n).len(), "{n}");
        }
    }

    #[test]
    fn separators_and_escapes_are_postgresql_s() {
        // {"a": 1, "b": [true, null]}
        assert_eq!(text_len(&json!({"a": 1, "b": [true, null]})), 27);
        assert_eq!(text_len(&json!({})), 2);
        assert_eq!(text_len(&json!([])), 2);
        // "\"\\\n\u001f" -> 2 + 2 + 2 + 2 + 6
        assert_eq!(text_len(&json!("\"\\\n\u{1f}")), 14);
        assert_eq!(text_len(&json!("é")), 4);
    }

    #[test]
    fn nul_is_found_in_keys_and_values_at_any_depth() {
        assert!(has_nul(&json!({"a\u{0}": 1})));
        assert!(has_nul(&json!({"a": ["x", {"b": "y\u{0}"}]})));
        assert!(!has_nul(&json!({"a": ["x", {"b": "y"}]})));
    }
}
