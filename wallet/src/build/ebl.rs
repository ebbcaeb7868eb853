//! eBL bodies that need more than their flags: ISSUE from a DCSA TransportDocument, and the
//! replacements of AMEND, SPLIT and COMBINE (R30–R49).

use std::path::Path;

use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;

use crate::document::TransportDocument;
use crate::error::{WalletError, bad_input};

/// Most documents a SPLIT or COMBINE may name.
pub const MAX_PARTS: usize = 32;

/// Who the issued document goes to, and overrides of what the document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueOptions {
    /// First holder.
    pub issue_to: OrgId,
    /// Consignee (straight BL, SWB) or first endorsee (to-order BL; `None` = blank).
    pub consignee: Option<OrgId>,
    /// Overrides `transportDocumentReference`.
    pub reference: Option<String>,
    /// Overrides the kind derived from `transportDocumentTypeCode` and `isToOrder`.
    pub kind: Option<EblType>,
}

/// The ISSUE record of `doc` (read from `path`): id = document id, reference and kind from the
/// document unless overridden.
pub fn issue_from_document(
    doc: &TransportDocument,
    path: &Path,
    options: &IssueOptions,
) -> Result<EblIssue, WalletError> {
    let reference = match (&options.reference, doc.reference()) {
        (Some(given), _) => given.clone(),
        (None, Some(found)) => found.to_string(),
        (None, None) => {
            return Err(bad_input(
                path,
                "the document has no transportDocumentReference; pass --reference REF",
            ));
        }
    };
    let kind = match (options.kind, doc.kind()) {
        (Some(given), Ok(found)) if given != found => {
            return Err(WalletError::InvalidArgument {
                field: "--kind".into(),
                reason: format!("{given:?} contradicts the document, which is a {found:?}"),
            });
        }
        (Some(given), _) => given,
        (None, Ok(found)) => found,
        (None, Err(reason)) => return Err(bad_input(path, format!("{reason}; pass --kind"))),
    };
    if kind != EblType::ToOrderBl && options.consignee.is_none() {
        return Err(WalletError::InvalidArgument {
            field: "--consignee".into(),
            reason: "a straight BL or sea waybill names its consignee; pass --consignee ORG".into(),
        });
    }
    Ok(EblIssue {
        document: doc.id,
        reference,
        kind,
        issue_to: options.issue_to.clone(),
        consignee: options.consignee.clone(),
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
