//! Validator node: consensus, libp2p networking, mempool, sync and storage around the ebl-ledger state machine (issue 3; not built yet).
//!
//! Built so far:
//! - [`mempool`]: the pure, deterministic pool of entries waiting for a block (R100–R109).

pub mod mempool;
