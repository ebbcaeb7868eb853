//! The printable renderings of a certificate and an eBL (R374–R377, R379).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use support::*;

const CERT: &str = "/public/v1/print/certificates/MSA/UTN-1";

/// The inline QR PNG of a printable page, decoded.
fn qr_of(html: &str) -> String {
    let start = html.find("data:image/png;base64,").unwrap() + "data:image/png;base64,".len();
    let end = start + html[start..].find('"').unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .unwrap();
    decode_qr_png(&png)
}

#[tokio::test]
async fn a_certificate_prints_its_facts_status_height_and_qr_in_both_languages() {
    let (node, app) = app();
    issue_certificate(&node);
    let height = get(&app, "/v1/status").await.body["height"].clone();
    for (lang, title, label, name) in [
        (
            "en",
            "Ship certificate: verification record",
            "Valid",
            "Maritime Safety Administration",
        ),
        ("zh", "船舶证书核验记录", "有效", "中华人民共和国海事局"),
    ] {
        let reply = fetch_raw(&app, &format!("{CERT}?lang={lang}"), None).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = reply.text();
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
        // R372: the code and its label.
        assert!(
            html.contains(r#"<span class="code">VALID</span>"#),
            "{html}"
        );
        assert!(html.contains(&format!(r#"<span class="label">{label}</span>"#)));
        assert!(html.contains("UTN-1") && html.contains("9074729"));
        // R380, R383: the Administration's name in the reader's script, and its zone.
        assert!(html.contains(&format!("<td>{name}</td>")), "{html}");
        assert!(
            html.contains("<td>Asia/Shanghai (UTC+08:00)</td>"),
            "{html}"
        );
        // R375: the height it was read at.
        assert!(html.contains(&format!("<td>{height}</td>")), "{html}");
        // R374: A4 print CSS and a QR code of the certificate's page URL.
        assert!(html.contains("@page{size:A4") && html.contains("@media print"));
        assert_eq!(qr_of(&html), "http://127.0.0.1:8080/?cert=MSA/UTN-1");
    }
}

#[tokio::test]
async fn the_print_language_follows_accept_language_and_unknown_lang_is_english() {
    let (node, app) = app();
    issue_certificate(&node);
    let zh = fetch_raw(&app, CERT, Some("zh-CN")).await;
    assert_eq!(zh.headers["content-language"], "zh-CN");
    let fallback = fetch_raw(&app, &format!("{CERT}?lang=xx"), None).await;
    assert_eq!(fallback.status, 200);
    assert!(fallback.text().contains(r#"<html lang="en">"#));
}

#[tokio::test]
async fn an_unknown_certificate_or_ebl_has_no_print_page_in_either_language() {
    let (_, app) = app();
    for lang in ["en", "zh"] {
        let reply = send(
            &app,
            axum::http::Method::GET,
            &format!("/public/v1/print/certificates/MSA/NOPE?lang={lang}"),
            "",
            None,
        )
        .await;
        reply.assert_problem(404, "UNKNOWN_CERTIFICATE");
        let reply = send(
            &app,
            axum::http::Method::GET,
            &format!("/public/v1/print/ebls/{}?lang={lang}", "ab".repeat(32)),
            "",
            None,
        )
        .await;
        reply.assert_problem(404, "UNKNOWN_DOCUMENT");
    }
    send(
        &app,
        axum::http::Method::GET,
        "/public/v1/print/ebls/xyz",
        "",
        None,
    )
    .await
    .assert_problem(400, "INVALID_ID");
}

#[tokio::test]
async fn an_ebls_print_page_shows_its_public_facts_and_never_its_title() {
    let (node, app) = app();
    let body = issue_body(&node);
    node.with(|n| n.submit("CARRIER", body)).unwrap();
    let (id, reference, _) = sample_document();
    for (lang, carrier) in [("en", "Ocean Line Shipping Co"), ("zh", "远洋航运有限公司")] {
        // Even with the regulator's key: the print route is the public view (R376).
        let uri = format!("/public/v1/print/ebls/{}?lang={lang}", id.to_hex());
        let reply = fetch_raw(&app, &uri, None).await;
        assert_eq!(reply.status, 200);
        let html = reply.text();
        assert!(html.contains(&id.to_hex()) && html.contains("CARRIER"));
        // R380: the carrier's name in the reader's script.
        assert!(html.contains(&format!("<td>{carrier}</td>")), "{html}");
        assert!(
            html.contains(r#"<span class="code">ACTIVE</span>"#),
            "{html}"
        );
        for private in ["SHIPPER", reference.as_str(), "ISSU"] {
            assert!(
                !html.contains(private),
                "{private} on the print page: {html}"
            );
        }
        assert_eq!(
            qr_of(&html),
            format!("http://127.0.0.1:8080/?ebl={}", id.to_hex())
        );
    }
}

#[tokio::test]
async fn a_print_page_runs_no_script_and_allows_only_inline_images() {
    let (node, app) = app();
    issue_certificate(&node);
    let reply = fetch_raw(&app, CERT, None).await;
    let csp = reply.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'") && csp.contains("img-src data:"));
    assert!(!csp.contains("script-src"));
    let html = reply.text();
    assert!(!html.contains("<script") && !html.contains("<a ") && !html.contains("<form"));
}

#[tokio::test]
async fn print_pages_share_the_anonymous_rate_limit() {
    let (_, app) = app();
    let uri = format!("/public/v1/print/ebls/{}", "ab".repeat(32));
    for _ in 0..60 {
        // Within the burst: answered (404, the bill does not exist), not limited.
        let reply = fetch_raw(&app, &uri, None).await;
        assert_eq!(reply.status, 404);
    }
    let limited = fetch_raw(&app, &uri, None).await;
    assert_eq!(limited.status, 429);
    // The limit is shared with the other public routes.
    let other = fetch_raw(&app, "/public/v1/ebls/xyz", None).await;
    assert_eq!(other.status, 429);
}
