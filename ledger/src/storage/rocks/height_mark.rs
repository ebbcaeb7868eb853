//! R478: the latest committed height, kept in memory beside the database.
//!
//! Every screened submission and every judged gossip batch asks for the head (its block time
//! decides standing), so the height was read from RocksDB hundreds of times per block: 1.8 % of
//! a validator's CPU under load (BENCHMARKS.md, "Issue 16, stop 31"). Only the store's owner
//! changes the height (a commit or a state-sync install, each one write), and it sets the mark
//! right after that write succeeds, so the mark is the database's height whenever no write is
//! in flight; a reader that asks during the write gets the height before it, as it would have
//! from RocksDB a moment earlier.

use std::sync::atomic::{AtomicU64, Ordering};

/// The height, plus one; zero while the store holds no block.
#[derive(Debug, Default)]
pub struct HeightMark(AtomicU64);

impl HeightMark {
    /// The latest committed height; `None` before genesis.
    pub fn get(&self) -> Option<u64> {
        // Acquire pairs with `set`'s Release: a reader that sees a height also sees the write
        // that stored its block, so reading that block next cannot miss it.
        self.0.load(Ordering::Acquire).checked_sub(1)
    }

    /// Records `height` as committed, after its write succeeded. A height of `u64::MAX` cannot
    /// be stored plus one; it saturates, and [`HeightMark::get`] answers one less (no chain
    /// reaches it: a block a millisecond would take 584 million years).
    pub fn set(&self, height: Option<u64>) {
        let value = height.map_or(0, |h| h.saturating_add(1));
        self.0.store(value, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_holds_none_then_each_height_set() {
        let mark = HeightMark::default();
        assert_eq!(mark.get(), None);
        mark.set(Some(0));
        assert_eq!(mark.get(), Some(0));
        mark.set(Some(41));
        assert_eq!(mark.get(), Some(41));
        mark.set(None);
        assert_eq!(mark.get(), None);
    }
}
