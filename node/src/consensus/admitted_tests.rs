#![allow(clippy::unwrap_used)]

use malachite_engine::network::Status;
use malachite_sync::{Request, ValueRequest};

use super::*;
use crate::consensus::Height;

fn peer(label: u8) -> PeerId {
    let key = libp2p::identity::Keypair::ed25519_from_bytes([label; 32]).unwrap();
    PeerId::from_bytes(&key.public().to_peer_id().to_bytes()).unwrap()
}

fn status(from: PeerId) -> NetworkEvent<EblContext> {
    NetworkEvent::Status(from, Status::new(Height(5), Height(1)))
}

fn value_request(id: &str, from: PeerId) -> NetworkEvent<EblContext> {
    let range = Height(1)..=Height(2);
    NetworkEvent::SyncRequest(
        InboundRequestId::new(id),
        from,
        Request::ValueRequest(ValueRequest::new(range)),
    )
}

#[test]
fn a_value_request_from_a_peer_never_admitted_is_refused_by_its_id() {
    let mut gate = AdmittedPeers::default();
    assert_eq!(
        gate.judge(&value_request("7", peer(1))),
        Verdict::Refuse(InboundRequestId::new("7"))
    );
}

#[test]
fn an_admitted_peers_value_request_passes() {
    let mut gate = AdmittedPeers::default();
    assert_eq!(
        gate.judge(&NetworkEvent::PeerConnected(peer(1))),
        Verdict::Pass
    );
    assert_eq!(gate.judge(&value_request("7", peer(1))), Verdict::Pass);
    // Another peer is still judged on its own.
    assert!(matches!(
        gate.judge(&value_request("8", peer(2))),
        Verdict::Refuse(_)
    ));
}

#[test]
fn a_dropped_peer_is_refused_again() {
    let mut gate = AdmittedPeers::default();
    gate.judge(&NetworkEvent::PeerConnected(peer(1)));
    assert_eq!(gate.judge(&status(peer(1))), Verdict::Pass);
    assert_eq!(
        gate.judge(&NetworkEvent::PeerDisconnected(peer(1))),
        Verdict::Pass
    );
    assert_eq!(
        gate.judge(&status(peer(1))),
        Verdict::Drop { kind: "status" }
    );
    assert!(matches!(
        gate.judge(&value_request("9", peer(1))),
        Verdict::Refuse(_)
    ));
    assert!(!gate.contains(&peer(1)));
}

#[test]
fn content_from_a_peer_not_admitted_is_dropped_by_kind() {
    let mut gate = AdmittedPeers::default();
    assert_eq!(
        gate.judge(&status(peer(3))),
        Verdict::Drop { kind: "status" }
    );
    let response =
        NetworkEvent::SyncResponse(malachite_sync::OutboundRequestId::new("1"), peer(3), None);
    assert_eq!(
        gate.judge(&response),
        Verdict::Drop {
            kind: "sync_response"
        }
    );
}

#[test]
fn failures_of_requests_pass_whoever_the_peer_is() {
    let mut gate = AdmittedPeers::default();
    let inbound = NetworkEvent::SyncInboundRequestFailed(InboundRequestId::new("3"), peer(4));
    assert_eq!(gate.judge(&inbound), Verdict::Pass);
}
