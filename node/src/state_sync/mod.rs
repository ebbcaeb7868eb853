//! State sync from peers (specs/protocol.md R450–R459, ADR 0050): serving the node's head as
//! a manifest and chunks ([`serve`]), and starting an empty node from a peer's snapshot,
//! checked before it is installed ([`client`]), through any [`peer::SnapshotPeer`] (the
//! gateway's member routes over HTTP, or a folder).

pub mod client;
pub mod peer;
pub mod serve;

pub use client::{PeerFailure, SyncFailed, Synced, sync_from_peers};
pub use peer::{FolderPeer, HttpPeer, PeerError, SnapshotPeer};
pub use serve::{ServeError, SyncServer};

#[cfg(test)]
mod tests;
