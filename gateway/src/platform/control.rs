//! R336: the Control Tracking Registry role, for bills that passed through this network: which
//! platform holds control of a transport document now, from ledger state alone. Here (its
//! status here says how), on the way (EXPORT_PENDING: control is still here until the answer),
//! or exported to another platform and party.

use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{EblRecord, EblStatus};
use ebl_ledger::state::keys;
use serde_json::{Value, json};

use super::directory::pint_party;
use crate::AppState;
use crate::error::ApiResult;
use crate::records;

/// The control answer for `record` (already checked readable by the caller).
pub async fn control(state: &AppState, record: &EblRecord) -> ApiResult<Value> {
    let pint = records::get::<PintRecord>(state, keys::pint(&record.id))
        .await?
        .unwrap_or_default();
    let here = state.config.dcsa.platform.clone();
    let mut answer = json!({
        "transportDocumentChecksum": record.id.to_hex(),
        "transportDocumentReference": record.reference,
        "status": record.status.code(),
        "envelopeTransferChainLength": pint.chain.len(),
    });
    if let Some(last) = pint.last_checksum() {
        answer["lastEnvelopeTransferChainEntrySignedContentChecksum"] = json!(last.to_hex());
    }
    match (&record.status, &pint.exported_to) {
        (EblStatus::Exported, Some(to)) => {
            answer["controllingPlatform"] = json!(to.ebl_platform);
            answer["controllingParty"] =
                serde_json::to_value(pint_party(to)).unwrap_or(Value::Null);
        }
        _ => {
            answer["controllingPlatform"] = json!(here);
            if let Some(pending) = &pint.pending {
                answer["pendingExportTo"] =
                    serde_json::to_value(pint_party(&pending.to)).unwrap_or(Value::Null);
            }
        }
    }
    if let Some(from) = &pint.imported_from {
        answer["importedFrom"] = serde_json::to_value(pint_party(from)).unwrap_or(Value::Null);
    }
    Ok(answer)
}
