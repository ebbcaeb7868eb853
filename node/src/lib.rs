//! Validator node: Malachite BFT consensus, libp2p networking, mempool and RocksDB storage
//! around the ebl-ledger state machine.
//!
//! - [`mempool`]: the pure, deterministic pool of entries waiting for a block (R100–R109).
//! - [`consensus`]: our Malachite context and the application loop that drives the ledger.
//! - [`handle`]: [`NodeHandle`], what the gateway and tests talk to.

pub mod config;
pub mod consensus;
pub mod handle;
pub mod mempool;
pub mod run;

pub use handle::{NodeHandle, NodeStatus, NodeStopped};
pub use run::{Node, NodeSettings};
