//! Pure, deterministic ledger state machine for electronic bills of lading and ship e-certificates.
//!
//! # Design
//!
//! A network of member organisations agrees, through BFT consensus run by the node, on an ordered
//! list of blocks of signed [`entry::SignedEntry`]s. This crate decides what every entry means:
//! it checks signatures and authority, applies the eBL, certificate, grant and governance rules,
//! and commits the resulting state into an authenticated tree whose root is in every block
//! header, so that any single record can be proven offline.
//!
//! The crate never touches a clock, a socket, an async runtime or OS randomness, and never
//! iterates a `HashMap` (clippy enforces it): given the same blocks, every node reaches the same
//! state root. Rules cite `specs/protocol.md` by number (R1, R2, …).
//!
//! - [`codec`]: the one canonical binary encoding.
//! - [`entry`], [`block`], [`genesis`]: what is signed, ordered and hashed.
//! - [`ebl`], [`cert`], [`identity`], [`receipt`]: the rules.
//! - [`execute`]: stateless → stateful → apply, per entry, per block.
//! - [`state`], [`storage`]: the state tree and where it lives (in memory or RocksDB).
//! - [`ledger::Ledger`]: the facade a node uses.
//!
//! # Example
//!
//! ```
//! use ebl_ledger::{codec, hash::Hash32};
//! let bytes = codec::encode(&42u64);
//! assert_eq!(codec::decode::<u64>(&bytes, 8), Ok(42));
//! assert_eq!(Hash32::sha256(b"abc").to_hex().len(), 64);
//! ```

// First: the commit failpoint macro is used by the modules below.
#[macro_use]
mod failpoints;

pub mod attest;
pub mod block;
pub mod cert;
pub mod codec;
pub mod crypto;
pub mod docfacts;
pub mod docid;
pub mod ebl;
pub mod entry;
pub mod error;
pub mod evidence;
pub mod execute;
pub mod finality;
#[cfg(feature = "fuzzing")]
pub mod fuzz_checks;
pub mod genesis;
pub mod hash;
pub mod identity;
pub mod ids;
pub mod jws;
pub mod ledger;
pub mod local_time;
pub mod protocol_version;
pub mod receipt;
pub mod signatures;
pub mod snapshot;
pub mod state;
pub mod state_sync;
pub mod storage;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod time;

pub use error::{ExecError, RuleError, StorageError};
#[cfg(feature = "failpoints")]
pub use failpoints::COMMIT_FAILPOINTS;
pub use ledger::Ledger;
