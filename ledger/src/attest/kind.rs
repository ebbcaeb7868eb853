//! The kinds of trade certificate and who may issue each (specs/protocol.md R391, table "Who
//! issues which kind").

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::identity::Role;

/// A kind of attested trade document. New kinds go at the end (the encoding is the index).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeCertificateKind {
    /// Certificate of origin: preferential (under a trade agreement, issued by the customs
    /// authority, e.g. China Customs or Singapore Customs for CSFTA/RCEP) or non-preferential
    /// (issued by a chamber of commerce such as CCPIT, Kyoto Convention Annex K).
    CertificateOfOrigin,
    /// Phytosanitary certificate (IPPC Art. V, ISPM 12): issued only by public officers of the
    /// exporting country's national plant protection organization.
    Phytosanitary,
    /// Veterinary or sanitary health certificate for animal products and food (WOAH Terrestrial
    /// Code ch. 5.2): issued by the competent authority's official veterinarian.
    VeterinaryHealth,
    /// Fumigation or treatment certificate (ISPM 15, ISPM 43): issued by the treatment
    /// provider accredited by the plant protection organization, or by that organization.
    Fumigation,
    /// A paperless approval certificate of the single window (licence, permit or clearance
    /// approval, as in the China–Singapore pilot): issued by the single window's authority.
    ApprovalCertificate,
}

impl TradeCertificateKind {
    /// Every kind, in declaration order.
    pub const ALL: [TradeCertificateKind; 5] = [
        TradeCertificateKind::CertificateOfOrigin,
        TradeCertificateKind::Phytosanitary,
        TradeCertificateKind::VeterinaryHealth,
        TradeCertificateKind::Fumigation,
        TradeCertificateKind::ApprovalCertificate,
    ];

    /// The code shown in APIs and on printouts.
    pub fn code(self) -> &'static str {
        match self {
            TradeCertificateKind::CertificateOfOrigin => "CERTIFICATE_OF_ORIGIN",
            TradeCertificateKind::Phytosanitary => "PHYTOSANITARY",
            TradeCertificateKind::VeterinaryHealth => "VETERINARY_HEALTH",
            TradeCertificateKind::Fumigation => "FUMIGATION",
            TradeCertificateKind::ApprovalCertificate => "APPROVAL_CERTIFICATE",
        }
    }

    /// R391: the roles of which the issuing authority must have at least one. Official
    /// certification (plant health, animal health, approvals) stays with the border agencies
    /// behind the single window; a chamber of commerce or an accredited treatment provider
    /// (CERTIFYING_BODY) issues only what the law lets a non-government body certify.
    pub fn issuer_roles(self) -> &'static [Role] {
        match self {
            TradeCertificateKind::CertificateOfOrigin | TradeCertificateKind::Fumigation => {
                &[Role::PortOrSingleWindow, Role::CertifyingBody]
            }
            TradeCertificateKind::Phytosanitary
            | TradeCertificateKind::VeterinaryHealth
            | TradeCertificateKind::ApprovalCertificate => &[Role::PortOrSingleWindow],
        }
    }

    /// [`Self::issuer_roles`] as the text of a `MISSING_ROLE` refusal.
    pub fn issuer_roles_text(self) -> &'static str {
        match self {
            TradeCertificateKind::CertificateOfOrigin | TradeCertificateKind::Fumigation => {
                "PORT_OR_SINGLE_WINDOW or CERTIFYING_BODY"
            }
            TradeCertificateKind::Phytosanitary
            | TradeCertificateKind::VeterinaryHealth
            | TradeCertificateKind::ApprovalCertificate => "PORT_OR_SINGLE_WINDOW",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_code_and_at_least_one_issuer_role() {
        let mut codes: Vec<_> = TradeCertificateKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TradeCertificateKind::ALL.len());
        for kind in TradeCertificateKind::ALL {
            assert!(!kind.issuer_roles().is_empty());
            let text = kind.issuer_roles_text();
            assert!(kind.issuer_roles().iter().all(|r| text.contains(r.code())));
        }
    }

    #[test]
    fn only_a_border_agency_issues_plant_or_animal_health_and_approvals() {
        for kind in [
            TradeCertificateKind::Phytosanitary,
            TradeCertificateKind::VeterinaryHealth,
            TradeCertificateKind::ApprovalCertificate,
        ] {
            assert_eq!(kind.issuer_roles(), &[Role::PortOrSingleWindow]);
        }
        assert!(
            TradeCertificateKind::CertificateOfOrigin
                .issuer_roles()
                .contains(&Role::CertifyingBody)
        );
    }
}
