//! Identifiers of parties and bounded text fields.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::error::RuleError;

/// Identifier of a member organisation: the Common Name of its X.509 certificate, 1–64 characters
/// from `A–Z a–z 0–9 . _ -` (R20).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct OrgId(pub String);

impl OrgId {
    /// Longest organisation id.
    pub const MAX_LEN: usize = 64;

    /// Builds an id, checking its charset and length.
    pub fn new(id: impl Into<String>) -> Result<Self, RuleError> {
        let id = OrgId(id.into());
        id.validate("org")?;
        Ok(id)
    }

    /// Checks the charset and length rule for a field holding an organisation id.
    pub fn validate(&self, field: &'static str) -> Result<(), RuleError> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if self.0.is_empty() || self.0.len() > Self::MAX_LEN || !self.0.chars().all(ok_char) {
            return Err(RuleError::invalid(
                field,
                "organisation id must be 1-64 of A-Z a-z 0-9 . _ -",
            ));
        }
        Ok(())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that a free-text field is at most `max` bytes and has no control characters
/// other than newline and tab.
pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), RuleError> {
    if text.len() > max {
        return Err(RuleError::invalid(
            field,
            format!("longer than {max} bytes"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(RuleError::invalid(field, "contains control characters"));
    }
    Ok(())
}

/// Checks that an identifier-like field is 1..=max printable ASCII characters without spaces.
pub fn check_code(field: &'static str, text: &str, max: usize) -> Result<(), RuleError> {
    if text.is_empty() || text.len() > max || !text.chars().all(|c| c.is_ascii_graphic()) {
        return Err(RuleError::invalid(
            field,
            format!("must be 1-{max} printable ASCII characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_ids_accept_codes() {
        assert!(OrgId::new("CN-GDSW.port_1").is_ok());
    }

    #[test]
    fn organisation_ids_reject_spaces_empty_and_long() {
        assert!(OrgId::new("Yang Ming").is_err());
        assert!(OrgId::new("").is_err());
        assert!(OrgId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn text_rejects_control_characters_and_overlength() {
        assert!(check_text("remark", "line\nnext", 20).is_ok());
        assert!(check_text("remark", "bell\u{7}", 20).is_err());
        assert!(check_text("remark", "abc", 2).is_err());
    }
}
