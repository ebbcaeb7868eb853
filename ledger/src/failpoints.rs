//! R350: named failpoints at every step of a block commit, so that tests can kill the process
//! or fail the disk at each of them (specs/protocol.md §9v, ADR 0040).
//!
//! They exist only with the `failpoints` feature, which only this crate's own tests turn on:
//! without it [`commit_failpoint!`] expands to nothing, so no node build contains them.

/// Every commit failpoint, in the order a commit passes them; the fault tests iterate over all.
#[cfg(feature = "failpoints")]
pub const COMMIT_FAILPOINTS: &[&str] = &[
    // `RocksStore::commit`: the write batch is built in memory…
    "commit.before_batch",
    "commit.batch_state",
    "commit.batch_tree",
    // …the entry index reads whether an undecided inclusion already has a decisive one (R185)…
    "commit.index_lookup",
    "commit.batch_index",
    "commit.after_batch",
    // …one synced write puts it on disk (R19): an error injected here is a failing write…
    "commit.write",
    // …an error injected here is a failing sync after the bytes reached the disk…
    "commit.after_write",
    // …then the tree-node cache learns the block's nodes.
    "commit.before_cache",
    "commit.after_cache",
    // `Ledger::commit`: the in-memory head moves to the block.
    "commit.before_head",
    "commit.after_head",
];

/// A failpoint named `$name` (one of [`COMMIT_FAILPOINTS`]) in a function returning
/// `Result<_, StorageError>`: configured with `return` it makes the function fail with
/// [`StorageError::Io`](crate::error::StorageError::Io), as a failing disk would (R354);
/// configured with a callback it runs the test's code there (a kill, R351).
macro_rules! commit_failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name, |_| {
            Err($crate::error::StorageError::Io(format!(
                "fault injected at {}",
                $name
            )))
        });
    };
}
