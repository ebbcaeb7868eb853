//! R329: accepting an envelope: the PINT_IMPORT signed as the recipient and final before RECE
//! is signed, then the documents kept as bodies.

use axum::http::StatusCode;
use ebl_ledger::ebl::{EblAction, EblRecord};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::Hash32;
use ebl_ledger::state::keys;

use super::Platform;
use super::answers::{PintAnswer, benv, dispute, signed, unsigned};
use super::import::import_of;
use super::sessions::Session;
use crate::AppState;
use crate::bodies::DocumentBody;
use crate::custody::CustodialRequest;
use crate::dcsa::act::{Settled, settled};
use crate::dcsa::error::DcsaError;
use crate::node::SubmitOutcome;
use crate::pint::model::ResponseCode;
use crate::pint::send::ResponseDetails;
use crate::records;

const ENVELOPES: &str = "/v3/envelopes";

/// R329: the import: PINT_IMPORT signed as the recipient and final before RECE. A conflict the
/// ledger finds (IMPORT_CONFLICT) is DISE; any other refusal BENV; no verdict within the wait
/// is an unsigned 503 (the sender retries and then gets DUPE or the verdict).
pub(super) async fn import(
    state: &AppState,
    platform: &Platform,
    session: Session,
) -> Result<PintAnswer, DcsaError> {
    let envelope = &session.envelope;
    let last = envelope.last_checksum;
    let fail = |code: &str, message: String| {
        unsigned(
            StatusCode::SERVICE_UNAVAILABLE,
            "PUT",
            ENVELOPES,
            code,
            message,
        )
    };
    let Some(kind) = envelope.kind else {
        return Ok(benv(
            platform,
            "the transport document's kind is not known here",
            &last,
        ));
    };
    let known = records::get::<EblRecord>(state, keys::ebl(&envelope.document_checksum))
        .await
        .map_err(|e| fail(&e.code, e.detail))?
        .map(|r| r.carrier);
    let import = match import_of(
        envelope,
        kind,
        &session.member,
        session.title.clone(),
        known,
    ) {
        Ok(import) => import,
        Err(reason) => return Ok(benv(platform, reason, &last)),
    };
    let Some(custodian) = state.custodian.as_ref() else {
        return Err(fail("NO_CUSTODIAN", "this gateway signs for no one".into()));
    };
    let request = CustodialRequest {
        identity: session.identity.clone(),
        act_for: None,
        body: Body::Ebl(EblAction::Import(import)),
        remark: None,
    };
    let outcome = custodian
        .act(request)
        .await
        .map_err(|e| fail("NODE", e.to_string()))?
        .map_err(|e| fail("CUSTODY", e.to_string()))?;
    let verdict = match outcome.submit {
        SubmitOutcome::Rejected { code, message, .. } => Settled::Refused { code, message },
        _ => match state
            .node
            .wait_final(outcome.entry, state.config.max_wait)
            .await
        {
            Ok(status) => settled(status),
            Err(e) => return Err(fail("NODE", e.to_string())),
        },
    };
    match verdict {
        Settled::Applied => {
            store_documents(state, &session).await;
            let mut received: Vec<Hash32> = session.received.keys().copied().collect();
            received.extend(&session.held);
            let details = ResponseDetails {
                received,
                ..ResponseDetails::default()
            };
            Ok(signed(platform, ResponseCode::RECE, &last, details))
        }
        Settled::Refused { code, message } if code == "IMPORT_CONFLICT" => {
            Ok(dispute(platform, message, &last))
        }
        Settled::Refused { code, message } => Ok(benv(
            platform,
            format!("the ledger refused the import: {code}: {message}"),
            &last,
        )),
        Settled::Pending => Err(fail(
            "PENDING",
            "the import is not final yet; retry the transfer".into(),
        )),
    }
}

/// R329: the transport document and the additional documents become document bodies, read by
/// the bill's parties (R140, R322).
async fn store_documents(state: &AppState, session: &Session) {
    if let Ok(body) = DocumentBody::of(&session.envelope.transport_document) {
        crate::bodies::store(state, &body).await;
    }
    for (checksum, bytes) in &session.received {
        let body = DocumentBody {
            id: *checksum,
            bytes: bytes.clone(),
        };
        crate::bodies::store(state, &body).await;
    }
}
