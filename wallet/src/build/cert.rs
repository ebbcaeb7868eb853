//! Ship certificate helpers (R60–R79): the IMO number check the ledger also makes, so a typo is
//! caught before signing.

use ebl_ledger::cert::Ship;

use crate::error::WalletError;

/// Whether `imo` is 7 digits whose last is the IMO check digit (weights 7…2 over the first six).
pub fn imo_number_is_valid(imo: &str) -> bool {
    let digits: Vec<u32> = imo.chars().filter_map(|c| c.to_digit(10)).collect();
    if imo.len() != 7 || digits.len() != 7 {
        return false;
    }
    let sum: u32 = digits[..6]
        .iter()
        .zip([7u32, 6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    sum % 10 == digits[6]
}

/// The ship record, with the IMO number and flag checked.
pub fn ship(
    imo_number: &str,
    name: &str,
    flag: &str,
    call_sign: &str,
    gross_tonnage: u32,
) -> Result<Ship, WalletError> {
    let imo_number = imo_number.trim_start_matches("IMO").trim();
    if !imo_number_is_valid(imo_number) {
        return Err(WalletError::InvalidArgument {
            field: "--imo".into(),
            reason: format!("`{imo_number}` is not an IMO number (7 digits, last a check digit)"),
        });
    }
    if flag.len() != 2 || !flag.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(WalletError::InvalidArgument {
            field: "--flag".into(),
            reason: "must be an ISO 3166-1 alpha-2 code in capitals, e.g. SG".into(),
        });
    }
    Ok(Ship {
        imo_number: imo_number.into(),
        name: name.into(),
        flag: flag.into(),
        call_sign: call_sign.into(),
        gross_tonnage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imo_check_digits() {
        assert!(imo_number_is_valid("9074729"));
        assert!(!imo_number_is_valid("9074728"));
        assert!(!imo_number_is_valid("907472"));
        assert!(!imo_number_is_valid("90747a9"));
    }

    #[test]
    fn the_imo_prefix_is_accepted_and_bad_flags_refused() {
        assert_eq!(
            ship("IMO 9074729", "X", "SG", "9V1", 1).unwrap().imo_number,
            "9074729"
        );
        assert!(ship("9074729", "X", "sg", "9V1", 1).is_err());
    }
}
