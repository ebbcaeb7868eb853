//! Parsers for command-line values (used as clap value parsers, so a bad value is a usage error,
//! exit 2, with the accepted forms in the message).

use serde::de::DeserializeOwned;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::ActionKind;
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::Role;
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::{CalendarDate, Timestamp};

/// Every action kind, for parsing grant actions.
pub const ALL_ACTIONS: &[ActionKind] = ActionKind::ALL;

/// 64 hex digits (a document id, entry id, grant id, proposal id or genesis hash).
pub fn hash32(text: &str) -> Result<Hash32, String> {
    Hash32::from_hex(text.trim()).ok_or_else(|| format!("`{text}` is not 64 hex digits"))
}

/// An Ed25519 public key as 64 hex digits.
pub fn public_key(text: &str) -> Result<PublicKey, String> {
    PublicKey::from_hex(text.trim())
        .ok_or_else(|| format!("`{text}` is not a public key (64 hex digits)"))
}

/// An organisation id (R20).
pub fn org_id(text: &str) -> Result<OrgId, String> {
    OrgId::new(text)
        .map_err(|_| format!("`{text}` is not an organisation id (1-64 of A-Z a-z 0-9 . _ -)"))
}

fn normalise(text: &str) -> String {
    text.trim().to_ascii_uppercase().replace('-', "_")
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", ")
}

/// A role code (`CARRIER`, `bank`, `trade-party`, …).
pub fn role(text: &str) -> Result<Role, String> {
    Role::from_code(&normalise(text)).ok_or_else(|| {
        format!(
            "`{text}` is not a role; use one of {}",
            codes(&Role::ALL, Role::code)
        )
    })
}

/// An action kind by its code (`TRANSFER`, `SACC`, `CERT_ENDORSE`, …).
pub fn action_kind(text: &str) -> Result<ActionKind, String> {
    let wanted = normalise(text);
    ALL_ACTIONS
        .iter()
        .copied()
        .find(|a| a.code() == wanted)
        .ok_or_else(|| {
            format!(
                "`{text}` is not an action; use one of {}",
                codes(ALL_ACTIONS, ActionKind::code)
            )
        })
}

/// Any of the ledger's unit enums by its JSON name (case-insensitive, `-` for `_`).
pub fn ledger_enum<T: DeserializeOwned>(
    text: &str,
    what: &str,
    choices: &str,
) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(normalise(text)))
        .map_err(|_| format!("`{text}` is not a {what}; use one of {choices}"))
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<CalendarDate, String> {
    text.trim().parse()
}

/// An instant: RFC 3339 (`2026-01-31T00:00:00Z`) or milliseconds since the Unix epoch.
pub fn timestamp(text: &str) -> Result<Timestamp, String> {
    if let Ok(ms) = text.trim().parse::<u64>() {
        return Ok(Timestamp(ms));
    }
    let t =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                format!("`{text}` is neither RFC 3339 (2026-01-31T00:00:00Z) nor epoch ms")
            })?;
    let ms = t.unix_timestamp_nanos() / 1_000_000;
    u64::try_from(ms)
        .map(Timestamp)
        .map_err(|_| format!("`{text}` is before 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebl_ledger::cert::CertificateKind;
    use ebl_ledger::ebl::AmendmentReason;

    #[test]
    fn every_action_code_parses_back_to_its_kind() {
        for kind in ALL_ACTIONS {
            assert_eq!(action_kind(kind.code()), Ok(*kind));
        }
        let mut codes: Vec<_> = ALL_ACTIONS.iter().map(|a| a.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL_ACTIONS.len());
    }

    #[test]
    fn roles_parse_in_any_case_and_unknown_roles_list_the_choices() {
        assert_eq!(role("trade-party"), Ok(Role::TradeParty));
        assert_eq!(role("CARRIER"), Ok(Role::Carrier));
        let err = role("PIRATE").unwrap_err();
        assert!(err.contains("MARITIME_ADMINISTRATION"));
    }

    #[test]
    fn ledger_enums_parse_by_their_json_names() {
        let kind: CertificateKind = ledger_enum("safety-radio", "kind", "").unwrap();
        assert_eq!(kind, CertificateKind::SafetyRadio);
        let reason: AmendmentReason = ledger_enum("cod", "reason", "").unwrap();
        assert_eq!(reason, AmendmentReason::ChangeOfDestination);
        assert!(ledger_enum::<AmendmentReason>("nope", "reason", "SWTP").is_err());
    }

    #[test]
    fn hashes_keys_dates_and_instants() {
        assert!(hash32(&"ab".repeat(32)).is_ok());
        assert!(hash32("xyz").is_err());
        assert!(public_key(&"00".repeat(31)).is_err());
        assert!(date("2026-02-30").is_err());
        assert_eq!(timestamp("1000"), Ok(Timestamp(1000)));
        assert_eq!(
            timestamp("1970-01-01T00:00:01Z"),
            Ok(Timestamp::from_unix_seconds(1))
        );
        assert!(org_id("has space").is_err());
    }
}
