//! Shared driver for the crash and disk-fault tests (R350–R359): deterministic blocks, a twin
//! that replays them in memory, and the comparison of a reopened store with that twin.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ebl_ledger::StorageError;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, DocumentRef, Entry, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::state::keys;
use ebl_ledger::storage::{RocksStore, Storage};
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;

/// Parties that sign the receipts of the test blocks.
const SIGNERS: [&str; 3] = ["BANK", "SGSW", "GDSW"];

fn receipt(height: u64, n: u64) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl {
            id: Hash32::sha256(&n.to_be_bytes()),
        },
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: format!("block {height} check {n}"),
        cites: Vec::new(),
    })
}

/// The entries of the block after `net`'s head: a receipt per signer (each consumes its
/// signer's sequence: a decisive index record, R185) and one that reuses sequence 0 of the
/// first signer (a replay: an undecided index record, so the index lookup runs too). The same
/// head gives the same entries on any store.
pub fn next_block<S: Storage>(net: &mut TestNetwork<S>) -> Vec<SignedEntry> {
    let height = net.ledger.head().height + 1;
    let mut entries: Vec<SignedEntry> = SIGNERS
        .iter()
        .zip(0u64..)
        .map(|(signer, n)| net.sign(signer, receipt(height, n)))
        .collect();
    let key = net.party(SIGNERS[0]).key.clone();
    let replay = Entry {
        chain: net.ledger.chain().clone(),
        signer: PublicKey::from(key.verifying_key()),
        sequence: 0,
        act_for: None,
        body: receipt(height, 99),
        remark: None,
    };
    entries.push(replay.sign(&key));
    entries
}

/// Executes and commits `entries` as the next block, one second after the head; the error of
/// either step is returned as is.
pub fn try_commit<S: Storage>(
    net: &mut TestNetwork<S>,
    entries: Vec<SignedEntry>,
) -> Result<(), StorageError> {
    let time = Timestamp(net.ledger.head().time.0 + 1000);
    let proposer = PublicKey::from(net.validator_keys[0].verifying_key());
    let executed = net.ledger.execute(time, proposer, entries)?;
    net.ledger.commit(executed, b"certificate".to_vec())
}

/// Commits the next deterministic block.
pub fn commit_next<S: Storage>(net: &mut TestNetwork<S>) -> Result<(), StorageError> {
    let entries = next_block(net);
    try_commit(net, entries)
}

/// The pilot network on the RocksDB store at `path` (created with genesis if empty).
pub fn open_rocks(path: &Path) -> TestNetwork<RocksStore> {
    TestNetwork::pilot_on(RocksStore::open(path).unwrap())
}

/// An in-memory twin that replays the deterministic blocks up to `height`.
pub struct Twin(pub TestNetwork);

impl Twin {
    pub fn new() -> Self {
        Twin(TestNetwork::pilot())
    }

    /// Replays blocks until the twin's head is at `height`.
    pub fn advance_to(&mut self, height: u64) {
        while self.0.ledger.head().height < height {
            commit_next(&mut self.0).unwrap();
        }
    }
}

/// Whether a reopened store matches its twin (R351–R353): the head, every block, every state
/// record, every entry's index record and the head's proof; `Err` says what differs.
pub fn matches_twin(rocks: &TestNetwork<RocksStore>, twin: &mut Twin) -> Result<(), String> {
    let read = |e: StorageError| e.to_string();
    let head = rocks.ledger.head().clone();
    twin.advance_to(head.height);
    let twin_ledger = &twin.0.ledger;
    if twin_ledger.head() != &head {
        return Err(format!("head {} differs from the replay", head.height));
    }
    let store = rocks.ledger.store();
    let twin_store = twin_ledger.store();
    if store.latest_height().map_err(read)? != Some(head.height) {
        return Err("latest height differs from the head".into());
    }
    if store.block(head.height + 1).map_err(read)?.is_some() {
        return Err(format!("block {} past the head", head.height + 1));
    }
    for height in 0..=head.height {
        let block = store.block(height).map_err(read)?;
        if block != twin_store.block(height).map_err(read)? {
            return Err(format!("block {height} differs"));
        }
        for entry in block.map(|b| b.block.entries).unwrap_or_default() {
            let id = entry.id();
            if store.entry_location(&id).map_err(read)?
                != twin_store.entry_location(&id).map_err(read)?
                || store.decisive_location(&id).map_err(read)?
                    != twin_store.decisive_location(&id).map_err(read)?
            {
                return Err(format!("index of an entry of block {height} differs"));
            }
        }
    }
    if store.scan_prefix(b"", usize::MAX).map_err(read)?
        != twin_store.scan_prefix(b"", usize::MAX).map_err(read)?
    {
        return Err("state records differ".into());
    }
    let proof = rocks.ledger.prove(&keys::chain_head()).map_err(read)?;
    proof
        .verify(&head.state_root)
        .map_err(|e| format!("the tree does not prove the head's state root: {e}"))
}
