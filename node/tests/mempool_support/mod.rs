//! Shared helpers of the mempool tests: real signed entries from the pilot test network, and
//! the ledger as the mempool's sequence view.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::Ledger;
use ebl_ledger::block::Outcome;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, DocumentRef, Entry, SignedEntry};
use ebl_ledger::hash::{EntryId, Hash32};
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::storage::MemoryStore;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{Admission, Mempool, MempoolConfig, SequenceView};

/// The ledger as the mempool sees it.
pub struct View<'a>(pub &'a Ledger<MemoryStore>);

impl SequenceView for View<'_> {
    fn next_sequence(&self, key: &PublicKey) -> u64 {
        self.0.next_sequence(key).expect("memory store never fails")
    }
}

/// A verification receipt body; `n` makes it unique.
pub fn receipt(n: u64) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl {
            id: Hash32::sha256(&n.to_be_bytes()),
        },
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: format!("check {n}"),
        cites: Vec::new(),
    })
}

/// Party `org`'s entry at sequence `seq`, signed, with body `receipt(variant)`.
pub fn signed(net: &TestNetwork, org: &str, seq: u64, variant: u64) -> SignedEntry {
    let key = &net.party(org).key;
    Entry {
        chain: net.ledger.chain().clone(),
        signer: PublicKey::from(key.verifying_key()),
        sequence: seq,
        act_for: None,
        body: receipt(variant),
        remark: None,
    }
    .sign(key)
}

/// `count` consecutive entries of `org` from sequence `from`.
pub fn run(net: &TestNetwork, org: &str, from: u64, count: u64) -> Vec<SignedEntry> {
    (from..from + count)
        .map(|seq| signed(net, org, seq, seq))
        .collect()
}

/// Party `org`'s public key.
pub fn signer(net: &TestNetwork, org: &str) -> PublicKey {
    PublicKey::from(net.party(org).key.verifying_key())
}

/// An empty pool for the network's chain.
pub fn pool(net: &TestNetwork, config: MempoolConfig) -> Mempool {
    Mempool::new(net.ledger.chain().clone(), config)
}

/// The same entry with a corrupted signature.
pub fn corrupt(mut entry: SignedEntry) -> SignedEntry {
    entry = entry.tampered_signature(63, 0x01);
    entry = entry.tampered_signature(10, 0x80);
    entry
}

/// Ids of `entries`.
pub fn ids(entries: &[SignedEntry]) -> Vec<EntryId> {
    entries.iter().map(SignedEntry::id).collect()
}

/// `Admitted` answers for `entries`.
pub fn admitted(entries: &[SignedEntry]) -> Vec<Admission> {
    entries
        .iter()
        .map(|e| Admission::Admitted { id: e.id() })
        .collect()
}

/// Failure codes of a committed block's outcomes.
pub fn failure_codes(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Applied => None,
            Outcome::Failed { code, .. } => Some(code.clone()),
        })
        .collect()
}

/// Height and per-entry results of the last committed block.
pub fn last_block(net: &TestNetwork) -> (u64, Vec<ebl_ledger::block::EntryResult>) {
    use ebl_ledger::storage::Storage;
    let height = net.ledger.head().height;
    let stored = net.ledger.store().block(height).unwrap().unwrap();
    (height, stored.results)
}
