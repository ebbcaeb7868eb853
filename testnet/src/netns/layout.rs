//! R431–R432: the names and addresses of a namespaced testnet and the `ip` / `iptables`
//! commands that build it, in pure code (the edge, [`super::host`], only runs them).
//!
//! ```text
//! host (root namespace)  PFX-h 10.O.0.1/30 ── uplink 10.O.0.2/30  PFX-r (router namespace)
//!                        route 10.O.0.0/16 via 10.O.0.2             b1 10.O.1.1/24 China group
//!                                                                   b2 10.O.2.1/24 Singapore group
//! PFX-nI (node I)        eth0 10.O.G.(10+I)/24, default via 10.O.G.1   (veth vI on bridge bG)
//! ```
//! Everything except `PFX-h` and the namespaces lives inside the router namespace, so deleting
//! the namespaces removes the bridges, veths and firewall rules with them (R434), and no rule
//! or setting of the host's own namespace is touched.

use std::net::Ipv4Addr;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::profile::LinkShape;

/// The two sides of the corridor (R432).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Group {
    /// Operators registered in China (country `CN`).
    China,
    /// Operators of every other country: Singapore (`SG`) and anyone else sits on the far side
    /// of the corridor from China.
    Singapore,
}

impl Group {
    /// The group of an operator registered in `country` (ISO 3166 code).
    pub fn of_country(country: &str) -> Group {
        if country.eq_ignore_ascii_case("CN") {
            Group::China
        } else {
            Group::Singapore
        }
    }

    /// The third octet of the group's subnet and the number of its bridge.
    pub fn number(self) -> u8 {
        match self {
            Group::China => 1,
            Group::Singapore => 2,
        }
    }
}

/// The NFQUEUE number the corridor's packets wait in (per network namespace, so every testnet
/// can use the same number in its own router namespace).
pub const QUEUE_NUM: u16 = 0;

/// The lowest second octet a testnet's range may have (R431).
const OCTET_BASE: u8 = 64;

/// How many second octets a testnet's range may have: `10.64.0.0` – `10.191.255.255`.
const OCTET_COUNT: u8 = 128;

/// R431: whether `listing` (the output of `ip -4 -o addr show` and `ip -4 route show`) has an
/// address or a route in `10.O.0.0/16`.
pub fn range_in_use(listing: &str, octet: u8) -> bool {
    let needle = format!(" 10.{octet}.");
    let prefix = format!("10.{octet}.");
    listing
        .lines()
        .any(|l| l.contains(&needle) || l.starts_with(&prefix))
}

/// Where every piece of a namespaced testnet lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Prefix of every name, unique per testnet folder (`ebl` + 6 hex digits).
    pub prefix: String,
    /// Second octet of the testnet's `10.O.0.0/16`.
    pub octet: u8,
    /// Group of node `i`.
    pub groups: Vec<Group>,
}

/// FNV-1a: a stable hash of the folder path (the standard hasher may change between Rust
/// versions; the names must not, or `down` of an older run would miss them).
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

impl Layout {
    /// The layout of the testnet in folder `root` whose node `i` is in `groups[i]`.
    pub fn new(root: &Path, groups: Vec<Group>) -> Layout {
        let hash = fnv1a(root.as_os_str().as_encoded_bytes());
        // 10.64.0.0 – 10.191.255.255: clear of the 10.0/16 and 10.255/16 blocks that container
        // runtimes and VPNs tend to pick.
        let octet = OCTET_BASE + u8::try_from((hash >> 24) % u32::from(OCTET_COUNT)).unwrap_or(0);
        Layout {
            prefix: format!("ebl{:06x}", hash & 0x00ff_ffff),
            octet,
            groups,
        }
    }

    /// R431: the layout moved to the first range `10.O.0.0/16` that `in_use` does not claim,
    /// trying the folder's own `O` first and then the next ones of 64..192, wrapping; none when
    /// every range is taken. The names stay the folder's.
    pub fn first_free(self, in_use: impl Fn(u8) -> bool) -> Option<Layout> {
        let start = self.octet.wrapping_sub(OCTET_BASE);
        let octet = (0..OCTET_COUNT)
            .map(|k| OCTET_BASE + start.wrapping_add(k) % OCTET_COUNT)
            .find(|o| !in_use(*o))?;
        Some(Layout { octet, ..self })
    }

    /// The router namespace.
    pub fn router(&self) -> String {
        format!("{}-r", self.prefix)
    }

    /// Node `i`'s namespace.
    pub fn node_namespace(&self, i: usize) -> String {
        format!("{}-n{i}", self.prefix)
    }

    /// Every namespace, router first.
    pub fn namespaces(&self) -> Vec<String> {
        std::iter::once(self.router())
            .chain((0..self.groups.len()).map(|i| self.node_namespace(i)))
            .collect()
    }

    /// The host's end of the uplink (the only interface in the host's namespace).
    pub fn host_link(&self) -> String {
        format!("{}-h", self.prefix)
    }

    /// The host's address on the uplink.
    pub fn host_address(&self) -> Ipv4Addr {
        Ipv4Addr::new(10, self.octet, 0, 1)
    }

    fn uplink_address(&self) -> Ipv4Addr {
        Ipv4Addr::new(10, self.octet, 0, 2)
    }

    /// A group's subnet, `10.O.G.0/24`.
    pub fn subnet(&self, group: Group) -> String {
        format!("10.{}.{}.0/24", self.octet, group.number())
    }

    fn bridge_address(&self, group: Group) -> Ipv4Addr {
        Ipv4Addr::new(10, self.octet, group.number(), 1)
    }

    /// Node `i`'s address (its gateway, consensus and gossip listen there).
    pub fn node_address(&self, i: usize) -> Ipv4Addr {
        let group = self.groups.get(i).copied().unwrap_or(Group::China);
        let host = u8::try_from(10 + i).unwrap_or(u8::MAX);
        Ipv4Addr::new(10, self.octet, group.number(), host)
    }

    /// Arguments of `ip` that build the namespaces, bridges, veths and routes, in order.
    pub fn build_commands(&self) -> Vec<Vec<String>> {
        let r = self.router();
        let h = self.host_link();
        let o = self.octet;
        let mut cmds = vec![argv(&["netns", "add", &r])];
        for ns in self.namespaces().iter().skip(1) {
            cmds.push(argv(&["netns", "add", ns]));
        }
        cmds.push(argv(&["-n", &r, "link", "set", "lo", "up"]));
        for g in [Group::China, Group::Singapore] {
            let b = format!("b{}", g.number());
            let a = format!("{}/24", self.bridge_address(g));
            cmds.push(argv(&["-n", &r, "link", "add", &b, "type", "bridge"]));
            cmds.push(argv(&["-n", &r, "addr", "add", &a, "dev", &b]));
            cmds.push(argv(&["-n", &r, "link", "set", &b, "up"]));
        }
        let host = format!("{}/30", self.host_address());
        let uplink = format!("{}/30", self.uplink_address());
        let via = self.uplink_address().to_string();
        cmds.extend([
            argv(&[
                "link", "add", &h, "type", "veth", "peer", "name", "uplink", "netns", &r,
            ]),
            argv(&["addr", "add", &host, "dev", &h]),
            argv(&["link", "set", &h, "up"]),
            argv(&["-n", &r, "addr", "add", &uplink, "dev", "uplink"]),
            argv(&["-n", &r, "link", "set", "uplink", "up"]),
            argv(&[
                "route",
                "add",
                &format!("10.{o}.0.0/16"),
                "via",
                &via,
                "dev",
                &h,
            ]),
            argv(&[
                "netns",
                "exec",
                &r,
                "sysctl",
                "-qw",
                "net.ipv4.ip_forward=1",
            ]),
        ]);
        for i in 0..self.groups.len() {
            cmds.extend(self.node_link_commands(i));
        }
        cmds
    }

    /// Node `i`'s veth on its group's bridge, its address and default route (its namespace
    /// exists already).
    fn node_link_commands(&self, i: usize) -> Vec<Vec<String>> {
        let r = self.router();
        let group = self.groups.get(i).copied().unwrap_or(Group::China);
        let ns = self.node_namespace(i);
        let v = format!("v{i}");
        let b = format!("b{}", group.number());
        let addr = format!("{}/24", self.node_address(i));
        let gw = self.bridge_address(group).to_string();
        vec![
            argv(&[
                "-n", &r, "link", "add", &v, "type", "veth", "peer", "name", "eth0", "netns", &ns,
            ]),
            argv(&["-n", &r, "link", "set", &v, "master", &b]),
            argv(&["-n", &r, "link", "set", &v, "up"]),
            argv(&["-n", &ns, "link", "set", "lo", "up"]),
            argv(&["-n", &ns, "addr", "add", &addr, "dev", "eth0"]),
            argv(&["-n", &ns, "link", "set", "eth0", "up"]),
            argv(&["-n", &ns, "route", "add", "default", "via", &gw]),
        ]
    }

    /// R436: the commands that give a node added after `up` (a partner joining, R445) its own
    /// namespace on the bridge of `group`; the node's index is the next one. The caller records
    /// the grown layout before running them, so `down` removes the namespace even after a crash.
    pub fn add_node(&mut self, group: Group) -> (usize, Vec<Vec<String>>) {
        let i = self.groups.len();
        self.groups.push(group);
        let mut cmds = vec![argv(&["netns", "add", &self.node_namespace(i)])];
        cmds.extend(self.node_link_commands(i));
        (i, cmds)
    }

    /// Arguments of `iptables-legacy` (run inside the router namespace) that drop `shape.loss`
    /// of the packets between the groups and queue the rest for the delayer (R433). No
    /// `--queue-bypass`: with the delayer gone the corridor is cut, never silently fast (R435).
    pub fn corridor_rules(&self, shape: &LinkShape) -> Vec<Vec<String>> {
        let queue = QUEUE_NUM.to_string();
        let loss = format!("{:.6}", shape.loss);
        let (cn, sg) = (self.subnet(Group::China), self.subnet(Group::Singapore));
        let mut rules = Vec::new();
        for (from, to) in [(&cn, &sg), (&sg, &cn)] {
            if shape.loss > 0.0 {
                rules.push(argv(&[
                    "-w",
                    "-A",
                    "FORWARD",
                    "-s",
                    from,
                    "-d",
                    to,
                    "-m",
                    "statistic",
                    "--mode",
                    "random",
                    "--probability",
                    &loss,
                    "-j",
                    "DROP",
                ]));
            }
            rules.push(argv(&[
                "-w",
                "-A",
                "FORWARD",
                "-s",
                from,
                "-d",
                to,
                "-j",
                "NFQUEUE",
                "--queue-num",
                &queue,
            ]));
        }
        rules
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn layout(root: &str) -> Layout {
        let groups = vec![Group::China, Group::Singapore, Group::China, Group::China];
        Layout::new(Path::new(root), groups)
    }

    #[test]
    fn names_are_stable_per_folder_short_enough_for_linux_and_differ_between_folders() {
        let a = layout("/tmp/a/testnet");
        assert_eq!(a, layout("/tmp/a/testnet"));
        let b = layout("/tmp/b/testnet");
        assert_ne!(a.prefix, b.prefix);
        assert!(a.prefix.starts_with("ebl") && a.prefix.len() == 9);
        // IFNAMSIZ: 15 characters and the terminating zero.
        assert!(a.host_link().len() <= 15);
        assert!((64..192).contains(&a.octet));
    }

    #[test]
    fn a_taken_range_moves_the_testnet_to_the_next_free_one_and_keeps_its_names() {
        let a = layout("/tmp/a/testnet");
        let own = a.octet;
        let same = a.clone().first_free(|_| false);
        assert_eq!(same.as_ref(), Some(&a));
        let next = a.clone().first_free(|o| o == own);
        let expected = if own == 191 { 64 } else { own + 1 };
        assert_eq!(next.as_ref().map(|l| l.octet), Some(expected));
        assert_eq!(next.map(|l| l.prefix), Some(a.prefix.clone()));
        // From the top of the block it wraps to its bottom, and never leaves 64..192.
        let top = Layout {
            octet: 191,
            ..a.clone()
        };
        assert_eq!(
            top.clone().first_free(|o| o == 191).map(|l| l.octet),
            Some(64)
        );
        let last = top.first_free(|o| o != 190).map(|l| l.octet);
        assert_eq!(last, Some(190));
        assert_eq!(a.first_free(|_| true), None);
    }

    #[test]
    fn a_range_is_in_use_when_an_address_or_a_route_of_the_host_lies_in_it() {
        let listing = "2: eth0    inet 10.117.3.4/24 brd 10.117.3.255 scope global eth0\n\
                       default via 172.17.0.1 dev eth0\n\
                       10.64.0.0/16 via 10.64.0.2 dev ebl1a2b3c-h\n";
        assert!(range_in_use(listing, 117));
        assert!(range_in_use(listing, 64));
        assert!(!range_in_use(listing, 11));
        assert!(!range_in_use(listing, 17));
        assert!(!range_in_use("", 117));
    }

    #[test]
    fn groups_come_from_the_operator_s_country() {
        assert_eq!(Group::of_country("CN"), Group::China);
        assert_eq!(Group::of_country("SG"), Group::Singapore);
        assert_eq!(Group::of_country("MY"), Group::Singapore);
    }

    #[test]
    fn node_addresses_are_in_their_group_s_subnet_of_the_private_range() {
        let l = layout("/x");
        let o = l.octet;
        assert_eq!(l.node_address(0), Ipv4Addr::new(10, o, 1, 10));
        assert_eq!(l.node_address(1), Ipv4Addr::new(10, o, 2, 11));
        assert!(l.node_address(3).is_private());
        assert_eq!(l.subnet(Group::Singapore), format!("10.{o}.2.0/24"));
    }

    #[test]
    fn the_build_creates_every_namespace_first_and_puts_each_node_on_its_group_s_bridge() {
        let l = layout("/x");
        let cmds = l.build_commands();
        for (k, ns) in l.namespaces().iter().enumerate() {
            assert_eq!(cmds[k], argv(&["netns", "add", ns]));
        }
        let joined: Vec<String> = cmds.iter().map(|c| c.join(" ")).collect();
        assert!(joined.contains(&format!("-n {} link set v1 master b2", l.router())));
        assert!(joined.contains(&format!("-n {} link set v3 master b1", l.router())));
        // Only the uplink's host end and its route touch the host's namespace.
        let on_host: Vec<&String> = joined
            .iter()
            .filter(|c| !c.starts_with("-n ") && !c.starts_with("netns "))
            .collect();
        assert!(
            on_host.iter().all(|c| c.contains(&l.host_link())),
            "{on_host:?}"
        );
    }

    #[test]
    fn the_corridor_drops_then_queues_both_ways_and_never_bypasses() {
        let l = layout("/x");
        let shape = LinkShape {
            min_delay: Duration::from_millis(30),
            max_delay: Duration::from_millis(60),
            loss: 0.005,
        };
        let rules: Vec<String> = l
            .corridor_rules(&shape)
            .iter()
            .map(|r| r.join(" "))
            .collect();
        assert_eq!(rules.len(), 4);
        assert!(rules[0].contains("--probability 0.005000 -j DROP"));
        assert!(rules[1].ends_with("-j NFQUEUE --queue-num 0"));
        assert!(rules[3].contains(&format!("-s {}", l.subnet(Group::Singapore))));
        assert!(rules.iter().all(|r| !r.contains("bypass")));
        let lossless = LinkShape { loss: 0.0, ..shape };
        assert_eq!(l.corridor_rules(&lossless).len(), 2);
    }
}
