//! The public verification page (`GET /`) and its anonymous, read-only, rate-limited API under
//! `/public/v1/`: each route answers only about the one document the caller names (by its
//! content, its id, its administration + UTN, or the ship's IMO number), never lists an
//! organisation's documents. See ADR 0009 §Public verification page.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use super::documents::{self, certificate_ref, load_certificate, load_ebl};
use super::{Routes, parse_hash, qr};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::i18n::{self, Lang};

/// The page's template, with its CSS and JS inline (no external assets): `{{key}}` is a key of
/// `assets/i18n.json`, `{{!lang}}`, `{{!tag}}` and `{{!strings}}` the request's language.
const PAGE: &str = include_str!("../../assets/verify.html");

/// The template, for the unit test that every key it names is in the table (R370).
#[cfg(test)]
pub(crate) fn page_template() -> &'static str {
    PAGE
}

/// The page in each language, rendered once.
static PAGES: LazyLock<[String; 2]> =
    LazyLock::new(|| [render_page(Lang::En), render_page(Lang::Zh)]);

/// R370: the template with every `{{key}}` replaced by its text in `lang`, HTML-escaped.
fn render_page(lang: Lang) -> String {
    let mut out = String::with_capacity(PAGE.len() + 4096);
    let mut rest = PAGE;
    while let Some((before, after)) = rest.split_once("{{") {
        out.push_str(before);
        let Some((key, after)) = after.split_once("}}") else {
            out.push_str("{{");
            rest = after;
            continue;
        };
        match key {
            "!lang" => out.push_str(lang.code()),
            "!tag" => out.push_str(lang.tag()),
            // Inside <script>: no `<` may close it early.
            "!strings" => out.push_str(&i18n::strings(lang).to_string().replace('<', "\\u003c")),
            key => out.push_str(&escape_html(i18n::text(lang, key))),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// R371: the language of a request from its `lang` query parameter and `Accept-Language`.
pub(crate) fn request_lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    let lang = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "lang")
            .map(|(_, value)| value.into_owned())
    });
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::negotiate(lang.as_deref(), accept)
}

/// The headers of a page in `lang`: its language, and that it varies with `Accept-Language`.
pub(crate) fn language_headers(lang: Lang) -> [(header::HeaderName, HeaderValue); 2] {
    [
        (
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        ),
        (header::VARY, HeaderValue::from_static("accept-language")),
    ]
}

/// The page URL of an eBL, which its QR code encodes.
pub(crate) fn ebl_page_url(state: &AppState, id: &ebl_ledger::hash::DocumentId) -> String {
    format!("{}/?ebl={}", state.config.public_base_url, id.to_hex())
}

/// The page URL of a certificate, which its QR code encodes.
pub(crate) fn certificate_page_url(
    state: &AppState,
    reference: &ebl_ledger::cert::CertificateRef,
) -> String {
    format!(
        "{}/?cert={}/{}",
        state.config.public_base_url,
        encode(reference.administration.as_str()),
        encode(&reference.utn)
    )
}

/// Only the page's own origin: inline style and script, images (QR codes) from this gateway.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src 'self'; connect-src 'self'; form-action 'self'";

/// The public routes (no API key).
pub(super) fn page() -> Routes {
    let routes = Routes::new()
        .add("get", "/", get(index))
        .add("post", "/public/v1/verify", post(verify))
        .add("get", "/public/v1/ebls/{id}", get(documents::public_ebl))
        .add(
            "get",
            "/public/v1/certificates/{administration}/{utn}",
            get(documents::certificate),
        )
        .add(
            "get",
            "/public/v1/ships/{imo}/certificates",
            get(documents::ship_certificates),
        )
        .add("get", "/public/v1/qr/ebls/{file}", get(qr_ebl))
        .add(
            "get",
            "/public/v1/qr/certificates/{administration}/{file}",
            get(qr_certificate),
        )
        .add("get", "/public/v1/print/ebls/{id}", get(super::print::ebl))
        .add(
            "get",
            "/public/v1/print/certificates/{administration}/{utn}",
            get(super::print::certificate),
        )
        .add(
            "get",
            "/public/v1/trade-certificates/{authority}/{number}",
            get(super::attested::public),
        )
        .add(
            "get",
            "/public/v1/qr/trade-certificates/{authority}/{file}",
            get(super::attested::qr),
        )
        .add(
            "get",
            "/public/v1/print/trade-certificates/{authority}/{number}",
            get(super::print_attest::trade_certificate),
        );
    Routes {
        router: routes.router.route_layer(from_fn_with_state(
            super::public_limit::PublicLimits::new(),
            super::public_limit::limit,
        )),
        table: routes.table,
    }
}

/// `GET /?lang=zh|en`: the verification page in the request's language (R370, R371).
async fn index(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let lang = request_lang(query.as_deref(), &headers);
    let page = match lang {
        Lang::En => &PAGES[0],
        Lang::Zh => &PAGES[1],
    };
    (
        [(header::CONTENT_SECURITY_POLICY, CSP)],
        language_headers(lang),
        Html(page.as_str()),
    )
        .into_response()
}

/// `POST /public/v1/verify`. Body: a transport document (or an issuance request / PINT
/// envelope), `{"ebl": "<document id>"}`, or `{"certificate": {"administration", "utn"}}`.
/// No `holder` parameter: the public result does not confirm who a third party is.
async fn verify(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
    if let Some(id) = body.get("ebl") {
        let id = id
            .as_str()
            .ok_or_else(|| ApiError::bad_request("INVALID_ID", "ebl must be a string"))?;
        let id = parse_hash("document id", id)?;
        return crate::verify::verify_ebl_id(&state, &id).await.map(Json);
    }
    if let Some(reference) = body.get("certificate").filter(|c| c.is_object()) {
        let at = body.get("at").and_then(Value::as_str);
        return crate::verify::verify_certificate(&state, reference, at)
            .await
            .map(Json);
    }
    if let Some(reference) = body.get("trade_certificate").filter(|c| c.is_object()) {
        let at = body.get("at").and_then(Value::as_str);
        let hash = body.get("document_hash");
        return crate::verify::verify_trade_certificate(&state, reference, hash, at)
            .await
            .map(Json);
    }
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "INVALID_REQUEST",
            "the body must be a JSON object: a transport document, an eBL id or a certificate reference",
        ));
    }
    crate::verify::verify_document(&state, body, None, &crate::privacy::Reader::Anonymous)
        .await
        .map(Json)
}

/// Splits `name.svg` / `name.png`, or 400 `INVALID_PATH`.
pub(super) fn split_file(file: &str) -> ApiResult<(&str, &'static str)> {
    let bad = || ApiError::bad_request("INVALID_PATH", "the QR file must end in .svg or .png");
    let (stem, ext) = file.rsplit_once('.').ok_or_else(bad)?;
    match ext {
        "svg" => Ok((stem, "svg")),
        "png" => Ok((stem, "png")),
        _ => Err(bad()),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn qr_response(url: &str, ext: &str) -> ApiResult<Response> {
    Ok(if ext == "svg" {
        ([(header::CONTENT_TYPE, "image/svg+xml")], qr::svg(url)?).into_response()
    } else {
        ([(header::CONTENT_TYPE, "image/png")], qr::png(url)?).into_response()
    })
}

/// `GET /public/v1/qr/ebls/{id}.svg|.png`: the QR code of `{base}/?ebl=<id>`.
async fn qr_ebl(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> ApiResult<Response> {
    let (stem, ext) = split_file(&file)?;
    let id = parse_hash("document id", stem)?;
    load_ebl(&state, &id).await?;
    qr_response(&ebl_page_url(&state, &id), ext)
}

/// `GET /public/v1/qr/certificates/{administration}/{utn}.svg|.png`.
async fn qr_certificate(
    State(state): State<AppState>,
    ApiPath((administration, file)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (utn, ext) = split_file(&file)?;
    let reference = certificate_ref(&administration, utn)?;
    load_certificate(&state, &reference).await?;
    qr_response(&certificate_page_url(&state, &reference), ext)
}
