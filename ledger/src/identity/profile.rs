//! An organisation's profile: its display names in English and Chinese and the local zone in
//! which it judges calendar days (specs/protocol.md R380–R382; ADR 0043).
//!
//! The certificate says who an organisation legally is; the profile says how people read it
//! (the China–Singapore pilot's users read both scripts) and, for an Administration, which day
//! it is (R383). It is set at admission and changed only by governance.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::error::RuleError;
use crate::ids::{OrgId, check_text};
use crate::local_time::LocalZone;

/// R380: longest display name in either script, in bytes (a CJK character takes 3).
pub const MAX_DISPLAY_NAME: usize = 256;

/// The names an organisation is shown by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct DisplayNames {
    /// English name (the certificate's O name when none is given).
    pub en: String,
    /// Chinese name, e.g. 广东国际贸易单一窗口.
    pub zh: Option<String>,
}

/// What the ledger records about an organisation beyond its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct OrgProfile {
    /// Display names.
    pub names: DisplayNames,
    /// Where it judges calendar days (R383).
    pub zone: LocalZone,
}

impl OrgProfile {
    /// R381: the profile of an organisation admitted without one: its certificate's O name in
    /// English, no Chinese name, UTC.
    pub fn default_for(certificate_name: &str) -> Self {
        OrgProfile {
            names: DisplayNames {
                en: certificate_name.to_string(),
                zh: None,
            },
            zone: LocalZone::utc(),
        }
    }

    /// A profile with both names and a zone (genesis files and tests).
    pub fn new(en: &str, zh: Option<&str>, zone: LocalZone) -> Self {
        OrgProfile {
            names: DisplayNames {
                en: en.to_string(),
                zh: zh.map(str::to_string),
            },
            zone,
        }
    }

    /// The name to show a reader of `lang` (`"zh"` or anything else for English): the Chinese
    /// name when there is one, else the English one.
    pub fn display_name(&self, lang: &str) -> &str {
        match (lang, &self.names.zh) {
            ("zh", Some(zh)) => zh,
            _ => &self.names.en,
        }
    }

    /// R380: each name is 1–256 bytes of text that is not only blanks and has no control
    /// characters; the zone is bounded (see [`LocalZone::check`]).
    pub fn check(&self) -> Result<(), RuleError> {
        check_name("profile.names.en", &self.names.en)?;
        if let Some(zh) = &self.names.zh {
            check_name("profile.names.zh", zh)?;
        }
        self.zone.check("profile.zone")
    }
}

fn check_name(field: &'static str, name: &str) -> Result<(), RuleError> {
    if name.trim().is_empty() {
        return Err(RuleError::invalid(field, "must not be empty"));
    }
    check_text(field, name, MAX_DISPLAY_NAME)?;
    if name.contains(['\n', '\t']) {
        return Err(RuleError::invalid(field, "must be one line"));
    }
    Ok(())
}

/// R381: a founding organisation's profile in the genesis document.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct GenesisProfile {
    /// The organisation (the CN of one of the genesis certificates).
    pub org: OrgId,
    /// Its profile.
    pub profile: OrgProfile,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gdsw() -> OrgProfile {
        OrgProfile::new(
            "Guangdong Single Window",
            Some("广东国际贸易单一窗口"),
            LocalZone::new(480, "Asia/Shanghai"),
        )
    }

    #[test]
    fn a_profile_in_both_scripts_is_accepted_and_shown_by_language() {
        let p = gdsw();
        assert_eq!(p.check(), Ok(()));
        assert_eq!(p.display_name("zh"), "广东国际贸易单一窗口");
        assert_eq!(p.display_name("en"), "Guangdong Single Window");
    }

    #[test]
    fn without_a_chinese_name_the_english_one_is_shown() {
        let p = OrgProfile::default_for("Bank of Canton");
        assert_eq!(p.check(), Ok(()));
        assert_eq!(p.display_name("zh"), "Bank of Canton");
        assert_eq!(p.zone, LocalZone::utc());
    }

    #[test]
    fn names_must_be_bounded_one_line_text() {
        let mut cases = Vec::new();
        for bad in ["", "   ", "a\u{7}b", "two\nlines"] {
            let mut p = gdsw();
            p.names.en = bad.into();
            cases.push(p);
            let mut p = gdsw();
            p.names.zh = Some(bad.into());
            cases.push(p);
        }
        let mut long = gdsw();
        long.names.zh = Some("广".repeat(86)); // 258 bytes
        cases.push(long);
        let mut zone = gdsw();
        zone.zone.utc_offset_minutes = 900;
        cases.push(zone);
        for p in cases {
            assert!(
                matches!(p.check(), Err(RuleError::InvalidField { .. })),
                "{p:?}"
            );
        }
        let mut longest = gdsw();
        longest.names.zh = Some("广".repeat(85)); // 255 bytes
        assert_eq!(longest.check(), Ok(()));
    }
}
