//! Trade certificates after issue: the seal, AMEND, SUPERSEDE, REVOKE, status over time and
//! verification receipts (specs/protocol.md R393–R399).

#[path = "attest_support/mod.rs"]
mod support;

use ebl_ledger::attest::{AttestStatus as S, Closing, MAX_AMENDMENTS, TradeCertificateKind as K};
use ebl_ledger::entry::{ActionKind, Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use ebl_ledger::receipt::{ReceiptRecord, VerificationOutcome, VerificationReceipt};
use ebl_ledger::state::keys;
use ebl_ledger::storage::Storage;
use ebl_ledger::testkit::GENESIS_TIME;
use support::*;

#[test]
fn r393_the_seal_is_the_issuing_entry_of_the_authority() {
    let (net, certificate) = network_with("AP-1");
    let stored = record(&net, &certificate);
    assert_eq!(stored.kind, K::ApprovalCertificate);
    assert_eq!(stored.seal.actor, net.org("GDSW"));
    assert_eq!(stored.seal.signed_by, None);
    assert_eq!(
        stored.seal.signer,
        net.party("GDSW").key.verifying_key().into()
    );
    assert_eq!(stored.seal.height, net.ledger.head().height);
    // The entry the seal names is the one in the block, signed by that key.
    let store = net.ledger.store();
    let location = store.entry_location(&stored.seal.entry).unwrap().unwrap();
    let block = store.block(location.height).unwrap().unwrap().block;
    let index = usize::try_from(location.index).unwrap();
    let sealed = &block.entries[index];
    assert_eq!(sealed.id(), stored.seal.entry);
    assert_eq!(sealed.entry().signer, stored.seal.signer);
    sealed
        .entry()
        .signer
        .verify(sealed.signing_payload(), sealed.signature())
        .unwrap();
    assert_eq!(stored.history[0].action, ActionKind::AttestIssue);
}

#[test]
fn r393_amend_replaces_the_facts_and_keeps_the_old_ones() {
    let (mut net, certificate) = network_with("AP-1");
    net.set_date(d("2026-02-01"));
    let mut new = facts(2);
    new.valid_until = d("2027-06-30");
    submit(&mut net, "GDSW", amend_body(&certificate, new.clone())).unwrap();
    let stored = record(&net, &certificate);
    assert_eq!(stored.facts, new);
    assert_eq!(stored.amendments.len(), 1);
    assert_eq!(stored.amendments[0].previous, facts(1));
    assert!(stored.amendments[0].reason.contains("container"));
    assert_eq!(stored.history[1].action, ActionKind::AttestAmend);
}

#[test]
fn r393_an_amendment_that_changes_nothing_or_one_too_many_is_refused() {
    let (mut net, certificate) = network_with("AP-1");
    assert_rejected(
        &mut net,
        "GDSW",
        amend_body(&certificate, facts(1)),
        "NO_CHANGE",
        &certificate,
    );
    for n in 0..MAX_AMENDMENTS {
        let version = u8::try_from(n).unwrap() + 2;
        submit(&mut net, "GDSW", amend_body(&certificate, facts(version))).unwrap();
    }
    assert_rejected(
        &mut net,
        "GDSW",
        amend_body(&certificate, facts(99)),
        "INVALID_FIELD",
        &certificate,
    );
}

#[test]
fn r393_an_amendment_cannot_end_validity_before_the_block_date() {
    let (mut net, certificate) = network_with("AP-1");
    net.set_date(d("2026-03-01"));
    let mut shorter = facts(2);
    shorter.valid_until = d("2026-02-28");
    assert_rejected(
        &mut net,
        "GDSW",
        amend_body(&certificate, shorter),
        "INVALID_DATES",
        &certificate,
    );
    let mut ok = facts(2);
    ok.valid_until = d("2026-03-01");
    submit(&mut net, "GDSW", amend_body(&certificate, ok)).unwrap();
}

#[test]
fn r394_supersede_links_both_and_closes_the_old_one() {
    let (mut net, old) = network_with("AP-1");
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("AP-2", K::ApprovalCertificate)),
    )
    .unwrap();
    submit(&mut net, "GDSW", supersede_body(&old, "AP-2")).unwrap();
    let new = aref("GDSW", "AP-2");
    let old_record = record(&net, &old);
    assert_eq!(old_record.superseded_by(), Some(&new));
    assert_eq!(old_record.closed_code(), Some("SUPERSEDED"));
    assert_eq!(record(&net, &new).supersedes, Some(old.clone()));
    assert_eq!(old_record.status_at(net.time()), S::Superseded);
    assert_eq!(record(&net, &new).status_at(net.time()), S::NotYetValid);
    assert_rejected(
        &mut net,
        "GDSW",
        amend_body(&old, facts(3)),
        "DOCUMENT_CLOSED",
        &old,
    );
}

#[test]
fn r394_the_replacement_must_exist_be_open_of_the_same_kind_and_replace_nothing_else() {
    let (mut net, old) = network_with("AP-1");
    assert_rejected(
        &mut net,
        "GDSW",
        supersede_body(&old, "AP-9"),
        "UNKNOWN_TRADE_CERTIFICATE",
        &old,
    );
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("PH-1", K::Phytosanitary)),
    )
    .unwrap();
    assert_rejected(
        &mut net,
        "GDSW",
        supersede_body(&old, "PH-1"),
        "INVALID_FIELD",
        &old,
    );
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("AP-3", K::ApprovalCertificate)),
    )
    .unwrap();
    submit(&mut net, "GDSW", revoke_body(&aref("GDSW", "AP-3"))).unwrap();
    assert_rejected(
        &mut net,
        "GDSW",
        supersede_body(&old, "AP-3"),
        "DOCUMENT_CLOSED",
        &old,
    );
    // AP-4 replaces AP-5; it cannot also replace AP-1.
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("AP-4", K::ApprovalCertificate)),
    )
    .unwrap();
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("AP-5", K::ApprovalCertificate)),
    )
    .unwrap();
    submit(
        &mut net,
        "GDSW",
        supersede_body(&aref("GDSW", "AP-5"), "AP-4"),
    )
    .unwrap();
    assert_rejected(
        &mut net,
        "GDSW",
        supersede_body(&old, "AP-4"),
        "INVALID_FIELD",
        &old,
    );
}

#[test]
fn r395_revoke_is_final() {
    let (mut net, certificate) = network_with("AP-1");
    submit(&mut net, "GDSW", revoke_body(&certificate)).unwrap();
    let stored = record(&net, &certificate);
    assert!(matches!(
        &stored.closed.as_ref().unwrap().change,
        Closing::Revoked { reason } if reason.contains("forged")
    ));
    assert_eq!(stored.status_at(net.time()), S::Revoked);
    for body in [
        revoke_body(&certificate),
        amend_body(&certificate, facts(2)),
        supersede_body(&certificate, "AP-2"),
    ] {
        assert_rejected(&mut net, "GDSW", body, "DOCUMENT_CLOSED", &certificate);
    }
}

#[test]
fn r396_only_the_authority_acts_on_its_certificate() {
    let (mut net, certificate) = network_with("AP-1");
    assert_rejected(
        &mut net,
        "SGSW",
        revoke_body(&certificate),
        "NOT_ISSUER",
        &certificate,
    );
    let before = stored(&net, &certificate);
    assert_eq!(
        submit_for(&mut net, "SGSW", "GDSW", revoke_body(&certificate)),
        Err("NOT_AUTHORIZED".into())
    );
    assert_eq!(stored(&net, &certificate), before);
    let unknown = aref("GDSW", "AP-404");
    assert_rejected(
        &mut net,
        "GDSW",
        revoke_body(&unknown),
        "UNKNOWN_TRADE_CERTIFICATE",
        &unknown,
    );
    // A delegate with a grant for REVOKE acts for the authority.
    grant(&mut net, "GDSW", "BROKER", vec![ActionKind::AttestRevoke]);
    submit_for(&mut net, "BROKER", "GDSW", revoke_body(&certificate)).unwrap();
    let closed = record(&net, &certificate).closed.unwrap();
    assert_eq!(closed.stamp.actor, net.org("GDSW"));
    assert_eq!(closed.stamp.signed_by, Some(net.org("BROKER")));
}

#[test]
fn r397_status_follows_the_dates_in_force_at_each_instant() {
    let (mut net, certificate) = network_with("AP-1");
    let stored = record(&net, &certificate);
    assert_eq!(stored.status_at(end_of("2026-01-09")), S::NotYetValid);
    assert_eq!(stored.status_at(at("2026-01-10")), S::Valid);
    assert_eq!(stored.status_at(end_of("2026-12-31")), S::Valid);
    assert_eq!(stored.status_at(at("2027-01-01")), S::Expired);

    net.set_date(d("2026-06-01"));
    let mut longer = facts(2);
    longer.valid_until = d("2027-06-30");
    submit(&mut net, "GDSW", amend_body(&certificate, longer)).unwrap();
    let amended_at = net.time();
    net.set_date(d("2026-09-01"));
    submit(&mut net, "GDSW", revoke_body(&certificate)).unwrap();
    let revoked_at = net.time();
    let stored = record(&net, &certificate);
    // Before the amendment was recorded, the old facts held: 2027-01-01 is judged by them...
    assert_eq!(stored.facts_at(at("2026-05-31")).document, Hash32([1; 32]));
    assert_eq!(stored.facts_at(amended_at).document, Hash32([2; 32]));
    assert_eq!(stored.status_at(Timestamp_before(revoked_at)), S::Valid);
    assert_eq!(stored.status_at(revoked_at), S::Revoked);
    assert_eq!(stored.status_at(at("2027-03-01")), S::Revoked);
}

#[allow(non_snake_case)]
fn Timestamp_before(t: ebl_ledger::time::Timestamp) -> ebl_ledger::time::Timestamp {
    ebl_ledger::time::Timestamp(t.0 - 1)
}

#[test]
fn r397_an_amended_expiry_counts_only_from_when_it_was_recorded() {
    let (mut net, certificate) = network_with("AP-1");
    net.set_date(d("2026-06-01"));
    let mut longer = facts(2);
    longer.valid_until = d("2027-06-30");
    submit(&mut net, "GDSW", amend_body(&certificate, longer)).unwrap();
    let stored = record(&net, &certificate);
    assert_eq!(stored.status_at(at("2027-03-01")), S::Valid);
    assert_eq!(stored.status_at(at("2027-07-01")), S::Expired);
    // Asked about a time before the amendment, the record answers with the facts of then.
    assert_eq!(
        stored.facts_at(at("2026-05-01")).valid_until,
        d("2026-12-31")
    );
}

fn receipt(certificate: &ebl_ledger::attest::AttestRef) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Attested(certificate.clone()),
        outcome: VerificationOutcome::Verified,
        purpose: "IMPORT_CLEARANCE".into(),
        detail: "document hash matches the approval presented".into(),
        cites: Vec::new(),
    })
}

#[test]
fn r398_any_member_records_a_receipt_on_a_trade_certificate_that_exists() {
    let (mut net, certificate) = network_with("AP-1");
    let before = record(&net, &certificate);
    submit(&mut net, "SGSW", receipt(&certificate)).unwrap();
    let prefix = keys::receipt_prefix(&DocumentRef::Attested(certificate.clone()));
    let receipts = net.ledger.store().scan_prefix(&prefix, 10).unwrap();
    assert_eq!(receipts.len(), 1);
    let stored: ReceiptRecord = ebl_ledger::codec::decode(&receipts[0].1, 4096).unwrap();
    assert_eq!(stored.verifier, net.org("SGSW"));
    // Verifying changes nothing about the certificate.
    assert_eq!(record(&net, &certificate), before);
    let unknown = aref("GDSW", "AP-404");
    assert_eq!(
        submit(&mut net, "SGSW", receipt(&unknown)),
        Err("UNKNOWN_TRADE_CERTIFICATE".into())
    );
}

#[test]
fn r399_a_grant_may_name_one_trade_certificate_of_its_kind_only() {
    let (mut net, certificate) = network_with("AP-1");
    let terms = |kinds: Vec<DocumentKind>| GrantTerms {
        grantee: Grantee::Organisation(net.org("BROKER")),
        actions: vec![ActionKind::AttestAmend],
        document_kinds: kinds,
        document: Some(DocumentRef::Attested(certificate.clone())),
        valid_from: GENESIS_TIME,
        valid_until: at("2040-01-01"),
    };
    let wrong = terms(vec![DocumentKind::ShipCertificate]);
    let right = terms(vec![DocumentKind::TradeCertificate]);
    assert_eq!(
        submit(&mut net, "GDSW", Body::Grant(GrantAction::Create(wrong))),
        Err("INVALID_FIELD".into())
    );
    submit(&mut net, "GDSW", Body::Grant(GrantAction::Create(right))).unwrap();
    submit_for(
        &mut net,
        "BROKER",
        "GDSW",
        amend_body(&certificate, facts(2)),
    )
    .unwrap();
    // The grant names AP-1 only.
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("AP-2", K::ApprovalCertificate)),
    )
    .unwrap();
    assert_eq!(
        submit_for(
            &mut net,
            "BROKER",
            "GDSW",
            amend_body(&aref("GDSW", "AP-2"), facts(2))
        ),
        Err("NOT_AUTHORIZED".into())
    );
}

#[test]
fn r397a_days_are_judged_in_the_authoritys_zone_not_utc() {
    let (net, certificate) = network_with("AP-TZ");
    let stored = record(&net, &certificate);
    assert_eq!(stored.authority_zone.utc_offset_minutes, 480);
    // 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Guangzhou: expired there, although
    // the UTC day is still the last day of validity.
    let evening_utc = ebl_ledger::time::Timestamp(d("2026-12-31").start().0 + 17 * 3_600_000);
    assert_eq!(evening_utc.date(), d("2026-12-31"));
    assert_eq!(stored.status_at(evening_utc), S::Expired);
    // 2026-01-09 17:00 UTC is 2026-01-10 01:00 local: the first day of validity.
    let first = ebl_ledger::time::Timestamp(d("2026-01-09").start().0 + 17 * 3_600_000);
    assert_eq!(stored.status_at(first), S::Valid);
}
