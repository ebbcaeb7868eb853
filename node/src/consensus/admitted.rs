//! R480: what Malachite's network layer may hand to consensus and value sync, judged by
//! whether Malachite has admitted the peer the event came from.
//!
//! Malachite admits a peer when its Identify completes and it is on the persistent list
//! (R151), and says so with `PeerConnected`; it says `PeerDisconnected` when the last
//! connection closes. Between a connection's handshake and its Identify (forever, for a peer
//! that never answers Identify) every protocol already runs: such a peer could ask value sync
//! for decided blocks and be answered. So an event from a peer that has not been admitted
//! (or has been dropped since) does not reach the actors; a value request from one is
//! cancelled instead, which releases its stream.

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
