//! Pure: CSV cells safe to open in a spreadsheet.

/// The UTF-8 byte-order mark every export starts with, so spreadsheets read names correctly.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// A cell a spreadsheet would run as a formula (a leading `=`, `+`, `-`, `@`, or a control
/// character such as tab or carriage return) gets a `'` in front; anything else is unchanged.
pub fn neutralise(cell: String) -> String {
    match cell.chars().next() {
        Some(c) if matches!(c, '=' | '+' | '-' | '@') || c.is_control() => format!("'{cell}"),
        _ => cell,
    }
}

/// An optional value as a cell (`""` for none).
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in [
            "=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "\u{0}x", "\u{7f}x",
        ] {
            assert_eq!(neutralise(bad.into()), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["", "Ana", "1-2", "a=b", " =x", "'=x", "Zoë", "2026-01-01"] {
            assert_eq!(neutralise(fine.into()), fine, "{fine:?}");
        }
        assert_eq!(BOM, [0xEF, 0xBB, 0xBF]);
        assert_eq!(opt(Some(3)), "3");
        assert_eq!(opt::<i32>(None), "");
    }
}
