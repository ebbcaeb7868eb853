//! Standing (R180) and what execution does without it (R181): nothing recorded at all, not even
//! the signer's sequence; with it, R9 as before.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ActionKind, Body, SignedEntry};
use ebl_ledger::identity::grant::grant_id;
use ebl_ledger::identity::{
    DocumentKind, GrantAction, GrantTerms, Grantee, Proposal, check_standing,
};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::{Overlay, keys};
use ebl_ledger::storage::Storage;
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ebl_ledger::time::Timestamp;

mod governance_support;
use governance_support::{authorized, fails, pass, receipt};

const DAY: u64 = 86_400_000;

fn stranger() -> ed25519_dalek::SigningKey {
    key_from_label("fresh-attacker-key")
}

fn system() -> ed25519_dalek::SigningKey {
    key_from_label("bank-trade-finance-system")
}

fn public(key: &ed25519_dalek::SigningKey) -> PublicKey {
    PublicKey::from(key.verifying_key())
}

/// A grant by BANK to `grantee` for receipts, from `from` for one day.
fn grant_body(grantee: Grantee, from: Timestamp) -> Body {
    Body::Grant(GrantAction::Create(GrantTerms {
        grantee,
        actions: vec![ActionKind::RecordVerification],
        document_kinds: vec![DocumentKind::Ebl],
        document: None,
        valid_from: from,
        valid_until: Timestamp(from.0 + DAY),
    }))
}

/// R180 at the network's current time on its committed state: `Ok` or the refusing code.
fn standing(net: &TestNetwork, key: &PublicKey, act_for: Option<&str>) -> Result<(), String> {
    let view = Overlay::new(net.ledger.store());
    let act_for = act_for.map(|o| OrgId::new(o).unwrap());
    check_standing(&view, key, act_for.as_ref(), net.time()).map_err(|e| match e {
        ebl_ledger::error::ExecError::Rule(e) => e.code().to_string(),
        ebl_ledger::error::ExecError::Storage(e) => panic!("storage: {e}"),
    })
}

fn next_sequence(net: &TestNetwork, key: &PublicKey) -> Option<u64> {
    net.ledger.get::<u64>(&keys::sequence(key)).unwrap()
}

/// Executes `entries` as the next block and returns the keys it writes.
fn written_keys(net: &TestNetwork, entries: Vec<SignedEntry>) -> Vec<Vec<u8>> {
    let proposer = public(&net.validator_keys[0]);
    let time = Timestamp(net.time().0 + 1000);
    let executed = net.ledger.execute(time, proposer, entries).unwrap();
    executed.writes.keys().cloned().collect()
}

#[test]
fn member_and_validator_keys_have_standing_and_a_fresh_key_has_none() {
    let net = TestNetwork::pilot();
    assert_eq!(
        standing(&net, &public(&net.party("BANK").key), None),
        Ok(())
    );
    assert_eq!(
        standing(&net, &public(&net.validator_keys[1]), None),
        Ok(())
    );
    // A validator key acting for someone still has standing: R27 judges the rest.
    let validator = public(&net.validator_keys[1]);
    assert_eq!(standing(&net, &validator, Some("BANK")), Ok(()));
    assert_eq!(
        standing(&net, &public(&stranger()), None),
        fails("UNKNOWN_SIGNER")
    );
}

#[test]
fn acting_for_an_organisation_needs_a_live_grant_naming_the_signer() {
    let mut net = TestNetwork::pilot();
    let key = public(&system());
    assert_eq!(standing(&net, &key, Some("BANK")), fails("NOT_AUTHORIZED"));
    assert_eq!(
        standing(&net, &key, Some("NOBODY")),
        fails("UNKNOWN_ORGANISATION")
    );
    let from = Timestamp(net.time().0 + 1000);
    net.submit("BANK", grant_body(Grantee::Key(key), from))
        .unwrap();
    assert_eq!(standing(&net, &key, Some("BANK")), Ok(()));
    // Another grantor's grant names nobody here; a stranger is not the grantee.
    assert_eq!(
        standing(&net, &key, Some("CARRIER")),
        fails("NOT_AUTHORIZED")
    );
    let other = public(&stranger());
    assert_eq!(
        standing(&net, &other, Some("BANK")),
        fails("NOT_AUTHORIZED")
    );
    // Past its window the grant gives no standing.
    net.advance(2 * DAY);
    assert_eq!(standing(&net, &key, Some("BANK")), fails("NOT_AUTHORIZED"));
}

#[test]
fn a_revoked_grant_gives_no_standing() {
    let mut net = TestNetwork::pilot();
    let key = public(&system());
    let from = Timestamp(net.time().0 + 1000);
    let entry = net.sign("BANK", grant_body(Grantee::Key(key), from));
    let grant = grant_id(&entry.id());
    net.submit_entry(entry).unwrap();
    assert_eq!(standing(&net, &key, Some("BANK")), Ok(()));
    net.submit("BANK", Body::Grant(GrantAction::Revoke { grant }))
        .unwrap();
    assert_eq!(standing(&net, &key, Some("BANK")), fails("NOT_AUTHORIZED"));
}

#[test]
fn a_pending_grant_gives_no_standing_until_its_window_opens() {
    let mut net = TestNetwork::pilot();
    let key = public(&system());
    let from = Timestamp(net.time().0 + DAY);
    net.submit("BANK", grant_body(Grantee::Key(key), from))
        .unwrap();
    assert_eq!(standing(&net, &key, Some("BANK")), fails("NOT_AUTHORIZED"));
    net.advance(DAY);
    assert_eq!(standing(&net, &key, Some("BANK")), Ok(()));
}

#[test]
fn an_organisation_grant_names_the_keys_of_the_grantee_organisation() {
    let mut net = TestNetwork::pilot();
    let from = Timestamp(net.time().0 + 1000);
    let grantee = Grantee::Organisation(OrgId::new("CONSIGNEE").unwrap());
    net.submit("BANK", grant_body(grantee, from)).unwrap();
    let consignee = public(&net.party("CONSIGNEE").key);
    assert_eq!(standing(&net, &consignee, Some("BANK")), Ok(()));
    assert_eq!(
        standing(&net, &public(&stranger()), Some("BANK")),
        fails("NOT_AUTHORIZED")
    );
}

#[test]
fn a_revoked_organisation_key_and_the_organisations_it_acts_for_lose_standing() {
    let mut net = TestNetwork::pilot();
    let buyer = public(&net.party("BUYER2").key);
    let system_key = public(&system());
    let from = Timestamp(net.time().0 + 1000);
    net.submit("BUYER2", grant_body(Grantee::Key(system_key), from))
        .unwrap();
    assert_eq!(standing(&net, &system_key, Some("BUYER2")), Ok(()));
    pass(
        &mut net,
        Proposal::RevokeOrganisation {
            org: OrgId::new("BUYER2").unwrap(),
            reason: "left the consortium".into(),
        },
    );
    assert_eq!(standing(&net, &buyer, None), fails("ORGANISATION_REVOKED"));
    assert_eq!(
        standing(&net, &buyer, Some("BUYER2")),
        fails("ORGANISATION_REVOKED")
    );
    assert_eq!(
        standing(&net, &system_key, Some("BUYER2")),
        fails("ORGANISATION_REVOKED")
    );
}

#[test]
fn an_entry_without_standing_writes_nothing_not_even_its_sequence() {
    let mut net = TestNetwork::pilot();
    let spam: Vec<SignedEntry> = (0..20)
        .map(|i| {
            let key = key_from_label(&format!("fresh-{i}"));
            net.sign_with(&key, Some("BANK"), receipt(b"doc"))
        })
        .collect();
    let lone = net.sign_with(&stranger(), None, receipt(b"doc"));
    let mut all = spam.clone();
    all.push(lone.clone());
    // Only the chain head is written by the block.
    assert_eq!(written_keys(&net, all.clone()), vec![keys::chain_head()]);
    let outcomes = net.commit(all);
    for outcome in &outcomes[..20] {
        assert!(
            matches!(outcome, ebl_ledger::block::Outcome::Failed { code, .. } if code == "NOT_AUTHORIZED"),
            "{outcome:?}"
        );
    }
    assert!(matches!(
        &outcomes[20],
        ebl_ledger::block::Outcome::Failed { code, .. } if code == "UNKNOWN_SIGNER"
    ));
    assert_eq!(next_sequence(&net, &lone.entry().signer), None);
    assert_eq!(next_sequence(&net, &spam[0].entry().signer), None);
    assert!(
        net.ledger
            .store()
            .scan_prefix(b"seq/", usize::MAX)
            .unwrap()
            .iter()
            .all(|(k, _)| k != &keys::sequence(&lone.entry().signer))
    );
}

#[test]
fn an_entry_with_standing_still_consumes_its_sequence_when_a_later_rule_fails() {
    let mut net = TestNetwork::pilot();
    // SHIPPER has standing (its own key) but no grant of BANK: R27 fails after R9.
    let key = net.party("SHIPPER").key.clone();
    let entry = net.sign_with(&key, Some("BANK"), receipt(b"doc"));
    assert_eq!(net.submit_entry(entry), fails("NOT_AUTHORIZED"));
    assert_eq!(next_sequence(&net, &public(&key)), Some(1));
    assert_eq!(net.submit("SHIPPER", receipt(b"doc")), authorized());
    assert_eq!(next_sequence(&net, &public(&key)), Some(2));
}

#[test]
fn a_key_that_gains_standing_can_still_use_its_first_sequence() {
    // R181 / ADR 0026: a refused entry consumed nothing, so the key's first entry with
    // standing uses sequence 0.
    let mut net = TestNetwork::pilot();
    let key = system();
    let early = net.sign_with(&key, Some("BANK"), receipt(b"doc"));
    assert_eq!(net.submit_entry(early.clone()), fails("NOT_AUTHORIZED"));
    let from = Timestamp(net.time().0 + 1000);
    net.submit("BANK", grant_body(Grantee::Key(public(&key)), from))
        .unwrap();
    // The stale entry is the key holder's own signed statement, judged at its inclusion.
    assert_eq!(net.submit_entry(early), authorized());
    assert_eq!(next_sequence(&net, &public(&key)), Some(1));
}
