//! R185: the entry index keeps an entry's decisive location (the inclusion that consumed its
//! sequence) for good; other inclusions are recorded only while no decisive one exists. Both
//! stores index alike (R19.6), and reopening keeps it (R19.7).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

mod storage_support;

use ebl_ledger::Ledger;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use ebl_ledger::storage::{EntryLocation, RocksStore, Storage};
use ebl_ledger::testkit::key_from_label;
use storage_support::{Pair, receipt};

fn at(height: u64, index: u32) -> Option<EntryLocation> {
    Some(EntryLocation { height, index })
}

/// (any location, decisive location) of `id` in both stores, which must agree.
fn locations(pair: &Pair, id: &EntryId) -> (Option<EntryLocation>, Option<EntryLocation>) {
    let memory = pair.net.ledger.store();
    let rocks = pair.rocks.store();
    let any = memory.entry_location(id).unwrap();
    let decisive = memory.decisive_location(id).unwrap();
    assert_eq!(any, rocks.entry_location(id).unwrap(), "entry_location");
    assert_eq!(
        decisive,
        rocks.decisive_location(id).unwrap(),
        "decisive_location"
    );
    (any, decisive)
}

#[test]
fn a_replayed_final_entry_keeps_its_first_location() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let entry = pair.net.sign("BANK", receipt(1));
    pair.commit(vec![entry.clone()]);
    // A faulty proposer includes it again, twice in one block: both fail REPLAY.
    let filler = pair.net.sign("SGSW", receipt(2));
    pair.commit(vec![entry.clone(), filler, entry.clone()]);
    assert_eq!(locations(&pair, &entry.id()), (at(1, 0), at(1, 0)));
}

#[test]
fn an_inclusion_that_consumed_nothing_is_kept_only_until_a_decisive_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let first = pair.net.sign("BANK", receipt(1));
    let second = pair.net.sign("BANK", receipt(2));
    // Sequence 1 before 0: a gap that decides nothing.
    pair.commit(vec![second.clone()]);
    assert_eq!(locations(&pair, &second.id()), (at(1, 0), None));
    // In one block: the gap again, then its sequence 0, then itself again (decisive now).
    pair.commit(vec![second.clone(), first.clone(), second.clone()]);
    assert_eq!(locations(&pair, &second.id()), (at(2, 2), at(2, 2)));
    assert_eq!(locations(&pair, &first.id()), (at(2, 1), at(2, 1)));
    // A later replay changes nothing.
    pair.commit(vec![second.clone()]);
    assert_eq!(locations(&pair, &second.id()), (at(2, 2), at(2, 2)));
}

#[test]
fn an_entry_without_standing_is_recorded_as_undecided() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let stranger = key_from_label("fresh-key");
    let spam: SignedEntry = pair.net.sign_with(&stranger, Some("BANK"), receipt(1));
    pair.commit(vec![spam.clone()]);
    pair.commit(vec![spam.clone()]);
    assert_eq!(locations(&pair, &spam.id()), (at(2, 0), None));
}

#[test]
fn the_index_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let first = pair.net.sign("BANK", receipt(1));
    let second = pair.net.sign("BANK", receipt(2));
    pair.commit(vec![second.clone()]);
    pair.commit(vec![first.clone()]);
    pair.commit(vec![first.clone()]);
    let genesis = pair.net.genesis.clone();
    drop(pair);
    let reopened = Ledger::open(RocksStore::open(dir.path()).unwrap(), &genesis).unwrap();
    let store = reopened.store();
    assert_eq!(store.decisive_location(&first.id()).unwrap(), at(2, 0));
    assert_eq!(store.entry_location(&first.id()).unwrap(), at(2, 0));
    assert_eq!(store.decisive_location(&second.id()).unwrap(), None);
    assert_eq!(store.entry_location(&second.id()).unwrap(), at(1, 0));
}

#[test]
fn a_commit_whose_sequence_flags_do_not_match_its_entries_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let entries = storage_support::entries(&mut pair.net, 2);
    let proposer = ebl_ledger::crypto::PublicKey::from(pair.net.validator_keys[0].verifying_key());
    let mut executed = pair
        .rocks
        .execute(pair.net.time(), proposer, entries)
        .unwrap();
    executed.consumed.pop();
    let err = pair.rocks.commit(executed, vec![]).unwrap_err();
    assert!(err.message().contains("sequence flags"), "{err}");
    assert_eq!(pair.rocks.store().latest_height().unwrap(), Some(0));
}

/// R472: a store clears undecided records only while its index may hold one; a record written
/// before a reopen is still cleared by a decisive inclusion after it.
#[test]
fn an_undecided_record_from_before_a_reopen_is_cleared_by_a_decisive_inclusion() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let first = pair.net.sign("BANK", receipt(1));
    let second = pair.net.sign("BANK", receipt(2));
    pair.commit(vec![second.clone()]);
    assert_eq!(locations(&pair, &second.id()), (at(1, 0), None));
    let held = pair.rocks.store().reader().undecided_location(&second.id());
    assert_eq!(held.unwrap(), at(1, 0));
    let Pair { net, rocks } = pair;
    drop(rocks);
    let mut pair = Pair {
        rocks: Ledger::open(RocksStore::open(dir.path()).unwrap(), &net.genesis).unwrap(),
        net,
    };
    pair.commit(vec![first, second.clone()]);
    assert_eq!(locations(&pair, &second.id()), (at(2, 1), at(2, 1)));
    let cleared = pair.rocks.store().reader().undecided_location(&second.id());
    assert_eq!(cleared.unwrap(), None);
}

/// R472: a store that never held an undecided record indexes decisive inclusions as before.
#[test]
fn a_store_without_undecided_records_indexes_decisive_inclusions() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(3, 20);
    let later = pair.net.sign("BANK", receipt(1_000));
    pair.commit(vec![later.clone()]);
    assert_eq!(locations(&pair, &later.id()), (at(4, 0), at(4, 0)));
    let reader = pair.rocks.store().reader();
    assert_eq!(reader.undecided_location(&later.id()).unwrap(), None);
}
