use super::*;
use crate::Ledger;
use crate::snapshot::ledger_certificate;
use crate::storage::{RocksStore, Storage};
use crate::testkit::TestNetwork;

/// A pilot network with a few certified blocks of receipts.
fn certified_net() -> TestNetwork {
    let mut net = TestNetwork::pilot();
    for _ in 0..4 {
        let entries = net.receipts(3, &["BANK", "SGSW"]);
        net.commit_certified(entries);
    }
    net
}

/// The snapshot of `net`'s head in chunks of at most `chunk_bytes`.
fn served(net: &TestNetwork, chunk_bytes: usize) -> (Manifest, Vec<Vec<u8>>) {
    let mut chunks = Vec::new();
    let manifest = export(net.ledger.store(), chunk_bytes, |index, bytes| {
        assert_eq!(index, chunks.len());
        chunks.push(bytes.to_vec());
        Ok(())
    })
    .unwrap();
    (manifest, chunks)
}

/// Runs every check over a served snapshot.
fn sync(
    net: &TestNetwork,
    manifest: Manifest,
    chunks: &[Vec<u8>],
) -> Result<VerifiedState, StateSyncError> {
    let mut verifier = SyncVerifier::new(&net.genesis, manifest, ledger_certificate)?;
    for chunk in chunks {
        verifier.accept_chunk(chunk)?;
    }
    verifier.finish()
}

#[test]
fn a_served_snapshot_verifies_to_the_certified_head() {
    let net = certified_net();
    let (manifest, chunks) = served(&net, 4096);
    assert!(chunks.len() > 2, "small chunks split the snapshot");
    assert!(chunks.iter().all(|c| c.len() <= 4096));
    let state = sync(&net, manifest, &chunks).unwrap();
    assert_eq!(state.facts.height, net.ledger.head().height);
    assert_eq!(state.facts.block_hash, net.ledger.head().hash());
    assert_eq!(state.facts.state_root, net.state_root());
    assert_eq!(state.head.block.header, *net.ledger.head());
}

#[test]
fn an_installed_snapshot_opens_as_a_ledger_and_follows_new_blocks() {
    let mut net = certified_net();
    let (manifest, chunks) = served(&net, 64 * 1024);
    let state = sync(&net, manifest, &chunks).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = RocksStore::open_with_reserve(dir.path(), 0).unwrap();
    let reader = store.reader();
    assert_eq!(reader.latest_height().unwrap(), None);
    store.install_synced(&state).unwrap();
    // R478: readers taken before the install see its head.
    assert_eq!(
        reader.latest_height().unwrap(),
        Some(state.head.block.header.height)
    );
    let mut follower = Ledger::open(store, &net.genesis).unwrap();
    assert_eq!(follower.head(), net.ledger.head());
    for _ in 0..2 {
        net.advance(1000);
        let entries = net.receipts(2, &["BANK"]);
        let proposer = crate::crypto::PublicKey::from(net.validator_keys[0].verifying_key());
        let ours = follower
            .execute(net.time(), proposer, entries.clone())
            .unwrap();
        let theirs = net.ledger.execute(net.time(), proposer, entries).unwrap();
        assert_eq!(ours.block.header, theirs.block.header);
        let certificate = net.certify(&theirs.block.header);
        follower.commit(ours, certificate.clone()).unwrap();
        net.ledger.commit(theirs, certificate).unwrap();
    }
    assert_eq!(follower.head().state_root, net.state_root());
    // Blocks below the snapshot are not held: the node did not replay them.
    assert!(follower.store().block(1).unwrap().is_none());
}

#[test]
fn installing_into_a_store_that_holds_a_ledger_is_refused() {
    let net = certified_net();
    let (manifest, chunks) = served(&net, 64 * 1024);
    let state = sync(&net, manifest, &chunks).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = RocksStore::open_with_reserve(dir.path(), 0).unwrap();
    drop(Ledger::open(store, &net.genesis).unwrap());
    let mut store = RocksStore::open_with_reserve(dir.path(), 0).unwrap();
    assert!(store.install_synced(&state).is_err());
}

#[test]
fn a_tampered_chunk_is_refused_by_its_hash() {
    let net = certified_net();
    let (manifest, mut chunks) = served(&net, 4096);
    let last = chunks.len() - 1;
    chunks[last][10] ^= 1;
    let err = sync(&net, manifest, &chunks).err().unwrap();
    assert!(
        matches!(err, StateSyncError::ChunkHash { index } if index == last),
        "{err}"
    );
}

#[test]
fn a_record_changed_with_a_matching_manifest_is_refused_by_the_state_root() {
    let net = certified_net();
    let (mut manifest, mut chunks) = served(&net, 1 << 20);
    // A peer that rewrites a record and the manifest's hashes alike.
    let last = chunks.len() - 1;
    let mut items = frames(&chunks[last]).unwrap();
    let Some(SyncItem::Record { value, .. }) = items.last_mut() else {
        panic!("records come last");
    };
    value.push(0);
    let mut forged = Vec::new();
    for item in &items {
        push_frame(&mut forged, item).unwrap();
    }
    manifest.chunks[last] = ChunkInfo {
        sha256: Hash32::sha256(&forged),
        len: u32::try_from(forged.len()).unwrap(),
    };
    chunks[last] = forged;
    let err = sync(&net, manifest, &chunks).err().unwrap();
    assert!(matches!(err, StateSyncError::StateRoot { .. }), "{err}");
}

#[test]
fn a_manifest_whose_root_is_not_the_headers_is_refused() {
    let net = certified_net();
    let (mut manifest, _) = served(&net, 1 << 20);
    manifest.state_root = Hash32([9; 32]);
    let err = SyncVerifier::new(&net.genesis, manifest, ledger_certificate)
        .err()
        .unwrap();
    assert!(matches!(err, StateSyncError::Manifest(_)), "{err}");
}

#[test]
fn a_manifest_naming_an_uncertified_header_with_another_root_is_refused() {
    let net = certified_net();
    let (mut manifest, chunks) = served(&net, 1 << 20);
    // Self-consistent, but its header is not the block the validators signed.
    manifest.header.state_root = Hash32([9; 32]);
    manifest.state_root = manifest.header.state_root;
    manifest.block_hash = manifest.header.hash();
    let err = sync(&net, manifest, &chunks).err().unwrap();
    assert!(matches!(err, StateSyncError::Manifest(_)), "{err}");
}

#[test]
fn a_header_without_a_valid_certificate_is_refused_at_its_height() {
    let mut net = certified_net();
    net.commit(vec![]);
    let height = net.ledger.head().height;
    let (manifest, chunks) = served(&net, 1 << 20);
    let err = sync(&net, manifest, &chunks).err().unwrap();
    assert!(
        matches!(err, StateSyncError::Uncertified { height: h, .. } if h == height),
        "{err}"
    );
}

#[test]
fn a_certificate_by_keys_outside_the_proven_validator_set_is_refused() {
    let mut net = certified_net();
    let real = net.validator_keys.clone();
    net.validator_keys = (0..4)
        .map(|i| crate::testkit::key_from_label(&format!("stranger-{i}")))
        .collect();
    net.commit_certified(vec![]);
    net.validator_keys = real;
    let (manifest, chunks) = served(&net, 1 << 20);
    let err = sync(&net, manifest, &chunks).err().unwrap();
    assert!(matches!(err, StateSyncError::Uncertified { .. }), "{err}");
}

#[test]
fn oversized_manifests_and_chunks_are_refused_before_use() {
    let net = certified_net();
    let (manifest, chunks) = served(&net, 1 << 20);
    let huge = vec![b' '; MAX_MANIFEST_BYTES + 1];
    assert!(matches!(
        decode_manifest(&huge),
        Err(StateSyncError::Manifest(_))
    ));
    let mut big = manifest.clone();
    big.chunks[0].len = u32::try_from(MAX_CHUNK_BYTES).unwrap() + 1;
    assert!(matches!(
        check_manifest(&big),
        Err(StateSyncError::Manifest(_))
    ));
    let mut many = manifest.clone();
    many.chunks = vec![manifest.chunks[0]; MAX_CHUNKS + 1];
    assert!(matches!(
        check_manifest(&many),
        Err(StateSyncError::Manifest(_))
    ));
    // A chunk longer than the manifest says is refused before it is hashed or decoded.
    let mut longer = chunks;
    longer[0].push(0);
    let err = sync(&net, manifest, &longer).err().unwrap();
    assert!(
        matches!(err, StateSyncError::ChunkTooLarge { index: 0, .. }),
        "{err}"
    );
}

#[test]
fn a_manifest_round_trips_through_json() {
    let net = certified_net();
    let (manifest, _) = served(&net, 1 << 20);
    let json = serde_json::to_vec(&manifest).unwrap();
    assert_eq!(decode_manifest(&json).unwrap(), manifest);
}

#[test]
fn missing_chunks_leave_the_snapshot_incomplete() {
    let net = certified_net();
    let (manifest, chunks) = served(&net, 4096);
    let err = sync(&net, manifest, &chunks[..chunks.len() - 1])
        .err()
        .unwrap();
    assert!(matches!(err, StateSyncError::Incomplete(_)), "{err}");
}

#[test]
fn a_state_synced_store_serves_state_sync_in_turn() {
    let mut net = certified_net();
    let (manifest, chunks) = served(&net, 4096);
    let state = sync(&net, manifest, &chunks).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = RocksStore::open_with_reserve(dir.path(), 0).unwrap();
    store.install_synced(&state).unwrap();
    let mut follower = Ledger::open(store, &net.genesis).unwrap();
    // One more block on both, so the follower serves links, its first block and a later one.
    net.advance(1000);
    let proposer = crate::crypto::PublicKey::from(net.validator_keys[0].verifying_key());
    let ours = follower.execute(net.time(), proposer, vec![]).unwrap();
    let theirs = net.ledger.execute(net.time(), proposer, vec![]).unwrap();
    let certificate = net.certify(&theirs.block.header);
    follower.commit(ours, certificate.clone()).unwrap();
    net.ledger.commit(theirs, certificate).unwrap();
    let mut chunks = Vec::new();
    let manifest = export(follower.store(), 4096, |_, bytes| {
        chunks.push(bytes.to_vec());
        Ok(())
    })
    .unwrap();
    let again = sync(&net, manifest, &chunks).unwrap();
    assert_eq!(again.facts.state_root, net.state_root());
}
