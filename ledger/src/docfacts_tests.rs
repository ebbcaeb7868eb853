//! R220–R222 on the committed DCSA sample and variations of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::*;

fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

/// The directory of the tests: platform EBLL names organisations by id, GLEIF names CARRIER.
fn directory(provider: &str, code: &str) -> Option<OrgId> {
    match (provider, code) {
        ("EBLL", id) => OrgId::new(id).ok(),
        ("GLEIF", "529900T8BM49AURSDO55") => Some(org("CARRIER")),
        _ => None,
    }
}

fn party(id: &str) -> Value {
    json!({"partyName": id, "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": id}]})
}

fn sample() -> Value {
    let request: Value =
        serde_json::from_str(include_str!("testkit/dcsa-issuance-request.json")).unwrap();
    request["document"].clone()
}

fn straight(consignee: Value) -> Value {
    let mut doc = sample();
    doc["isToOrder"] = json!(false);
    doc["documentParties"]["consignee"] = consignee;
    doc
}

#[test]
fn a_blank_to_order_sample_states_its_reference_kind_and_issuing_carrier() {
    let facts = title_facts(&sample(), &directory).unwrap();
    assert_eq!(facts.reference, "62CD536BA8D34C469AFD");
    assert_eq!(facts.kind, EblType::ToOrderBl);
    assert!(facts.to_order);
    assert_eq!(facts.issuing_carrier, Some(org("CARRIER")));
    assert_eq!(facts.title_party, None);
    assert_eq!(facts.shipper, None, "the sample's shipper has no code");
}

#[test]
fn a_straight_bl_names_its_consignee_and_a_to_order_bl_its_endorsee() {
    let facts = title_facts(&straight(party("CONSIGNEE")), &directory).unwrap();
    assert_eq!(facts.kind, EblType::StraightBl);
    assert_eq!(facts.title_party, Some(org("CONSIGNEE")));
    let mut doc = sample();
    doc["documentParties"]["endorsee"] = party("BANK");
    let facts = title_facts(&doc, &directory).unwrap();
    assert_eq!(facts.title_party, Some(org("BANK")));
}

#[test]
fn a_straight_bl_without_consignee_or_with_an_unknown_one_states_no_facts() {
    let mut doc = sample();
    doc["isToOrder"] = json!(false);
    let errors = title_facts(&doc, &directory).unwrap_err();
    assert_eq!(errors[0].code(), "UNKNOWN_PARTY");
    let unknown = json!({"partyName": "X", "identifyingCodes": [{"codeListProvider": "DUNS", "partyCode": "1"}]});
    let errors = title_facts(&straight(unknown), &directory).unwrap_err();
    assert!(
        errors[0]
            .to_string()
            .contains("no identifying code known here")
    );
}

#[test]
fn a_party_naming_two_organisations_is_refused_even_where_it_may_go_unnamed() {
    let mut doc = sample();
    doc["documentParties"]["shipper"] = json!({"partyName": "S", "identifyingCodes": [
        {"codeListProvider": "EBLL", "partyCode": "SHIPPER"},
        {"codeListProvider": "EBLL", "partyCode": "BANK"}]});
    let errors = title_facts(&doc, &directory).unwrap_err();
    assert!(errors[0].to_string().contains("several organisations"));
}

#[test]
fn unknown_kinds_and_to_order_waybills_and_missing_references_are_refused() {
    let mut doc = sample();
    doc["transportDocumentTypeCode"] = json!("XYZ");
    doc.as_object_mut()
        .unwrap()
        .remove("transportDocumentReference");
    let codes: Vec<&str> = title_facts(&doc, &directory)
        .unwrap_err()
        .iter()
        .map(FactError::code)
        .collect();
    assert_eq!(codes, ["MISSING_REFERENCE", "UNSUPPORTED_DOCUMENT"]);
    let mut doc = sample();
    doc["transportDocumentTypeCode"] = json!("SWB");
    let errors = title_facts(&doc, &directory).unwrap_err();
    assert_eq!(errors, [FactError::ToOrderWaybill]);
}

#[test]
fn a_party_with_too_many_codes_is_read_only_up_to_the_bound() {
    let mut codes: Vec<Value> = (0..MAX_CODES)
        .map(|i| json!({"codeListProvider": "DUNS", "partyCode": i.to_string()}))
        .collect();
    codes.push(json!({"codeListProvider": "EBLL", "partyCode": "CONSIGNEE"}));
    let consignee = json!({"partyName": "C", "identifyingCodes": codes});
    assert_eq!(
        lookup_party(&consignee, &directory),
        PartyLookup::NoKnownCode
    );
}

fn issue_of(facts: &TitleFacts) -> EblIssue {
    EblIssue {
        document: crate::hash::Hash32::sha256(b"doc"),
        reference: facts.reference.clone(),
        kind: facts.kind,
        issue_to: org("SHIPPER"),
        consignee: facts.title_party.clone(),
    }
}

#[test]
fn an_issuance_that_agrees_with_the_document_has_no_mismatch() {
    let facts = title_facts(&straight(party("CONSIGNEE")), &directory).unwrap();
    assert!(mismatches(&facts, &org("CARRIER"), &issue_of(&facts)).is_empty());
}

#[test]
fn each_fact_that_differs_from_the_document_is_named() {
    let facts = title_facts(&straight(party("CONSIGNEE")), &directory).unwrap();
    let mut issue = issue_of(&facts);
    issue.consignee = Some(org("BANK"));
    issue.reference = "OTHER".into();
    issue.kind = EblType::ToOrderBl;
    let found: Vec<&str> = mismatches(&facts, &org("CARRIER2"), &issue)
        .iter()
        .map(|m| m.fact.name())
        .collect();
    assert_eq!(
        found,
        [
            "kind",
            "to_order",
            "reference",
            "issuing_carrier",
            "consignee"
        ]
    );
}

#[test]
fn an_issuing_party_not_named_here_is_not_compared() {
    let mut doc = straight(party("CONSIGNEE"));
    doc["documentParties"]["issuingParty"] = json!({"partyName": "Elsewhere"});
    let facts = title_facts(&doc, &directory).unwrap();
    assert_eq!(facts.issuing_carrier, None);
    assert!(mismatches(&facts, &org("CARRIER2"), &issue_of(&facts)).is_empty());
}
