//! The public verification page and its anonymous routes under `/public/v1/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::Method;
use qrcode::{EcLevel, QrCode};
use serde_json::json;
use support::*;

fn issue_ebl(node: &LocalNode) {
    let body = issue_body(node);
    node.with(|n| n.submit("CARRIER", body)).unwrap();
}

/// An anonymous request (no API key).
async fn anon(
    app: &axum::Router,
    method: Method,
    uri: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    send(
        app,
        method,
        uri,
        "",
        body.map(|b| serde_json::to_vec(&b).unwrap()),
    )
    .await
}

#[tokio::test]
async fn the_page_is_served_without_a_key_and_names_no_external_host() {
    let (_, app) = app();
    let reply = anon(&app, Method::GET, "/", None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(reply.headers.contains_key("content-security-policy"));
    let html = reply.body.as_str().unwrap();
    assert!(html.contains("/public/v1/verify"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "external reference in page"
    );
}

#[tokio::test]
async fn an_ebls_status_and_issuer_are_public_by_document_id_and_its_title_is_not() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, reference, _) = sample_document();
    let reply = anon(
        &app,
        Method::GET,
        &format!("/public/v1/ebls/{}", id.to_hex()),
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // R232: integrity (the id), status and issuer only.
    assert_eq!(reply.body["id"], id.to_hex());
    assert_eq!(reply.body["status"], "ACTIVE");
    assert_eq!(reply.body["carrier"], "CARRIER");
    for hidden in [
        "reference",
        "holder",
        "endorsee",
        "nominee",
        "history",
        "signatures",
    ] {
        assert!(reply.body.get(hidden).is_none(), "{hidden}: {}", reply.body);
    }
    assert!(!reply.body.to_string().contains(&reference));
    assert!(!reply.body.to_string().contains("SHIPPER"));
}

#[tokio::test]
async fn an_unknown_document_id_is_404_and_a_malformed_one_400() {
    let (_, app) = app();
    let unknown = format!("/public/v1/ebls/{}", "ab".repeat(32));
    anon(&app, Method::GET, &unknown, None)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    anon(&app, Method::GET, "/public/v1/ebls/xyz", None)
        .await
        .assert_problem(400, "INVALID_ID");
    let body = json!({ "ebl": "ab".repeat(32) });
    anon(&app, Method::POST, "/public/v1/verify", Some(body))
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    anon(&app, Method::POST, "/public/v1/verify", Some(json!([1])))
        .await
        .assert_problem(400, "INVALID_REQUEST");
}

#[tokio::test]
async fn public_verification_passes_by_id_and_by_uploaded_document() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, document) = sample_document();
    for body in [json!({ "ebl": id.to_hex() }), document] {
        let reply = anon(&app, Method::POST, "/public/v1/verify", Some(body)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["outcome"], "VERIFIED", "{}", reply.body);
        assert_eq!(reply.body["subject"]["id"], id.to_hex());
    }
}

#[tokio::test]
async fn the_keyed_routes_still_need_a_key() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, _) = sample_document();
    let reply = anon(
        &app,
        Method::GET,
        &format!("/v1/ebls/{}", id.to_hex()),
        None,
    )
    .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn unknown_certificates_and_bad_imo_numbers_are_rejected() {
    let (_, app) = app();
    anon(&app, Method::GET, "/public/v1/certificates/MSA/NOPE", None)
        .await
        .assert_problem(404, "UNKNOWN_CERTIFICATE");
    let reply = anon(&app, Method::GET, "/public/v1/ships/12/certificates", None).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let reply = anon(
        &app,
        Method::GET,
        "/public/v1/ships/9074729/certificates",
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["certificates"], json!([]));
}

#[tokio::test]
async fn the_svg_qr_code_encodes_the_page_url_of_the_ebl() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, _) = sample_document();
    let reply = anon(
        &app,
        Method::GET,
        &format!("/public/v1/qr/ebls/{}.svg", id.to_hex()),
        None,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "image/svg+xml");
    let url = format!("http://127.0.0.1:8080/?ebl={}", id.to_hex());
    assert_eq!(url.len(), 91);
    // Same renderer, same URL: the served SVG is exactly the code of the page URL.
    let expected = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    let svg = reply.body.as_str().unwrap();
    assert!(svg.contains("<svg"));
    assert_eq!(svg, expected);
}

#[tokio::test]
async fn the_png_qr_code_decodes_back_to_the_page_url_of_the_ebl() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, _) = sample_document();
    let uri = format!("/public/v1/qr/ebls/{}.png", id.to_hex());
    let (content_type, bytes) = fetch_bytes(&app, &uri).await;
    assert_eq!(content_type, "image/png");
    let url = format!("http://127.0.0.1:8080/?ebl={}", id.to_hex());
    assert_eq!(decode_qr_png(&bytes), url);
    let modules = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .unwrap()
        .width();
    let side = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(usize::try_from(side).unwrap(), (modules + 8) * 8);
}

#[tokio::test]
async fn the_png_qr_code_of_a_certificate_decodes_back_to_its_page_url() {
    let (node, app) = app();
    issue_certificate(&node);
    let (_, bytes) = fetch_bytes(&app, "/public/v1/qr/certificates/MSA/UTN-1.png").await;
    assert_eq!(
        decode_qr_png(&bytes),
        "http://127.0.0.1:8080/?cert=MSA/UTN-1"
    );
}

#[tokio::test]
async fn qr_codes_need_a_known_document_and_a_known_extension() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, _) = sample_document();
    anon(
        &app,
        Method::GET,
        &format!("/public/v1/qr/ebls/{}.gif", id.to_hex()),
        None,
    )
    .await
    .assert_problem(400, "INVALID_PATH");
    anon(
        &app,
        Method::GET,
        &format!("/public/v1/qr/ebls/{}.svg", "cd".repeat(32)),
        None,
    )
    .await
    .assert_problem(404, "UNKNOWN_DOCUMENT");
    anon(
        &app,
        Method::GET,
        "/public/v1/qr/certificates/MSA/NOPE.png",
        None,
    )
    .await
    .assert_problem(404, "UNKNOWN_CERTIFICATE");
}
