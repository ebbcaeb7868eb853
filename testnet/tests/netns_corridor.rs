//! R430–R437 over real namespaces: `up --netns --wan corridor` puts four validators on two
//! bridges with the corridor between them; a TCP handshake from a China node to the Singapore
//! node's gateway takes at least 60 ms (30 ms each way) while one within the China group takes
//! next to nothing; the pilot runs unchanged over it; `down` leaves no namespace, interface or
//! firewall rule behind, and a second `down` is a no-op. A leftover namespace of the same name
//! makes `up` refuse before it creates anything; a range another testnet holds makes it move to
//! the next free one (R431).
//!
//! Needs root and network namespaces: otherwise each test prints why it skips and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsFd as _;
use std::process::Command;
use std::time::{Duration, Instant};

use ebl_testnet::netns::{Group, Layout};
use ebl_testnet::state::TestnetState;
use support::Fixture;

/// The fastest of five TCP handshakes to `to`, made from inside network namespace `ns`.
fn handshake_from(ns: &str, to: SocketAddr) -> Duration {
    let ns = ns.to_string();
    std::thread::spawn(move || {
        let file = std::fs::File::open(format!("/run/netns/{ns}")).unwrap();
        // Only this thread moves into the namespace.
        nix::sched::setns(file.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
        (0..5)
            .map(|_| {
                let start = Instant::now();
                let stream = TcpStream::connect_timeout(&to, Duration::from_secs(3)).unwrap();
                let took = start.elapsed();
                drop(stream);
                took
            })
            .min()
            .unwrap()
    })
    .join()
    .unwrap()
}

fn lines_with(program: &str, args: &[&str], needle: &str) -> Vec<String> {
    let out = Command::new(program).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

fn gateway(state: &TestnetState, i: usize) -> SocketAddr {
    let url = &state.nodes[i].gateway_url;
    url.trim_start_matches("http://").parse().unwrap()
}

#[test]
fn the_corridor_delays_only_cross_group_traffic_runs_the_pilot_and_down_removes_everything() {
    crate::skip_unless_netns!();
    let host_rules_before = lines_with("iptables-legacy", &["-S"], "");
    let net = Fixture::new();
    // Armed before `up`: the names depend on the folder only.
    let root = std::path::absolute(net.dir()).unwrap();
    let _teardown = support::netns::Teardown(Layout::new(&root, vec![Group::China; 4]));
    let args = ["up", "--validators", "4", "--netns", "--wan", "corridor"];
    net.succeeds(&args, 120);
    let state = TestnetState::load(net.dir()).unwrap();
    let layout = state.netns.as_ref().unwrap().layout.clone();
    // R432: GDSW, MSA and BANK are registered in CN, SGSW in SG.
    assert_eq!(
        layout.groups,
        vec![Group::China, Group::Singapore, Group::China, Group::China]
    );
    for (i, node) in state.nodes.iter().enumerate() {
        let ip = layout.node_address(i).to_string();
        assert!(node.gateway_url.contains(&ip), "{}", node.gateway_url);
        // R430: `ip netns exec` execs the node, so the recorded pid is the node.
        assert!(
            ebl_testnet::process::alive(node.pid.unwrap()),
            "{}",
            node.name
        );
    }

    let across = handshake_from(&layout.node_namespace(0), gateway(&state, 1));
    let within = handshake_from(&layout.node_namespace(0), gateway(&state, 2));
    println!(
        "TCP handshake from node 0: to node 1 (across) {across:?}, to node 2 (within) {within:?}"
    );
    assert!(
        across >= Duration::from_millis(60),
        "30 ms at least each way: {across:?}"
    );
    assert!(
        within < Duration::from_millis(20),
        "a LAN within the group: {within:?}"
    );

    let pilot = net.succeeds(&["scenario", "pilot"], 240);
    assert!(
        pilot.stdout.contains("pilot scenario passed"),
        "{}",
        pilot.stdout
    );

    net.succeeds(&["down"], 60);
    assert!(lines_with("ip", &["netns", "list"], &layout.prefix).is_empty());
    assert!(lines_with("ip", &["link", "show"], &layout.prefix).is_empty());
    assert!(lines_with("ip", &["route", "show"], &format!("10.{}.", layout.octet)).is_empty());
    assert_eq!(
        lines_with("iptables-legacy", &["-S"], ""),
        host_rules_before
    );
    let again = net.succeeds(&["down", "--clean"], 60);
    assert!(
        !again.stdout.contains("removed namespace"),
        "{}",
        again.stdout
    );
}

#[test]
fn up_refuses_a_leftover_namespace_of_the_same_name_and_creates_nothing() {
    crate::skip_unless_netns!();
    let net = Fixture::new();
    let root = std::path::absolute(net.dir()).unwrap();
    let layout = Layout::new(&root, vec![Group::China]);
    let leftover = layout.node_namespace(0);
    assert!(
        Command::new("ip")
            .args(["netns", "add", &leftover])
            .status()
            .unwrap()
            .success()
    );
    let refused = net.run(&["up", "--validators", "1", "--netns"], 60);
    let _ = Command::new("ip")
        .args(["netns", "del", &leftover])
        .status();
    assert!(!refused.ok);
    assert!(
        refused.stderr.contains("[NETNS_EXISTS]"),
        "{}",
        refused.stderr
    );
    assert!(
        !net.dir().join("testnet.json").exists(),
        "nothing is written"
    );
    assert!(lines_with("ip", &["netns", "list"], &layout.router()).is_empty());
}

#[test]
fn a_testnet_whose_folder_s_range_is_taken_moves_to_the_next_free_range() {
    crate::skip_unless_netns!();
    let first = Fixture::new();
    let first_root = std::path::absolute(first.dir()).unwrap();
    let _first_down = support::netns::Teardown(Layout::new(&first_root, vec![Group::China]));
    first.succeeds(&["up", "--validators", "1", "--netns"], 90);
    let taken = TestnetState::load(first.dir())
        .unwrap()
        .netns
        .unwrap()
        .layout
        .octet;

    // A second folder whose own range is the one just taken (about one name in 128 has it).
    let work = tempfile::tempdir().unwrap();
    let dir = (0..100_000)
        .map(|k| std::path::absolute(work.path().join(format!("testnet{k}"))).unwrap())
        .find(|d| Layout::new(d, vec![]).octet == taken)
        .unwrap();
    let second = Fixture {
        cleanup: support::Cleanup(dir.clone()),
        work,
    };
    let _second_down = support::netns::Teardown(Layout::new(&dir, vec![Group::China]));
    second.succeeds(&["up", "--validators", "1", "--netns"], 90);
    let state = TestnetState::load(second.dir()).unwrap();
    let moved = state.netns.as_ref().unwrap().layout.clone();
    assert_ne!(moved.octet, taken);
    assert!((64..192).contains(&moved.octet), "{}", moved.octet);
    let address = moved.node_address(0).to_string();
    assert!(
        state.nodes[0].gateway_url.contains(&address),
        "{}",
        state.nodes[0].gateway_url
    );

    // `down` reads the recorded range: the second testnet's route goes, the first's stays.
    second.succeeds(&["down"], 60);
    assert!(lines_with("ip", &["route", "show"], &format!("10.{}.", moved.octet)).is_empty());
    assert!(!lines_with("ip", &["route", "show"], &format!("10.{taken}.")).is_empty());
    first.succeeds(&["down"], 60);
    assert!(lines_with("ip", &["route", "show"], &format!("10.{taken}.")).is_empty());
}
