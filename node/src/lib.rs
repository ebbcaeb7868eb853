//! Validator node: Malachite BFT consensus, libp2p networking, mempool and RocksDB storage
//! around the ebl-ledger state machine.
//!
//! # Design
//!
//! - [`consensus`]: our Malachite `Context` (height, address, validator set, block value,
//!   proposal parts, signing, codecs) and the application loop: one task owns the
//!   [`ebl_ledger::Ledger`] and the [`mempool::Mempool`], answers the engine over bounded
//!   channels, executes blocks before proposing them and re-executes received ones (R18).
//! - [`mempool`]: the pure, deterministic pool of entries waiting for a block (R100–R109).
//! - [`handle`]: [`NodeHandle`], what the gateway and tests talk to: submit an entry, read the
//!   status, subscribe to committed blocks and entry fates, read the ledger.
//! - [`intake`]: what every way in (handle, gossip) judges before any signature work:
//!   duplicates, envelope, standing, sequence window, per-signer share (R182–R184).
//! - [`submissions`]: single client submissions after the intake; those of signers that keep
//!   sending while they wait share one batch equation ([`submission_pace`], R484).
//! - [`metrics`]: Prometheus metrics, served at `GET /metrics` by [`api_server`].
//! - [`edge`]: the gateway's accept loop (plain or TLS), bounded in connections and time
//!   (R200–R202).
//! - [`p2p`]: entry gossip between member nodes on our own libp2p swarm, gated by ledger
//!   state (R110–R119).
//! - [`bodies`]: document bodies off the ledger, their store and the `/ebl/body/1` protocol
//!   between the nodes of a document's parties (R140–R149).
//! - [`run`]: [`Node::start`] / [`Node::stop`]; [`config`]: `config.toml` and key files.
//!
//! See `specs/adr/0008-consensus-malachite.md` for the why.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo(settings: ebl_node::NodeSettings, genesis: ebl_ledger::genesis::Genesis,
//! #               entry: ebl_ledger::entry::SignedEntry) -> anyhow::Result<()> {
//! let node = ebl_node::Node::start(settings, &genesis).await?;
//! let handle = node.handle();
//! let mut fates = handle.subscribe_notifications();
//! let admission = handle.submit(entry).await?;
//! println!("{admission:?}, then {:?}", fates.recv().await?);
//! let height = handle.read(|ledger| ledger.head().height).await?;
//! println!("at height {height}");
//! node.stop().await
//! # }
//! ```

pub mod api;
pub mod api_config;
pub mod api_dcsa;
pub mod api_fates;
pub mod api_pint;
pub mod api_server;
pub mod bodies;
pub mod config;
pub mod config_env;
pub mod consensus;
pub mod custody;
pub mod edge;
#[cfg(feature = "fuzzing")]
pub mod fuzz_checks;
pub mod handle;
pub mod intake;
pub mod mempool;
pub mod metrics;
pub mod p2p;
pub mod reads;
pub mod run;
pub mod screen_cache;
pub mod snapshot;
pub mod state_sync;
pub mod submission_pace;
pub mod submissions;
pub mod tls;

pub use handle::{NodeHandle, NodeStatus, NodeStopped};
pub use run::{Node, NodeSettings};
