//! Rate limits of the anonymous public routes (`/` and `/public/v1/...`): a bucket per client
//! network plus one shared cap, so one noisy client is throttled without locking everyone else
//! out of the verification page, and anonymous traffic as a whole stays bounded.
//!
//! The client is the TCP peer (`ConnectInfo<SocketAddr>`, set by the node's server). IPv6
//! clients are grouped by their /64, which one host usually controls whole. Behind a reverse
//! proxy every request comes from the proxy, so the per-client limit then applies to the proxy
//! and per-client limits belong there; the shared cap still protects the node.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

use crate::config::RateLimit;
use crate::error::ApiError;
use crate::ratelimit::RateLimiter;

/// One client network.
const PER_CLIENT: RateLimit = RateLimit {
    burst: 60,
    per_second: 10.0,
};

/// All anonymous clients together.
const SHARED: RateLimit = RateLimit {
    burst: 1000,
    per_second: 300.0,
};

/// Client networks tracked at once (the least recently seen is forgotten first).
const MAX_CLIENTS: usize = 10_000;

/// The two limiters.
#[derive(Debug)]
pub(super) struct PublicLimits {
    per_client: RateLimiter,
    shared: RateLimiter,
}

impl PublicLimits {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(PublicLimits {
            per_client: RateLimiter::new(PER_CLIENT, MAX_CLIENTS),
            shared: RateLimiter::new(SHARED, 1),
        })
    }

    /// Takes a token from the client's bucket, then from the shared one.
    fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), (Duration, &'static str)> {
        self.per_client
            .check(client_key(client), now)
            .map_err(|wait| (wait, "too many requests from your network"))?;
        self.shared
            .check([0; 32], now)
            .map_err(|wait| (wait, "the public service is busy"))
    }
}

/// The bucket key of a client: its IPv4 address, its IPv6 /64, or one key for "unknown".
fn client_key(client: Option<IpAddr>) -> [u8; 32] {
    let network: Vec<u8> = match client {
        Some(IpAddr::V4(v4)) => v4.octets().to_vec(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => v6.octets()[..8].to_vec(),
        },
        None => Vec::new(),
    };
    Sha256::digest(&network).into()
}

/// Middleware of the public routes.
pub(super) async fn limit(
    State(limits): State<Arc<PublicLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Err((wait, why)) = limits.check(client, Instant::now()) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!("{why}; retry after the indicated delay"),
        );
        e.retry_after = Some(wait.as_secs().saturating_add(1));
        return e.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        Some(
            text.parse()
                .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        )
    }

    #[test]
    fn a_client_over_its_limit_does_not_block_another_client() {
        let limits = PublicLimits::new();
        let now = Instant::now();
        for _ in 0..PER_CLIENT.burst {
            assert!(limits.check(ip("192.0.2.1"), now).is_ok());
        }
        assert!(limits.check(ip("192.0.2.1"), now).is_err());
        assert!(limits.check(ip("192.0.2.2"), now).is_ok());
    }

    #[test]
    fn ipv6_clients_of_one_64_share_a_bucket_and_mapped_ipv4_is_ipv4() {
        assert_eq!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            client_key(ip("::ffff:192.0.2.1")),
            client_key(ip("192.0.2.1"))
        );
    }

    #[test]
    fn the_shared_cap_stops_many_clients_together() {
        let limits = PublicLimits::new();
        let now = Instant::now();
        let mut refused = 0;
        for i in 0..(SHARED.burst + 100) {
            let client = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            if limits.check(Some(client), now).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 100);
    }
}
