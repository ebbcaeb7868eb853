//! Grants: creating, using, scoping, expiring and revoking delegated authority (R25–R29).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::grant::grant_id;
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantRecord, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ebl_ledger::time::Timestamp;

mod governance_support;
use governance_support::{authorized, ebl_doc, fails, receipt};

const DAY: u64 = 86_400_000;

fn system_key() -> ed25519_dalek::SigningKey {
    key_from_label("bank-trade-finance-system")
}

fn to_system() -> Grantee {
    Grantee::Key(system_key().verifying_key().into())
}

fn to_org(id: &str) -> Grantee {
    Grantee::Organisation(OrgId::new(id).unwrap())
}

/// Lets the grantee record verifications of eBLs for one day from the next block.
fn terms(net: &TestNetwork, grantee: Grantee) -> GrantTerms {
    GrantTerms {
        grantee,
        actions: vec![ActionKind::RecordVerification],
        document_kinds: vec![DocumentKind::Ebl],
        document: None,
        valid_from: net.time(),
        valid_until: Timestamp(net.time().0 + DAY),
    }
}

/// Commits a grant by `grantor` and returns its id and the result.
fn create(net: &mut TestNetwork, grantor: &str, terms: GrantTerms) -> (Hash32, Result<(), String>) {
    let entry = net.sign(grantor, Body::Grant(GrantAction::Create(terms)));
    let id = grant_id(&entry.id());
    (id, net.submit_entry(entry))
}

fn revoke(net: &mut TestNetwork, by: &str, grant: Hash32) -> Result<(), String> {
    net.submit(by, Body::Grant(GrantAction::Revoke { grant }))
}

fn stored(net: &TestNetwork, id: Hash32) -> Option<GrantRecord> {
    net.ledger.get(&keys::grant(&id)).unwrap()
}

fn listed(net: &TestNetwork, grantor: &str) -> Vec<Hash32> {
    let key = keys::grants_of(&OrgId::new(grantor).unwrap());
    net.ledger.get(&key).unwrap().unwrap_or_default()
}

/// A receipt signed by the system key acting for BANK.
fn system_verifies(net: &mut TestNetwork, document: &[u8]) -> Result<(), String> {
    let entry = net.sign_with(&system_key(), Some("BANK"), receipt(document));
    net.submit_entry(entry)
}

/// A receipt signed by `party`'s own key acting for BANK.
fn party_verifies_for_bank(net: &mut TestNetwork, party: &str) -> Result<(), String> {
    let key = net.party(party).key.clone();
    let entry = net.sign_with(&key, Some("BANK"), receipt(b"doc"));
    net.submit_entry(entry)
}

#[test]
fn a_grant_is_stored_under_its_id_and_listed_for_its_grantor() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_system());
    let (id, result) = create(&mut net, "BANK", t.clone());
    result.unwrap();
    let record = stored(&net, id).unwrap();
    assert_eq!(record.id, id);
    assert_eq!(record.grantor, OrgId::new("BANK").unwrap());
    assert_eq!(record.terms, t);
    assert_eq!(record.created_at_height, net.ledger.head().height);
    assert_eq!(record.created_at, net.time());
    assert_eq!(record.revoked_at_height, None);
    assert_eq!(listed(&net, "BANK"), vec![id]);
}

#[test]
fn a_key_grantee_can_act_for_the_grantor_but_not_in_its_own_name() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_system());
    create(&mut net, "BANK", t).1.unwrap();
    assert_eq!(system_verifies(&mut net, b"doc"), authorized());
    let entry = net.sign_with(&system_key(), None, receipt(b"doc"));
    assert_eq!(net.submit_entry(entry), fails("UNKNOWN_SIGNER"));
}

#[test]
fn acting_for_another_organisation_without_a_grant_is_not_authorized() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        party_verifies_for_bank(&mut net, "SHIPPER"),
        fails("NOT_AUTHORIZED")
    );
    assert_eq!(system_verifies(&mut net, b"doc"), fails("NOT_AUTHORIZED"));
}

#[test]
fn an_organisation_grant_covers_its_keys_and_nobody_elses() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_org("CONSIGNEE"));
    create(&mut net, "BANK", t).1.unwrap();
    assert_eq!(party_verifies_for_bank(&mut net, "CONSIGNEE"), authorized());
    assert_eq!(
        party_verifies_for_bank(&mut net, "BUYER2"),
        fails("NOT_AUTHORIZED")
    );
}

#[test]
fn a_grant_covers_only_the_actions_it_names() {
    let mut net = TestNetwork::pilot();
    let mut t = terms(&net, to_system());
    t.actions = vec![ActionKind::EblTransfer];
    create(&mut net, "BANK", t).1.unwrap();
    assert_eq!(system_verifies(&mut net, b"doc"), fails("NOT_AUTHORIZED"));
}

#[test]
fn a_grant_scoped_to_one_document_does_not_cover_another() {
    let mut net = TestNetwork::pilot();
    let mut t = terms(&net, to_system());
    t.document = Some(ebl_doc(b"the one"));
    create(&mut net, "BANK", t).1.unwrap();
    assert_eq!(system_verifies(&mut net, b"the one"), authorized());
    assert_eq!(
        system_verifies(&mut net, b"another"),
        fails("NOT_AUTHORIZED")
    );
}

#[test]
fn an_expired_grant_no_longer_covers() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_system());
    create(&mut net, "BANK", t).1.unwrap();
    assert_eq!(system_verifies(&mut net, b"doc"), authorized());
    net.advance(DAY);
    assert_eq!(system_verifies(&mut net, b"doc"), fails("NOT_AUTHORIZED"));
}

#[test]
fn a_grant_does_not_cover_before_it_starts() {
    let mut net = TestNetwork::pilot();
    let mut t = terms(&net, to_system());
    t.valid_from = Timestamp(net.time().0 + DAY);
    t.valid_until = Timestamp(net.time().0 + 2 * DAY);
    create(&mut net, "BANK", t).1.unwrap();
    assert_eq!(system_verifies(&mut net, b"doc"), fails("NOT_AUTHORIZED"));
    // R181: without standing (the grant is still pending) nothing was recorded, not even the
    // key's sequence: its next entry uses the same number.
    net.resync_sequence(&system_key());
    net.advance(DAY);
    assert_eq!(system_verifies(&mut net, b"doc"), authorized());
}

#[test]
fn a_revoked_grant_no_longer_covers_and_leaves_the_list() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_system());
    let (id, result) = create(&mut net, "BANK", t);
    result.unwrap();
    revoke(&mut net, "BANK", id).unwrap();
    let record = stored(&net, id).unwrap();
    assert_eq!(record.revoked_at_height, Some(net.ledger.head().height));
    assert_eq!(record.revoked_at, Some(net.time()));
    assert!(listed(&net, "BANK").is_empty());
    assert_eq!(system_verifies(&mut net, b"doc"), fails("NOT_AUTHORIZED"));
}

#[test]
fn a_grant_is_revoked_once_only_by_its_grantor() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_system());
    let (id, result) = create(&mut net, "BANK", t);
    result.unwrap();
    let before = stored(&net, id);
    assert_eq!(revoke(&mut net, "CARRIER", id), fails("NOT_AUTHORIZED"));
    assert_eq!(stored(&net, id), before);
    revoke(&mut net, "BANK", id).unwrap();
    let revoked = stored(&net, id);
    assert_eq!(revoke(&mut net, "BANK", id), fails("GRANT_REVOKED"));
    assert_eq!(stored(&net, id), revoked);
}

#[test]
fn revoking_an_unknown_grant_is_refused() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        revoke(&mut net, "BANK", Hash32::sha256(b"no grant")),
        fails("UNKNOWN_GRANT")
    );
}

#[test]
fn a_grantee_cannot_re_delegate_or_revoke_for_the_grantor() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_org("CONSIGNEE"));
    let (id, result) = create(&mut net, "BANK", t);
    result.unwrap();
    let onward = terms(&net, to_org("BUYER2"));
    let consignee = net.party("CONSIGNEE").key.clone();
    let entry = net.sign_with(
        &consignee,
        Some("BANK"),
        Body::Grant(GrantAction::Create(onward)),
    );
    assert_eq!(net.submit_entry(entry), fails("NOT_AUTHORIZED"));
    let entry = net.sign_with(
        &consignee,
        Some("BANK"),
        Body::Grant(GrantAction::Revoke { grant: id }),
    );
    assert_eq!(net.submit_entry(entry), fails("NOT_AUTHORIZED"));
    assert_eq!(listed(&net, "BANK"), vec![id]);
    assert_eq!(
        party_verifies_for_bank(&mut net, "BUYER2"),
        fails("NOT_AUTHORIZED")
    );
}

#[test]
fn a_key_grantee_cannot_create_grants() {
    let mut net = TestNetwork::pilot();
    let t = terms(&net, to_system());
    create(&mut net, "BANK", t).1.unwrap();
    let onward = terms(&net, to_org("BUYER2"));
    let entry = net.sign_with(
        &system_key(),
        None,
        Body::Grant(GrantAction::Create(onward)),
    );
    assert_eq!(net.submit_entry(entry), fails("UNKNOWN_SIGNER"));
}

#[test]
fn a_small_order_grantee_key_is_weak() {
    let mut net = TestNetwork::pilot();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let t = terms(&net, Grantee::Key(PublicKey(identity)));
    assert_eq!(create(&mut net, "BANK", t).1, fails("WEAK_KEY"));
    assert!(listed(&net, "BANK").is_empty());
}

#[test]
fn grant_and_governance_actions_cannot_be_delegated() {
    let mut net = TestNetwork::pilot();
    let mut t = terms(&net, to_system());
    t.actions.push(ActionKind::GrantCreate);
    assert_eq!(create(&mut net, "BANK", t).1, fails("INVALID_FIELD"));
}

#[test]
fn the_grantee_organisation_must_exist_and_differ_from_the_grantor() {
    let mut net = TestNetwork::pilot();
    let unknown = terms(&net, to_org("NOBODY"));
    assert_eq!(
        create(&mut net, "BANK", unknown).1,
        fails("UNKNOWN_ORGANISATION")
    );
    let itself = terms(&net, to_org("BANK"));
    assert_eq!(create(&mut net, "BANK", itself).1, fails("INVALID_FIELD"));
    assert!(listed(&net, "BANK").is_empty());
}

#[test]
fn a_grant_must_end_after_the_block_time() {
    let mut net = TestNetwork::pilot();
    let mut t = terms(&net, to_system());
    t.valid_from = Timestamp(net.time().0 - DAY);
    t.valid_until = net.time();
    assert_eq!(create(&mut net, "BANK", t).1, fails("INVALID_FIELD"));
}
