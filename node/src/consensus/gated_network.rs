//! R480 at the edge: the network actor the engine's consensus and sync actors are given, in
//! front of ours ([`crate::consensus::net`], R482).
//!
//! It forwards every message to the network actor, except a subscription: each
//! subscriber gets a relay of its own, subscribed in its place, that hands on only what
//! [`AdmittedPeers`] passes and cancels a value request from a peer not admitted. One relay
//! per subscriber keeps the network actor's own replay to a new subscriber (its listen addresses,
//! connected peers, subscriptions) exactly as it sends them.
//!
//! Supervision: the gate supervises the network actor and the relays; when any of
//! them ends, the gate stops, which the engine's node actor (its supervisor) sees as the
//! network actor ending. When the gate stops it stops the network actor and waits for it.

use malachite_engine::network::{NetworkEvent, NetworkMsg, NetworkRef, Subscriber};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use ractor::{Actor, ActorProcessingErr, ActorRef, ActorStatus, SupervisionEvent};

use crate::consensus::EblContext;
use crate::consensus::admitted::{AdmittedPeers, Verdict};
use crate::metrics::ReasonLabel;

/// How long the gate waits for the network actor to stop when it stops itself.
const INNER_STOP: std::time::Duration = std::time::Duration::from_secs(5);

/// Deliveries withheld, by event kind (one per subscribed actor); see `NodeMetrics`.
pub type WithheldCounter = Family<ReasonLabel, Counter>;

/// The gate in front of the network actor.
#[derive(Debug)]
pub struct GatedNetwork;

/// The gate's state.
#[derive(Debug)]
pub struct GateState {
    inner: NetworkRef<EblContext>,
    withheld: WithheldCounter,
}

impl GatedNetwork {
    /// Starts a gate in front of `inner` and returns the reference to give the engine.
    pub async fn spawn(
        inner: NetworkRef<EblContext>,
        withheld: WithheldCounter,
    ) -> anyhow::Result<NetworkRef<EblContext>> {
        let (gate, _) = Actor::spawn(None, GatedNetwork, (inner.clone(), withheld))
            .await
            .map_err(|e| anyhow::anyhow!("start the network gate: {e}"))?;
        inner.link(gate.get_cell());
        Ok(gate)
    }
}

fn forward_failed(what: &str) -> ActorProcessingErr {
    format!("the network actor is gone ({what})").into()
}

#[async_trait::async_trait]
impl Actor for GatedNetwork {
    type Msg = NetworkMsg<EblContext>;
    type State = GateState;
    type Arguments = (NetworkRef<EblContext>, WithheldCounter);

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        (inner, withheld): Self::Arguments,
    ) -> Result<GateState, ActorProcessingErr> {
        Ok(GateState { inner, withheld })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut GateState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            NetworkMsg::Subscribe(subscriber) => {
                let args = RelayArgs {
                    subscriber,
                    network: state.inner.clone(),
                    withheld: state.withheld.clone(),
                };
                let (relay, _) = Actor::spawn_linked(None, GateRelay, args, myself.get_cell())
                    .await
                    .map_err(|e| format!("start a network relay: {e}"))?;
                state
                    .inner
                    .cast(NetworkMsg::Subscribe(Box::new(relay)))
                    .map_err(|_| forward_failed("subscribe"))?;
            }
            other => state
                .inner
                .cast(other)
                .map_err(|_| forward_failed("forward"))?,
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        _state: &mut GateState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(cell, _, reason) => {
                tracing::warn!(actor = ?cell.get_id(), ?reason, "network actor ended; stopping the gate");
                myself.stop(Some("network actor ended".into()));
            }
            SupervisionEvent::ActorFailed(cell, error) => {
                tracing::error!(actor = ?cell.get_id(), %error, "network actor failed; stopping the gate");
                myself.stop(Some("network actor failed".into()));
            }
            _ => {}
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut GateState,
    ) -> Result<(), ActorProcessingErr> {
        if state.inner.get_status() == ActorStatus::Stopped {
            return Ok(()); // It ended first (the supervision path above).
        }
        // Waits (bounded) so that the node's stop returns with the consensus port released.
        let stopped = state
            .inner
            .stop_and_wait(Some("network gate stopped".into()), Some(INNER_STOP))
            .await;
        if let Err(error) = stopped {
            tracing::warn!(%error, "the network actor did not stop in time");
        }
        Ok(())
    }
}

/// One subscriber's relay.
struct GateRelay;

struct RelayArgs {
    subscriber: Box<dyn Subscriber<NetworkEvent<EblContext>>>,
    network: NetworkRef<EblContext>,
    withheld: WithheldCounter,
}

struct RelayState {
    args: RelayArgs,
    admitted: AdmittedPeers,
}

#[async_trait::async_trait]
impl Actor for GateRelay {
    type Msg = NetworkEvent<EblContext>;
    type State = RelayState;
    type Arguments = RelayArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: RelayArgs,
    ) -> Result<RelayState, ActorProcessingErr> {
        Ok(RelayState {
            args,
            admitted: AdmittedPeers::default(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        event: Self::Msg,
        state: &mut RelayState,
    ) -> Result<(), ActorProcessingErr> {
        match state.admitted.judge(&event) {
            Verdict::Pass => state.args.subscriber.send(event),
            Verdict::Drop { kind } => {
                state
                    .args
                    .withheld
                    .get_or_create(&ReasonLabel { reason: kind })
                    .inc();
            }
            Verdict::Refuse(id) => {
                let label = ReasonLabel {
                    reason: "value_request",
                };
                state.args.withheld.get_or_create(&label).inc();
                // Releases the stream; a second relay's cancel of the same id is a no-op.
                state
                    .args
                    .network
                    .cast(NetworkMsg::CancelInboundRequest(id))
                    .map_err(|_| forward_failed("cancel"))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "gated_network_tests.rs"]
mod tests;
