//! Bounds and eviction (R100, R106): who leaves when the pool is full, and determinism.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use ebl_ledger::hash::EntryId;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{Admission, MEMPOOL_FULL, Mempool, MempoolConfig, Notification, Status};
use mempool_support::{View, admitted, last_block, pool, run, signed};

fn evicted(ids: &[EntryId]) -> Vec<Notification> {
    ids.iter()
        .map(|id| Notification {
            id: *id,
            status: Status::Evicted { code: MEMPOOL_FULL },
        })
        .collect()
}

fn capped(max_entries: usize) -> MempoolConfig {
    MempoolConfig {
        max_entries,
        ..MempoolConfig::default()
    }
}

#[test]
fn default_bounds_are_as_documented() {
    let config = MempoolConfig::default();
    assert_eq!(
        (config.max_entries, config.max_bytes, config.max_per_signer),
        (50_000, 64 * 1024 * 1024, 1_000)
    );
}

#[test]
fn a_full_pool_evicts_the_highest_sequence_of_the_longest_queue() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, capped(3));
    let carrier = run(&net, "CARRIER", 0, 3);
    pool.admit(carrier.clone(), &View(&net.ledger));
    let bank = signed(&net, "BANK", 0, 0);
    let answers = pool.admit(vec![bank.clone()], &View(&net.ledger));
    assert_eq!(answers, admitted(std::slice::from_ref(&bank)));
    assert_eq!(pool.take_evicted(), evicted(&[carrier[2].id()]));
    assert!(pool.take_evicted().is_empty());
    assert_eq!(pool.len(), 3);
    assert!(pool.contains(&bank.id()) && !pool.contains(&carrier[2].id()));
}

#[test]
fn an_entry_that_would_be_evicted_first_is_refused_and_nothing_moves() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, capped(3));
    let mut first = vec![signed(&net, "CARRIER", 0, 0)];
    first.push(signed(&net, "BANK", 0, 0));
    first.push(signed(&net, "SHIPPER", 0, 0));
    pool.admit(first, &View(&net.ledger));
    let before = pool.ids();
    // CARRIER's queue would become the longest and the newcomer its highest sequence.
    let late = signed(&net, "CARRIER", 1, 1);
    let answers = pool.admit(vec![late.clone()], &View(&net.ledger));
    assert_eq!(
        answers,
        [Admission::Rejected {
            id: late.id(),
            code: MEMPOOL_FULL
        }]
    );
    assert_eq!(pool.ids(), before);
    assert!(pool.take_evicted().is_empty());
}

#[test]
fn next_executable_entries_are_evicted_only_when_nothing_else_can_go() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, capped(2));
    let executable = signed(&net, "CARRIER", 0, 0);
    let waiting = signed(&net, "BANK", 5, 5);
    pool.admit(
        vec![executable.clone(), waiting.clone()],
        &View(&net.ledger),
    );
    let newcomer = signed(&net, "SHIPPER", 0, 0);
    let answers = pool.admit(vec![newcomer.clone()], &View(&net.ledger));
    assert_eq!(answers, admitted(&[newcomer]));
    assert_eq!(pool.take_evicted(), evicted(&[waiting.id()]));
    // Now every pooled entry is executable: the newest one is the one refused.
    let another = signed(&net, "BANK", 0, 0);
    let answers = pool.admit(vec![another], &View(&net.ledger));
    assert_eq!(answers[0].code(), Some(MEMPOOL_FULL));
    assert!(pool.contains(&executable.id()));
}

#[test]
fn the_byte_bound_evicts_until_the_new_entry_fits() {
    let net = TestNetwork::pilot();
    let carrier = run(&net, "CARRIER", 0, 3);
    let size = carrier[0].encode().len();
    let config = MempoolConfig {
        max_bytes: size * 3 + size / 2,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    pool.admit(carrier.clone(), &View(&net.ledger));
    let bank = signed(&net, "BANK", 0, 0);
    assert_eq!(
        pool.admit(vec![bank.clone()], &View(&net.ledger)),
        admitted(&[bank])
    );
    assert_eq!(pool.take_evicted(), evicted(&[carrier[2].id()]));
    assert!(pool.bytes() <= pool.config().max_bytes);
}

#[test]
fn an_entry_larger_than_the_byte_bound_is_refused() {
    let net = TestNetwork::pilot();
    let entry = signed(&net, "CARRIER", 0, 0);
    let config = MempoolConfig {
        max_bytes: entry.encode().len() - 1,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    assert_eq!(
        pool.admit(vec![entry], &View(&net.ledger))[0].code(),
        Some(MEMPOOL_FULL)
    );
    assert!(pool.is_empty());
}

#[test]
fn a_signer_at_its_bound_is_refused_until_its_stale_entries_are_pruned() {
    let mut net = TestNetwork::pilot();
    let config = MempoolConfig {
        max_per_signer: 2,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    let first = run(&net, "CARRIER", 0, 2);
    pool.admit(first.clone(), &View(&net.ledger));
    net.commit(first.clone());
    // The ledger moved on but the pool has not been told yet: its queue is still full.
    let third = signed(&net, "CARRIER", 2, 2);
    let answers = pool.admit(vec![third.clone()], &View(&net.ledger));
    assert_eq!(answers[0].code(), Some(MEMPOOL_FULL));
    let (head, results) = last_block(&net);
    pool.on_block_committed(head, &first, &results, &View(&net.ledger));
    assert_eq!(
        pool.admit(vec![third.clone()], &View(&net.ledger)),
        admitted(&[third])
    );
}

#[test]
fn an_earlier_sequence_pushes_out_its_own_signers_later_entries() {
    let net = TestNetwork::pilot();
    let waiting = run(&net, "CARRIER", 1, 3);
    let size = waiting[0].encode().len();
    let mut entry = signed(&net, "CARRIER", 0, 0).into_entry();
    entry.remark = Some(vec![7; size / 2]);
    let big_first = entry.sign(&net.party("CARRIER").key);
    let config = MempoolConfig {
        max_bytes: size * 3,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    pool.admit(waiting.clone(), &View(&net.ledger));
    // The executable sequence 0 is half as big again as the others: 3 and 2 go, 1 stays.
    let answers = pool.admit(vec![big_first.clone()], &View(&net.ledger));
    assert_eq!(answers, admitted(std::slice::from_ref(&big_first)));
    assert_eq!(
        pool.take_evicted(),
        evicted(&[waiting[2].id(), waiting[1].id()])
    );
    assert_eq!(pool.ids(), [big_first.id(), waiting[0].id()]);
    let reaped = pool.reap(10, usize::MAX, &View(&net.ledger));
    assert_eq!(reaped, [big_first, waiting[0].clone()]);
}

/// A fixed but scrambled stream of batches from five signers, beyond the pool's bounds.
fn scrambled_batches(net: &TestNetwork) -> Vec<Vec<ebl_ledger::entry::SignedEntry>> {
    let mut all = Vec::new();
    for org in ["CARRIER", "BANK", "SHIPPER", "GDSW", "MSA"] {
        all.extend(run(net, org, 0, 6));
    }
    // A fixed permutation (multiplication by a unit modulo 30).
    let n = all.len();
    let order: Vec<_> = (0..n).map(|i| all[(i * 7) % n].clone()).collect();
    order.chunks(4).map(<[_]>::to_vec).collect()
}

fn replay(
    net: &TestNetwork,
    config: &MempoolConfig,
) -> (Mempool, Vec<Admission>, Vec<Notification>) {
    let mut pool = pool(net, config.clone());
    let mut answers = Vec::new();
    let mut evictions = Vec::new();
    for batch in scrambled_batches(net) {
        answers.extend(pool.admit(batch, &View(&net.ledger)));
        evictions.extend(pool.take_evicted());
    }
    (pool, answers, evictions)
}

#[test]
fn the_same_inputs_in_the_same_order_give_the_same_pool() {
    let net = TestNetwork::pilot();
    let config = capped(12);
    let (a, answers_a, evicted_a) = replay(&net, &config);
    let (b, answers_b, evicted_b) = replay(&net, &config);
    assert!(!evicted_a.is_empty(), "the scenario must exercise eviction");
    assert_eq!(a.len(), 12);
    assert_eq!(a.ids(), b.ids());
    assert_eq!(answers_a, answers_b);
    assert_eq!(evicted_a, evicted_b);
    let view = View(&net.ledger);
    assert_eq!(
        a.reap(100, usize::MAX, &view),
        b.reap(100, usize::MAX, &view)
    );
}
