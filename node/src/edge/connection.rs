//! One gateway connection: the TLS handshake when there is one, HTTP/1.1 or h2 by hyper, the
//! R202 watchdog, and a graceful end when the server stops.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;

use super::activity::{Activity, ActivityIo, Expiry, TrackedBody};
use super::{EdgeLimits, EdgeMetrics, Io};
use crate::tls::{PeerOrganisation, certificate_org};

/// What every connection of one listener shares.
pub(super) struct Shared {
    pub(super) router: Router,
    pub(super) tls: Option<tokio_rustls::TlsAcceptor>,
    pub(super) limits: EdgeLimits,
    pub(super) metrics: EdgeMetrics,
}

/// Serves `io` from `peer` until the client leaves, a timeout closes it (R202) or `close`
/// says the server stops (then requests in flight finish).
pub(super) async fn serve<I: Io>(
    io: I,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut close: watch::Receiver<bool>,
) {
    let activity = Activity::new();
    let io = ActivityIo::new(io, activity.clone());
    let expired = activity.expired(shared.limits.timeouts());
    tokio::pin!(expired);
    let service = |org: Option<PeerOrganisation>| ConnService {
        router: TowerToHyperService::new(shared.router.clone()),
        peer,
        org,
        activity: activity.clone(),
    };
    let expiry = match &shared.tls {
        None => http(io, service(None), expired.as_mut(), close).await,
        Some(acceptor) => {
            let tls = tokio::select! {
                done = acceptor.accept(io) => match done {
                    Ok(tls) => tls,
                    // Refused handshakes (no certificate, another CA) end here, before HTTP.
                    Err(e) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake refused");
                        return;
                    }
                },
                // R202: the handshake counts against the first request's header time.
                why = expired.as_mut() => return timed_out(peer, &shared.metrics, why),
                _ = close.changed() => return,
            };
            let org = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|leaf| certificate_org(leaf));
            let service = service(Some(PeerOrganisation(org)));
            http(tls, service, expired.as_mut(), close).await
        }
    };
    if let Some(why) = expiry {
        timed_out(peer, &shared.metrics, why);
    }
}

fn timed_out(peer: SocketAddr, metrics: &EdgeMetrics, why: Expiry) {
    tracing::debug!(%peer, reason = why.label(), "R202: gateway connection timed out");
    metrics.on_timeout(why);
}

/// HTTP over `io`; `Some` when the watchdog ended it.
async fn http<I: Io>(
    io: I,
    service: ConnService,
    expired: Pin<&mut impl Future<Output = Expiry>>,
    mut close: watch::Receiver<bool>,
) -> Option<Expiry> {
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "gateway connection ended");
            }
            None
        }
        why = expired => Some(why),
        _ = close.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
            None
        }
    }
}

/// The router, with the connection's peer address and client organisation on every request,
/// and every request counted in flight until its response body ends (R202).
#[derive(Clone)]
struct ConnService {
    router: TowerToHyperService<Router>,
    peer: SocketAddr,
    org: Option<PeerOrganisation>,
    activity: Arc<Activity>,
}

type Reply = Response<TrackedBody<axum::body::Body>>;

impl Service<Request<Incoming>> for ConnService {
    type Response = Reply;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Reply, Infallible>> + Send>>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        let in_flight = self.activity.begin_request();
        // The peer address feeds the public routes' per-client rate limits.
        request.extensions_mut().insert(ConnectInfo(self.peer));
        if let Some(org) = &self.org {
            request.extensions_mut().insert(org.clone());
        }
        let response = self.router.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| TrackedBody::new(body, in_flight)))
        })
    }
}
