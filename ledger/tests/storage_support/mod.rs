//! Shared driver for the storage tests: one pilot network in memory and the same blocks
//! replayed into a RocksDB ledger.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ebl_ledger::Ledger;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, DocumentRef, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::storage::RocksStore;
use ebl_ledger::testkit::TestNetwork;

/// Parties that sign receipts in the test blocks.
pub const SIGNERS: [&str; 4] = ["BANK", "SGSW", "GDSW", "MPA"];

/// A verification receipt about a document that does not exist: it fails with
/// UNKNOWN_DOCUMENT but consumes its signer's sequence, so it changes state.
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

/// `count` signed entries spread over [`SIGNERS`].
pub fn entries(net: &mut TestNetwork, count: u64) -> Vec<SignedEntry> {
    (0..count)
        .map(|n| {
            let signer = SIGNERS[usize::try_from(n).unwrap() % SIGNERS.len()];
            net.sign(signer, receipt(n))
        })
        .collect()
}

/// A pilot network in memory and a RocksDB ledger over the same genesis, kept in step.
pub struct Pair {
    pub net: TestNetwork,
    pub rocks: Ledger<RocksStore>,
}

impl Pair {
    pub fn new(dir: &Path) -> Self {
        let net = TestNetwork::pilot();
        let rocks = Ledger::open(RocksStore::open(dir).unwrap(), &net.genesis).unwrap();
        Pair { net, rocks }
    }

    /// Commits `entries` as the next block in both ledgers.
    pub fn commit(&mut self, entries: Vec<SignedEntry>) {
        self.net.commit(entries.clone());
        let proposer = PublicKey::from(self.net.validator_keys[0].verifying_key());
        let executed = self
            .rocks
            .execute(self.net.time(), proposer, entries)
            .unwrap();
        self.rocks
            .commit(executed, b"certificate".to_vec())
            .unwrap();
    }

    /// Commits `blocks` blocks of `per_block` receipts each.
    pub fn run(&mut self, blocks: u64, per_block: u64) {
        for _ in 0..blocks {
            let entries = entries(&mut self.net, per_block);
            self.commit(entries);
        }
    }
}
