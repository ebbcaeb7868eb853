//! The public page in Chinese and English (R370–R373).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

#[tokio::test]
async fn the_lang_parameter_serves_the_page_in_chinese_or_english() {
    let (_, app) = app();
    let zh = fetch_raw(&app, "/?lang=zh", Some("en-GB")).await;
    assert_eq!(zh.status, 200);
    let html = zh.text();
    assert!(html.contains(r#"<html lang="zh-CN">"#), "{html}");
    assert!(html.contains("<h1>核验电子提单或船舶证书</h1>"));
    assert!(html.contains(r#"const LANG = "zh";"#));
    assert_eq!(zh.headers["content-language"], "zh-CN");
    assert_eq!(zh.headers["vary"], "accept-language");

    let en = fetch_raw(&app, "/?lang=en&ebl=00", Some("zh-CN")).await;
    let html = en.text();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("<h1>Verify an electronic bill of lading or ship certificate</h1>"));
    assert!(!html.contains("核验电子提单"));
    assert_eq!(en.headers["content-language"], "en");
}

#[tokio::test]
async fn without_lang_the_accept_language_header_chooses() {
    let (_, app) = app();
    let zh = fetch_raw(&app, "/", Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert!(zh.text().contains(r#"<html lang="zh-CN">"#));
    let en = fetch_raw(&app, "/?ebl=00", Some("en-US,zh;q=0.5")).await;
    assert!(en.text().contains(r#"<html lang="en">"#));
}

#[tokio::test]
async fn an_unknown_language_falls_back_to_english_with_200() {
    let (_, app) = app();
    for (uri, header) in [
        ("/?lang=fr", None),
        ("/?lang=%3Cscript%3E", Some("de-DE")),
        ("/", Some("zh;q=banana, *")),
        ("/", None),
    ] {
        let reply = fetch_raw(&app, uri, header).await;
        assert_eq!(reply.status, 200, "{uri}");
        let html = reply.text();
        assert!(html.contains(r#"<html lang="en">"#), "{uri}");
        assert!(!html.contains("<script>\"use strict\";\nconst LANG = \"fr"));
    }
}

#[tokio::test]
async fn the_page_carries_its_language_table_and_a_switch_to_both_languages() {
    let (_, app) = app();
    let html = fetch_raw(&app, "/?lang=zh", None).await.text();
    // R370: the chosen language's strings for the script, inert JSON.
    let start = html
        .find(r#"<script id="i18n" type="application/json">"#)
        .unwrap();
    let json = &html[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let strings: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(strings["status_VALID"], "有效");
    assert_eq!(strings["status_ENDORSEMENT_OVERDUE"], "签注逾期");
    // R373: the switch offers both languages, each in its own words.
    assert!(html.contains(r#"id="to-en" href="?lang=en""#));
    assert!(html.contains(r#"id="to-zh" href="?lang=zh""#) && html.contains(">中文<"));
    // No untranslated placeholder is left.
    assert!(!html.contains("{{"), "placeholder left in the page");
}
