//! DCSA `transportDocumentSubReference` (R341, R348): the ledger keeps none; it is read from the
//! document body the node stores, as a party of the document (R140), so only a party learns it.

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::ids::OrgId;
use serde_json::Value;

use crate::AppState;
use crate::error::ApiResult;

/// What the stored body of `record` says its sub-reference is, read as `party`: `None` when
/// `party` is not a party of the document or no reachable node holds the body (the caller
/// cannot tell), `Some(None)` when the document has no sub-reference.
pub async fn stored_sub_reference(
    state: &AppState,
    record: &EblRecord,
    party: &OrgId,
) -> ApiResult<Option<Option<String>>> {
    if !record.is_party(party) {
        return Ok(None);
    }
    let Some(bytes) = state.node.document_body(record.id, party.clone()).await? else {
        return Ok(None);
    };
    // The node checked the body against its id (R142); a body that is not JSON says nothing.
    let Ok(document) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(None);
    };
    let sub = document
        .get("transportDocumentSubReference")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Some(sub))
}
