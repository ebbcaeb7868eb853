//! Parties across platforms: this network's organisations as PINT parties, PINT parties as the
//! ledger's `ForeignParty`, and the member a PINT party names here (R323).

use ebl_ledger::ebl::{ForeignParty, PartyCode};
use ebl_ledger::ids::OrgId;

use crate::dcsa::DcsaConfig;
use crate::dcsa::parties::org_of_code;
use crate::pint::model::{IdentifyingCode, Party};

/// Longest `partyName` PINT admits.
const MAX_PARTY_NAME: usize = 70;

/// R323: member `org` as a PINT party of this platform: its name on the ledger (or its id),
/// `eblPlatform` this platform, and its id under this platform's code list.
pub fn member_party(config: &DcsaConfig, org: &OrgId, name: Option<&str>) -> Party {
    let name = name.unwrap_or(org.as_str()).trim();
    let name: String = name.chars().take(MAX_PARTY_NAME).collect();
    Party {
        party_name: name.trim_end().to_string(),
        ebl_platform: config.platform.clone(),
        identifying_codes: vec![IdentifyingCode {
            code_list_provider: config.platform.clone(),
            party_code: org.as_str().to_string(),
            code_list_name: None,
        }],
        tax_legal_references: None,
        represented_party: None,
    }
}

/// A PINT party as the ledger keeps a party of another platform (at most 8 codes, R290).
pub fn foreign(party: &Party) -> ForeignParty {
    ForeignParty {
        ebl_platform: party.ebl_platform.clone(),
        party_name: party.party_name.clone(),
        identifying_codes: party
            .identifying_codes
            .iter()
            .take(8)
            .map(|c| PartyCode {
                code_list_provider: c.code_list_provider.clone(),
                party_code: c.party_code.clone(),
                code_list_name: c.code_list_name.clone(),
            })
            .collect(),
    }
}

/// The ledger's foreign party as a PINT party.
pub fn pint_party(party: &ForeignParty) -> Party {
    Party {
        party_name: party.party_name.clone(),
        ebl_platform: party.ebl_platform.clone(),
        identifying_codes: party
            .identifying_codes
            .iter()
            .map(|c| IdentifyingCode {
                code_list_provider: c.code_list_provider.clone(),
                party_code: c.party_code.clone(),
                code_list_name: c.code_list_name.clone(),
            })
            .collect(),
        tax_legal_references: None,
        represented_party: None,
    }
}

/// R323: the one member a PINT party's identifying codes name here (this platform's code, or a
/// configured alias); `None` when they name none or several.
pub fn member_of(config: &DcsaConfig, codes: &[IdentifyingCode]) -> Option<OrgId> {
    let mut found: Option<OrgId> = None;
    for code in codes {
        if let Some(org) = org_of_code(config, &code.code_list_provider, &code.party_code) {
            match &found {
                Some(other) if *other != org => return None,
                _ => found = Some(org),
            }
        }
    }
    found
}

/// R296: the id a carrier of another platform is known by here: `PINT.<platform>.<code>` with
/// its first identifying code, cut to the organisation-id charset and length.
pub fn foreign_carrier(issuer: &Party) -> Option<OrgId> {
    let code = issuer.identifying_codes.first()?;
    let raw = format!("PINT.{}.{}", issuer.ebl_platform, code.party_code);
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(OrgId::MAX_LEN)
        .collect();
    OrgId::new(clean).ok()
}
