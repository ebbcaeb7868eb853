//! R204: where a webhook may be delivered.
//!
//! A member holding an admin key chooses the receiver URL, and the node then POSTs to it from
//! inside the operator's network. Unless the operator allows it, a receiver must therefore be
//! a public unicast address: never loopback, link-local (cloud metadata at 169.254.169.254),
//! private (RFC 1918, RFC 4193), shared (CGNAT 100.64/10), unspecified, multicast, broadcast,
//! reserved, or a known cloud metadata address — nor an IPv6 address that embeds one of those.
//!
//! The URL is judged when the subscription is made (every address its host resolves to) and
//! again on every delivery: the client resolves through [`GuardedResolver`], which returns only
//! permitted addresses, and connects to exactly those, so a name that later resolves elsewhere
//! (DNS rebinding) reaches nothing forbidden.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs as _};
use std::time::Duration;

use ipnet::IpNet;

/// Longest a creation-time DNS lookup may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// R204: which receiver addresses the operator allows beyond public unicast ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Every address is allowed (`[api.webhooks] allow_private_targets = true`): for a
    /// receiver on the operator's own network, or tests.
    pub allow_private: bool,
    /// Non-public networks allowed all the same (`allowed_target_cidrs`), e.g. the subnet of
    /// the operator's integration server.
    pub allowed: Vec<IpNet>,
}

impl TargetPolicy {
    /// A policy that allows every address.
    pub fn allow_private() -> Self {
        TargetPolicy {
            allow_private: true,
            allowed: Vec::new(),
        }
    }

    /// R204: `Ok` if a webhook may be delivered to `ip`, else the range it falls in.
    pub fn check(&self, ip: IpAddr) -> Result<(), ForbiddenRange> {
        let ip = ip.to_canonical();
        match forbidden_range(ip) {
            None => Ok(()),
            Some(_) if self.allow_private => Ok(()),
            Some(_) if self.allowed.iter().any(|net| net.contains(&ip)) => Ok(()),
            Some(range) => Err(range),
        }
    }
}

/// A range of addresses a webhook may not reach by default (R204).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenRange {
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`) and IPv6 site-local `fec0::/10`.
    Private,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// Shared address space (carrier-grade NAT), `100.64/10`.
    SharedAddressSpace,
    /// IPv6 unique local addresses (RFC 4193), `fc00::/7`.
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Reserved, benchmarking and documentation ranges (`240/4`, `192.0.0/24`, `198.18/15`,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `100::/64`).
    Reserved,
    /// A cloud provider's metadata or host service (`169.254.169.254`, `168.63.129.16`).
    CloudMetadata,
}

impl ForbiddenRange {
    /// Its name in errors and logs.
    pub fn name(self) -> &'static str {
        match self {
            ForbiddenRange::Unspecified => "unspecified",
            ForbiddenRange::Loopback => "loopback",
            ForbiddenRange::Private => "private",
            ForbiddenRange::LinkLocal => "link-local",
            ForbiddenRange::SharedAddressSpace => "shared address space (CGNAT)",
            ForbiddenRange::UniqueLocal => "unique local",
            ForbiddenRange::Multicast => "multicast",
            ForbiddenRange::Broadcast => "broadcast",
            ForbiddenRange::Reserved => "reserved",
            ForbiddenRange::CloudMetadata => "cloud metadata",
        }
    }
}

/// R204: the forbidden range `ip` is in, `None` for a public unicast address.
pub fn forbidden_range(ip: IpAddr) -> Option<ForbiddenRange> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<ForbiddenRange> {
    let [a, b, c, _] = ip.octets();
    let range = if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(168, 63, 129, 16)
    {
        ForbiddenRange::CloudMetadata
    } else if a == 0 {
        ForbiddenRange::Unspecified
    } else if ip.is_loopback() {
        ForbiddenRange::Loopback
    } else if ip.is_private() {
        ForbiddenRange::Private
    } else if ip.is_link_local() {
        ForbiddenRange::LinkLocal
    } else if a == 100 && (b & 0xc0) == 64 {
        ForbiddenRange::SharedAddressSpace
    } else if ip.is_broadcast() {
        ForbiddenRange::Broadcast
    } else if ip.is_multicast() {
        ForbiddenRange::Multicast
    } else if a >= 240
        || (a, b, c) == (192, 0, 0)
        || (a == 198 && (b & 0xfe) == 18)
        || ip.is_documentation()
    {
        ForbiddenRange::Reserved
    } else {
        return None;
    };
    Some(range)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<ForbiddenRange> {
    let s = ip.segments();
    let o = ip.octets();
    if ip.is_unspecified() {
        return Some(ForbiddenRange::Unspecified);
    }
    if ip.is_loopback() {
        return Some(ForbiddenRange::Loopback);
    }
    // An IPv4 address inside an IPv6 one reaches that IPv4 address: mapped (::ffff:a.b.c.d),
    // compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
    let low = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    if s[..6] == [0; 6] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(low);
    }
    if s[0] == 0x2002 {
        return forbidden_v4(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    let range = if (s[0] & 0xffc0) == 0xfe80 {
        ForbiddenRange::LinkLocal
    } else if (s[0] & 0xffc0) == 0xfec0 {
        ForbiddenRange::Private
    } else if (s[0] & 0xfe00) == 0xfc00 {
        ForbiddenRange::UniqueLocal
    } else if (s[0] & 0xff00) == 0xff00 {
        ForbiddenRange::Multicast
    } else if (s[0], s[1]) == (0x2001, 0x0db8) || s[..4] == [0x0100, 0, 0, 0] {
        ForbiddenRange::Reserved
    } else {
        return None;
    };
    Some(range)
}

/// Why a receiver's host may not be subscribed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TargetError {
    /// The host is, or resolves to, a forbidden address.
    Forbidden(IpAddr, ForbiddenRange),
    /// The host resolves to no address (or not in time).
    Unresolvable(String),
}

/// R204, at creation: every address `url`'s host is or resolves to must be permitted.
pub(crate) async fn check_url_target(
    url: &url::Url,
    policy: &TargetPolicy,
) -> Result<(), TargetError> {
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::net::lookup_host((name, port));
            let unresolvable = |why: String| TargetError::Unresolvable(format!("{name}: {why}"));
            tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
                .await
                .map_err(|_| unresolvable("the DNS lookup timed out".into()))?
                .map_err(|e| unresolvable(e.to_string()))?
                .map(|a| a.ip())
                .collect()
        }
        None => return Err(TargetError::Unresolvable("no host".into())),
    };
    if addresses.is_empty() {
        return Err(TargetError::Unresolvable("no address".into()));
    }
    for ip in addresses {
        policy
            .check(ip)
            .map_err(|range| TargetError::Forbidden(ip, range))?;
    }
    Ok(())
}

/// R204, at delivery: the addresses of `resolved` that `policy` permits, or an error naming
/// `netloc` when none is left. The client connects only to what this returns.
pub(crate) fn permitted(
    policy: &TargetPolicy,
    netloc: &str,
    resolved: Vec<SocketAddr>,
) -> std::io::Result<Vec<SocketAddr>> {
    let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
        .into_iter()
        .partition(|a| policy.check(a.ip()).is_ok());
    if !refused.is_empty() {
        tracing::warn!(%netloc, refused = ?refused, "R204: webhook receiver addresses refused");
    }
    if allowed.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("R204: {netloc} has no address a webhook may be delivered to"),
        ));
    }
    Ok(allowed)
}

/// The webhook client's resolver: the system's, then [`permitted`] (R204).
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver(pub(crate) TargetPolicy);

impl ureq::Resolver for GuardedResolver {
    fn resolve(&self, netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
        let resolved = netloc.to_socket_addrs()?.collect();
        permitted(&self.0, netloc, resolved)
    }
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
