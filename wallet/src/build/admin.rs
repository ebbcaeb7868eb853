//! Grants, governance proposals and verification receipts (R25–R29, R80–R84, R90–R99).

use std::path::Path;

use x509_parser::prelude::{FromDer, X509Certificate};

use ebl_ledger::entry::{ActionKind, DocumentRef};
use ebl_ledger::identity::{DocumentKind, GrantTerms, Grantee};
use ebl_ledger::time::Timestamp;

use crate::error::{WalletError, bad_input};

/// The DER of a certificate file (PEM `CERTIFICATE` or DER), checked to parse as X.509.
pub fn certificate_der(bytes: &[u8], path: &Path) -> Result<Vec<u8>, WalletError> {
    let trimmed = bytes.trim_ascii_start();
    let der = if trimmed.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(trimmed)
            .map_err(|e| bad_input(path, format!("not a PEM file ({e})")))?;
        if pem.label != "CERTIFICATE" {
            return Err(bad_input(
                path,
                format!("PEM label is `{}`, expected CERTIFICATE", pem.label),
            ));
        }
        pem.contents
    } else {
        bytes.to_vec()
    };
    X509Certificate::from_der(&der)
        .map_err(|e| bad_input(path, format!("not an X.509 certificate ({e})")))?;
    Ok(der)
}

/// Grant terms, with the document kinds inferred from the actions when none are given.
pub fn grant_terms(
    grantee: Grantee,
    actions: Vec<ActionKind>,
    mut document_kinds: Vec<DocumentKind>,
    document: Option<DocumentRef>,
    valid_from: Timestamp,
    valid_until: Timestamp,
) -> Result<GrantTerms, WalletError> {
    if actions.is_empty() {
        return Err(WalletError::InvalidArgument {
            field: "--action".into(),
            reason: "name at least one action".into(),
        });
    }
    if valid_until < valid_from {
        return Err(WalletError::InvalidArgument {
            field: "--valid-until".into(),
            reason: "is before --valid-from".into(),
        });
    }
    if document_kinds.is_empty() {
        for action in &actions {
            let kind = match action.code() {
                code if code.starts_with("CERT_") => Some(DocumentKind::ShipCertificate),
                code if code.starts_with("ATTEST_") => Some(DocumentKind::TradeCertificate),
                "VERIFY" | "GRANT" | "GRANT_REVOKE" | "PROPOSE" | "VOTE" => None,
                _ => Some(DocumentKind::Ebl),
            };
            if let Some(kind) = kind
                && !document_kinds.contains(&kind)
            {
                document_kinds.push(kind);
            }
        }
    }
    document_kinds.sort();
    document_kinds.dedup();
    if document_kinds.is_empty() {
        return Err(WalletError::InvalidArgument {
            field: "--document-kind".into(),
            reason: "name at least one (EBL, SHIP_CERTIFICATE or TRADE_CERTIFICATE)".into(),
        });
    }
    Ok(GrantTerms {
        grantee,
        actions,
        document_kinds,
        document,
        valid_from,
        valid_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebl_ledger::ids::OrgId;

    #[test]
    fn document_kinds_follow_the_actions_when_not_given() {
        let terms = grant_terms(
            Grantee::Organisation(OrgId("AGENT".into())),
            vec![ActionKind::EblIssue, ActionKind::CertEndorse],
            vec![],
            None,
            Timestamp(0),
            Timestamp(1),
        )
        .unwrap();
        assert_eq!(
            terms.document_kinds,
            vec![DocumentKind::Ebl, DocumentKind::ShipCertificate]
        );
    }

    #[test]
    fn a_trade_certificate_action_infers_the_trade_certificate_kind() {
        let terms = grant_terms(
            Grantee::Organisation(OrgId("BROKER".into())),
            vec![ActionKind::AttestIssue, ActionKind::AttestAmend],
            vec![],
            None,
            Timestamp(0),
            Timestamp(1),
        )
        .unwrap();
        assert_eq!(terms.document_kinds, vec![DocumentKind::TradeCertificate]);
    }

    #[test]
    fn an_inverted_window_or_no_action_is_refused() {
        let grantee = || Grantee::Organisation(OrgId("AGENT".into()));
        assert!(grant_terms(grantee(), vec![], vec![], None, Timestamp(0), Timestamp(1)).is_err());
        assert!(
            grant_terms(
                grantee(),
                vec![ActionKind::EblIssue],
                vec![],
                None,
                Timestamp(2),
                Timestamp(1)
            )
            .is_err()
        );
    }

    #[test]
    fn a_non_certificate_file_is_bad_input() {
        let err = certificate_der(b"hello", Path::new("c.pem")).unwrap_err();
        assert_eq!(err.exit_code(), crate::ExitCode::BadInput);
    }
}
