//! Stateless bounds of the PINT actions (specs/protocol.md R290, R292, R294).

use crate::ebl::pint::{MAX_CHAIN_ENTRIES, MAX_JWS_BYTES};
use crate::ebl::{Attachment, ForeignParty};
use crate::error::RuleError;
use crate::ids::check_text;

/// R290: longest PINT platform code (DCSA `eblPlatform`: 4 characters).
pub const MAX_PLATFORM_LEN: usize = 4;
/// R290: longest `partyName` (DCSA: 70 characters).
pub const MAX_PARTY_NAME_LEN: usize = 70;
/// R290: most `identifyingCodes` kept for a foreign party.
pub const MAX_PARTY_CODES: usize = 8;

/// R290: a foreign party as DCSA bounds it: a platform code of 1–4 non-space characters, a name
/// of 1–70 characters without surrounding space, 1–8 identifying codes of bounded text.
pub fn check_foreign_party(field: &'static str, party: &ForeignParty) -> Result<(), RuleError> {
    let platform = &party.ebl_platform;
    if platform.is_empty()
        || platform.chars().count() > MAX_PLATFORM_LEN
        || platform
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(RuleError::invalid(
            field,
            "eblPlatform must be 1-4 non-space characters",
        ));
    }
    let name = &party.party_name;
    if name.is_empty() || name.trim() != name || name.chars().count() > MAX_PARTY_NAME_LEN {
        return Err(RuleError::invalid(
            field,
            "partyName must be 1-70 characters",
        ));
    }
    check_text(field, name, 4 * MAX_PARTY_NAME_LEN)?;
    if party.identifying_codes.is_empty() || party.identifying_codes.len() > MAX_PARTY_CODES {
        return Err(RuleError::invalid(field, "1 to 8 identifyingCodes"));
    }
    for code in &party.identifying_codes {
        if code.code_list_provider.is_empty() || code.party_code.is_empty() {
            return Err(RuleError::invalid(
                field,
                "identifyingCodes need a provider and a code",
            ));
        }
        check_text(field, &code.code_list_provider, 100)?;
        check_text(field, &code.party_code, 150)?;
        if let Some(list) = &code.code_list_name {
            check_text(field, list, 100)?;
        }
    }
    Ok(())
}

/// R294: one compact JWS kept on the ledger: 1 to 16 KiB of base64url parts and dots.
pub fn check_jws(field: &'static str, jws: &str) -> Result<(), RuleError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if jws.is_empty() || jws.len() > MAX_JWS_BYTES || !jws.chars().all(ok) {
        return Err(RuleError::invalid(
            field,
            "must be a compact JWS of at most 16 KiB",
        ));
    }
    Ok(())
}

/// R294: an envelope transfer chain: 1 to 64 compact JWS.
pub fn check_chain(chain: &[String]) -> Result<(), RuleError> {
    if chain.is_empty() || chain.len() > MAX_CHAIN_ENTRIES {
        return Err(RuleError::invalid("chain", "1 to 64 entries"));
    }
    chain.iter().try_for_each(|entry| check_jws("chain", entry))
}

/// R322: an attachment's metadata as PINT bounds it: a name of 1–255 characters, a media type
/// of 1–100, a size of at least one byte.
pub fn check_attachment(field: &'static str, attachment: &Attachment) -> Result<(), RuleError> {
    let name = &attachment.name;
    let media = &attachment.media_type;
    if name.is_empty() || name.chars().count() > 255 || media.is_empty() || media.len() > 100 {
        return Err(RuleError::invalid(
            field,
            "name 1-255 and mediaType 1-100 characters",
        ));
    }
    if attachment.size == 0 {
        return Err(RuleError::invalid(field, "size must be at least 1"));
    }
    check_text(field, name, 1024)?;
    check_text(field, media, 100)
}
