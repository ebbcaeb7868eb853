//! R480: what the network actor may hand to consensus and value sync, judged by whether it
//! has reported the peer the event came from as connected.
//!
//! The network actor says `PeerConnected` for a peer its gate admitted at the handshake
//! (R482) and `PeerDisconnected` when the last connection closes. Malachite's own network
//! (before R482) said `PeerConnected` only after Identify, while every protocol already ran;
//! this check was then the only thing between an unidentified peer and value sync. Now it is a
//! second check: an event from a peer not connected now (a race at a disconnect) does not reach
//! the actors, and a value request from one is cancelled, which releases its stream.

use std::collections::BTreeSet;

use malachite::app::types::PeerId;
use malachite_engine::network::NetworkEvent;
use malachite_sync::InboundRequestId;

use crate::consensus::EblContext;

/// What becomes of one network event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Hand it on.
    Pass,
    /// Not from an admitted peer: drop it (`kind` names it for the counter).
    Drop {
        /// The event's kind, a fixed label.
        kind: &'static str,
    },
    /// A value request from a peer not admitted: cancel it without an answer.
    Refuse(InboundRequestId),
}

/// The peers Malachite has admitted and not dropped since, learnt from its own events.
/// Bounded by Malachite's connection limits, since only admitted peers are added.
#[derive(Debug, Default, Clone)]
pub struct AdmittedPeers {
    peers: BTreeSet<PeerId>,
}

impl AdmittedPeers {
    /// Whether `peer` is admitted now.
    pub fn contains(&self, peer: &PeerId) -> bool {
        self.peers.contains(peer)
    }

    /// R480: the verdict on `event`, updating the set on `PeerConnected` and
    /// `PeerDisconnected`.
    pub fn judge(&mut self, event: &NetworkEvent<EblContext>) -> Verdict {
        use NetworkEvent as E;
        let (peer, kind) = match event {
            E::Listening(_) => return Verdict::Pass,
            E::PeerConnected(peer) => {
                self.peers.insert(*peer);
                return Verdict::Pass;
            }
            E::PeerDisconnected(peer) => {
                self.peers.remove(peer);
                return Verdict::Pass;
            }
            // Failures of the node's own requests, and of inbound ones the engine tracks:
            // bookkeeping the engine needs whoever the peer is, carrying nothing from it.
            E::SyncRequestFailed(..) | E::SyncInboundRequestFailed(..) => return Verdict::Pass,
            E::SyncRequest(id, peer, _) => {
                if self.contains(peer) {
                    return Verdict::Pass;
                }
                return Verdict::Refuse(id.clone());
            }
            E::PeerSubscribed(peer, _) => (peer, "subscription"),
            E::Vote(peer, _) => (peer, "vote"),
            E::Proposal(peer, _) => (peer, "proposal"),
            E::ProposalPart(peer, _, _) => (peer, "proposal_part"),
            E::PolkaCertificate(peer, _) => (peer, "polka_certificate"),
            E::RoundCertificate(peer, _) => (peer, "round_certificate"),
            E::ValidatorProofReceived { peer_id, .. } => (peer_id, "validator_proof"),
            E::Status(peer, _) => (peer, "status"),
            E::SyncResponse(_, peer, _) => (peer, "sync_response"),
        };
        if self.contains(peer) {
            Verdict::Pass
        } else {
            Verdict::Drop { kind }
        }
    }
}

#[cfg(test)]
#[path = "admitted_tests.rs"]
mod tests;
