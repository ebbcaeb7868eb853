//! R238: what a verifier who may not read a bill's title learns from `POST /v1/verify` and
//! the public page: integrity, status and issuer as everyone, and about the holder only
//! whether it is itself — never who the holder is.

use ebl_ledger::ebl::EblRecord;

use super::checks::{Check, Verdict, check, holder_check};
use crate::AppState;
use crate::error::ApiResult;
use crate::privacy::{Reader, access, audit};

/// R238: the HOLDER check for `reader`. A reader who may see the title (R231–R235) gets the
/// full check, `expected` included (a regulator's is audited); a member that may not learns
/// only that it does not hold the bill (it would be a party if it did), as a WARNING since
/// possession is then unproven to it; an anonymous verifier gets no HOLDER check.
pub(crate) async fn holder_for(
    state: &AppState,
    record: &EblRecord,
    expected: Option<&str>,
    reader: &Reader,
) -> ApiResult<Option<Check>> {
    if access(state.node.as_ref(), record, reader)
        .await?
        .sees_title()
    {
        audit(reader, "/v1/verify", &record.id.to_hex());
        return holder_check(state, record, expected).await.map(Some);
    }
    Ok(match reader {
        Reader::Member(org) => Some(check(
            "HOLDER",
            Verdict::Warning,
            "HOLDER_UNDISCLOSED",
            format!(
                "The eBL is not held by {org}. Who holds it is shown to its parties and to the \
                 organisations they grant read access (READ_TITLE)."
            ),
        )),
        Reader::Anonymous | Reader::Regulator(_) => None,
    })
}
