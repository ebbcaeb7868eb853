//! The public routes for certificates, ships and the anonymous rate limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::Method;
use qrcode::{EcLevel, QrCode};
use serde_json::json;
use support::*;

#[tokio::test]
async fn a_certificate_is_public_by_administration_and_utn_and_by_imo() {
    let (node, app) = app();
    issue_certificate(&node);
    let one = send(
        &app,
        Method::GET,
        "/public/v1/certificates/MSA/UTN-1",
        "",
        None,
    )
    .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["status"], "VALID", "{}", one.body);
    // R380, R383: the Administration's names and the zone its days are judged in.
    assert_eq!(
        one.body["administration_names"],
        json!({"en": "Maritime Safety Administration", "zh": "中华人民共和国海事局"})
    );
    assert_eq!(
        one.body["administration_zone"],
        json!({"utc_offset_minutes": 480, "time_zone": "Asia/Shanghai"})
    );
    let ship = send(
        &app,
        Method::GET,
        "/public/v1/ships/9074729/certificates",
        "",
        None,
    )
    .await;
    assert_eq!(
        ship.body["certificates"][0]["utn"], "UTN-1",
        "{}",
        ship.body
    );
    let body = json!({"certificate": {"administration": "MSA", "utn": "UTN-1"}});
    let verdict = send(
        &app,
        Method::POST,
        "/public/v1/verify",
        "",
        Some(serde_json::to_vec(&body).unwrap()),
    )
    .await;
    assert_eq!(verdict.body["outcome"], "VERIFIED", "{}", verdict.body);
}

#[tokio::test]
async fn the_certificate_qr_code_encodes_its_page_url() {
    let (node, app) = app();
    issue_certificate(&node);
    let reply = send(
        &app,
        Method::GET,
        "/public/v1/qr/certificates/MSA/UTN-1.svg",
        "",
        None,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "image/svg+xml");
    let expected = QrCode::with_error_correction_level(
        b"http://127.0.0.1:8080/?cert=MSA/UTN-1".as_slice(),
        EcLevel::M,
    )
    .unwrap()
    .render::<qrcode::render::svg::Color<'_>>()
    .min_dimensions(200, 200)
    .build();
    assert_eq!(reply.body.as_str().unwrap(), expected);
}

#[tokio::test]
async fn anonymous_callers_share_a_rate_limit_and_keyed_callers_do_not_use_it() {
    let (_, app) = app();
    let mut last = None;
    for _ in 0..61 {
        last = Some(send(&app, Method::GET, "/public/v1/ebls/xyz", "", None).await);
    }
    last.unwrap().assert_problem(429, "RATE_LIMITED");
    let keyed = get(&app, "/v1/status").await;
    assert_eq!(keyed.status, 200, "{}", keyed.body);
}
