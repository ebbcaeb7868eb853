//! Unit tests of the language choice and of the one table (R370–R372).

use ebl_ledger::cert::{CertificateKind, CertificateStatus};
use ebl_ledger::ebl::EblStatus;

use super::*;

/// Every eBL status (the match fails to compile when a status is added).
fn every_ebl_status() -> Vec<EblStatus> {
    use EblStatus::*;
    let all = vec![
        Active,
        SurrenderForDeliveryPending,
        SurrenderForAmendmentPending,
        SurrenderedForAmendment,
        Accomplished,
        SwitchedToPaper,
        Replaced,
        Void,
        ExportPending,
        Exported,
    ];
    for status in &all {
        match status {
            Active
            | SurrenderForDeliveryPending
            | SurrenderForAmendmentPending
            | SurrenderedForAmendment
            | Accomplished
            | SwitchedToPaper
            | Replaced
            | Void
            | ExportPending
            | Exported => {}
        }
    }
    all
}

/// Every certificate status (the match fails to compile when a status is added).
fn every_certificate_status() -> Vec<CertificateStatus> {
    use CertificateStatus::*;
    let all = vec![
        NotYetValid,
        Valid,
        EndorsementOverdue,
        Expired,
        Suspended,
        Withdrawn,
        Superseded,
        FlagChanged,
    ];
    for status in &all {
        match status {
            NotYetValid | Valid | EndorsementOverdue | Expired | Suspended | Withdrawn
            | Superseded | FlagChanged => {}
        }
    }
    all
}

/// Every certificate kind's code (the match fails to compile when a kind is added).
fn every_certificate_kind_code() -> Vec<String> {
    use CertificateKind::*;
    let all = [
        SafetyConstruction,
        SafetyEquipment,
        SafetyRadio,
        PassengerShipSafety,
        LoadLine,
        Iopp,
        Iapp,
        Issc,
        Smc,
        Doc,
        Mlc,
        Registry,
        MinimumSafeManning,
        Tonnage,
    ];
    for kind in &all {
        match kind {
            SafetyConstruction | SafetyEquipment | SafetyRadio | PassengerShipSafety | LoadLine
            | Iopp | Iapp | Issc | Smc | Doc | Mlc | Registry | MinimumSafeManning | Tonnage => {}
        }
    }
    all.iter()
        .map(|kind| {
            serde_json::to_value(kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The keys a text names as `open` KEY `close`, e.g. `{{heading}}` or `t("lookup")`.
fn keys_between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split_once(close).map(|(key, _)| key))
        .collect()
}

fn has(key: &str) -> bool {
    parse_table().unwrap().contains_key(key)
}

#[test]
fn every_key_of_the_table_has_both_languages_and_no_other() {
    // R370: `deny_unknown_fields` and two required fields: a key in one language only, or in a
    // third, does not parse.
    let table = parse_table().expect("assets/i18n.json has en and zh for every key");
    assert!(table.len() > 50);
    for (key, entry) in &table {
        assert!(!entry.en.trim().is_empty(), "{key}: empty English");
        assert!(!entry.zh.trim().is_empty(), "{key}: empty Chinese");
    }
}

#[test]
fn a_key_missing_its_chinese_fails_to_parse() {
    let one_sided = r#"{"heading": {"en": "Verify"}}"#;
    assert!(serde_json::from_str::<BTreeMap<String, Entry>>(one_sided).is_err());
    let third = r#"{"heading": {"en": "Verify", "zh": "核验", "fr": "Vérifier"}}"#;
    assert!(serde_json::from_str::<BTreeMap<String, Entry>>(third).is_err());
}

#[test]
fn every_key_the_page_uses_is_in_the_table() {
    let page = crate::routes::page_template();
    let mut used = keys_between(page, "{{", "}}");
    // Calls of the script's `t("key")`, not of `split("/")` or `set("lang", ..)`.
    used.extend(
        page.split("t(\"")
            .zip(page.split("t(\"").skip(1))
            .filter(|(before, _)| {
                !before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            })
            .filter_map(|(_, rest)| rest.split_once("\")").map(|(key, _)| key)),
    );
    used.retain(|key| !key.starts_with('!'));
    assert!(used.len() > 15, "{used:?}");
    for key in used {
        assert!(
            has(key),
            "the page uses `{key}`, missing in assets/i18n.json"
        );
    }
}

#[test]
fn every_status_and_certificate_kind_has_a_label() {
    for code in every_ebl_status().into_iter().map(EblStatus::code) {
        assert!(has(&format!("status_{code}")), "{code}");
    }
    for code in every_certificate_status()
        .into_iter()
        .map(CertificateStatus::code)
    {
        assert!(has(&format!("status_{code}")), "{code}");
    }
    for kind in every_certificate_kind_code() {
        assert!(has(&format!("cert_kind_{kind}")), "{kind}");
    }
}

#[test]
fn every_trade_certificate_status_and_kind_has_a_label() {
    use ebl_ledger::attest::{AttestStatus, TradeCertificateKind};
    for status in AttestStatus::ALL {
        assert!(has(&format!("status_{}", status.code())), "{status:?}");
    }
    for kind in TradeCertificateKind::ALL {
        assert!(has(&format!("attest_kind_{}", kind.code())), "{kind:?}");
    }
}

#[test]
fn a_status_label_keeps_the_stable_code_beside_the_translation() {
    assert_eq!(status_label(Lang::Zh, "VALID"), "VALID · 有效");
    assert_eq!(
        status_label(Lang::En, "ENDORSEMENT_OVERDUE"),
        "ENDORSEMENT_OVERDUE · Endorsement overdue"
    );
    // An unknown code still shows the code.
    assert!(status_label(Lang::Zh, "NEW_STATUS").starts_with("NEW_STATUS · "));
}

#[test]
fn the_lang_parameter_wins_over_the_header() {
    assert_eq!(negotiate(Some("zh"), Some("en-GB")), Lang::Zh);
    assert_eq!(negotiate(Some("en"), Some("zh-CN")), Lang::En);
}

#[test]
fn an_unknown_lang_parameter_falls_back_to_the_header_then_english() {
    assert_eq!(negotiate(Some("fr"), Some("zh-CN,zh;q=0.9")), Lang::Zh);
    assert_eq!(negotiate(Some("ZH-x"), None), Lang::En);
    assert_eq!(negotiate(Some(""), Some("de-DE")), Lang::En);
}

#[test]
fn the_header_range_of_highest_weight_we_have_is_chosen() {
    assert_eq!(negotiate(None, Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
    assert_eq!(negotiate(None, Some("de, en;q=0.5, zh;q=0.7")), Lang::Zh);
    assert_eq!(negotiate(None, Some("en-US,zh;q=0.9")), Lang::En);
    assert_eq!(negotiate(None, Some("zh;q=0, en;q=0.1")), Lang::En);
    assert_eq!(negotiate(None, Some("ZH-hans")), Lang::Zh);
}

#[test]
fn a_bad_or_hostile_header_falls_back_to_english() {
    assert_eq!(negotiate(None, None), Lang::En);
    assert_eq!(negotiate(None, Some("")), Lang::En);
    assert_eq!(negotiate(None, Some("zh;q=banana")), Lang::En);
    assert_eq!(negotiate(None, Some("zh;q=7")), Lang::En);
    // Only the first ranges of a long header are read.
    let long = format!("{}zh", "de,".repeat(400));
    assert_eq!(negotiate(None, Some(&long)), Lang::En);
}

#[test]
fn the_strings_of_a_language_are_that_languages_texts() {
    assert_eq!(strings(Lang::Zh)["lookup"], "查询");
    assert_eq!(strings(Lang::En)["lookup"], "Look up");
    assert_eq!(text(Lang::Zh, "no_such_key"), "no_such_key");
}
