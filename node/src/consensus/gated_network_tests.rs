#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use malachite::app::types::PeerId;
use malachite_engine::network::{NetworkEvent, NetworkMsg, NetworkRef, Subscriber};
use malachite_sync::{InboundRequestId, OutboundRequestId, Request, ValueRequest};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::sync::mpsc;

use super::*;
use crate::consensus::Height;

/// What the stand-in for Malachite's network actor was sent.
enum Sent {
    Subscribe(Box<dyn Subscriber<NetworkEvent<EblContext>>>),
    Cancel(InboundRequestId),
    Other,
}

/// A stand-in actor that reports every message it gets, mapped by `.0`, to the test.
struct Reporter<M, T>(fn(M) -> T);

#[async_trait::async_trait]
impl<M: ractor::Message, T: Send + 'static> Actor for Reporter<M, T> {
    type Msg = M;
    type State = mpsc::Sender<T>;
    type Arguments = mpsc::Sender<T>;

    async fn pre_start(
        &self,
        _: ActorRef<Self::Msg>,
        tx: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(tx)
    }

    async fn handle(
        &self,
        _: ActorRef<Self::Msg>,
        msg: Self::Msg,
        tx: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let _ = tx.try_send((self.0)(msg));
        Ok(())
    }
}

/// The stand-in for Malachite's network actor reports what it is sent.
fn as_sent(msg: NetworkMsg<EblContext>) -> Sent {
    match msg {
        NetworkMsg::Subscribe(subscriber) => Sent::Subscribe(subscriber),
        NetworkMsg::CancelInboundRequest(id) => Sent::Cancel(id),
        _ => Sent::Other,
    }
}

/// The stand-in for the engine's consensus or sync actor reports what reaches it.
fn as_reached(event: NetworkEvent<EblContext>) -> NetworkEvent<EblContext> {
    event
}

fn peer(label: u8) -> PeerId {
    let key = libp2p::identity::Keypair::ed25519_from_bytes([label; 32]).unwrap();
    PeerId::from_bytes(&key.public().to_peer_id().to_bytes()).unwrap()
}

fn value_request(id: &str, from: PeerId) -> NetworkEvent<EblContext> {
    let range = Height(1)..=Height(1);
    NetworkEvent::SyncRequest(
        InboundRequestId::new(id),
        from,
        Request::ValueRequest(ValueRequest::new(range)),
    )
}

async fn next<T>(rx: &mut mpsc::Receiver<T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("in time")
        .expect("open")
}

struct Rig {
    gate: NetworkRef<EblContext>,
    inner: NetworkRef<EblContext>,
    sent: mpsc::Receiver<Sent>,
    withheld: WithheldCounter,
}

async fn rig() -> Rig {
    let (tx, sent) = mpsc::channel(16);
    let (inner, _) = Actor::spawn(None, Reporter(as_sent), tx).await.unwrap();
    let withheld = WithheldCounter::default();
    let gate = GatedNetwork::spawn(inner.clone(), withheld.clone())
        .await
        .unwrap();
    Rig {
        gate,
        inner,
        sent,
        withheld,
    }
}

#[tokio::test]
async fn a_subscriber_gets_only_admitted_peers_events_and_a_strangers_request_is_cancelled() {
    let mut rig = rig().await;
    let (tx, mut reached) = mpsc::channel(16);
    let (sink, _) = Actor::spawn(None, Reporter(as_reached), tx).await.unwrap();
    rig.gate
        .cast(NetworkMsg::Subscribe(Box::new(sink)))
        .unwrap();
    // Malachite's actor is subscribed a relay, not the sink itself.
    let Sent::Subscribe(relay) = next(&mut rig.sent).await else {
        panic!("the gate did not subscribe a relay");
    };

    relay.send(value_request("1", peer(1)));
    let Sent::Cancel(id) = next(&mut rig.sent).await else {
        panic!("the stranger's request was not cancelled");
    };
    assert_eq!(id, InboundRequestId::new("1"));

    relay.send(NetworkEvent::PeerConnected(peer(2)));
    relay.send(value_request("2", peer(2)));
    assert_eq!(
        next(&mut reached).await,
        NetworkEvent::PeerConnected(peer(2))
    );
    assert_eq!(next(&mut reached).await, value_request("2", peer(2)));
    // Nothing of the stranger's reached the sink.
    assert!(reached.try_recv().is_err());
    let label = ReasonLabel {
        reason: "value_request",
    };
    assert_eq!(rig.withheld.get_or_create(&label).get(), 1);
}

#[tokio::test]
async fn every_other_message_is_forwarded_as_it_is() {
    let mut rig = rig().await;
    rig.gate
        .cast(NetworkMsg::CancelRequest(OutboundRequestId::new("5")))
        .unwrap();
    assert!(matches!(next(&mut rig.sent).await, Sent::Other));
}

/// Waits until `actor` has stopped; fails after 5 s naming `what` kept running.
async fn wait_stopped(actor: &NetworkRef<EblContext>, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while actor.get_status() != ActorStatus::Stopped {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} kept running"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_gate_stops_when_the_network_actor_ends() {
    let rig = rig().await;
    rig.inner.stop(None);
    wait_stopped(&rig.gate, "the gate").await;
}

#[tokio::test]
async fn stopping_the_gate_stops_the_network_actor() {
    let rig = rig().await;
    rig.gate.stop(None);
    wait_stopped(&rig.inner, "Malachite's actor").await;
}
