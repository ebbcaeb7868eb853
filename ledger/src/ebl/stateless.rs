//! Stateless bounds of eBL actions (specs/protocol.md R31, R33, R35).

use crate::ebl::{EblAction, EblIssue, EblType, pint_bounds, trade_links};
use crate::error::RuleError;
use crate::ids::{check_code, check_text};

/// R31: longest transportDocumentReference (DCSA: 20 characters).
pub const MAX_REFERENCE_LEN: usize = 20;
/// R240: longest surrenderRequestReference (DCSA: 100 characters).
pub const MAX_SURRENDER_REFERENCE_LEN: usize = 100;
/// R33: longest reason text.
pub const MAX_REASON_BYTES: usize = 256;
/// R33: fewest and most documents in a SPLIT or COMBINE.
pub const MIN_REPLACEMENTS: usize = 2;
/// R33: see [`MIN_REPLACEMENTS`].
pub const MAX_REPLACEMENTS: usize = 32;

/// R240: a surrenderRequestReference as DCSA allows it: 1–100 characters, no control
/// characters, no space at either end (DCSA pattern `^\S(?:.*\S)?$`).
pub fn check_surrender_reference(reference: &str) -> Result<(), RuleError> {
    let field = "request_reference";
    let trimmed = reference.trim() == reference;
    let count = reference.chars().count();
    if reference.is_empty() || !trimmed || count > MAX_SURRENDER_REFERENCE_LEN {
        return Err(RuleError::invalid(
            field,
            format!(
                "must be 1-{MAX_SURRENDER_REFERENCE_LEN} characters without surrounding spaces"
            ),
        ));
    }
    if reference.chars().any(char::is_control) {
        return Err(RuleError::invalid(field, "contains control characters"));
    }
    Ok(())
}

/// R31, R33, R35: the checks an action passes before any state is read.
pub fn check_stateless(action: &EblAction) -> Result<(), RuleError> {
    use EblAction::*;
    match action {
        Issue(issue) => check_issue(issue),
        Transfer { to, .. } => to.validate("to"),
        Endorse { endorsee, .. } | EndorseToOrder { endorsee, .. } => endorsee.validate("endorsee"),
        Nominate { nominee, .. } => nominee.validate("nominee"),
        Reject { reason, .. } | RejectSurrender { reason, .. } | Void { reason, .. } => {
            check_text("reason", reason, MAX_REASON_BYTES)
        }
        SurrenderForDelivery {
            request_reference, ..
        }
        | SurrenderForAmendment {
            request_reference, ..
        } => request_reference
            .as_deref()
            .map_or(Ok(()), check_surrender_reference),
        BlankEndorse { .. } | Sign { .. } | AcceptSurrender { .. } => Ok(()),
        Export {
            to, chain_entry, ..
        } => {
            pint_bounds::check_foreign_party("to", to)?;
            pint_bounds::check_jws("chain_entry", chain_entry)
        }
        ExportAnswer { response, .. } => pint_bounds::check_jws("response", response),
        LinkEvidence { links, .. } => trade_links::check_links(links),
        WithdrawEvidence { link, reason, .. } => trade_links::check_withdraw(*link, reason),
        Import(import) => {
            check_issue(&import.issue)?;
            import.carrier.validate("carrier")?;
            pint_bounds::check_foreign_party("from", &import.from)?;
            if let Some(visualisation) = &import.visualisation {
                pint_bounds::check_attachment("visualisation", visualisation)?;
            }
            pint_bounds::check_chain(&import.chain)
        }
        IssuanceManifest {
            manifest,
            visualisation,
            ..
        } => {
            pint_bounds::check_jws("manifest", manifest)?;
            match visualisation {
                Some(visualisation) => {
                    pint_bounds::check_attachment("visualisation", visualisation)
                }
                None => Ok(()),
            }
        }
        Amend {
            document,
            replacement,
        } => {
            check_issue(replacement)?;
            if replacement.document == *document {
                return Err(RuleError::invalid(
                    "replacement.document",
                    "a document cannot replace itself",
                ));
            }
            Ok(())
        }
        Split {
            document,
            replacements,
        } => {
            check_count("replacements", replacements.len())?;
            for (i, replacement) in replacements.iter().enumerate() {
                check_issue(replacement)?;
                if replacement.document == *document {
                    return Err(RuleError::invalid(
                        "replacements",
                        "a document cannot replace itself",
                    ));
                }
                let earlier = &replacements[..i];
                if earlier.iter().any(|r| r.document == replacement.document) {
                    return Err(RuleError::invalid("replacements", "duplicate document id"));
                }
                if earlier.iter().any(|r| r.reference == replacement.reference) {
                    return Err(RuleError::invalid("replacements", "duplicate reference"));
                }
            }
            Ok(())
        }
        Combine {
            documents,
            replacement,
        } => {
            check_count("documents", documents.len())?;
            check_issue(replacement)?;
            for (i, document) in documents.iter().enumerate() {
                if documents[..i].contains(document) {
                    return Err(RuleError::invalid("documents", "duplicate document id"));
                }
            }
            if documents.contains(&replacement.document) {
                return Err(RuleError::invalid(
                    "replacement.document",
                    "a document cannot replace itself",
                ));
            }
            Ok(())
        }
    }
}

/// R31, R35: reference bounds, valid parties, a consignee where the kind needs one.
fn check_issue(issue: &EblIssue) -> Result<(), RuleError> {
    check_code("reference", &issue.reference, MAX_REFERENCE_LEN)?;
    issue.issue_to.validate("issue_to")?;
    match (&issue.consignee, issue.kind) {
        (Some(consignee), _) => consignee.validate("consignee"),
        (None, EblType::ToOrderBl) => Ok(()),
        (None, EblType::StraightBl | EblType::SeaWaybill) => Err(RuleError::invalid(
            "consignee",
            "a straight BL or sea waybill names its consignee",
        )),
    }
}

fn check_count(field: &'static str, n: usize) -> Result<(), RuleError> {
    if !(MIN_REPLACEMENTS..=MAX_REPLACEMENTS).contains(&n) {
        return Err(RuleError::invalid(
            field,
            format!("between {MIN_REPLACEMENTS} and {MAX_REPLACEMENTS} documents"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::Hash32;
    use crate::ids::OrgId;

    fn issue(reference: &str, kind: EblType, consignee: Option<&str>) -> EblIssue {
        EblIssue {
            document: Hash32::sha256(reference.as_bytes()),
            reference: reference.into(),
            kind,
            issue_to: OrgId("SHIPPER".into()),
            consignee: consignee.map(|c| OrgId(c.into())),
        }
    }

    #[test]
    fn references_are_one_to_twenty_printable_characters() {
        let ok = issue("OLSC-2026-0001", EblType::ToOrderBl, None);
        assert!(check_stateless(&EblAction::Issue(ok)).is_ok());
        for bad in ["", "A B", &"X".repeat(21), "tab\there"] {
            let action = EblAction::Issue(issue(bad, EblType::ToOrderBl, None));
            assert_eq!(
                check_stateless(&action).unwrap_err().code(),
                "INVALID_FIELD"
            );
        }
    }

    #[test]
    fn straight_bills_and_waybills_need_a_consignee() {
        for kind in [EblType::StraightBl, EblType::SeaWaybill] {
            let action = EblAction::Issue(issue("REF1", kind, None));
            assert!(check_stateless(&action).is_err());
            let action = EblAction::Issue(issue("REF1", kind, Some("CONSIGNEE")));
            assert!(check_stateless(&action).is_ok());
        }
    }

    #[test]
    fn reasons_are_bounded_text() {
        let document = Hash32::sha256(b"d");
        let long = EblAction::Void {
            document,
            reason: "x".repeat(257),
        };
        assert!(check_stateless(&long).is_err());
        let control = EblAction::Reject {
            document,
            reason: "no\u{7}".into(),
        };
        assert!(check_stateless(&control).is_err());
        let fine = EblAction::RejectSurrender {
            document,
            reason: "x".repeat(256),
        };
        assert!(check_stateless(&fine).is_ok());
    }

    #[test]
    fn org_ids_in_actions_are_validated() {
        let action = EblAction::Transfer {
            document: Hash32::sha256(b"d"),
            to: OrgId("not valid".into()),
        };
        assert!(check_stateless(&action).is_err());
    }

    #[test]
    fn split_and_combine_sizes_are_bounded_and_distinct() {
        let document = Hash32::sha256(b"old");
        let one = vec![issue("A", EblType::ToOrderBl, None)];
        let split = |replacements| EblAction::Split {
            document,
            replacements,
        };
        assert!(check_stateless(&split(one.clone())).is_err());
        let two = vec![
            issue("A", EblType::ToOrderBl, None),
            issue("B", EblType::ToOrderBl, None),
        ];
        assert!(check_stateless(&split(two)).is_ok());
        let same = vec![one[0].clone(), one[0].clone()];
        assert!(check_stateless(&split(same)).is_err());
        let many = (0..33)
            .map(|i| issue(&format!("R{i}"), EblType::ToOrderBl, None))
            .collect();
        assert!(check_stateless(&split(many)).is_err());

        let combine = |documents| EblAction::Combine {
            documents,
            replacement: issue("C", EblType::ToOrderBl, None),
        };
        assert!(check_stateless(&combine(vec![document])).is_err());
        assert!(check_stateless(&combine(vec![document, document])).is_err());
        assert!(check_stateless(&combine(vec![document, Hash32::sha256(b"x")])).is_ok());
    }
}
