//! Grants: the bound on live grants per grantor and pruning of the grantor's list (R29).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::block::Outcome;
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::grant::{MAX_LIVE_GRANTS, grant_id};
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ebl_ledger::time::Timestamp;

mod governance_support;
use governance_support::ebl_doc;

const DAY: u64 = 86_400_000;

fn system_key() -> ed25519_dalek::SigningKey {
    key_from_label("bank-trade-finance-system")
}

fn to_system() -> Grantee {
    Grantee::Key(system_key().verifying_key().into())
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

fn listed(net: &TestNetwork, grantor: &str) -> Vec<Hash32> {
    let key = keys::grants_of(&OrgId::new(grantor).unwrap());
    net.ledger.get(&key).unwrap().unwrap_or_default()
}

/// Commits `count` one-day grants by BANK in one block; returns their outcomes.
fn many_grants(net: &mut TestNetwork, count: usize) -> Vec<Outcome> {
    let entries = (0..count)
        .map(|i| {
            let mut t = terms(net, to_system());
            t.document = Some(ebl_doc(format!("doc {i}").as_bytes()));
            net.sign("BANK", Body::Grant(GrantAction::Create(t)))
        })
        .collect();
    net.commit(entries)
}

#[test]
fn a_grantor_keeps_at_most_256_live_grants_and_revoking_frees_a_place() {
    let mut net = TestNetwork::pilot();
    let outcomes = many_grants(&mut net, MAX_LIVE_GRANTS + 1);
    assert!(
        outcomes[..MAX_LIVE_GRANTS]
            .iter()
            .all(|o| *o == Outcome::Applied)
    );
    assert!(
        matches!(&outcomes[MAX_LIVE_GRANTS], Outcome::Failed { code, .. } if code == "INVALID_FIELD")
    );
    let ids = listed(&net, "BANK");
    assert_eq!(ids.len(), MAX_LIVE_GRANTS);
    revoke(&mut net, "BANK", ids[7]).unwrap();
    assert_eq!(listed(&net, "BANK").len(), MAX_LIVE_GRANTS - 1);
    let t = terms(&net, to_system());
    assert_eq!(create(&mut net, "BANK", t).1, Ok(()));
}

#[test]
fn expired_grants_are_pruned_from_the_list_when_it_is_next_written() {
    let mut net = TestNetwork::pilot();
    many_grants(&mut net, MAX_LIVE_GRANTS);
    net.advance(DAY);
    let t = terms(&net, to_system());
    let (id, result) = create(&mut net, "BANK", t);
    result.unwrap();
    assert_eq!(listed(&net, "BANK"), vec![id]);
}
