//! Where a certificate's revocation bit is: its `status_position` (a sequence) picks the list
//! (`position / LIST_SIZE`) and, scattered so that neighbouring bits do not tell who was
//! certified one after the other, the bit inside it.

/// Bits in one list: 2^17 = 131,072.
pub const LIST_SIZE: i64 = 1 << 17;
/// The scatter: `index = (offset * MULTIPLIER + SHIFT) mod 2^17`. An odd multiplier is
/// invertible modulo a power of two, so the map is a bijection on each list.
const MULTIPLIER: i64 = 92_821;
const SHIFT: i64 = 48_271;

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
