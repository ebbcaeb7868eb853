use std::path::Path;

use ebl_ledger::Ledger;
use ebl_ledger::state_sync::Manifest;
use ebl_ledger::storage::{RocksStore, Storage};
use ebl_ledger::testkit::TestNetwork;

use super::*;

/// A pilot network on RocksDB with a few certified blocks.
fn certified_net(dir: &Path) -> TestNetwork<RocksStore> {
    let mut net = TestNetwork::pilot_on(RocksStore::open_with_reserve(dir, 0).unwrap());
    for _ in 0..4 {
        let entries = net.receipts(3, &["BANK", "SGSW"]);
        net.commit_certified(entries);
    }
    net
}

/// How a test peer bends what the server serves.
#[derive(Clone, Copy)]
enum Lie {
    None,
    FlipByteOfChunk(usize),
    ForgeRoot,
    PadChunk,
}

/// A peer in this process, serving a [`SyncServer`] and lying as told.
struct LocalPeer<'a> {
    name: &'static str,
    server: &'a SyncServer,
    lie: Lie,
}

impl SnapshotPeer for LocalPeer<'_> {
    fn name(&self) -> String {
        self.name.into()
    }

    fn manifest(&self) -> Result<Vec<u8>, PeerError> {
        let json = self.server.manifest().unwrap();
        let Lie::ForgeRoot = self.lie else {
            return Ok(json.to_vec());
        };
        let mut manifest: Manifest = serde_json::from_slice(&json).unwrap();
        manifest.header.state_root = ebl_ledger::hash::Hash32([7; 32]);
        manifest.state_root = manifest.header.state_root;
        manifest.block_hash = manifest.header.hash();
        Ok(serde_json::to_vec(&manifest).unwrap())
    }

    fn chunk(&self, height: u64, index: usize, max_bytes: usize) -> Result<Vec<u8>, PeerError> {
        let mut bytes = self.server.chunk(height, index).unwrap().unwrap();
        match self.lie {
            Lie::FlipByteOfChunk(i) if i == index => bytes[5] ^= 1,
            Lie::PadChunk => bytes.extend_from_slice(&[0; 16]),
            _ => {}
        }
        if bytes.len() > max_bytes {
            return Err(PeerError::TooLarge(max_bytes));
        }
        Ok(bytes)
    }
}

fn server(net: &TestNetwork<RocksStore>, dir: &Path) -> SyncServer {
    SyncServer::with_chunk_bytes(net.ledger.store().reader(), dir.join("sync"), 4096)
}

#[test]
fn a_node_syncs_from_a_peer_and_holds_its_certified_state() {
    let (source, target) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let net = certified_net(&source.path().join("ledger"));
    let server = server(&net, source.path());
    let peer = LocalPeer {
        name: "honest",
        server: &server,
        lie: Lie::None,
    };
    let synced = sync_from_peers(&[&peer], target.path(), &net.genesis).unwrap();
    assert_eq!(synced.peer, "honest");
    assert_eq!(synced.facts.state_root, net.state_root());
    let store = RocksStore::open(target.path().join("ledger")).unwrap();
    let ledger = Ledger::open(store, &net.genesis).unwrap();
    assert_eq!(ledger.head(), net.ledger.head());
    assert!(!target.path().join("ledger.syncing").exists());
}

#[test]
fn a_lying_peer_is_named_and_the_next_peer_is_used() {
    let (source, target) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let net = certified_net(&source.path().join("ledger"));
    let server = server(&net, source.path());
    let liar = LocalPeer {
        name: "liar",
        server: &server,
        lie: Lie::FlipByteOfChunk(1),
    };
    let honest = LocalPeer {
        name: "honest",
        server: &server,
        lie: Lie::None,
    };
    let synced = sync_from_peers(&[&liar, &honest], target.path(), &net.genesis).unwrap();
    assert_eq!(synced.peer, "honest");
    assert_eq!(synced.facts.height, net.ledger.head().height);
}

#[test]
fn when_every_peer_lies_nothing_is_installed_and_each_is_named() {
    let (source, target) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let net = certified_net(&source.path().join("ledger"));
    let server = server(&net, source.path());
    let peers = [
        LocalPeer {
            name: "tampered-chunk",
            server: &server,
            lie: Lie::FlipByteOfChunk(0),
        },
        LocalPeer {
            name: "forged-root",
            server: &server,
            lie: Lie::ForgeRoot,
        },
        LocalPeer {
            name: "oversize",
            server: &server,
            lie: Lie::PadChunk,
        },
    ];
    let refs: Vec<&dyn SnapshotPeer> = peers.iter().map(|p| p as &dyn SnapshotPeer).collect();
    let Err(SyncFailed::AllPeersFailed(failures)) =
        sync_from_peers(&refs, target.path(), &net.genesis)
    else {
        panic!("every peer lied");
    };
    let named: Vec<&str> = failures.iter().map(|f| f.peer.as_str()).collect();
    assert_eq!(named, ["tampered-chunk", "forged-root", "oversize"]);
    let codes: Vec<String> = failures.iter().map(|f| f.fault.to_string()).collect();
    assert!(codes[0].contains("SYNC_CHUNK_HASH"), "{}", codes[0]);
    assert!(codes[1].contains("SYNC_BAD_MANIFEST"), "{}", codes[1]);
    assert!(matches!(
        failures[2].fault,
        client::PeerFault::Peer(PeerError::TooLarge(_))
    ));
    assert!(!target.path().join("ledger").exists());
    assert!(!target.path().join("ledger.syncing").exists());
}

#[test]
fn a_node_with_a_ledger_is_never_overwritten() {
    let (source, target) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let net = certified_net(&source.path().join("ledger"));
    let server = server(&net, source.path());
    drop(Ledger::open(
        RocksStore::open(target.path().join("ledger")).unwrap(),
        &net.genesis,
    ));
    let peer = LocalPeer {
        name: "honest",
        server: &server,
        lie: Lie::None,
    };
    assert!(matches!(
        sync_from_peers(&[&peer], target.path(), &net.genesis),
        Err(SyncFailed::LedgerExists(_))
    ));
    let store = RocksStore::open(target.path().join("ledger")).unwrap();
    assert_eq!(store.latest_height().unwrap(), Some(0));
}

#[test]
fn the_server_keeps_its_snapshot_until_the_chain_moves_on() {
    let source = tempfile::tempdir().unwrap();
    let mut net = certified_net(&source.path().join("ledger"));
    let server = server(&net, source.path());
    let first = server.manifest().unwrap();
    net.commit_certified(vec![]);
    assert_eq!(server.manifest().unwrap(), first);
    let height = net.ledger.head().height - 1;
    assert!(server.chunk(height, 0).unwrap().is_some());
    assert!(server.chunk(height + 1, 0).unwrap().is_none());
}

#[test]
fn a_served_snapshot_folder_is_a_peer_by_itself() {
    let (source, target) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let net = certified_net(&source.path().join("ledger"));
    let server = server(&net, source.path());
    server.manifest().unwrap();
    let height = net.ledger.head().height;
    let folder = FolderPeer(source.path().join("sync").join(format!("h{height}")));
    let synced = sync_from_peers(&[&folder], target.path(), &net.genesis).unwrap();
    assert_eq!(synced.facts.state_root, net.state_root());
}
