#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::crypto::Signature;
use ebl_ledger::entry::{Body, DocumentRef, Entry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::storage::RocksStore;
use ebl_ledger::testkit::{TestNetwork, key_from_label};

use super::*;
use crate::mempool::{Mempool, MempoolConfig};

fn receipt(n: u64) -> Body {
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

/// A pilot network on RocksDB with an intake over its committed state and a pool's shared ids.
struct Bench {
    net: TestNetwork<RocksStore>,
    pool: Mempool,
    intake: Intake,
    metrics: IntakeMetrics,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn new(window: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let net = TestNetwork::pilot_on(RocksStore::open(dir.path()).unwrap());
        let chain = net.ledger.chain().clone();
        let config = MempoolConfig {
            max_per_signer: window,
            ..MempoolConfig::default()
        };
        let mut pool = Mempool::new(chain.clone(), config);
        let reads = CommittedReads::new(net.ledger.store().reader());
        let metrics = IntakeMetrics::default();
        let intake = Intake::new(chain, reads, pool.share_ids(), window, metrics.clone());
        Bench {
            net,
            pool,
            intake,
            metrics,
            _dir: dir,
        }
    }

    /// Party `org`'s receipt `n` at sequence `seq`.
    fn entry(&self, org: &str, seq: u64, n: u64) -> SignedEntry {
        let key = &self.net.party(org).key;
        Entry {
            chain: self.net.ledger.chain().clone(),
            signer: PublicKey::from(key.verifying_key()),
            sequence: seq,
            act_for: None,
            body: receipt(n),
            remark: None,
        }
        .sign(key)
    }

    fn screen_and_charge(&self, entries: &[SignedEntry]) -> Vec<Option<Admission>> {
        let mut answers = self.intake.screen(entries).unwrap();
        self.intake.charge(entries, &mut answers).unwrap();
        answers
    }
}

fn resigned(entry: &SignedEntry, byte: u8) -> SignedEntry {
    entry.clone().with_signature(Signature([byte; 64]))
}

fn code(answer: &Option<Admission>) -> Option<&'static str> {
    answer.as_ref().and_then(Admission::code)
}

#[test]
fn a_pooled_id_is_a_duplicate_whatever_its_signature_bytes_and_costs_no_check() {
    let mut bench = Bench::new(1_000);
    let entry = bench.entry("BANK", 0, 1);
    let view = std::collections::BTreeMap::new();
    assert!(matches!(
        bench.pool.admit(vec![entry.clone()], &view)[0],
        Admission::Admitted { .. }
    ));
    let copies: Vec<SignedEntry> = (0..50u8).map(|b| resigned(&entry, b)).collect();
    let answers = bench.screen_and_charge(&copies);
    assert!(
        answers
            .iter()
            .all(|a| *a == Some(Admission::Duplicate { id: entry.id() }))
    );
    assert_eq!(bench.metrics.signature_checks(), 0);
}

#[test]
fn a_decided_id_is_a_duplicate_and_a_fresh_one_goes_on_to_its_signature() {
    let mut bench = Bench::new(1_000);
    let decided = bench.net.sign("BANK", receipt(1));
    bench.net.commit(vec![decided.clone()]);
    let fresh = bench.net.sign("BANK", receipt(2));
    let answers = bench.screen_and_charge(&[resigned(&decided, 7), fresh.clone(), fresh.clone()]);
    assert_eq!(
        answers,
        vec![
            Some(Admission::Duplicate { id: decided.id() }),
            None,
            Some(Admission::Duplicate { id: fresh.id() }),
        ]
    );
    assert_eq!(bench.metrics.signature_checks(), 1);
}

#[test]
fn an_entry_without_standing_is_refused_before_its_signature() {
    let mut bench = Bench::new(1_000);
    let stranger = key_from_label("fresh-spam-key");
    let alone = bench.net.sign_with(&stranger, None, receipt(1));
    let for_bank = bench.net.sign_with(&stranger, Some("BANK"), receipt(2));
    let answers = bench.screen_and_charge(&[alone, for_bank]);
    assert_eq!(code(&answers[0]), Some("UNKNOWN_SIGNER"));
    assert_eq!(code(&answers[1]), Some("NOT_AUTHORIZED"));
    assert_eq!(bench.metrics.signature_checks(), 0);
}

#[test]
fn a_sequence_outside_the_signers_window_is_refused_before_its_signature() {
    let mut bench = Bench::new(4);
    let used = bench.net.sign("BANK", receipt(1));
    bench.net.commit(vec![used]);
    let replay = bench.entry("BANK", 0, 9);
    let inside = bench.entry("BANK", 4, 9);
    let beyond = bench.entry("BANK", 5, 9);
    let answers = bench.screen_and_charge(&[replay, inside, beyond]);
    assert_eq!(code(&answers[0]), Some("REPLAY"));
    assert_eq!(answers[1], None);
    assert_eq!(code(&answers[2]), Some("SEQUENCE_GAP"));
}

#[test]
fn a_flooding_signer_gets_its_share_per_block_and_then_waits_for_the_next_block() {
    let mut bench = Bench::new(3);
    // Distinct entries for the same slot: each would need a signature check.
    let flood: Vec<SignedEntry> = (0..5).map(|n| bench.entry("BANK", 0, n)).collect();
    let answers = bench.screen_and_charge(&flood);
    let refused: Vec<_> = answers.iter().map(code).collect();
    assert_eq!(
        refused,
        vec![None, None, None, Some(MEMPOOL_FULL), Some(MEMPOOL_FULL)]
    );
    // Another signer has its own share.
    let other = bench.entry("SGSW", 0, 1);
    assert_eq!(bench.screen_and_charge(&[other]), vec![None]);
    assert_eq!(bench.metrics.signature_checks(), 4);
    // A new block starts a new interval.
    bench.net.commit(vec![]);
    let again = bench.entry("BANK", 0, 99);
    assert_eq!(bench.screen_and_charge(&[again]), vec![None]);
}

#[test]
fn a_bad_envelope_is_refused_with_its_code() {
    let bench = Bench::new(1_000);
    let (mut unsigned, signature) = bench.entry("BANK", 0, 1).into_parts();
    unsigned.chain.chain_id = "another-chain".into();
    let entry = SignedEntry::new(unsigned, signature);
    let answers = bench.screen_and_charge(&[entry]);
    assert_eq!(code(&answers[0]), Some("WRONG_CHAIN"));
}

#[test]
fn a_screen_after_a_commit_sees_the_committed_state_not_the_remembered_one() {
    let mut bench = Bench::new(4);
    bench.net.commit(vec![]);
    let next = bench.entry("BANK", 0, 1);
    // Screened twice at one height: the second answer comes from the remembered reads (R479).
    assert_eq!(
        bench.intake.screen(std::slice::from_ref(&next)).unwrap(),
        vec![None]
    );
    assert_eq!(
        bench.intake.screen(std::slice::from_ref(&next)).unwrap(),
        vec![None]
    );
    // The signer's sequence 0 is consumed by another entry in the next block.
    let other = bench.entry("BANK", 0, 2);
    bench.net.commit(vec![other]);
    let answers = bench.intake.screen(&[next]).unwrap();
    assert_eq!(code(&answers[0]), Some("REPLAY"));
    let following = bench.entry("BANK", 1, 3);
    assert_eq!(bench.intake.screen(&[following]).unwrap(), vec![None]);
}
