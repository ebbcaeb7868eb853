//! The printable page of a trade certificate (R374–R377 as for ship certificates, R398): its
//! public facts, status, seal, the ledger height and block time they were read at, and the QR
//! code of its verification page.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::attested::{attest_ref, load, page_url};
use super::page::request_lang;
use super::print::{Printout, field, respond};
use super::qr;
use crate::AppState;
use crate::dto_attest::public_trade_certificate;
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::i18n::text;

/// `GET /public/v1/print/trade-certificates/{authority}/{number}?lang=zh|en`.
pub(super) async fn trade_certificate(
    State(state): State<AppState>,
    ApiPath((authority, number)): ApiPath<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let lang = request_lang(query.as_deref(), &headers);
    let reference = attest_ref(&authority, &number)?;
    // R375: the head first, then the record; the status is judged at the head's block time.
    let head = state.node.status().await?;
    let record = load(&state, &reference).await?;
    // R376, R398: the public route's own view, nothing else.
    let view = public_trade_certificate(&record, head.time);
    let kind = field(&view, "/kind");
    let kind_label = format!("{kind} · {}", text(lang, &format!("attest_kind_{kind}")));
    let reference_text = |pointer: &str| {
        let authority = field(&view, &format!("{pointer}/authority"));
        let number = field(&view, &format!("{pointer}/number"));
        if authority.is_empty() {
            String::new()
        } else {
            format!("{authority}/{number}")
        }
    };
    let facts = vec![
        ("field_authority", field(&view, "/authority")),
        ("field_number", field(&view, "/number")),
        ("field_kind", kind_label),
        ("field_valid_from", field(&view, "/valid_from")),
        ("field_valid_until", field(&view, "/valid_until")),
        ("field_place", field(&view, "/place")),
        ("field_origin_country", field(&view, "/origin_country")),
        (
            "field_destination_country",
            field(&view, "/destination_country"),
        ),
        ("field_document", field(&view, "/document")),
        ("field_seal", field(&view, "/seal/entry")),
        ("field_seal_signer", field(&view, "/seal/signer")),
        ("field_sealed_at", field(&view, "/seal/time")),
        ("field_amended", field(&view, "/amended")),
        ("field_superseded_by", reference_text("/superseded_by")),
        ("field_supersedes", reference_text("/supersedes")),
    ];
    let url = page_url(&state, &reference);
    let printout = Printout {
        title: "print_title_trade_certificate",
        note: "print_note_trade_certificate",
        subject: format!("{}/{}", reference.authority.as_str(), reference.number),
        status: field(&view, "/status"),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        height: head.height,
        time: head.time.to_rfc3339(),
        qr_png: qr::png(&url)?,
        url,
    };
    Ok(respond(lang, &printout))
}
