//! The testnet as a partner (and CI) runs it: `ebl-testnet up` starts four `ebl-node`
//! processes on 127.0.0.1, `scenario pilot` runs the nine steps of issue 6 and 18 through their
//! gateways, `status` reports them, `down --clean` stops them and removes the folder. Every
//! command is a separate process with a bound on its run time.
//!
//! The `ebl-node` binary is found next to this package's `ebl-testnet` binary (the same target
//! folder; scripts/test.sh builds it first) or named by EBL_NODE_BIN; when neither exists the
//! test builds it with cargo into that target folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use ebl_testnet::state::TestnetState;
use support::{Fixture, refused};

#[test]
fn up_runs_the_pilot_scenario_through_four_node_processes_and_down_cleans_everything() {
    let net = Fixture::new();

    let up = net.succeeds(&["up", "--validators", "4"], 120);
    assert!(up.stdout.contains("is up"), "{}", up.stdout);
    let state = TestnetState::load(net.dir()).unwrap();
    assert_eq!(state.nodes.len(), 4);
    assert!(
        state
            .nodes
            .iter()
            .all(|n| n.pid.is_some_and(ebl_testnet::process::alive))
    );
    for org in &state.orgs {
        assert_eq!(org.api_key.len(), 64, "{} has an API key", org.id);
        assert!(
            up.stdout.contains(&org.api_key),
            "{}'s key is printed",
            org.id
        );
    }

    let pilot = net.succeeds(&["scenario", "pilot"], 240);
    assert!(
        pilot.stdout.contains("pilot scenario passed: 9 of 9 steps"),
        "{}",
        pilot.stdout
    );
    assert!(
        pilot.stdout.contains("rejected: NOT_HOLDER"),
        "{}",
        pilot.stdout
    );
    // Step 2b: the bank's linked check of the order, goods and funds references (R409).
    assert!(
        pilot
            .stdout
            .contains("LETTER_OF_CREDIT MATCH, PAYMENT MATCH, PURCHASE_ORDER MATCH"),
        "{}",
        pilot.stdout
    );

    let status = net.succeeds(&["status"], 30);
    assert_eq!(
        status.stdout.matches(" running ").count(),
        4,
        "{}",
        status.stdout
    );

    net.succeeds(&["down", "--clean"], 60);
    assert!(!net.dir().exists(), "down --clean removes the folder");
    for node in &state.nodes {
        let pid = ebl_testnet::state::NodeInfo::clone(node).pid.unwrap();
        assert!(!ebl_testnet::process::alive(pid), "{} stopped", node.name);
    }
}

#[test]
fn the_scenario_refuses_to_run_while_a_node_is_down_and_runs_again_after_restart() {
    let net = Fixture::new();
    net.succeeds(&["up", "--validators", "1"], 120);

    net.succeeds(&["kill", "0"], 30);
    net.refused(&["scenario", "pilot"], 30, &["[USAGE]", "0 of 1 nodes run"]);
    let status = net.run(&["status"], 30);
    assert!(status.stdout.contains(" stopped "), "{}", status.stdout);

    net.succeeds(&["restart", "0"], 90);
    net.succeeds(&["scenario", "pilot"], 240);
    net.succeeds(&["down", "--clean"], 60);
}

#[test]
fn up_refuses_a_folder_in_use_a_missing_node_binary_and_taken_ports_and_status_needs_a_testnet() {
    let work = tempfile::tempdir().unwrap();
    let busy = work.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let b = busy.to_str().unwrap();
    refused(
        work.path(),
        &["--dir", b, "up"],
        30,
        &["[USAGE]", "not empty"],
    );
    assert_eq!(
        std::fs::read_to_string(busy.join("notes.txt")).unwrap(),
        "mine"
    );

    let fresh = work.path().join("fresh");
    let f = fresh.to_str().unwrap();
    let no_node = ["--dir", f, "up", "--node-bin", "/nonexistent/ebl-node"];
    refused(work.path(), &no_node, 30, &["[NODE_BINARY]"]);
    assert!(!fresh.join("testnet.json").exists(), "nothing is written");

    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let taken = ["--dir", f, "up", "--validators", "1", "--base-port", &port];
    refused(work.path(), &taken, 30, &["[USAGE]", "in use"]);
    assert!(!fresh.join("testnet.json").exists(), "nothing is written");

    let status = ["--dir", f, "status"];
    refused(work.path(), &status, 30, &["[STATE]", "no testnet"]);
}
