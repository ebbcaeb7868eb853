//! The answers of the PINT routes (R314, R317): this platform's signed
//! `EnvelopeTransferFinishedResponse` with the HTTP status its code takes, or an unsigned DCSA
//! error for failures that decide nothing.

use axum::http::StatusCode;
use ebl_ledger::hash::Hash32;

use super::Platform;
use crate::dcsa::error::{DcsaError, DetailedError};
use crate::pint::model::{EnvelopeTransferStartedResponse, ResponseCode};
use crate::pint::receive::Refusal;
use crate::pint::send::{ResponseDetails, finished_response};

/// What a PINT route answers.
#[derive(Debug)]
pub enum PintAnswer {
    /// A signed `EnvelopeTransferFinishedResponse` with its HTTP status.
    Signed(StatusCode, String),
    /// 201: the transfer is open; these documents are still expected.
    Started(EnvelopeTransferStartedResponse),
    /// 204: an additional document was received.
    Received,
}

/// An unsigned DCSA error for `method uri`.
pub fn unsigned(
    status: StatusCode,
    method: &'static str,
    uri: &'static str,
    code: &str,
    message: impl Into<String>,
) -> DcsaError {
    let message = message.into();
    DcsaError::new(
        status,
        method,
        uri,
        message.clone(),
        vec![DetailedError::new(code, message)],
    )
}

pub(super) fn signed(
    platform: &Platform,
    code: ResponseCode,
    last: &Hash32,
    details: ResponseDetails,
) -> PintAnswer {
    let trust = platform.trust();
    let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::CONFLICT);
    PintAnswer::Signed(
        status,
        finished_response(code, last, details, &trust.signing_key),
    )
}

pub(super) fn refusal(platform: &Platform, refusal: Refusal, last: &Hash32) -> PintAnswer {
    let details = ResponseDetails {
        reason: Some(refusal.reason),
        ..ResponseDetails::default()
    };
    signed(platform, refusal.code, last, details)
}

pub(super) fn benv(platform: &Platform, reason: impl Into<String>, last: &Hash32) -> PintAnswer {
    let refusal = Refusal {
        code: ResponseCode::BENV,
        reason: reason.into(),
    };
    self::refusal(platform, refusal, last)
}

pub(super) fn dispute(platform: &Platform, reason: impl Into<String>, last: &Hash32) -> PintAnswer {
    let details = ResponseDetails {
        reason: Some(reason.into()),
        ..ResponseDetails::default()
    };
    signed(platform, ResponseCode::DISE, last, details)
}
