//! End-to-end: the verification page in headless Chromium against a real `axum::serve` over the
//! test node. Fails (does not skip) without `/usr/bin/chromium`; `scripts/setup.sh` installs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod browser;
mod support;

use browser::{chromium, keep_dir};
use support::*;

/// Serves the gateway over a pilot node with the sample eBL and certificate MSA/UTN-1 issued;
/// returns the base URL and the eBL id.
async fn serve() -> (String, String) {
    let node = LocalNode::pilot();
    let signed = signed_issue(&node);
    node.with(|n| n.submit_entry(signed)).unwrap();
    issue_certificate(&node);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = config();
    config.public_base_url = base.clone();
    let router = ebl_gateway::router(node, config);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let (id, _, _) = sample_document();
    (base, id.to_hex())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_the_verified_ebl_without_its_holder_or_history_in_chromium() {
    let (base, id) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{base}/?ebl={id}");
    let profile = dir.path().join("profile");
    let dom = {
        let (profile, url) = (profile.clone(), url.clone());
        tokio::task::spawn_blocking(move || chromium(&profile, &url, &["--dump-dom"]))
            .await
            .unwrap()
    };
    // R232: the public page shows integrity, status and issuer; never the holder or history.
    assert!(!dom.contains("SHIPPER"), "holder shown: {dom}");
    assert!(
        dom.contains(r#"id="timeline"></ol>"#),
        "history shown: {dom}"
    );
    assert!(dom.contains("CARRIER"), "issuer missing: {dom}");
    assert!(dom.contains("ACTIVE"), "status missing: {dom}");
    assert!(dom.contains(">VERIFIED<"), "no passing result: {dom}");
    assert!(
        dom.contains(&format!("/public/v1/qr/ebls/{id}.svg")),
        "no QR code: {dom}"
    );

    let shot = dir.path().join("page.png");
    let arg = format!("--screenshot={}", shot.display());
    tokio::task::spawn_blocking(move || {
        chromium(&profile, &url, &[&arg, "--window-size=1000,1000"])
    })
    .await
    .unwrap();
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 1000);
    if let Ok(keep) = std::env::var("PAGE_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_a_certificate_and_a_ships_certificates_in_chromium() {
    let (base, _) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let url = format!("{base}/?cert=MSA/UTN-1");
    let dom = tokio::task::spawn_blocking(move || {
        let cert = chromium(&profile, &url, &["--dump-dom"]);
        let ship = chromium(
            &profile,
            &url.replace("cert=MSA/UTN-1", "imo=9074729"),
            &["--dump-dom"],
        );
        (cert, ship)
    })
    .await
    .unwrap();
    assert!(
        dom.0.contains(">VERIFIED<") && dom.0.contains("VALID"),
        "certificate: {}",
        dom.0
    );
    assert!(
        dom.0.contains("/public/v1/qr/certificates/MSA/UTN-1.svg"),
        "no QR code: {}",
        dom.0
    );
    assert!(dom.1.contains("MSA/UTN-1"), "ship listing: {}", dom.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_renders_in_chinese_and_english_in_chromium() {
    let (base, _) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let shots = keep_dir("languages");
    for (lang, tag, heading, label, administration) in [
        (
            "en",
            "en",
            "Verify an electronic bill of lading",
            "VALID · Valid",
            "Maritime Safety Administration",
        ),
        (
            "zh",
            "zh-CN",
            "核验电子提单或船舶证书",
            "VALID · 有效",
            "中华人民共和国海事局",
        ),
    ] {
        let profile = dir.path().join(format!("profile-{lang}"));
        let url = format!("{base}/?lang={lang}&cert=MSA/UTN-1");
        let shot = shots.join(format!("page-{lang}.png"));
        let arg = format!("--screenshot={}", shot.display());
        let dom = tokio::task::spawn_blocking(move || {
            let dom = chromium(&profile, &url, &["--dump-dom"]);
            chromium(&profile, &url, &[&arg, "--window-size=1000,1100"]);
            dom
        })
        .await
        .unwrap();
        // R370: the language in <html lang> and the page's words.
        assert!(dom.contains(&format!(r#"<html lang="{tag}">"#)), "{dom}");
        assert!(dom.contains(heading), "{lang}: {dom}");
        // R372: the status label rendered by the script beside the stable code.
        assert!(dom.contains(label), "{lang}: no `{label}`: {dom}");
        assert!(dom.contains(">VERIFIED<"), "{lang}: {dom}");
        // R380, R389: the Administration's name in the reader's script, and its zone.
        assert!(
            dom.contains(&format!("<dd>{administration}</dd>")),
            "{lang}: no `{administration}`: {dom}"
        );
        assert!(
            dom.contains("<dd>Asia/Shanghai (UTC+08:00)</dd>"),
            "{lang}: {dom}"
        );
        // R373: the switch leads to the same certificate in the other language.
        let other = if lang == "en" { "zh" } else { "en" };
        assert!(
            dom.contains(&format!("?lang={other}&amp;cert=MSA%2FUTN-1")),
            "{lang}: switch lost the lookup: {dom}"
        );
        assert!(
            dom.contains(&format!(
                "/public/v1/print/certificates/MSA/UTN-1?lang={lang}"
            )),
            "{lang}: no printable link: {dom}"
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 1000);
        println!("screenshot ({lang}): {}", shot.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printable_certificate_and_ebl_print_to_pdf_in_chromium() {
    let (base, id) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let out = keep_dir("print");
    for (name, path) in [
        (
            "certificate-zh",
            "/public/v1/print/certificates/MSA/UTN-1?lang=zh".to_string(),
        ),
        (
            "certificate-en",
            "/public/v1/print/certificates/MSA/UTN-1?lang=en".to_string(),
        ),
        ("ebl-zh", format!("/public/v1/print/ebls/{id}?lang=zh")),
    ] {
        let profile = dir.path().join(format!("profile-{name}"));
        let url = format!("{base}{path}");
        let pdf = out.join(format!("{name}.pdf"));
        let arg = format!("--print-to-pdf={}", pdf.display());
        let shot = out.join(format!("{name}.png"));
        let shot_arg = format!("--screenshot={}", shot.display());
        let dom = tokio::task::spawn_blocking(move || {
            chromium(&profile, &url, &[&arg, "--no-pdf-header-footer"]);
            chromium(&profile, &url, &[&shot_arg, "--window-size=794,1123"]);
            chromium(&profile, &url, &["--dump-dom"])
        })
        .await
        .unwrap();
        let bytes = std::fs::read(&pdf).expect("PDF written");
        assert!(bytes.starts_with(b"%PDF") && bytes.len() > 1000, "{name}");
        // R376: the printed eBL is its public view only.
        assert!(!dom.contains("SHIPPER"), "{name}: holder printed: {dom}");
        println!(
            "pdf ({name}): {}, screenshot {}",
            pdf.display(),
            shot.display()
        );
    }
}
