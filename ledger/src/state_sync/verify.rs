//! R452–R456: the syncing side: checks a peer's chunks, in order, before anything is kept.

use jmt::storage::TreeUpdateBatch;

use super::{Manifest, StateSyncError, SyncItem, check_manifest, frames};
use crate::block::{self, BlockHeader};
use crate::codec;
use crate::evidence::evidence_hash;
use crate::finality::CommitCertificate;
use crate::genesis::Genesis;
use crate::hash::Hash32;
use crate::identity::ValidatorSet;
use crate::snapshot::SnapshotFacts;
use crate::state::{WriteSet, keys, tree};
use crate::storage::StoredBlock;

/// What a fully checked snapshot installs: the genesis block this node builds itself, block
/// `H`, the state records at `H` and the state tree over them at version `H`.
#[derive(Debug)]
pub struct VerifiedState {
    /// Block 0, built from the local genesis document.
    pub genesis: StoredBlock,
    /// Block `H`, checked against its certified header.
    pub head: StoredBlock,
    /// The canonical links of heights `1..H`, kept so the node can serve state sync in turn.
    pub links: Vec<(u64, Vec<u8>)>,
    /// Every state record at `H`.
    pub records: WriteSet,
    /// Tree nodes and values of those records at version `H` (root = the certified root).
    pub tree: TreeUpdateBatch,
    /// Height, block hash, state root and record count.
    pub facts: SnapshotFacts,
}

/// Where the verifier is in the fixed frame order.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Link,
    Head,
    Records,
}

/// R452–R456: feeds a peer's chunks in order through every check; see the module docs.
pub struct SyncVerifier<C> {
    manifest: Manifest,
    certificate: C,
    genesis: StoredBlock,
    chain: Hash32,
    prev: BlockHeader,
    validators: ValidatorSet,
    expect: Expect,
    next_chunk: usize,
    head: Option<StoredBlock>,
    links: Vec<(u64, Vec<u8>)>,
    records: WriteSet,
    last_key: Option<Vec<u8>>,
}

impl<C> std::fmt::Debug for SyncVerifier<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncVerifier")
            .field("height", &self.manifest.height)
            .field("next_chunk", &self.next_chunk)
            .finish_non_exhaustive()
    }
}

impl<C: Fn(&[u8]) -> Option<CommitCertificate>> SyncVerifier<C> {
    /// R452: starts from the local genesis (trusted, R421) and a manifest whose bounds hold;
    /// `certificate` turns a stored certificate into the portable form R132 checks.
    pub fn new(
        genesis: &Genesis,
        manifest: Manifest,
        certificate: C,
    ) -> Result<Self, StateSyncError> {
        check_manifest(&manifest)?;
        let executed = genesis.execute()?;
        let header = executed.block.header.clone();
        if manifest.header.chain != header.chain {
            return Err(StateSyncError::Manifest(
                "the header is of another network".into(),
            ));
        }
        let validators = executed
            .writes
            .get(&keys::validators())
            .and_then(|v| v.as_deref())
            .and_then(|bytes| codec::decode_stored(bytes).ok())
            .ok_or_else(|| StateSyncError::Manifest("genesis holds no validator set".into()))?;
        Ok(SyncVerifier {
            manifest,
            certificate,
            genesis: StoredBlock {
                block: executed.block,
                results: executed.results,
                certificate: Vec::new(),
            },
            chain: header.chain.genesis_hash,
            prev: header,
            validators,
            expect: Expect::Link,
            next_chunk: 0,
            head: None,
            links: Vec::new(),
            records: WriteSet::new(),
            last_key: None,
        })
    }

    /// The manifest being verified.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Index of the chunk [`SyncVerifier::accept_chunk`] takes next, `None` once all are in.
    pub fn next_chunk(&self) -> Option<usize> {
        (self.next_chunk < self.manifest.chunks.len()).then_some(self.next_chunk)
    }

    /// R453, R454, R455: checks the next chunk's length and hash, then each of its frames.
    pub fn accept_chunk(&mut self, bytes: &[u8]) -> Result<(), StateSyncError> {
        let index = self.next_chunk;
        let info = *self
            .manifest
            .chunks
            .get(index)
            .ok_or_else(|| StateSyncError::Malformed {
                index,
                reason: "the manifest names fewer chunks".into(),
            })?;
        if bytes.len() != info.len as usize {
            return Err(StateSyncError::ChunkTooLarge {
                index,
                len: bytes.len(),
                limit: info.len as usize,
            });
        }
        if Hash32::sha256(bytes) != info.sha256 {
            return Err(StateSyncError::ChunkHash { index });
        }
        let items = frames(bytes).map_err(|reason| StateSyncError::Malformed { index, reason })?;
        for item in items {
            self.accept_item(index, item)?;
        }
        self.next_chunk += 1;
        Ok(())
    }

    fn accept_item(&mut self, index: usize, item: SyncItem) -> Result<(), StateSyncError> {
        let out_of_order = |what: &str| StateSyncError::Malformed {
            index,
            reason: format!("{what} out of order"),
        };
        match item {
            SyncItem::Link {
                header,
                certificate,
                validators,
                proof,
            } if self.expect == Expect::Link => {
                let height = header.height;
                let link = SyncItem::Link {
                    header,
                    certificate,
                    validators,
                    proof,
                };
                self.accept_link(&link)?;
                if height < self.manifest.height {
                    self.links.push((height, codec::encode(&link)));
                }
                Ok(())
            }
            SyncItem::Head(stored) if self.expect == Expect::Head => self.accept_head(stored),
            SyncItem::Record { key, value } if self.expect == Expect::Records => {
                if self.last_key.as_ref().is_some_and(|last| key <= *last) {
                    return Err(out_of_order("a record"));
                }
                self.last_key = Some(key.clone());
                self.records.insert(key, Some(value));
                Ok(())
            }
            SyncItem::Link { .. } => Err(out_of_order("a header")),
            SyncItem::Head(_) => Err(out_of_order("the head block")),
            SyncItem::Record { .. } => Err(out_of_order("a record")),
        }
    }

    /// R454: the next header links to the previous one and is certified by the proven set;
    /// the set after it is proven against its state root.
    fn accept_link(&mut self, link: &SyncItem) -> Result<(), StateSyncError> {
        let SyncItem::Link {
            header,
            certificate,
            validators,
            proof,
        } = link
        else {
            return Ok(());
        };
        let h = self.prev.height + 1;
        if header.height != h
            || header.prev_hash != self.prev.hash()
            || header.chain != self.prev.chain
        {
            return Err(StateSyncError::BrokenLink(h));
        }
        let uncertified = |reason: String| StateSyncError::Uncertified { height: h, reason };
        let portable = (self.certificate)(certificate)
            .ok_or_else(|| uncertified("the certificate does not decode".into()))?;
        portable
            .verify_header(&self.chain, header, &self.validators.validators)
            .map_err(|e| uncertified(e.to_string()))?;
        let proof: tree::StateProof = serde_json::from_slice(proof)
            .map_err(|e| uncertified(format!("validator set proof: {e}")))?;
        tree::RecordProof {
            key: keys::validators(),
            value: Some(validators.clone()),
            proof,
        }
        .verify(&header.state_root)
        .map_err(|e| uncertified(format!("validator set proof: {e}")))?;
        self.validators = codec::decode_stored(validators)
            .map_err(|e| uncertified(format!("validator set: {e}")))?;
        if h == self.manifest.height {
            // The manifest's anchor is this certified header, not merely a header it named.
            if *header != self.manifest.header || *certificate != self.manifest.certificate {
                return Err(StateSyncError::Manifest(
                    "its header or certificate is not the certified block of its height".into(),
                ));
            }
            self.expect = Expect::Head;
        }
        self.prev = header.clone();
        Ok(())
    }

    /// R455: block `H` is the one its certified header commits to.
    fn accept_head(&mut self, stored: StoredBlock) -> Result<(), StateSyncError> {
        let header = &self.manifest.header;
        let mismatch = |reason: &str| StateSyncError::HeadMismatch {
            height: header.height,
            reason: reason.into(),
        };
        if stored.block.header != *header {
            return Err(mismatch("another header"));
        }
        if block::entries_hash(&stored.block.entries) != header.entries_hash {
            return Err(mismatch("entries"));
        }
        if block::results_hash(&stored.results) != header.results_hash {
            return Err(mismatch("results"));
        }
        if evidence_hash(&stored.block.evidence) != header.evidence_hash {
            return Err(mismatch("evidence"));
        }
        if stored.certificate != self.manifest.certificate {
            return Err(mismatch("certificate"));
        }
        self.head = Some(stored);
        self.expect = Expect::Records;
        Ok(())
    }

    /// R456: once every chunk is in, the records must hash to the certified state root; the
    /// tree is built at version `H`, so the next block extends it as on any node.
    pub fn finish(self) -> Result<VerifiedState, StateSyncError> {
        if self.next_chunk < self.manifest.chunks.len() {
            return Err(StateSyncError::Incomplete(format!(
                "{} of {} chunks",
                self.next_chunk,
                self.manifest.chunks.len()
            )));
        }
        let head = self
            .head
            .ok_or_else(|| StateSyncError::Incomplete("no head block".into()))?;
        let height = self.manifest.height;
        let (root, tree) = tree::apply_writes(&EmptyBefore(height), &self.records, height)?;
        if root != self.manifest.state_root {
            return Err(StateSyncError::StateRoot {
                height,
                computed: root,
                header: self.manifest.state_root,
            });
        }
        let records = self.records.len() as u64;
        Ok(VerifiedState {
            genesis: self.genesis,
            head,
            links: self.links,
            records: self.records,
            tree,
            facts: SnapshotFacts {
                height,
                block_hash: self.manifest.block_hash,
                state_root: root,
                records,
            },
        })
    }
}

/// A tree with no record whose last version `v - 1` is an empty root: building version `v` on it yields
/// the tree of exactly the records written, stored at version `v` (the root hash depends on
/// the records only, not on versions).
struct EmptyBefore(u64);

impl jmt::storage::TreeReader for EmptyBefore {
    fn get_node_option(
        &self,
        key: &jmt::storage::NodeKey,
    ) -> anyhow::Result<Option<jmt::storage::Node>> {
        let empty_root =
            self.0 > 0 && key.version() == self.0 - 1 && key.nibble_path().num_nibbles() == 0;
        Ok(empty_root.then_some(jmt::storage::Node::Null))
    }
    fn get_value_option(&self, _: u64, _: jmt::KeyHash) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(None)
    }
    fn get_rightmost_leaf(
        &self,
    ) -> anyhow::Result<Option<(jmt::storage::NodeKey, jmt::storage::LeafNode)>> {
        Ok(None)
    }
}
