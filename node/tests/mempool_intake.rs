//! The pool's part in the entry intake: its ids shared off the consensus task (R183), entries
//! whose standing is gone dropped at reap (R182), hopeless copies dropped after a block (R187),
//! and the per-signer bound on every path (R184).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use std::collections::BTreeMap;

use ebl_ledger::block::{EntryResult, Outcome};
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Entry, SignedEntry};
use ebl_ledger::ids::OrgId;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{Admission, MempoolConfig, Notification, StandingView, Status};
use mempool_support::{View, corrupt, ids, pool, receipt, run, signed, signer};

/// Refuses every entry of the listed (signer, act_for) pairs with `NOT_AUTHORIZED`.
struct Refuse(Vec<(PublicKey, Option<OrgId>)>);

impl StandingView for Refuse {
    fn standing(&self, entry: &SignedEntry) -> Result<(), &'static str> {
        let pair = (entry.entry().signer, entry.entry().act_for.clone());
        if self.0.contains(&pair) {
            Err("NOT_AUTHORIZED")
        } else {
            Ok(())
        }
    }
}

fn failed(entry: &SignedEntry, code: &str) -> EntryResult {
    EntryResult {
        entry: entry.id(),
        outcome: Outcome::Failed {
            code: code.into(),
            message: code.into(),
        },
    }
}

/// Party `org`'s receipt `n` at `seq`, acting for `act_for`.
fn acting(net: &TestNetwork, org: &str, seq: u64, n: u64, act_for: &str) -> SignedEntry {
    let key = &net.party(org).key;
    Entry {
        chain: net.ledger.chain().clone(),
        signer: PublicKey::from(key.verifying_key()),
        sequence: seq,
        act_for: Some(OrgId::new(act_for).unwrap()),
        body: receipt(n),
        remark: None,
    }
    .sign(key)
}

#[test]
fn the_shared_ids_follow_the_pool_through_admission_eviction_and_commit() {
    let net = TestNetwork::pilot();
    let config = MempoolConfig {
        max_entries: 3,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    let shared = pool.share_ids();
    let bank = run(&net, "BANK", 0, 3);
    pool.admit(bank.clone(), &View(&net.ledger));
    assert!(bank.iter().all(|e| shared.contains(&e.id())));
    // A fourth entry evicts BANK's tail (R106): the set follows.
    let carrier = run(&net, "CARRIER", 0, 1);
    pool.admit(carrier.clone(), &View(&net.ledger));
    assert!(!shared.contains(&bank[2].id()));
    assert!(shared.contains(&carrier[0].id()));
    assert_eq!(shared.len(), pool.len());
    // A clone of the pool does not write into the node's set.
    let mut copy = pool.clone();
    copy.admit(run(&net, "SGSW", 0, 1), &View(&net.ledger));
    assert_eq!(shared.len(), pool.len());
    // A committed block prunes what it decided.
    let next: BTreeMap<PublicKey, u64> = [(signer(&net, "BANK"), 2)].into();
    let results: Vec<EntryResult> = bank[..2].iter().map(|e| failed(e, "NOT_HOLDER")).collect();
    pool.on_block_committed(1, &bank[..2], &results, &next);
    assert!(!shared.contains(&bank[0].id()));
    assert_eq!(shared.len(), 1);
}

#[test]
fn a_pooled_id_costs_no_signature_check_however_it_is_signed() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entry = signed(&net, "BANK", 0, 1);
    pool.admit(vec![entry.clone()], &View(&net.ledger));
    let checked = pool.signature_checks();
    let copies: Vec<SignedEntry> = (0..20).map(|_| corrupt(entry.clone())).collect();
    let answers = pool.admit(copies, &View(&net.ledger));
    assert!(
        answers
            .iter()
            .all(|a| *a == Admission::Duplicate { id: entry.id() })
    );
    assert_eq!(pool.signature_checks(), checked);
}

#[test]
fn reaping_leaves_out_and_drops_entries_whose_standing_is_gone() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let bank = run(&net, "BANK", 0, 2);
    let carrier = run(&net, "CARRIER", 0, 3);
    // SHIPPER acts for BANK at 0 (no standing any more), for itself at 1 (standing).
    let for_bank = acting(&net, "SHIPPER", 0, 7, "BANK");
    let own = signed(&net, "SHIPPER", 1, 8);
    let mut all = bank.clone();
    all.extend(carrier.clone());
    all.push(for_bank.clone());
    all.push(own.clone());
    pool.admit(all, &View(&net.ledger));
    let standing = Refuse(vec![
        (signer(&net, "CARRIER"), None),
        (signer(&net, "SHIPPER"), Some(OrgId::new("BANK").unwrap())),
    ]);
    let view: BTreeMap<PublicKey, u64> = BTreeMap::new();
    let block = pool.reap_standing(100, usize::MAX, &view, &standing, 4);
    // BANK's entries only: CARRIER has no standing; SHIPPER's 1 cannot run past its hole.
    assert_eq!(ids(&block), ids(&bank));
    let dropped = pool.take_evicted();
    let mut expected: Vec<Notification> = carrier
        .iter()
        .chain(std::iter::once(&for_bank))
        .map(|e| Notification {
            id: e.id(),
            status: Status::Rejected {
                height: 4,
                code: "NOT_AUTHORIZED".into(),
            },
        })
        .collect();
    expected.sort_by_key(|n| n.id);
    let mut got = dropped;
    got.sort_by_key(|n| n.id);
    assert_eq!(got, expected);
    // Nothing without standing stays pooled; SHIPPER's own entry does (it acts for itself).
    assert!(carrier.iter().all(|e| !pool.contains(&e.id())));
    assert!(!pool.contains(&for_bank.id()));
    assert!(pool.contains(&own.id()));
    assert_eq!(pool.len(), 3);
}

#[test]
fn reaping_with_standing_everywhere_is_the_plain_reap() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let mut all = run(&net, "BANK", 0, 3);
    all.extend(run(&net, "CARRIER", 0, 2));
    pool.admit(all, &View(&net.ledger));
    let view: BTreeMap<PublicKey, u64> = BTreeMap::new();
    let plain = pool.reap(100, usize::MAX, &view);
    let judged = pool.reap_standing(100, usize::MAX, &view, &Refuse(vec![]), 1);
    assert_eq!(ids(&plain), ids(&judged));
    assert!(pool.take_evicted().is_empty());
    assert_eq!(pool.len(), 5);
}

#[test]
fn an_inclusion_that_can_never_succeed_removes_the_pooled_copy_and_a_gap_keeps_it() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let bank = signed(&net, "BANK", 0, 1);
    let gap = signed(&net, "CARRIER", 1, 2);
    let forged_elsewhere = signed(&net, "SGSW", 0, 3);
    let same_bytes = signed(&net, "GDSW", 0, 4);
    pool.admit(
        vec![
            bank.clone(),
            gap.clone(),
            forged_elsewhere.clone(),
            same_bytes.clone(),
        ],
        &View(&net.ledger),
    );
    // Nothing consumed (every signer's next stays 0): a faulty proposer's block.
    let block = vec![
        bank.clone(),
        gap.clone(),
        corrupt(forged_elsewhere.clone()),
        same_bytes.clone(),
    ];
    let results = vec![
        failed(&bank, "NOT_AUTHORIZED"),
        failed(&gap, "SEQUENCE_GAP"),
        failed(&forged_elsewhere, "BAD_SIGNATURE"),
        failed(&same_bytes, "BAD_SIGNATURE"),
    ];
    let view: BTreeMap<PublicKey, u64> = BTreeMap::new();
    let notes = pool.on_block_committed(5, &block, &results, &view);
    let rejected = |e: &SignedEntry, code: &str| Notification {
        id: e.id(),
        status: Status::Rejected {
            height: 5,
            code: code.into(),
        },
    };
    assert_eq!(
        notes,
        vec![
            rejected(&bank, "NOT_AUTHORIZED"),
            rejected(&same_bytes, "BAD_SIGNATURE")
        ]
    );
    assert!(!pool.contains(&bank.id()));
    assert!(!pool.contains(&same_bytes.id()));
    // A gap may still close; a copy signed otherwise than the forged one keeps its chance.
    assert!(pool.contains(&gap.id()));
    assert!(pool.contains(&forged_elsewhere.id()));
}

#[test]
fn the_per_signer_bound_holds_on_every_admission_path() {
    let net = TestNetwork::pilot();
    let config = MempoolConfig {
        max_per_signer: 4,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    // One by one, in one batch, and through the known-verified path (gossip, handle).
    for entry in run(&net, "BANK", 0, 2) {
        pool.admit(vec![entry], &View(&net.ledger));
    }
    pool.admit(run(&net, "BANK", 2, 2), &View(&net.ledger));
    let known = ebl_ledger::signatures::VerifiedEntries::default();
    let more = pool.admit_known(run(&net, "BANK", 4, 2), &View(&net.ledger), Some(&known));
    assert!(more.iter().all(|a| a.code() == Some("SEQUENCE_GAP")));
    assert_eq!(pool.len(), 4);
}
