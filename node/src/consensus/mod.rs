//! Consensus: our [`EblContext`] for the Malachite BFT engine, and the application loop that
//! drives the ledger with it (specs/adr/0008-consensus-malachite.md).
//!
//! # Design
//!
//! - Height = block height; address = a validator's Ed25519 consensus key; the validator set of
//!   each height is read from the ledger state left by the block before it.
//! - Value = a whole [`ebl_ledger::block::Block`], executed by its proposer before it is
//!   proposed; value id = block hash. The block is streamed as proposal parts (init, chunks,
//!   fin signed by the proposer); the signed proposal message carries only the id.
//! - Every receiver re-executes the block (`Ledger::verify`, R18) before voting for it.
//! - On decision the block is committed with its commit certificate (borsh bytes) in one
//!   RocksDB batch; the next height starts with the validator set of the new state.
//! - One task ([`app::run`]) owns the ledger and the mempool; every queue is bounded.

pub mod app;
pub mod codec;
pub mod context;
pub mod evidence;
pub mod membership;
pub mod messages;
pub mod pace;
pub mod parts;
pub mod propose;
pub mod scheme;
pub mod signing;
pub mod state;
pub mod sync;
pub mod types;
pub mod undecided;
pub mod validators;

pub use context::EblContext;
pub use state::{AppState, BlockLimits, CommittedBlock, SharedVerified};
pub use types::{Address, BlockId, BlockValue, Height};
