//! End-to-end: a trade certificate on the verification page and its printout, in headless
//! Chromium, in Chinese and English (R398, R370–R377). Fails (does not skip) without
//! `/usr/bin/chromium`; `scripts/setup.sh` installs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod browser;
mod support;

use browser::{chromium, keep_dir};
use ebl_ledger::attest::{AttestAction, AttestFacts, AttestIssue, Subject, TradeCertificateKind};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::Hash32;
use support::*;

/// Serves the gateway over a pilot node with GDSW's approval certificate GDSW/AP-1 issued;
/// returns the base URL and the document hash.
async fn serve() -> (String, String) {
    let node = LocalNode::pilot();
    let document = Hash32::sha256(b"approval AP-1");
    node.with(|n| {
        let today = n.time().date();
        let issue = AttestIssue {
            number: "AP-1".into(),
            kind: TradeCertificateKind::ApprovalCertificate,
            facts: AttestFacts {
                subject: Subject {
                    exporter: "Guangzhou Soy Exporters".into(),
                    importer: "Singapore Foods Pte".into(),
                    goods: "Soybean meal".into(),
                    origin_country: "CN".into(),
                    destination_country: "SG".into(),
                    ebl: None,
                },
                document,
                valid_from: today,
                valid_until: today.add_months(3),
                place: "Guangzhou".into(),
            },
        };
        n.submit("GDSW", Body::Attested(AttestAction::Issue(issue)))
            .unwrap();
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = config();
    config.public_base_url = base.clone();
    let router = ebl_gateway::router(node, config);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, document.to_hex())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_a_trade_certificate_in_chinese_and_english_without_its_parties() {
    let (base, document) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let shots = keep_dir("trade-certificate");
    for (lang, tag, kind, label) in [
        (
            "en",
            "en",
            "Approval certificate (single window)",
            "VALID · Valid",
        ),
        ("zh", "zh-CN", "审批证书（单一窗口）", "VALID · 有效"),
    ] {
        let profile = dir.path().join(format!("profile-{lang}"));
        let url = format!("{base}/?lang={lang}&attest=GDSW/AP-1");
        let shot = shots.join(format!("page-{lang}.png"));
        let arg = format!("--screenshot={}", shot.display());
        let dom = tokio::task::spawn_blocking(move || {
            let dom = chromium(&profile, &url, &["--dump-dom"]);
            chromium(&profile, &url, &[&arg, "--window-size=1000,1100"]);
            dom
        })
        .await
        .unwrap();
        assert!(dom.contains(&format!(r#"<html lang="{tag}">"#)), "{dom}");
        assert!(dom.contains(">VERIFIED<"), "{lang}: {dom}");
        assert!(dom.contains(label) && dom.contains(kind), "{lang}: {dom}");
        assert!(dom.contains(&document), "{lang}: no document hash: {dom}");
        // R398: the public page never names the trade's parties or goods.
        for private in ["Guangzhou Soy", "Singapore Foods", "Soybean"] {
            assert!(!dom.contains(private), "{lang}: {private} shown: {dom}");
        }
        assert!(
            dom.contains("/public/v1/qr/trade-certificates/GDSW/AP-1.svg"),
            "{lang}: no QR code: {dom}"
        );
        assert!(
            dom.contains(&format!(
                "/public/v1/print/trade-certificates/GDSW/AP-1?lang={lang}"
            )),
            "{lang}: no printable link: {dom}"
        );
        let other = if lang == "en" { "zh" } else { "en" };
        assert!(
            dom.contains(&format!("?lang={other}&amp;attest=GDSW%2FAP-1")),
            "{lang}: switch lost the lookup: {dom}"
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 1000);
        println!("screenshot ({lang}): {}", shot.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printable_trade_certificate_prints_to_pdf_in_both_languages() {
    let (base, document) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let out = keep_dir("trade-certificate-print");
    for (lang, title) in [
        ("zh", "贸易证书核验记录"),
        ("en", "Trade certificate: verification record"),
    ] {
        let profile = dir.path().join(format!("profile-{lang}"));
        let url = format!("{base}/public/v1/print/trade-certificates/GDSW/AP-1?lang={lang}");
        let pdf = out.join(format!("trade-certificate-{lang}.pdf"));
        let arg = format!("--print-to-pdf={}", pdf.display());
        let shot = out.join(format!("trade-certificate-{lang}.png"));
        let shot_arg = format!("--screenshot={}", shot.display());
        let dom = tokio::task::spawn_blocking(move || {
            chromium(&profile, &url, &[&arg, "--no-pdf-header-footer"]);
            chromium(&profile, &url, &[&shot_arg, "--window-size=794,1123"]);
            chromium(&profile, &url, &["--dump-dom"])
        })
        .await
        .unwrap();
        let bytes = std::fs::read(&pdf).expect("PDF written");
        assert!(bytes.starts_with(b"%PDF") && bytes.len() > 1000, "{lang}");
        assert!(
            dom.contains(title) && dom.contains(&document),
            "{lang}: {dom}"
        );
        assert!(
            !dom.contains("Singapore Foods"),
            "{lang}: importer printed: {dom}"
        );
        println!(
            "pdf ({lang}): {}, screenshot {}",
            pdf.display(),
            shot.display()
        );
    }
}
