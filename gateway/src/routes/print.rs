//! Printable renderings (R374–R377, ADR 0042): an A4 page of one certificate's or one eBL's
//! public facts, its status, the ledger height and block time they were read at, and the QR
//! code of its verification page, in Chinese or English.
//!
//! # Design
//!
//! The handlers read exactly what the public routes read and turn it into the public routes'
//! own views ([`crate::dto::certificate`], [`crate::dto::PublicEblView`]), so a printout can never disclose more
//! than `GET /public/v1/...` does (R376). [`render`] is pure: facts in, HTML out.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

use super::documents::{
    certificate_ref, certificate_view, load_certificate, load_ebl, public_ebl_view,
};
use super::page::{
    certificate_page_url, ebl_page_url, escape_html, language_headers, request_lang,
};
use super::{parse_hash, qr};
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::i18n::{Lang, text};

/// R377: no script, no external resource, no form; the QR code is an inline `data:` PNG.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   form-action 'none'; frame-ancestors 'none'";

/// A4, black on white, no navigation: the page is the printout.
const STYLE: &str = "@page{size:A4;margin:16mm}\
body{font-family:system-ui,\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;color:#000;\
background:#fff;max-width:178mm;margin:12mm auto;font-size:11pt}\
h1{font-size:17pt;margin:0 0 8mm;padding-bottom:3mm;border-bottom:2px solid #000}\
h2{font-size:12pt;margin:7mm 0 2mm}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;\
padding:1.6mm 2mm;border-bottom:1px solid #999}th{width:38%;font-weight:600}\
td{word-break:break-all}.status{font-size:15pt;font-weight:700;margin:0 0 5mm}\
.label{font-weight:400;margin-left:3mm}\
.qr{float:right;width:46mm;margin:0 0 4mm 6mm;text-align:center;font-size:8.5pt}\
.qr img{width:42mm;height:42mm;image-rendering:pixelated}.url{word-break:break-all}\
.note{margin-top:8mm;font-size:9pt;color:#333}\
@media print{body{margin:0;max-width:none}.qr,table,tr{break-inside:avoid}}";

/// What a printout shows.
pub(crate) struct Printout {
    /// Key of the page title (`print_title_certificate`, `print_title_ebl`).
    pub(super) title: &'static str,
    /// Key of the closing note (`print_note_certificate`, `print_note_ebl`).
    pub(super) note: &'static str,
    /// The document's name in the title bar (UTN, document id).
    pub(super) subject: String,
    /// The stable status code.
    pub(super) status: String,
    /// Facts: key of the label, value (already in the reader's language where it is a label).
    pub(super) facts: Vec<(&'static str, String)>,
    /// The ledger's height and block time when the facts were read.
    pub(super) height: u64,
    pub(super) time: String,
    /// The verification page's URL and the PNG of its QR code.
    pub(super) url: String,
    pub(super) qr_png: Vec<u8>,
}

/// `key`'s text in `lang`, HTML-escaped.
fn label(lang: Lang, key: &str) -> String {
    escape_html(text(lang, key))
}

/// One row of a facts table.
fn row(label: &str, value: &str) -> String {
    format!("<tr><th>{label}</th><td>{}</td></tr>", escape_html(value))
}

/// R374: the printable page of `printout` in `lang`.
pub(crate) fn render(lang: Lang, p: &Printout) -> String {
    let facts: String = p
        .facts
        .iter()
        .map(|(key, value)| row(&label(lang, key), value))
        .collect();
    let qr = base64::engine::general_purpose::STANDARD.encode(&p.qr_png);
    format!(
        "<!doctype html><html lang=\"{tag}\"><head><meta charset=\"utf-8\">\
         <title>{title} — {subject}</title><style>{STYLE}</style></head><body><main>\
         <h1>{title}</h1>\
         <div class=\"qr\"><img alt=\"{qr_alt}\" src=\"data:image/png;base64,{qr}\">\
         <p>{scan}</p><p class=\"url\">{url}</p></div>\
         <p class=\"status\"><span class=\"code\">{status}</span>\
         <span class=\"label\">{status_label}</span></p>\
         <table>{facts}</table>\
         <h2>{read_at}</h2><table>{height}{time}</table>\
         <p class=\"note\">{note}</p></main></body></html>",
        tag = lang.tag(),
        title = label(lang, p.title),
        subject = escape_html(&p.subject),
        qr_alt = label(lang, "qr_alt"),
        scan = label(lang, "print_scan"),
        url = escape_html(&p.url),
        status = escape_html(&p.status),
        status_label = label(lang, &format!("status_{}", p.status)),
        read_at = label(lang, "print_read_at"),
        height = row(&label(lang, "print_height"), &p.height.to_string()),
        time = row(&label(lang, "print_time"), &p.time),
        note = label(lang, p.note),
    )
}

pub(super) fn respond(lang: Lang, printout: &Printout) -> Response {
    (
        [(header::CONTENT_SECURITY_POLICY, CSP)],
        language_headers(lang),
        Html(render(lang, printout)),
    )
        .into_response()
}

/// A string field of a JSON view, or "".
pub(super) fn field(view: &Value, pointer: &str) -> String {
    match view.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// R380: the name in `names` (`{"en", "zh"}`) a reader of `lang` reads: Chinese on the Chinese
/// page when there is one, else English.
fn name_in(lang: Lang, names: &Value) -> String {
    let zh = names.get("zh").and_then(Value::as_str);
    let en = names.get("en").and_then(Value::as_str).unwrap_or_default();
    match (lang, zh) {
        (Lang::Zh, Some(zh)) => zh.to_string(),
        _ => en.to_string(),
    }
}

/// R383: `Asia/Shanghai (UTC+08:00)` from a zone's JSON.
fn zone_text(zone: &Value) -> String {
    let label = zone
        .get("time_zone")
        .and_then(Value::as_str)
        .unwrap_or("UTC");
    let minutes = zone
        .get("utc_offset_minutes")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let sign = if minutes < 0 { '-' } else { '+' };
    let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
    format!("{label} (UTC{sign}{h:02}:{m:02})")
}

/// `GET /public/v1/print/certificates/{administration}/{utn}?lang=zh|en` (R374, R375).
pub(super) async fn certificate(
    State(state): State<AppState>,
    ApiPath((administration, utn)): ApiPath<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let lang = request_lang(query.as_deref(), &headers);
    let reference = certificate_ref(&administration, &utn)?;
    // R375: the head first, then the record (as `GET /public/v1/certificates/...` does): the
    // status is judged at the head's block time, and the record is at least that recent.
    let head = state.node.status().await?;
    let record = load_certificate(&state, &reference).await?;
    // R376: the public route's own view, nothing else.
    let view = certificate_view(&state, &record, head.time).await?;
    let kind = field(&view, "/kind");
    let kind_label = format!("{kind} · {}", text(lang, &format!("cert_kind_{kind}")));
    let url = certificate_page_url(&state, &reference);
    let facts = vec![
        ("field_administration", field(&view, "/administration")),
        (
            "field_administration_name",
            name_in(lang, &view["administration_names"]),
        ),
        (
            "field_administration_zone",
            zone_text(&view["administration_zone"]),
        ),
        ("field_utn", field(&view, "/utn")),
        ("field_kind", kind_label),
        ("field_ship_name", field(&view, "/ship/name")),
        ("field_imo_number", field(&view, "/ship/imo_number")),
        ("field_flag", field(&view, "/ship/flag")),
        ("field_call_sign", field(&view, "/ship/call_sign")),
        ("field_gross_tonnage", field(&view, "/ship/gross_tonnage")),
        ("field_issued_on", field(&view, "/issued_on")),
        ("field_expires_on", field(&view, "/expires_on")),
        (
            "field_original_expires_on",
            field(&view, "/original_expires_on"),
        ),
        ("field_place", field(&view, "/place")),
        ("field_document", field(&view, "/document")),
    ];
    let printout = Printout {
        title: "print_title_certificate",
        note: "print_note_certificate",
        subject: format!("{}/{}", reference.administration.as_str(), reference.utn),
        status: field(&view, "/status"),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        height: head.height,
        time: head.time.to_rfc3339(),
        qr_png: qr::png(&url)?,
        url,
    };
    Ok(respond(lang, &printout))
}

/// `GET /public/v1/print/ebls/{id}?lang=zh|en` (R374, R376): integrity, status and issuer only.
pub(super) async fn ebl(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let lang = request_lang(query.as_deref(), &headers);
    let id = parse_hash("document id", &id)?;
    let head = state.node.status().await?;
    // R376: R232's public view, the one `GET /public/v1/ebls/{id}` answers.
    let view = public_ebl_view(&state, &load_ebl(&state, &id).await?).await?;
    let carrier_name = match (lang, &view.carrier_names.zh) {
        (Lang::Zh, Some(zh)) => zh.clone(),
        _ => view.carrier_names.en.clone(),
    };
    let url = ebl_page_url(&state, &id);
    let printout = Printout {
        title: "print_title_ebl",
        note: "print_note_ebl",
        subject: view.id.clone(),
        status: view.status.to_string(),
        facts: vec![
            ("fact_id", view.id),
            ("fact_carrier", view.carrier),
            ("fact_carrier_name", carrier_name),
            ("fact_issued", view.issued_at),
            ("fact_title", text(lang, "title_hidden").to_string()),
        ],
        height: head.height,
        time: head.time.to_rfc3339(),
        qr_png: qr::png(&url)?,
        url,
    };
    Ok(respond(lang, &printout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Printout {
        Printout {
            title: "print_title_certificate",
            note: "print_note_certificate",
            subject: "MSA/UTN-1".into(),
            status: "ENDORSEMENT_OVERDUE".into(),
            facts: vec![
                ("field_kind", "SMC · x".into()),
                ("field_ship_name", "<b>EVER GIVEN</b>".into()),
            ],
            height: 42,
            time: "2026-01-02T03:04:05Z".into(),
            url: "http://gw/?cert=MSA/UTN-1".into(),
            qr_png: vec![1, 2, 3],
        }
    }

    #[test]
    fn a_printout_in_each_language_uses_only_translated_labels() {
        for (lang, heading, label) in [
            (
                Lang::En,
                "Ship certificate: verification record",
                "Endorsement overdue",
            ),
            (Lang::Zh, "船舶证书核验记录", "签注逾期"),
        ] {
            let html = render(lang, &sample());
            assert!(html.contains(&format!("<h1>{heading}</h1>")), "{html}");
            assert!(html.contains(&format!("lang=\"{}\"", lang.tag())));
            // R372: the stable code and its label, side by side.
            assert!(html.contains(">ENDORSEMENT_OVERDUE</span>"), "{html}");
            assert!(html.contains(label), "{html}");
            // Every key resolved: a missing one would show as itself.
            for prefix in ["print_", "field_", "status_", "qr_alt"] {
                assert!(!html.contains(prefix), "{prefix} unresolved: {html}");
            }
        }
    }

    #[test]
    fn names_follow_the_reader_and_fall_back_to_english() {
        let both = serde_json::json!({"en": "Maritime Safety Administration", "zh": "中华人民共和国海事局"});
        assert_eq!(name_in(Lang::Zh, &both), "中华人民共和国海事局");
        assert_eq!(name_in(Lang::En, &both), "Maritime Safety Administration");
        let en_only = serde_json::json!({"en": "Panama Maritime Authority", "zh": null});
        assert_eq!(name_in(Lang::Zh, &en_only), "Panama Maritime Authority");
    }

    #[test]
    fn zones_show_their_offset() {
        let shanghai = serde_json::json!({"utc_offset_minutes": 480, "time_zone": "Asia/Shanghai"});
        assert_eq!(zone_text(&shanghai), "Asia/Shanghai (UTC+08:00)");
        let st_johns =
            serde_json::json!({"utc_offset_minutes": -210, "time_zone": "America/St_Johns"});
        assert_eq!(zone_text(&st_johns), "America/St_Johns (UTC-03:30)");
    }

    #[test]
    fn a_printout_is_a4_with_print_css_no_script_and_escaped_facts() {
        let html = render(Lang::En, &sample());
        assert!(html.contains("@page{size:A4") && html.contains("@media print"));
        assert!(html.contains("data:image/png;base64,AQID"));
        assert!(html.contains("<td>42</td>") && html.contains("2026-01-02T03:04:05Z"));
        // R377: nothing runs, nothing navigates, and a fact cannot inject markup.
        assert!(!html.contains("<script") && !html.contains("<nav") && !html.contains("<a "));
        assert!(!html.contains("<b>EVER GIVEN</b>"));
        assert!(html.contains("&lt;b&gt;EVER GIVEN&lt;/b&gt;"));
    }
}
