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
//! - Parts are judged before they are buffered (R190 designated proposer, R191 block caps,
//!   R193 publisher, height and budget: [`intake`]); at most one block per round and 32 per
//!   height are executed and held ([`held`], R192); a live proposal's time is bounded on both
//!   sides (R194). specs/adr/0027-proposal-intake.md.
//! - Every receiver re-executes the block (`Ledger::verify`, R18) before voting for it.
//! - On decision the block is committed with its commit certificate (borsh bytes) in one
//!   RocksDB batch; the next height starts with the validator set of the new state.
//! - One task ([`app::run`]) owns the ledger and the mempool; every queue is bounded.

//!
//! # Layout
//!
//! - [`wire`]: the Malachite context and its types (values, votes, proposals, signatures,
//!   validator sets, codec), re-exported here under their old paths.
//! - The decision core, pure over any storage with time passed in (R460): [`decision`] and
//!   what it uses ([`state`], [`propose`], [`parts`], [`intake`], [`held`], [`later`],
//!   [`sync`], [`membership`], [`undecided`], [`pace`], [`evidence`]).
//! - The edge: [`app`] (the task that answers the engine, sends parts, times, counts and
//!   retries a refused disk write), [`net`] (our consensus swarm and network actor, gated at
//!   the handshake, R482), [`gated_network`] (a second check on what the engine's actors take
//!   from it, judged by the pure [`admitted`], R480) and the fault plan of the `byzantine`
//!   feature.

pub mod admitted;
pub mod app;
pub mod decision;
pub mod evidence;
#[cfg(feature = "byzantine")]
pub mod faults;
pub mod gated_network;
pub mod held;
mod incoming;
pub mod intake;
pub mod later;
pub mod membership;
pub mod net;
pub mod pace;
pub mod parts;
pub mod propose;
pub mod state;
pub mod sync;
pub mod undecided;
pub mod wire;

pub use wire::{codec, context, messages, scheme, signing, types, validators};

pub use context::EblContext;
pub use state::{AppState, BlockLimits, CommittedBlock, Execution, SharedVerified};
pub use types::{Address, BlockId, BlockValue, Height};
