//! `POST /v3/receiver-validation` (R330): the name of the member a party code names, when this
//! gateway would accept an eBL for it (an active member it signs for); 404 otherwise, without
//! saying why (PINT: "deliberately vague").

use ebl_ledger::identity::Organisation;
use ebl_ledger::state::keys;

use super::directory::member_of;
use crate::AppState;
use crate::pint::model::IdentifyingCode;
use crate::records;

/// The `partyName` to show for `code`, or `None` (404).
pub async fn party_name(state: &AppState, code: &IdentifyingCode) -> Option<String> {
    let org = member_of(&state.config.dcsa, std::slice::from_ref(code))?;
    let served = state
        .custodian
        .as_ref()
        .is_some_and(|c| c.identities().iter().any(|i| i.org == org));
    if !served {
        return None;
    }
    let record = records::get::<Organisation>(state, keys::organisation(&org))
        .await
        .ok()??;
    let active = record.revoked_at_height.is_none();
    active.then(|| {
        record
            .name
            .chars()
            .take(70)
            .collect::<String>()
            .trim()
            .to_string()
    })
}
