use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblStatus, EblType, Endorsement, HistoryEntry, Position};
use ebl_ledger::entry::ActionKind;
use ebl_ledger::identity::{DocumentKind, GrantTerms, Grantee};

use super::*;

const NOW: Timestamp = Timestamp(5_000);

fn org(id: &str) -> OrgId {
    OrgId(id.into())
}

/// A to-order bill issued by CARRIER to SHIPPER, then transferred by SHIPPER to BANK.
fn bill() -> EblRecord {
    let step = |action, actor: &str, from: Option<&str>, to: Option<&str>| HistoryEntry {
        height: 1,
        time: Timestamp(1_000),
        entry: Hash32::sha256(actor.as_bytes()),
        action,
        actor: org(actor),
        signer: PublicKey([7; 32]),
        from: from.map(org),
        to: to.map(org),
        reason: None,
    };
    EblRecord {
        id: Hash32::sha256(b"bill"),
        reference: "REF-1".into(),
        kind: EblType::ToOrderBl,
        carrier: org("CARRIER"),
        position: Position {
            holder: org("BANK"),
            endorsee: Some(org("SHIPPER")),
            endorsement: Endorsement::ToOrder,
            nominee: Some(org("CONSIGNEE")),
        },
        status: EblStatus::Active,
        pending_reject: None,
        surrender: None,
        signatures: Vec::new(),
        replaces: Vec::new(),
        replaced_by: Vec::new(),
        issued_height: 1,
        issued_time: Timestamp(1_000),
        history: vec![
            step(ActionKind::EblIssue, "CARRIER", None, Some("SHIPPER")),
            step(
                ActionKind::EblTransfer,
                "SHIPPER",
                Some("SHIPPER"),
                Some("BANK"),
            ),
        ],
    }
}

fn read_grant(grantor: &str, reader: &str, document: Option<DocumentId>) -> GrantRecord {
    GrantRecord {
        id: Hash32::sha256(format!("{grantor}->{reader}").as_bytes()),
        grantor: org(grantor),
        terms: GrantTerms {
            grantee: Grantee::Organisation(org(reader)),
            actions: vec![ActionKind::EblReadTitle],
            document_kinds: vec![DocumentKind::Ebl],
            document: document.map(|id| DocumentRef::Ebl { id }),
            valid_from: Timestamp(0),
            valid_until: Timestamp(10_000),
        },
        created_at_height: 1,
        created_at: Timestamp(0),
        revoked_at_height: None,
        revoked_at: None,
    }
}

fn member(id: &str) -> Reader {
    Reader::Member(org(id))
}

#[test]
fn every_party_of_record_and_history_sees_the_title() {
    let record = bill();
    for party in ["CARRIER", "SHIPPER", "BANK", "CONSIGNEE"] {
        assert_eq!(
            decide(&record, &member(party), &[], NOW),
            Access::Party,
            "{party}"
        );
    }
}

#[test]
fn a_member_that_is_no_party_sees_public_facts_only() {
    assert_eq!(decide(&bill(), &member("BUYER2"), &[], NOW), Access::Public);
}

#[test]
fn an_anonymous_reader_sees_public_facts_only() {
    assert_eq!(
        decide(&bill(), &Reader::Anonymous, &[], NOW),
        Access::Public
    );
}

#[test]
fn the_regulator_sees_every_title() {
    let regulator = Reader::Regulator("msa-audit".into());
    assert_eq!(decide(&bill(), &regulator, &[], NOW), Access::Regulator);
}

#[test]
fn a_partys_read_grant_lets_its_grantee_read() {
    let record = bill();
    let grant = read_grant("BANK", "CUSTOMS", Some(record.id));
    assert_eq!(
        decide(
            &record,
            &member("CUSTOMS"),
            std::slice::from_ref(&grant),
            NOW
        ),
        Access::Granted(grant.id)
    );
    let any_bill = read_grant("SHIPPER", "CUSTOMS", None);
    assert!(decide(&record, &member("CUSTOMS"), &[any_bill], NOW).sees_title());
}

#[test]
fn a_read_grant_by_a_non_party_or_for_another_bill_or_expired_lets_nobody_read() {
    let record = bill();
    let by_stranger = read_grant("BUYER2", "CUSTOMS", None);
    let other_bill = read_grant("BANK", "CUSTOMS", Some(Hash32::sha256(b"other")));
    let to_someone_else = read_grant("BANK", "SGSW", None);
    for grant in [by_stranger, other_bill, to_someone_else] {
        assert_eq!(
            decide(&record, &member("CUSTOMS"), &[grant], NOW),
            Access::Public
        );
    }
    let grant = read_grant("BANK", "CUSTOMS", None);
    assert_eq!(
        decide(&record, &member("CUSTOMS"), &[grant], Timestamp(10_001)),
        Access::Public
    );
}

fn caller(org: Option<&str>, regulator: bool) -> Caller {
    Caller {
        name: "key".into(),
        identity: None,
        org: org.map(|o| OrgId(o.into())),
        regulator,
    }
}

#[test]
fn a_caller_is_a_member_by_its_organisation_and_a_regulator_by_scope() {
    assert_eq!(Reader::of(None), Reader::Anonymous);
    assert_eq!(Reader::of(Some(&caller(None, false))), Reader::Anonymous);
    assert_eq!(
        Reader::of(Some(&caller(Some("BANK"), false))),
        member("BANK")
    );
    assert_eq!(
        Reader::of(Some(&caller(Some("BANK"), true))),
        Reader::Regulator("key".into())
    );
}

#[test]
fn a_regulator_read_is_counted_and_a_party_read_is_not() {
    let before = regulator_reads();
    audit(&member("BANK"), "/v1/ebls/{id}", "x");
    assert_eq!(regulator_reads(), before);
    audit(&Reader::Regulator("audit".into()), "/v1/ebls/{id}", "x");
    assert_eq!(regulator_reads(), before + 1);
}

#[test]
fn admin_implies_every_scope_but_the_regulators_read() {
    use crate::config::{ApiKey, Scope};
    let admin = ApiKey::from_secret("operator", "s", &[Scope::Admin]);
    for scope in [Scope::Read, Scope::Submit, Scope::Custodial, Scope::Admin] {
        assert!(admin.allows(scope), "{scope:?}");
    }
    assert!(!admin.allows(Scope::Regulator));
    let regulator = ApiKey::from_secret("audit", "s", &[Scope::Read, Scope::Regulator]);
    assert!(regulator.allows(Scope::Regulator));
    assert_eq!(Scope::from_name("regulator"), Some(Scope::Regulator));
}

#[test]
fn a_reader_is_saved_as_type_and_id() {
    let json = |r: &Reader| serde_json::to_value(r).unwrap_or_default();
    assert_eq!(
        json(&Reader::Anonymous),
        serde_json::json!({"type": "ANONYMOUS"})
    );
    assert_eq!(
        json(&member("BANK")),
        serde_json::json!({"type": "MEMBER", "id": "BANK"})
    );
    assert_eq!(
        json(&Reader::Regulator("audit".into())),
        serde_json::json!({"type": "REGULATOR", "id": "audit"})
    );
}

#[test]
fn a_subscription_saved_before_readers_existed_reads_as_anonymous() {
    let saved = r#"{"id": "wh_1", "url": "https://bank.example/hook", "secret": "s",
                    "filter": {}, "managed": true}"#;
    let subscription: crate::webhooks::Subscription =
        serde_json::from_str(saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(subscription.reader, Reader::Anonymous);
}
