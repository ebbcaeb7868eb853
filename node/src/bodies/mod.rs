//! Document bodies off the ledger (specs/protocol.md R140–R149,
//! specs/adr/0017-document-bodies.md): the ledger holds only an eBL's document id, the SHA-256
//! of its JCS canonical JSON; the JSON itself is kept by the nodes of the document's parties
//! and passed between them on request.
//!
//! # Design
//!
//! - [`store`]: the node's body store, a small RocksDB of its own under `<data dir>/bodies`
//!   (key: document id, value: body, synced writes, 1 MiB per body).
//! - [`protocol`]: the `/ebl/body/1` request-response messages, the signed proof a node
//!   makes for an organisation whose key its custodian holds, and the bounded codec.
//! - [`serve`]: who may read (R143), decided from committed ledger state before any lookup.
//! - [`traffic`]: the protocol inside the gossip swarm's task: answers prepared off the task,
//!   asks correlated with replies, wrong bodies scored down.
//! - [`fetch`]: the requesting side behind `NodeApi::document_body`: local copy, else ask the
//!   connected member nodes and keep the first body that hashes to the id.

pub mod fetch;
pub mod protocol;
pub mod serve;
pub mod store;
pub(crate) mod traffic;

use std::time::Duration;

use ebl_ledger::entry::ChainRef;

pub use fetch::{FetchError, PartyKeys, document_body};
pub use protocol::{BodyRequest, BodyResponse, Proof};
pub use store::{BodyError, BodyStore, MAX_BODY_BYTES};

/// R147: longest a fetch waits for answers, and each ask's request timeout.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// R147: most peers asked for one body.
pub const MAX_ASKED: usize = 8;
/// R147: most outbound asks in flight in one node.
pub const MAX_ASKS: usize = 64;
/// R147: most inbound requests being answered at once; beyond, a request gets no answer.
pub const MAX_SERVES: usize = 32;
/// R147: most concurrent body streams per connection.
pub const MAX_STREAMS: usize = 16;

/// Why one ask of one peer gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AskFailure {
    /// R147: too many asks in flight.
    #[error("too many body requests in flight")]
    Busy,
    /// R145: the peer answered with a body that does not hash to the id (it was scored down).
    #[error("the peer sent a body that does not hash to the document id")]
    WrongBody,
    /// Timeout, closed connection, unsupported protocol, undecodable answer.
    #[error("body request failed: {0}")]
    Failed(String),
    /// The swarm's task has stopped.
    #[error("the gossip swarm has stopped")]
    Stopped,
}

/// The node's body service: its store and the chain its proofs name.
#[derive(Debug, Clone)]
pub struct Bodies {
    /// The store.
    pub store: BodyStore,
    /// The network (R144: proofs name it).
    pub chain: ChainRef,
}
