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

/// Ports for `n` nodes: with a base `P`, node `i` gets gateway `P+i`, consensus `P+n+i` and
/// gossip `P+2n+i`; without one, ports the OS reports free (all held open until every one is
/// chosen, so no two are the same).
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
            let listeners = (0..3 * n)
                .map(|_| TcpListener::bind("127.0.0.1:0"))
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(TestnetError::io("find free ports"))?;
            let ports = listeners
                .iter()
                .map(|l| l.local_addr().map(|a| a.port()))
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(TestnetError::io("find free ports"))?;
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
