//! DCSA ISS `transportDocumentReplacements` mapped to the ledger's AMEND, COMBINE and SPLIT
//! (R340–R343, ADR 0038): which earlier documents of the carrier an issuance request replaces.
//! Only the references are resolved here; the ledger decides whether the replacement stands
//! (R55–R57: surrendered for amendment, same carrier, same surrendering party).

use std::collections::BTreeSet;

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::Value;

use super::issuance::Problem;
use super::sub_reference::stored_sub_reference;
use crate::AppState;
use crate::error::ApiResult;
use crate::records;

/// R340: most old or new references one request may name (the ledger's SPLIT and COMBINE
/// bound, R33).
pub const MAX_RELATIONS: usize = ebl_ledger::ebl::MAX_REPLACEMENTS;

const OLD: &str = "$.transportDocumentReplacements.oldTransportDocumentReferences";
const NEW: &str = "$.transportDocumentReplacements.newTransportDocumentReferences";

/// What an issuance request with replacements asks the ledger for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// R342: one old document, replaced by this one.
    Amend {
        /// The old document.
        old: DocumentId,
    },
    /// R342: several old documents, replaced by this one.
    Combine {
        /// The old documents, in the request's order.
        olds: Vec<DocumentId>,
    },
    /// R343: this document is one part of a split of `old` into `parts`.
    SplitPart {
        /// The old document.
        old: DocumentId,
        /// Every part's transportDocumentReference, in the request's order.
        parts: Vec<String>,
    },
}

/// A `TransportDocumentRelation`.
struct Relation {
    reference: String,
    sub_reference: Option<String>,
}

/// The relations listed under `field` (empty when absent; the schema already checked their
/// shape).
fn relations(replacements: &Value, field: &str) -> Vec<Relation> {
    let Some(items) = replacements.get(field).and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let reference = item
                .get("transportDocumentReference")?
                .as_str()?
                .to_string();
            let sub_reference = item
                .get("transportDocumentSubReference")
                .and_then(Value::as_str)
                .map(str::to_string);
            Some(Relation {
                reference,
                sub_reference,
            })
        })
        .collect()
}

/// R341: the carrier's live document under `relation`'s reference, its stored sub-reference
/// matching when one is named.
async fn resolve(
    state: &AppState,
    carrier: &OrgId,
    relation: &Relation,
    path: &str,
    problems: &mut Vec<Problem>,
) -> ApiResult<Option<DocumentId>> {
    let key = keys::ebl_reference(carrier, &relation.reference);
    let record = match records::get::<DocumentId>(state, key).await? {
        Some(id) => records::get::<EblRecord>(state, keys::ebl(&id)).await?,
        None => None,
    };
    let Some(record) = record else {
        problems.push(Problem::new(
            "UNKNOWN_REPLACED_DOCUMENT",
            format!(
                "{path}: {carrier} has issued no document with transportDocumentReference {}",
                relation.reference
            ),
        ));
        return Ok(None);
    };
    if let Some(wanted) = &relation.sub_reference {
        let stored = stored_sub_reference(state, &record, carrier).await?;
        if stored.as_ref().and_then(Option::as_deref) != Some(wanted.as_str()) {
            let found = match stored {
                None => "is not available to compare".to_string(),
                Some(None) => "has none".to_string(),
                Some(Some(s)) => format!("is {s}"),
            };
            problems.push(Problem::new(
                "SUB_REFERENCE_MISMATCH",
                format!(
                    "{path}: the transportDocumentSubReference of {} {found}, not {wanted}",
                    relation.reference
                ),
            ));
            return Ok(None);
        }
    }
    Ok(Some(record.id))
}

/// R343: the split's list of parts: 2–32 distinct references, this request's among them, with
/// this document's sub-reference if the list gives one for it.
fn split_parts(
    news: &[Relation],
    reference: &str,
    sub_reference: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let parts: Vec<String> = news.iter().map(|r| r.reference.clone()).collect();
    let distinct: BTreeSet<&String> = parts.iter().collect();
    if parts.len() < 2 || distinct.len() != parts.len() {
        problems.push(Problem::new(
            "INVALID_SPLIT",
            format!("{NEW}: a split names 2-{MAX_RELATIONS} distinct references"),
        ));
    } else if !distinct.contains(&reference.to_string()) {
        problems.push(Problem::new(
            "NOT_A_SPLIT_PART",
            format!("{NEW} does not name this document's reference {reference}"),
        ));
    }
    let listed = news.iter().find(|r| r.reference == reference);
    if let Some(wanted) = listed.and_then(|r| r.sub_reference.as_deref())
        && sub_reference != Some(wanted)
    {
        problems.push(Problem::new(
            "SUB_REFERENCE_MISMATCH",
            format!(
                "{NEW} gives {reference} the transportDocumentSubReference {wanted}, the document {}",
                sub_reference.unwrap_or("none")
            ),
        ));
    }
    parts
}

/// R340–R343: the plan of a request for `reference` sent by `carrier`: `Ok(None)` without
/// replacements (an ISSUE), the problems for a BREQ when they cannot be resolved.
pub async fn plan(
    state: &AppState,
    request: &Value,
    carrier: &OrgId,
    reference: &str,
) -> ApiResult<Result<Option<Plan>, Vec<Problem>>> {
    let Some(replacements) = request.get("transportDocumentReplacements") else {
        return Ok(Ok(None));
    };
    let olds = relations(replacements, "oldTransportDocumentReferences");
    let news = relations(replacements, "newTransportDocumentReferences");
    let mut problems = Vec::new();
    if olds.is_empty() {
        if news.is_empty() {
            return Ok(Ok(None)); // nothing is replaced: an ISSUE
        }
        problems.push(Problem::new(
            "INVALID_REPLACEMENTS",
            format!("{OLD}: a split names the document it splits"),
        ));
        return Ok(Err(problems));
    }
    if olds.len() > MAX_RELATIONS || news.len() > MAX_RELATIONS {
        problems.push(Problem::new(
            "INVALID_REPLACEMENTS",
            format!("at most {MAX_RELATIONS} old and {MAX_RELATIONS} new references"),
        ));
        return Ok(Err(problems));
    }
    if !news.is_empty() && olds.len() > 1 {
        problems.push(Problem::new(
            "UNSUPPORTED_REPLACEMENT",
            "a split replaces one document; several documents combine into one",
        ));
        return Ok(Err(problems));
    }
    let mut ids = Vec::with_capacity(olds.len());
    for (i, relation) in olds.iter().enumerate() {
        let path = format!("{OLD}[{i}]");
        if let Some(id) = resolve(state, carrier, relation, &path, &mut problems).await? {
            ids.push(id);
        }
    }
    let parts = if news.is_empty() {
        Vec::new()
    } else {
        let sub_reference = request
            .pointer("/document/transportDocumentSubReference")
            .and_then(Value::as_str);
        split_parts(&news, reference, sub_reference, &mut problems)
    };
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let plan = match (ids.as_slice(), parts.is_empty()) {
        ([old], true) => Plan::Amend { old: *old },
        ([old], false) => Plan::SplitPart { old: *old, parts },
        _ => Plan::Combine { olds: ids },
    };
    Ok(Ok(Some(plan)))
}
