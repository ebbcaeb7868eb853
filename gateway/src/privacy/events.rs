//! R236: which events a reader receives, on `GET /v1/events` and through webhooks.

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::state::keys;

use super::{Reader, access, audit_event, get};
use crate::error::ApiResult;
use crate::events::Event;
use crate::node::NodeApi;

/// R236: whether `reader` receives `event`. An event that reveals no eBL's title (a block,
/// a certificate action, governance, a grant not scoped to an eBL) goes to every reader; one
/// that does goes to the readers who may see that eBL's title now (R231–R235), judged on the
/// record at the head; when no such record exists (e.g. a failed ISSUE), to the regulator
/// only. A regulator's delivery is counted and logged under `route` (R235, `audit_event`).
pub async fn event_visible(
    node: &dyn NodeApi,
    event: &Event,
    reader: &Reader,
    route: &str,
) -> ApiResult<bool> {
    let Some(id) = event.ebl else {
        return Ok(true);
    };
    match reader {
        Reader::Anonymous => Ok(false),
        Reader::Regulator(_) => {
            audit_event(reader, route, &id.to_hex());
            Ok(true)
        }
        Reader::Member(_) => match get::<EblRecord>(node, keys::ebl(&id)).await? {
            None => Ok(false),
            Some(record) => Ok(access(node, &record, reader).await?.sees_title()),
        },
    }
}
