//! eBL bodies that need more than their flags: ISSUE from a DCSA TransportDocument, and the
//! replacements of AMEND, SPLIT and COMBINE (R30–R49).

use std::path::Path;

use ebl_ledger::docfacts::{self, PartyLookup};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;

use crate::document::TransportDocument;
use crate::error::{WalletError, bad_input};

/// Most documents a SPLIT or COMBINE may name.
pub const MAX_PARTS: usize = 32;

/// Who the issued document goes to, and what the document may leave unsaid (R222: never a
/// contradiction of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueOptions {
    /// First holder.
    pub issue_to: OrgId,
    /// Consignee (straight BL, SWB) or first endorsee (to-order BL; `None` = blank).
    pub consignee: Option<OrgId>,
    /// `transportDocumentReference`, for a document without one.
    pub reference: Option<String>,
    /// The kind, for a document that does not declare one.
    pub kind: Option<EblType>,
}

/// The platform code of the gateways' default directory (`codeListProvider` naming an
/// organisation by its ledger id): the only party code the wallet can read (R220).
pub const PLATFORM: &str = "EBLL";

fn directory(provider: &str, code: &str) -> Option<OrgId> {
    if provider == PLATFORM {
        OrgId::new(code).ok()
    } else {
        None
    }
}

fn contradiction(field: &str, given: &str, found: &str) -> WalletError {
    WalletError::InvalidArgument {
        field: field.into(),
        reason: format!("{given} contradicts the document, which says {found} (R222)"),
    }
}

/// R221–R222 as far as the wallet can read: the title party the document names by a
/// [`PLATFORM`] code wins and a contradicting `--consignee` is refused; a to-order BL without
/// endorsee is blank, so any `--consignee` contradicts it; a party named only by codes the
/// wallet cannot read (or a straight BL naming none) needs `--consignee`, which is taken.
fn title_party(
    doc: &TransportDocument,
    path: &Path,
    kind: EblType,
    given: Option<&OrgId>,
) -> Result<Option<OrgId>, WalletError> {
    let field = if kind == EblType::ToOrderBl {
        "endorsee"
    } else {
        "consignee"
    };
    let stated = doc
        .value
        .pointer(&format!("/documentParties/{field}"))
        .map(|party| docfacts::lookup_party(party, &directory));
    match (stated, given) {
        (Some(PartyLookup::Named(found)), Some(given)) if found != *given => Err(contradiction(
            "--consignee",
            given.as_str(),
            &format!("{field} {found}"),
        )),
        (Some(PartyLookup::Named(found)), _) => Ok(Some(found)),
        (Some(PartyLookup::Ambiguous(_)), _) => Err(bad_input(
            path,
            format!("documentParties.{field} names several organisations"),
        )),
        (Some(PartyLookup::NoKnownCode), Some(given)) => Ok(Some(given.clone())),
        (Some(PartyLookup::NoKnownCode), None) => Err(WalletError::InvalidArgument {
            field: "--consignee".into(),
            reason: format!(
                "the document names its {field} only by codes the wallet cannot read (it reads \
                 {PLATFORM}); pass --consignee ORG"
            ),
        }),
        (None, Some(given)) if kind == EblType::ToOrderBl => Err(contradiction(
            "--consignee",
            given.as_str(),
            "no endorsee (a blank to-order BL)",
        )),
        (None, Some(given)) => Ok(Some(given.clone())),
        (None, None) if kind == EblType::ToOrderBl => Ok(None),
        (None, None) => Err(WalletError::InvalidArgument {
            field: "--consignee".into(),
            reason: "a straight BL or sea waybill names its consignee; pass --consignee ORG".into(),
        }),
    }
}

/// The ISSUE record of `doc` (read from `path`): id = document id; reference, kind and title
/// party from the document (R220–R222), the flags only where the document is silent or agrees.
pub fn issue_from_document(
    doc: &TransportDocument,
    path: &Path,
    options: &IssueOptions,
) -> Result<EblIssue, WalletError> {
    let reference = match (&options.reference, doc.reference()) {
        (Some(given), Some(found)) if given != found => {
            return Err(contradiction(
                "--reference",
                given,
                &format!("transportDocumentReference {found}"),
            ));
        }
        (Some(given), _) => given.clone(),
        (None, Some(found)) => found.to_string(),
        (None, None) => {
            return Err(bad_input(
                path,
                "the document has no transportDocumentReference; pass --reference REF",
            ));
        }
    };
    let kind = match (options.kind, docfacts::kind_of(&doc.value)) {
        (Some(given), Ok(found)) if given != found => {
            return Err(contradiction(
                "--kind",
                &format!("{given:?}"),
                &format!("{found:?}"),
            ));
        }
        (Some(given), _) => given,
        (None, Ok(found)) => found,
        (None, Err(reason)) => return Err(bad_input(path, format!("{reason}; pass --kind"))),
    };
    let consignee = title_party(doc, path, kind, options.consignee.as_ref())?;
    Ok(EblIssue {
        document: doc.id,
        reference,
        kind,
        issue_to: options.issue_to.clone(),
        consignee,
    })
}

fn count(field: &str, n: usize) -> Result<(), WalletError> {
    if (2..=MAX_PARTS).contains(&n) {
        Ok(())
    } else {
        Err(WalletError::InvalidArgument {
            field: field.into(),
            reason: format!("give 2 to {MAX_PARTS}, not {n}"),
        })
    }
}

/// SPLIT of `document` into `replacements`.
pub fn split(document: DocumentId, replacements: Vec<EblIssue>) -> Result<EblAction, WalletError> {
    count("--replacement", replacements.len())?;
    Ok(EblAction::Split {
        document,
        replacements,
    })
}

/// COMBINE of `documents` into `replacement`.
pub fn combine(
    documents: Vec<DocumentId>,
    replacement: EblIssue,
) -> Result<EblAction, WalletError> {
    count("--document", documents.len())?;
    Ok(EblAction::Combine {
        documents,
        replacement,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::read_transport_document;

    fn options() -> IssueOptions {
        IssueOptions {
            issue_to: OrgId("SHIPPER".into()),
            consignee: None,
            reference: None,
            kind: None,
        }
    }

    fn doc(text: &str) -> TransportDocument {
        read_transport_document(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_to_order_bl_without_consignee_is_issued_blank() {
        let d = doc(
            r#"{"transportDocumentReference":"R1","transportDocumentTypeCode":"BOL","isToOrder":true}"#,
        );
        let issue = issue_from_document(&d, Path::new("f"), &options()).unwrap();
        assert_eq!(issue.kind, EblType::ToOrderBl);
        assert_eq!(issue.reference, "R1");
        assert_eq!(issue.document, d.id);
        assert_eq!(issue.consignee, None);
    }

    #[test]
    fn a_straight_bl_needs_a_consignee() {
        let d = doc(
            r#"{"transportDocumentReference":"R1","transportDocumentTypeCode":"BOL","isToOrder":false}"#,
        );
        let err = issue_from_document(&d, Path::new("f"), &options()).unwrap_err();
        assert!(err.to_string().contains("--consignee"));
        let mut with = options();
        with.consignee = Some(OrgId("CONSIGNEE".into()));
        assert_eq!(
            issue_from_document(&d, Path::new("f"), &with).unwrap().kind,
            EblType::StraightBl
        );
    }

    #[test]
    fn a_missing_reference_asks_for_the_flag_and_a_contradicting_kind_is_refused() {
        let d = doc(r#"{"transportDocumentTypeCode":"SWB"}"#);
        let err = issue_from_document(&d, Path::new("f"), &options()).unwrap_err();
        assert_eq!(err.exit_code(), crate::ExitCode::BadInput);
        let mut opts = options();
        opts.reference = Some("R2".into());
        opts.kind = Some(EblType::ToOrderBl);
        assert!(issue_from_document(&d, Path::new("f"), &opts).is_err());
    }

    #[test]
    fn the_title_party_named_by_the_platform_code_wins_and_may_not_be_contradicted() {
        let d = doc(
            r#"{"transportDocumentReference":"R1","transportDocumentTypeCode":"BOL","isToOrder":false,
               "documentParties":{"consignee":{"partyName":"C","identifyingCodes":[{"codeListProvider":"EBLL","partyCode":"CONSIGNEE"}]}}}"#,
        );
        let issue = issue_from_document(&d, Path::new("f"), &options()).unwrap();
        assert_eq!(issue.consignee, Some(OrgId("CONSIGNEE".into())));
        let mut other = options();
        other.consignee = Some(OrgId("BANK".into()));
        let err = issue_from_document(&d, Path::new("f"), &other).unwrap_err();
        assert!(err.to_string().contains("contradicts"), "{err}");
        other.consignee = Some(OrgId("CONSIGNEE".into()));
        assert!(issue_from_document(&d, Path::new("f"), &other).is_ok());
    }

    #[test]
    fn a_reference_or_an_endorsee_the_document_does_not_state_is_refused() {
        let d = doc(
            r#"{"transportDocumentReference":"R1","transportDocumentTypeCode":"BOL","isToOrder":true}"#,
        );
        let mut opts = options();
        opts.reference = Some("R2".into());
        assert!(issue_from_document(&d, Path::new("f"), &opts).is_err());
        let mut opts = options();
        opts.consignee = Some(OrgId("BANK".into()));
        let err = issue_from_document(&d, Path::new("f"), &opts).unwrap_err();
        assert!(err.to_string().contains("blank"), "{err}");
    }

    #[test]
    fn split_and_combine_need_two_to_thirty_two_parts() {
        let id = DocumentId::default();
        assert!(split(id, vec![]).is_err());
        assert!(
            combine(
                vec![id; 33],
                EblIssue {
                    document: id,
                    reference: "R".into(),
                    kind: EblType::SeaWaybill,
                    issue_to: OrgId("A".into()),
                    consignee: None,
                }
            )
            .is_err()
        );
    }
}
