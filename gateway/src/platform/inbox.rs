//! Receiving envelopes (R325–R329): the decisions behind `POST /v3/envelopes`,
//! `PUT .../additional-documents/{checksum}` and `PUT .../finish-transfer`. Signatures and the
//! envelope's own consistency are checked by [`crate::pint::receive`]; what the ledger knows
//! (DUPE, DISE) is read from replicated state; an acceptance is a PINT_IMPORT made final
//! before RECE is signed.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{EblRecord, EblStatus};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::Organisation;
use ebl_ledger::state::keys;

use super::Platform;
use super::accept::import;
use super::answers::{PintAnswer, benv, dispute, refusal, signed, unsigned};
use super::directory::member_of;
use super::import::title_party;
use super::sessions::Session;
use crate::AppState;
use crate::dcsa::error::DcsaError;
use crate::pint::jws::{self, TrustedKey};
use crate::pint::model::{EblEnvelope, EnvelopeTransferStartedResponse, ResponseCode, Transaction};
use crate::pint::receive::{CheckedEnvelope, Refusal, check_additional_document, check_envelope};
use crate::pint::send::ResponseDetails;
use crate::records;

/// The last chain entry's checksum as sent (for answers about envelopes that fail their checks).
fn claimed_last(envelope: &EblEnvelope) -> Hash32 {
    envelope
        .envelope_transfer_chain
        .last()
        .map_or(Hash32::ZERO, |s| jws::checksum(s))
}

/// R309: the key of a member carrier named by the first ISSUE transaction (read before the
/// checks, which are synchronous): its registered key on this ledger.
async fn member_carrier_key(
    state: &AppState,
    envelope: &EblEnvelope,
) -> Result<Option<(Transaction, TrustedKey)>, DcsaError> {
    let Some(first) = envelope.envelope_transfer_chain.first() else {
        return Ok(None);
    };
    let Ok(payload) = jws::parse(first, jws::MAX_JWS_LEN).and_then(|c| c.payload()) else {
        return Ok(None);
    };
    let Some(issue) = payload
        .get("transactions")
        .and_then(|t| t.get(0))
        .and_then(|t| serde_json::from_value::<Transaction>(t.clone()).ok())
    else {
        return Ok(None);
    };
    let Some(org) = member_of(&state.config.dcsa, &issue.actor.identifying_codes) else {
        return Ok(None);
    };
    let record = records::get::<Organisation>(state, keys::organisation(&org))
        .await
        .map_err(|e| unsigned(e.status, "POST", ENVELOPES, &e.code, e.detail))?;
    Ok(record.map(|o| (issue, TrustedKey::ed25519(None, o.key))))
}

const ENVELOPES: &str = "/v3/envelopes";

/// R325–R328: `POST /v3/envelopes`.
pub async fn start(
    state: &AppState,
    platform: &Platform,
    envelope: EblEnvelope,
) -> Result<PintAnswer, DcsaError> {
    let trust = platform.trust();
    let claimed = claimed_last(&envelope);
    let member_carrier = member_carrier_key(state, &envelope).await?;
    let carrier_keys = |issue: &Transaction| match &member_carrier {
        Some((named, key)) if named.actor == issue.actor => vec![key.clone()],
        _ => trust.carrier_keys(issue),
    };
    let checked = match check_envelope(&envelope, &trust, &carrier_keys) {
        Ok(checked) => checked,
        Err(refused) => return Ok(refusal(platform, refused, &claimed)),
    };
    if let Some(answer) = ledger_answer(state, platform, &checked).await? {
        return Ok(answer);
    }
    // A retried start of a transfer in progress answers as the first did.
    if let Some((reference, session)) = platform.sessions.find(&checked.last_checksum) {
        return Ok(PintAnswer::Started(started(&reference, &session)));
    }
    let session = match open(state, platform, checked).await? {
        Ok(session) => session,
        Err(answer) => return Ok(answer),
    };
    if session.missing.is_empty() {
        return import(state, platform, session).await;
    }
    let reference = hex::encode(rand::random::<[u8; 20]>());
    let answer = started(&reference, &session);
    if let Err(e) = platform.sessions.open(reference, session) {
        return Err(unsigned(
            StatusCode::SERVICE_UNAVAILABLE,
            "POST",
            ENVELOPES,
            "BUSY",
            e.to_string(),
        ));
    }
    Ok(PintAnswer::Started(answer))
}

fn started(reference: &str, session: &Session) -> EnvelopeTransferStartedResponse {
    EnvelopeTransferStartedResponse {
        envelope_reference: reference.to_string(),
        transport_document_checksum: session.envelope.document_checksum.to_hex(),
        last_envelope_transfer_chain_entry_signed_content_checksum: session
            .envelope
            .last_checksum
            .to_hex(),
        missing_additional_document_checksums: session.missing.keys().map(Hash32::to_hex).collect(),
    }
}

/// R328: DUPE and DISE from replicated ledger state. A bill live here whose chain ends with
/// this very entry was accepted before (DUPE, with the accepted entry); a bill live here
/// otherwise, or an exported bill whose chain the envelope does not continue, is a dispute.
async fn ledger_answer(
    state: &AppState,
    platform: &Platform,
    checked: &CheckedEnvelope,
) -> Result<Option<PintAnswer>, DcsaError> {
    let read = |e: crate::error::ApiError| unsigned(e.status, "POST", ENVELOPES, &e.code, e.detail);
    let id = checked.document_checksum;
    let Some(record) = records::get::<EblRecord>(state, keys::ebl(&id))
        .await
        .map_err(read)?
    else {
        return Ok(None);
    };
    let pint = records::get::<PintRecord>(state, keys::pint(&id))
        .await
        .map_err(read)?
        .unwrap_or_default();
    let last = &checked.last_checksum;
    if record.status != EblStatus::Exported {
        if pint.last_checksum().as_ref() == Some(last) {
            let details = ResponseDetails {
                duplicate_of: pint.chain.last().cloned(),
                received: checked
                    .required_documents
                    .iter()
                    .filter_map(|d| Hash32::from_hex(&d.document_checksum))
                    .collect(),
                ..ResponseDetails::default()
            };
            return Ok(Some(signed(platform, ResponseCode::DUPE, last, details)));
        }
        let reason = format!("the bill is {} on this platform", record.status.code());
        return Ok(Some(dispute(platform, reason, last)));
    }
    let extends = checked.chain.len() > pint.chain.len()
        && pint
            .chain
            .iter()
            .zip(&checked.chain_checksums)
            .all(|(ours, theirs)| jws::checksum(ours) == *theirs);
    if !extends {
        let reason = "the chain does not continue the one this platform sent";
        return Ok(Some(dispute(platform, reason, last)));
    }
    Ok(None)
}

/// R326: the receiving member, its custodial identity here, the title party and the documents
/// still to come; a BENV answer when this gateway cannot accept the bill for its recipient.
async fn open(
    state: &AppState,
    platform: &Platform,
    checked: CheckedEnvelope,
) -> Result<Result<Session, PintAnswer>, DcsaError> {
    let last = checked.last_checksum;
    let dcsa = &state.config.dcsa;
    let Some(kind) = checked.kind else {
        return Ok(Err(benv(
            platform,
            "the transport document's kind is not known here",
            &last,
        )));
    };
    // R326: a surrender from another platform would have to arrive as a pending surrender for
    // the carrier here; until that is built it is refused rather than imported as a transfer.
    if checked
        .last_transaction
        .action_code
        .starts_with("SURRENDER")
    {
        let reason = "surrender envelopes are not accepted by this platform yet";
        return Ok(Err(benv(platform, reason, &last)));
    }
    let Some(member) = member_of(dcsa, &checked.recipient.identifying_codes) else {
        return Ok(Err(benv(
            platform,
            "the recipient is not a party on this platform",
            &last,
        )));
    };
    let identity = state.custodian.as_ref().and_then(|c| {
        c.identities()
            .into_iter()
            .find(|i| i.org == member)
            .map(|i| i.name)
    });
    let Some(identity) = identity else {
        let reason = "the recipient does not accept eBLs through this gateway";
        return Ok(Err(benv(platform, reason, &last)));
    };
    let title = match title_party(dcsa, &checked, kind) {
        Ok(title) => title,
        Err(reason) => return Ok(Err(benv(platform, reason, &last))),
    };
    let mut missing = BTreeMap::new();
    let mut held = Vec::new();
    for document in &checked.required_documents {
        let Some(checksum) = Hash32::from_hex(&document.document_checksum) else {
            continue;
        };
        // A document this platform already holds (a bill coming back) is not asked again.
        let have = state.node.document_body(checksum, member.clone()).await;
        if matches!(have, Ok(Some(ref bytes)) if Hash32::sha256(bytes) == checksum) {
            held.push(checksum);
        } else {
            missing.insert(checksum, document.clone());
        }
    }
    Ok(Ok(Session::new(
        checked, member, identity, title, missing, held,
    )))
}

/// The transfer `reference` in progress, or the unsigned 404 of `PUT uri`.
fn open_session(
    platform: &Platform,
    reference: &str,
    uri: &'static str,
) -> Result<Session, DcsaError> {
    platform.sessions.get(reference).map_err(|e| {
        unsigned(
            StatusCode::NOT_FOUND,
            "PUT",
            uri,
            "UNKNOWN_ENVELOPE",
            e.to_string(),
        )
    })
}

/// `PUT /v3/envelopes/{reference}/additional-documents/{checksum}`: INCD when the bytes do not
/// match what the manifest declared (or the document was never declared).
pub async fn document(
    platform: &Platform,
    reference: &str,
    checksum: Hash32,
    bytes: Vec<u8>,
) -> Result<PintAnswer, DcsaError> {
    const URI: &str = "/v3/envelopes/{envelopeReference}/additional-documents/{documentChecksum}";
    let session = open_session(platform, reference, URI)?;
    let last = session.envelope.last_checksum;
    let declared = session
        .envelope
        .required_documents
        .iter()
        .find(|d| d.document_checksum == checksum.to_hex());
    let Some(declared) = declared else {
        let refused = Refusal {
            code: ResponseCode::INCD,
            reason: format!(
                "document {} is not declared in the envelope manifest",
                checksum.to_hex()
            ),
        };
        return Ok(refusal(platform, refused, &last));
    };
    if let Err(refused) = check_additional_document(declared, &bytes) {
        return Ok(refusal(platform, refused, &last));
    }
    platform
        .sessions
        .receive(reference, checksum, bytes)
        .map_err(|e| {
            unsigned(
                StatusCode::SERVICE_UNAVAILABLE,
                "PUT",
                URI,
                "BUSY",
                e.to_string(),
            )
        })?;
    Ok(PintAnswer::Received)
}

/// `PUT /v3/envelopes/{reference}/finish-transfer`: MDOC while documents are missing, else the
/// import (RECE, DUPE, DISE, BENV).
pub async fn finish(
    state: &AppState,
    platform: &Platform,
    reference: &str,
) -> Result<PintAnswer, DcsaError> {
    const URI: &str = "/v3/envelopes/{envelopeReference}/finish-transfer";
    let session = open_session(platform, reference, URI)?;
    let last = session.envelope.last_checksum;
    if !session.missing.is_empty() {
        let details = ResponseDetails {
            missing: session.missing.keys().copied().collect(),
            reason: Some("additional documents are missing".into()),
            ..ResponseDetails::default()
        };
        return Ok(signed(platform, ResponseCode::MDOC, &last, details));
    }
    // The ledger may have moved since the start (another gateway accepted it meanwhile).
    if let Some(answer) = ledger_answer(state, platform, &session.envelope).await? {
        platform.sessions.close(reference);
        return Ok(answer);
    }
    let answer = import(state, platform, session).await?;
    if !matches!(
        answer,
        PintAnswer::Signed(StatusCode::SERVICE_UNAVAILABLE, _)
    ) {
        platform.sessions.close(reference);
    }
    Ok(answer)
}
