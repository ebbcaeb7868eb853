//! TCP ports of the testnet's nodes on 127.0.0.1.

use std::net::TcpListener;

use crate::error::{Result, TestnetError};

/// The three ports of one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// HTTP gateway.
    pub api: u16,
    /// Consensus libp2p swarm.
    pub p2p: u16,
    /// Entry gossip libp2p swarm.
    pub gossip: u16,
}

/// Lowest port chosen automatically.
const AUTO_LOW: u16 = 10_000;

/// The first port of the kernel's ephemeral range (what outgoing connections use), 32768 when
/// unknown.
fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|p| p.parse().ok()))
        .unwrap_or(32_768)
}

/// `count` distinct free ports chosen at random below the ephemeral range: a port the OS hands
/// out for `bind(0)` may meanwhile become the local end of some outgoing connection (the nodes
/// of another testnet dialling each other), so the listeners are kept out of that range. Each
/// candidate is bound and held until all are chosen.
pub(crate) fn free_ports(count: usize) -> Result<Vec<u16>> {
    use rand::Rng as _;
    let high = ephemeral_start().max(AUTO_LOW + 1_000);
    let mut rng = rand::thread_rng();
    let mut held = Vec::new();
    let mut ports = Vec::new();
    for _ in 0..count * 50 {
        if ports.len() == count {
            break;
        }
        let port = rng.gen_range(AUTO_LOW..high);
        if ports.contains(&port) {
            continue;
        }
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            held.push(listener);
            ports.push(port);
        }
    }
    if ports.len() < count {
        return Err(TestnetError::Setup(format!(
            "found only {} free ports between {AUTO_LOW} and {high}",
            ports.len()
        )));
    }
    Ok(ports)
}

/// Ports for `n` nodes: with a base `P`, node `i` gets gateway `P+i`, consensus `P+n+i` and
/// gossip `P+2n+i`; without one, free ports chosen at random (see [`free_ports`]).
pub fn allocate(n: usize, base: Option<u16>) -> Result<Vec<Ports>> {
    match base {
        Some(base) => {
            let at = |k: usize| -> Result<u16> {
                u16::try_from(k)
                    .ok()
                    .and_then(|k| base.checked_add(k))
                    .ok_or_else(|| TestnetError::Usage(format!("--base-port {base} is too high")))
            };
            (0..n)
                .map(|i| {
                    Ok(Ports {
                        api: at(i)?,
                        p2p: at(n + i)?,
                        gossip: at(2 * n + i)?,
                    })
                })
                .collect()
        }
        None => {
            let ports = free_ports(3 * n)?;
            Ok((0..n)
                .map(|i| Ports {
                    api: ports[i],
                    p2p: ports[n + i],
                    gossip: ports[2 * n + i],
                })
                .collect())
        }
    }
}

/// Whether something already listens on `127.0.0.1:port`.
pub fn in_use(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_port_lays_out_gateway_consensus_and_gossip_blocks() {
        let ports = allocate(2, Some(20_000)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ports[1],
            Ports {
                api: 20_001,
                p2p: 20_003,
                gossip: 20_005
            }
        );
    }

    #[test]
    fn a_base_port_too_close_to_the_top_is_refused() {
        assert!(allocate(4, Some(65_530)).is_err());
    }

    #[test]
    fn free_ports_are_all_different() {
        let ports = allocate(3, None).unwrap_or_else(|e| panic!("{e}"));
        let mut all: Vec<u16> = ports
            .iter()
            .flat_map(|p| [p.api, p.p2p, p.gossip])
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 9);
    }
}
