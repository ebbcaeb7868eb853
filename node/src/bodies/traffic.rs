//! The `/ebl/body/1` traffic of the gossip swarm's task (R142–R147): inbound requests are
//! judged and answered off the task, outbound asks are correlated with their replies, and a
//! peer that answers with a body that does not hash to the id is scored down (R145).

use std::collections::BTreeMap;
use std::pin::Pin;

use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::DocumentId;
use libp2p::futures::stream::FuturesUnordered;
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::{PeerId, Swarm};
use tokio::sync::oneshot;

use super::protocol::{BodyRequest, BodyResponse};
use super::serve::{authorise, facts_blocking};
use super::store::{BodyStore, check_body};
use super::{AskFailure, MAX_ASKS, MAX_SERVES};
use crate::p2p::behaviour::{Behaviour, INVALID_MESSAGE_WEIGHT};
use crate::reads::CommittedReads;

/// An answer being prepared for a peer.
type Serving = Pin<Box<dyn Future<Output = (ResponseChannel<BodyResponse>, BodyResponse)> + Send>>;

/// The reply slot of one outbound ask.
pub(crate) type AskReply = oneshot::Sender<Result<BodyResponse, AskFailure>>;

/// What serving a request needs: the chain (proofs), committed state and the body store.
#[derive(Debug, Clone)]
pub(crate) struct ServeContext {
    pub(crate) chain: ChainRef,
    pub(crate) reads: CommittedReads,
    pub(crate) store: BodyStore,
}

/// The body protocol's state inside the swarm's task.
pub(crate) struct BodyTraffic {
    ctx: ServeContext,
    asked: BTreeMap<OutboundRequestId, (DocumentId, AskReply)>,
    /// Answers in preparation (R147: at most [`MAX_SERVES`]).
    pub(crate) serving: FuturesUnordered<Serving>,
    /// Wrong bodies received per peer (R145), the base of their application score.
    wrong: BTreeMap<PeerId, u32>,
}

impl BodyTraffic {
    pub(crate) fn new(ctx: ServeContext) -> Self {
        BodyTraffic {
            ctx,
            asked: BTreeMap::new(),
            serving: FuturesUnordered::new(),
            wrong: BTreeMap::new(),
        }
    }

    /// R142: sends `request` to `peer`; the reply comes on `reply`.
    pub(crate) fn ask(
        &mut self,
        swarm: &mut Swarm<Behaviour>,
        peer: PeerId,
        request: BodyRequest,
        reply: AskReply,
    ) {
        if self.asked.len() >= MAX_ASKS {
            let _ = reply.send(Err(AskFailure::Busy));
            return;
        }
        let document = request.document;
        let id = swarm.behaviour_mut().bodies.send_request(&peer, request);
        self.asked.insert(id, (document, reply));
    }

    pub(crate) fn on_event(
        &mut self,
        swarm: &mut Swarm<Behaviour>,
        event: request_response::Event<BodyRequest, BodyResponse>,
    ) {
        use request_response::{Event, Message};
        match event {
            Event::Message {
                peer,
                message:
                    Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                if self.serving.len() >= MAX_SERVES {
                    // R147: dropping the channel tells the requester we omitted the answer.
                    tracing::debug!(%peer, "body request dropped: too many in flight");
                    return;
                }
                let ctx = self.ctx.clone();
                self.serving.push(Box::pin(async move {
                    (channel, serve(ctx, peer, request).await)
                }));
            }
            Event::Message {
                peer,
                message:
                    Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                let Some((document, reply)) = self.asked.remove(&request_id) else {
                    return;
                };
                let answer = match response {
                    BodyResponse::Found(body) if check_body(&document, &body).is_err() => {
                        self.penalise(swarm, peer);
                        Err(AskFailure::WrongBody)
                    }
                    response => Ok(response),
                };
                let _ = reply.send(answer);
            }
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                // A response that does not decode (oversize, malformed) is the peer's fault.
                if let request_response::OutboundFailure::Io(e) = &error
                    && e.kind() == std::io::ErrorKind::InvalidData
                {
                    self.penalise(swarm, peer);
                }
                if let Some((_, reply)) = self.asked.remove(&request_id) {
                    let _ = reply.send(Err(AskFailure::Failed(error.to_string())));
                }
            }
            Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "body request from a peer failed");
            }
            Event::ResponseSent { .. } => {}
        }
    }

    /// Sends a prepared answer (the requester may have gone: nothing to do then).
    pub(crate) fn answer(
        swarm: &mut Swarm<Behaviour>,
        (channel, response): (ResponseChannel<BodyResponse>, BodyResponse),
    ) {
        let _ = swarm
            .behaviour_mut()
            .bodies
            .send_response(channel, response);
    }

    /// R145: one more wrong body from `peer`: its gossipsub application score becomes
    /// `-10 × count²`, the same curve as invalid gossiped entries (R114), so three wrong bodies
    /// graylist it. The count is kept while the node runs.
    fn penalise(&mut self, swarm: &mut Swarm<Behaviour>, peer: PeerId) {
        let count = self.wrong.entry(peer).or_insert(0);
        *count = count.saturating_add(1);
        let score = INVALID_MESSAGE_WEIGHT * f64::from(*count).powi(2);
        tracing::info!(%peer, count = *count, "peer sent a document body that does not hash to its id");
        swarm
            .behaviour_mut()
            .gossipsub
            .set_application_score(&peer, score);
    }
}

/// R143: the answer to one request, from committed state and the store (blocking reads, on a
/// blocking thread). Refusal is decided before lookup.
async fn serve(ctx: ServeContext, peer: PeerId, request: BodyRequest) -> BodyResponse {
    let decided = tokio::task::spawn_blocking(move || {
        let facts = facts_blocking(&ctx.reads, &request.document, &request.party)
            .map_err(|e| e.to_string())?;
        if let Err(refusal) = authorise(&ctx.chain, &peer, &request, &facts) {
            tracing::debug!(%peer, code = refusal.code(), "body request refused");
            return Ok(BodyResponse::Forbidden);
        }
        match ctx.store.get_blocking(&request.document) {
            Ok(Some(body)) => Ok(BodyResponse::Found(body)),
            Ok(None) => Ok(BodyResponse::NotFound),
            Err(e) => Err(e.to_string()),
        }
    })
    .await;
    match decided {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot serve a body request");
            BodyResponse::NotFound
        }
        Err(e) => {
            tracing::error!(error = %e, "body request task failed");
            BodyResponse::NotFound
        }
    }
}
