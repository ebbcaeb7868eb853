//! R140, R143, R144: who may read a body, decided on a pilot ledger where CARRIER issued an
//! eBL to SHIPPER, who transferred it to BANK (a validator operator). MSA and GDSW are not
//! parties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::ebl::{EblAction, EblIssue, EblRecord, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::identity::{Organisation, ValidatorSet};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;
use libp2p::PeerId;

use super::*;
use crate::bodies::fetch::PartyKeys;
use crate::bodies::protocol::{BodyRequest, Proof, proof_holds, signed_request};
use crate::p2p::gating::peer_id_of;

fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

/// The pilot with one eBL, issued to SHIPPER and transferred to BANK.
fn ledger_with_ebl() -> (TestNetwork, DocumentId) {
    let mut net = TestNetwork::pilot();
    let document = Hash32::sha256(b"{\"transportDocumentReference\":\"BODY-1\"}");
    let issue = EblIssue {
        document,
        reference: "BODY-1".into(),
        kind: EblType::ToOrderBl,
        issue_to: org("SHIPPER"),
        consignee: Some(org("SHIPPER")),
    };
    net.submit("CARRIER", Body::Ebl(EblAction::Issue(issue)))
        .unwrap();
    let transfer = EblAction::Transfer {
        document,
        to: org("BANK"),
    };
    net.submit("SHIPPER", Body::Ebl(transfer)).unwrap();
    (net, document)
}

fn facts(net: &TestNetwork, document: &DocumentId, party: &str) -> Facts {
    Facts {
        ebl: net.ledger.get::<EblRecord>(&keys::ebl(document)).unwrap(),
        party: net
            .ledger
            .get::<Organisation>(&keys::organisation(&org(party)))
            .unwrap(),
        validators: net.ledger.get::<ValidatorSet>(&keys::validators()).unwrap(),
        now: net.time(),
        attachment_of: None,
    }
}

/// The gossip peer id of the validator `operator` runs.
fn validator_peer(net: &TestNetwork, operator: &str) -> PeerId {
    let set = net
        .ledger
        .get::<ValidatorSet>(&keys::validators())
        .unwrap()
        .unwrap();
    let v = set
        .validators
        .iter()
        .find(|v| v.operator == org(operator))
        .unwrap();
    peer_id_of(&v.key).unwrap()
}

fn connection(document: DocumentId, party: &str) -> BodyRequest {
    BodyRequest {
        document,
        party: org(party),
        proof: Proof::Connection,
    }
}

#[test]
fn the_node_of_a_validator_operator_that_is_a_party_may_read() {
    let (net, doc) = ledger_with_ebl();
    let bank_node = validator_peer(&net, "BANK");
    let chain = net.ledger.chain();
    let result = authorise(
        chain,
        &bank_node,
        &connection(doc, "BANK"),
        &facts(&net, &doc, "BANK"),
    );
    assert_eq!(result, Ok(()));
}

#[test]
fn an_attachment_is_read_by_the_parties_of_its_document_only() {
    let (net, doc) = ledger_with_ebl();
    let bank_node = validator_peer(&net, "BANK");
    let chain = net.ledger.chain();
    let visualisation = ebl_ledger::hash::Hash32::sha256(b"%PDF");
    // R322: the ledger says the visualisation belongs to `doc`, so BANK (a party) reads it.
    let mut attached = facts(&net, &doc, "BANK");
    attached.attachment_of = Some(doc);
    let request = connection(visualisation, "BANK");
    assert_eq!(authorise(chain, &bank_node, &request, &attached), Ok(()));
    // Without that index entry, another id never borrows a document's parties.
    let plain = facts(&net, &doc, "BANK");
    assert_eq!(
        authorise(chain, &bank_node, &request, &plain),
        Err(Refusal::UnknownDocument)
    );
}

#[test]
fn a_node_that_does_not_run_as_the_party_is_refused() {
    let (net, doc) = ledger_with_ebl();
    let gdsw_node = validator_peer(&net, "GDSW");
    let chain = net.ledger.chain();
    let result = authorise(
        chain,
        &gdsw_node,
        &connection(doc, "BANK"),
        &facts(&net, &doc, "BANK"),
    );
    assert_eq!(result, Err(Refusal::NotRunAs));
}

#[test]
fn a_non_party_is_refused_even_for_its_own_node() {
    let (net, doc) = ledger_with_ebl();
    let msa_node = validator_peer(&net, "MSA");
    let chain = net.ledger.chain();
    let result = authorise(
        chain,
        &msa_node,
        &connection(doc, "MSA"),
        &facts(&net, &doc, "MSA"),
    );
    assert_eq!(result, Err(Refusal::NotAParty));
    assert_eq!(Refusal::NotAParty.code(), "NOT_A_PARTY");
}

#[test]
fn a_former_holder_and_the_carrier_are_parties() {
    let (net, doc) = ledger_with_ebl();
    let record = facts(&net, &doc, "SHIPPER").ebl.unwrap();
    assert!(record.is_party(&org("SHIPPER")));
    assert!(record.is_party(&org("CARRIER")));
    assert!(record.is_party(&org("BANK")));
    assert!(!record.is_party(&org("GDSW")));
}

#[test]
fn a_node_whose_key_is_the_organisation_key_runs_as_it() {
    let (net, doc) = ledger_with_ebl();
    let carrier_key = PublicKey::from(net.party("CARRIER").key.verifying_key());
    let carrier_node = peer_id_of(&carrier_key).unwrap();
    let chain = net.ledger.chain();
    let f = facts(&net, &doc, "CARRIER");
    assert_eq!(
        authorise(chain, &carrier_node, &connection(doc, "CARRIER"), &f),
        Ok(())
    );
}

#[test]
fn a_request_signed_with_the_party_key_is_allowed_from_any_member_node() {
    let (net, doc) = ledger_with_ebl();
    let requester = validator_peer(&net, "GDSW");
    let chain = net.ledger.chain();
    let key = &net.party("SHIPPER").key;
    let request = signed_request(chain, &requester, doc, org("SHIPPER"), key);
    let result = authorise(chain, &requester, &request, &facts(&net, &doc, "SHIPPER"));
    assert_eq!(result, Ok(()));
}

#[test]
fn a_signed_request_replayed_by_another_node_is_refused() {
    let (net, doc) = ledger_with_ebl();
    let signer_node = validator_peer(&net, "GDSW");
    let replayer = validator_peer(&net, "MSA");
    let chain = net.ledger.chain();
    let key = &net.party("SHIPPER").key;
    let request = signed_request(chain, &signer_node, doc, org("SHIPPER"), key);
    let result = authorise(chain, &replayer, &request, &facts(&net, &doc, "SHIPPER"));
    assert_eq!(result, Err(Refusal::BadSignature));
}

#[test]
fn a_request_signed_with_another_key_is_refused() {
    let (net, doc) = ledger_with_ebl();
    let requester = validator_peer(&net, "GDSW");
    let chain = net.ledger.chain();
    // MSA's key signing for SHIPPER.
    let key = &net.party("MSA").key;
    let request = signed_request(chain, &requester, doc, org("SHIPPER"), key);
    let result = authorise(chain, &requester, &request, &facts(&net, &doc, "SHIPPER"));
    assert_eq!(result, Err(Refusal::BadSignature));
    let garbage = BodyRequest {
        proof: Proof::Signature(Signature([7; 64])),
        ..request
    };
    let result = authorise(chain, &requester, &garbage, &facts(&net, &doc, "SHIPPER"));
    assert_eq!(result, Err(Refusal::BadSignature));
}

#[test]
fn a_proof_names_its_chain_document_and_party() {
    let (net, doc) = ledger_with_ebl();
    let requester = validator_peer(&net, "GDSW");
    let chain = net.ledger.chain().clone();
    let key = &net.party("SHIPPER").key;
    let shipper = PublicKey::from(key.verifying_key());
    let Proof::Signature(sig) = signed_request(&chain, &requester, doc, org("SHIPPER"), key).proof
    else {
        panic!("a signed request carries a signature");
    };
    assert!(proof_holds(
        &chain,
        &requester,
        &doc,
        &org("SHIPPER"),
        &shipper,
        &sig
    ));
    let other_doc = Hash32::sha256(b"other");
    assert!(!proof_holds(
        &chain,
        &requester,
        &other_doc,
        &org("SHIPPER"),
        &shipper,
        &sig
    ));
    assert!(!proof_holds(
        &chain,
        &requester,
        &doc,
        &org("BANK"),
        &shipper,
        &sig
    ));
    let mut other_chain = chain;
    other_chain.chain_id = "another-network".into();
    assert!(!proof_holds(
        &other_chain,
        &requester,
        &doc,
        &org("SHIPPER"),
        &shipper,
        &sig
    ));
}

#[test]
fn an_unknown_document_is_refused() {
    let (net, _) = ledger_with_ebl();
    let unknown = Hash32::sha256(b"never issued");
    let bank_node = validator_peer(&net, "BANK");
    let chain = net.ledger.chain();
    let f = facts(&net, &unknown, "BANK");
    let result = authorise(chain, &bank_node, &connection(unknown, "BANK"), &f);
    assert_eq!(result, Err(Refusal::UnknownDocument));
}

#[test]
fn a_party_whose_certificate_expired_is_refused() {
    let (net, doc) = ledger_with_ebl();
    let bank_node = validator_peer(&net, "BANK");
    let chain = net.ledger.chain();
    let mut f = facts(&net, &doc, "BANK");
    f.now = Timestamp(u64::MAX);
    let result = authorise(chain, &bank_node, &connection(doc, "BANK"), &f);
    assert_eq!(result, Err(Refusal::InactiveParty));
}

#[test]
fn party_keys_offer_only_the_registered_key() {
    let (net, _) = ledger_with_ebl();
    let shipper = net.party("SHIPPER");
    let registered = PublicKey::from(shipper.key.verifying_key());
    let other = net.party("MSA").key.clone();
    let keys = PartyKeys::new([
        (org("SHIPPER"), other),
        (org("SHIPPER"), shipper.key.clone()),
    ]);
    let found = keys.key_of(&org("SHIPPER"), &registered).unwrap();
    assert_eq!(found.verifying_key(), shipper.key.verifying_key());
    assert!(keys.key_of(&org("BANK"), &registered).is_none());
    assert!(!format!("{keys:?}").contains("SigningKey"));
}
