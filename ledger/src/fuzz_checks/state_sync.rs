//! The checks of the state-sync fuzz targets (ADR 0039): the manifest and the chunks a peer's
//! gateway serves (R451–R456). Both run through the syncing side's real entry points,
//! [`decode_manifest`] and [`SyncVerifier`], against one fixed snapshot of the testkit's pilot
//! network ([`sync_fixture`]), so seeds taken from it pass every check and mutations reach the
//! rules behind the decoders. Every refusal must be a typed [`StateSyncError`].

use std::sync::OnceLock;

use crate::genesis::Genesis;
use crate::hash::Hash32;
use crate::snapshot::ledger_certificate;
use crate::state_sync::{
    ChunkInfo, Manifest, StateSyncError, SyncVerifier, VerifiedState, decode_manifest, export,
    frames, push_frame,
};
use crate::testkit::TestNetwork;

/// A served snapshot every state-sync check verifies against.
#[derive(Debug)]
pub struct SyncFixture {
    /// The genesis the syncing node trusts (the pilot network's).
    pub genesis: Genesis,
    /// The manifest as served, with [`SyncFixture::chunks`] as its chunks.
    pub manifest: Manifest,
    /// The chunks as served (small, so the snapshot spans several).
    pub chunks: Vec<Vec<u8>>,
}

impl SyncFixture {
    /// The whole snapshot as one chunk: chunks are whole frames, so their concatenation is.
    pub fn whole(&self) -> Vec<u8> {
        self.chunks.concat()
    }
}

/// The pilot network after two certified blocks of receipts, served in chunks of 4 KiB; built
/// once per process (deterministic keys and times, so the committed seeds stay valid).
pub fn sync_fixture() -> &'static SyncFixture {
    static FIXTURE: OnceLock<SyncFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut net = TestNetwork::pilot();
        for _ in 0..2 {
            let entries = net.receipts(2, &["BANK"]);
            net.commit_certified(entries);
        }
        let mut chunks = Vec::new();
        let manifest = export(net.ledger.store(), 4096, |_, bytes| {
            chunks.push(bytes.to_vec());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("the fixture snapshot exports: {e}"));
        SyncFixture {
            genesis: net.genesis.clone(),
            manifest,
            chunks,
        }
    })
}

/// A refusal carries a stable code.
fn refused(e: &StateSyncError) {
    assert!(!e.code().is_empty());
    assert!(!e.to_string().is_empty());
}

/// A verified snapshot is the fixture's certified head, whatever bytes got it there.
fn verified_is_the_fixture(state: &VerifiedState) {
    let fixture = sync_fixture();
    assert_eq!(state.facts.height, fixture.manifest.height);
    assert_eq!(state.facts.state_root, fixture.manifest.state_root);
    assert_eq!(state.head.block.header, fixture.manifest.header);
}

/// R452: a manifest from a peer is decoded or refused with `SYNC_BAD_MANIFEST`; a decoded
/// one reads back from its own JSON (JSON is not canonical, the value is), and the verifier
/// fed the fixture's chunks under it answers with a typed error or the fixture's head.
pub fn state_sync_manifest(data: &[u8]) {
    let manifest = match decode_manifest(data) {
        Ok(manifest) => manifest,
        Err(e) => {
            assert_eq!(e.code(), "SYNC_BAD_MANIFEST");
            return;
        }
    };
    let json = serde_json::to_vec(&manifest).unwrap_or_else(|e| panic!("manifest JSON: {e}"));
    match decode_manifest(&json) {
        Ok(again) => assert_eq!(again, manifest, "a manifest reads back from its JSON"),
        Err(e) => panic!("a decoded manifest's own JSON is refused: {e}"),
    }
    let fixture = sync_fixture();
    let mut verifier = match SyncVerifier::new(&fixture.genesis, manifest, ledger_certificate) {
        Ok(verifier) => verifier,
        Err(e) => return refused(&e),
    };
    for chunk in &fixture.chunks {
        if verifier.next_chunk().is_none() {
            break;
        }
        if let Err(e) = verifier.accept_chunk(chunk) {
            return refused(&e);
        }
    }
    match verifier.finish() {
        Ok(state) => verified_is_the_fixture(&state),
        Err(e) => refused(&e),
    }
}

/// R451, R453–R456: a chunk from a peer. Its frames that decode re-frame to exactly its
/// bytes (one canonical encoding); under the fixture's manifest, pinned to this chunk's hash
/// and length, the verifier answers with a typed error or the fixture's head, and never
/// accepts a chunk whose frames do not decode.
pub fn state_sync_chunk(data: &[u8]) {
    let framed = frames(data);
    match &framed {
        Ok(items) => {
            let mut again = Vec::with_capacity(data.len());
            for item in items {
                assert!(push_frame(&mut again, item).is_ok());
            }
            assert_eq!(again, data, "a decoded chunk re-frames to its bytes");
        }
        Err(reason) => assert!(!reason.is_empty()),
    }
    let fixture = sync_fixture();
    let mut manifest = fixture.manifest.clone();
    manifest.chunks = vec![ChunkInfo {
        sha256: Hash32::sha256(data),
        len: u32::try_from(data.len()).unwrap_or(u32::MAX),
    }];
    let verdict = SyncVerifier::new(&fixture.genesis, manifest, ledger_certificate).and_then(
        |mut verifier| {
            verifier.accept_chunk(data)?;
            verifier.finish()
        },
    );
    match verdict {
        Ok(state) => {
            assert!(framed.is_ok(), "a chunk that does not decode is accepted");
            verified_is_the_fixture(&state);
        }
        Err(e) => refused(&e),
    }
}
