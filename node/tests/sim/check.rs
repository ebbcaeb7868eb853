//! R463: what every run must show — agreement (one block hash and one state root per height on
//! every replica), progress, and no entry sequence or bill transfer applied twice. The checks
//! read a plain copy of each replica's chain, so tests can also feed them a broken one.

use std::collections::BTreeMap;

use ebl_ledger::Ledger;
use ebl_ledger::block::Outcome;
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::Hash32;
use ebl_ledger::storage::{MemoryStore, Storage};

/// One committed block as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFacts {
    pub height: u64,
    pub hash: Hash32,
    pub state_root: Hash32,
    /// (signer, sequence) of each applied entry.
    pub applied: Vec<([u8; 32], u64)>,
    /// Bills whose transfer applied in this block.
    pub transferred: Vec<Hash32>,
}

/// A replica's whole chain.
pub fn chain_of(ledger: &Ledger<MemoryStore>) -> Vec<BlockFacts> {
    let mut out = Vec::new();
    for h in 1..=ledger.head().height {
        let Ok(Some(stored)) = ledger.store().block(h) else {
            break;
        };
        let mut applied = Vec::new();
        let mut transferred = Vec::new();
        for (entry, result) in stored.block.entries.iter().zip(&stored.results) {
            if result.outcome != Outcome::Applied {
                continue;
            }
            applied.push((entry.entry().signer.0, entry.entry().sequence));
            if let Body::Ebl(EblAction::Transfer { document, .. }) = &entry.entry().body {
                transferred.push(*document);
            }
        }
        out.push(BlockFacts {
            height: h,
            hash: stored.block.header.hash(),
            state_root: stored.block.header.state_root,
            applied,
            transferred,
        });
    }
    out
}

/// Every broken rule found in `chains` (one per replica); `min_height`: the least height a
/// quorum of replicas (all but f = (n − 1) / 3) must have reached — one replica may still be
/// catching up after a restart.
pub fn violations(chains: &[Vec<BlockFacts>], min_height: u64) -> Vec<String> {
    let mut found = Vec::new();
    let mut by_height: BTreeMap<u64, (usize, &BlockFacts)> = BTreeMap::new();
    for (r, chain) in chains.iter().enumerate() {
        for (i, b) in chain.iter().enumerate() {
            if b.height != i as u64 + 1 {
                found.push(format!("replica {r}: block {i} has height {}", b.height));
            }
            match by_height.get(&b.height) {
                Some((first, other)) if other.hash != b.hash => found.push(format!(
                    "height {}: replica {first} and replica {r} hold different blocks",
                    b.height
                )),
                Some((first, other)) if other.state_root != b.state_root => found.push(format!(
                    "height {}: replica {first} and replica {r} hold different state roots",
                    b.height
                )),
                Some(_) => {}
                None => {
                    by_height.insert(b.height, (r, b));
                }
            }
        }
        let mut sequences = BTreeMap::new();
        let mut bills = BTreeMap::new();
        for b in chain {
            for key in &b.applied {
                *sequences.entry(*key).or_insert(0u32) += 1;
            }
            for bill in &b.transferred {
                *bills.entry(*bill).or_insert(0u32) += 1;
            }
        }
        if sequences.values().any(|n| *n > 1) {
            found.push(format!("replica {r}: an entry sequence applied twice"));
        }
        if bills.values().any(|n| *n > 1) {
            found.push(format!("replica {r}: a bill transferred twice"));
        }
    }
    let quorum = chains.len() - (chains.len().saturating_sub(1)) / 3;
    let advanced = chains
        .iter()
        .filter(|c| c.len() as u64 >= min_height)
        .count();
    if advanced < quorum {
        let heights: Vec<usize> = chains.iter().map(Vec::len).collect();
        found.push(format!(
            "heights {heights:?}: fewer than {quorum} replicas reached the least progress {min_height}"
        ));
    }
    found
}
