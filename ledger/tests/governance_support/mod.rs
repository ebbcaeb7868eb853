//! Helpers shared by the governance and identity tests: propose, vote, pass, read records.
#![allow(dead_code, clippy::unwrap_used)]

use ebl_ledger::entry::{Body, DocumentRef, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::governance::proposal_id;
use ebl_ledger::identity::{GovernanceAction, Organisation, Proposal, ProposalRecord};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;

/// A propose entry by validator `validator`, votable for 100 blocks.
pub fn propose_entry(net: &mut TestNetwork, validator: usize, proposal: Proposal) -> SignedEntry {
    let key = net.validator_keys[validator].clone();
    let expires_at_height = net.ledger.head().height + 100;
    net.sign_with(
        &key,
        None,
        Body::Governance(GovernanceAction::Propose {
            proposal,
            expires_at_height,
        }),
    )
}

/// Commits a proposal by validator `validator` and returns its id and the entry's result.
pub fn try_propose(
    net: &mut TestNetwork,
    validator: usize,
    proposal: Proposal,
) -> (Hash32, Result<(), String>) {
    let entry = propose_entry(net, validator, proposal);
    let id = proposal_id(&entry.id());
    (id, net.submit_entry(entry))
}

/// Commits a proposal that must be accepted and returns its id.
pub fn propose(net: &mut TestNetwork, validator: usize, proposal: Proposal) -> Hash32 {
    let (id, result) = try_propose(net, validator, proposal);
    result.unwrap();
    id
}

/// Commits a vote by validator `validator`.
pub fn vote(
    net: &mut TestNetwork,
    validator: usize,
    id: Hash32,
    approve: bool,
) -> Result<(), String> {
    let key = net.validator_keys[validator].clone();
    let body = Body::Governance(GovernanceAction::Vote {
        proposal: id,
        approve,
    });
    let entry = net.sign_with(&key, None, body);
    net.submit_entry(entry)
}

/// Proposes with validator 0 and approves with validators 1 and 2: 30 of 40 in the pilot.
pub fn pass(net: &mut TestNetwork, proposal: Proposal) -> Hash32 {
    let id = propose(net, 0, proposal);
    vote(net, 1, id, true).unwrap();
    vote(net, 2, id, true).unwrap();
    id
}

/// The stored proposal.
pub fn record(net: &TestNetwork, id: Hash32) -> ProposalRecord {
    net.ledger.get(&keys::proposal(&id)).unwrap().unwrap()
}

/// The stored organisation, if admitted.
pub fn organisation(net: &TestNetwork, id: &str) -> Option<Organisation> {
    net.ledger
        .get(&keys::organisation(&OrgId::new(id).unwrap()))
        .unwrap()
}

/// A receipt about a document that is not on the ledger. Receipts check authority (R81) before
/// existence (R82), so `UNKNOWN_DOCUMENT` means "authorized" and `NOT_AUTHORIZED`, `UNKNOWN_SIGNER`,
/// `ORGANISATION_REVOKED`, `CERT_EXPIRED` mean the signer may not act: the tests use receipts to
/// probe authority without depending on the eBL or certificate rules.
pub fn receipt(document: &[u8]) -> Body {
    Body::Verification(VerificationReceipt {
        subject: ebl_doc(document),
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: String::new(),
        cites: Vec::new(),
    })
}

/// An eBL reference with the id `SHA-256(label)`.
pub fn ebl_doc(label: &[u8]) -> DocumentRef {
    DocumentRef::Ebl {
        id: Hash32::sha256(label),
    }
}

/// What a receipt probe returns when the signer is authorized (see [`receipt`]).
pub fn authorized() -> Result<(), String> {
    Err("UNKNOWN_DOCUMENT".to_string())
}

/// A failed submission with `code`.
pub fn fails(code: &str) -> Result<(), String> {
    Err(code.to_string())
}
