//! IMO ship identification numbers (IMO Res. A.1117(30)): seven digits, the last a check digit
//! (specs/protocol.md R60).

use crate::error::RuleError;

/// Weights of the first six digits; the check digit is the last digit of the weighted sum.
const WEIGHTS: [u32; 6] = [7, 6, 5, 4, 3, 2];

/// R60: `imo` is exactly 7 ASCII digits and `(d1*7 + d2*6 + d3*5 + d4*4 + d5*3 + d6*2) mod 10`
/// equals the seventh digit. Otherwise INVALID_IMO_NUMBER.
pub fn check_imo_number(imo: &str) -> Result<(), RuleError> {
    let invalid = || RuleError::InvalidImoNumber(printable(imo));
    let bytes = imo.as_bytes();
    if bytes.len() != 7 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let digit = |i: usize| u32::from(bytes[i] - b'0');
    let sum: u32 = WEIGHTS
        .iter()
        .enumerate()
        .map(|(i, weight)| digit(i) * weight)
        .sum();
    if sum % 10 != digit(6) {
        return Err(invalid());
    }
    Ok(())
}

/// Whether `imo` is a valid IMO number (R60).
pub fn is_valid_imo_number(imo: &str) -> bool {
    check_imo_number(imo).is_ok()
}

/// The offending value as shown in the error: at most 16 characters, control characters dropped,
/// so that a hostile entry cannot bloat or garble block results.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_imo_numbers_pass_the_check_digit() {
        // 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 139 -> 9
        assert!(is_valid_imo_number("9074729"));
        assert!(is_valid_imo_number("9176187"));
    }

    #[test]
    fn a_wrong_check_digit_is_rejected() {
        assert_eq!(
            check_imo_number("9074728"),
            Err(RuleError::InvalidImoNumber("9074728".into()))
        );
    }

    #[test]
    fn wrong_lengths_and_non_digits_are_rejected() {
        for bad in [
            "",
            "907472",
            "90747290",
            "IMO9074729",
            "907472a",
            "9O74729",
            "９074729",
        ] {
            assert!(!is_valid_imo_number(bad), "{bad} accepted");
        }
    }

    #[test]
    fn the_error_shows_a_bounded_printable_value() {
        let long = format!("\u{7}{}", "9".repeat(100));
        let Err(RuleError::InvalidImoNumber(shown)) = check_imo_number(&long) else {
            panic!("accepted");
        };
        assert_eq!(shown, "9".repeat(16));
    }
}
